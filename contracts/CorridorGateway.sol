// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {CorridorTypes} from "./interfaces/ICorridorTypes.sol";
import {ICorridorGateway} from "./interfaces/ICorridorGateway.sol";
import {IComplianceHook} from "./interfaces/IComplianceHook.sol";
import {IFeeModule} from "./interfaces/IFeeModule.sol";
import {Attestable} from "./roles/Attestable.sol";
import {LiquidityPool} from "./liquidity/LiquidityPool.sol";
import {FastAllowance} from "./libraries/FastAllowance.sol";
import {MessageHash} from "./libraries/MessageHash.sol";
import {RateLimiter} from "./libraries/RateLimiter.sol";

/// @notice The mint and burn functions the gateway needs from a burn-and-mint token.
interface IMintBurnToken {
    function mint(address to, uint256 amount) external;
    function burn(uint256 amount) external;
}

/// @title CorridorGateway
/// @notice One per chain. On the source it takes a sender's tokens and emits a message; on the
///         destination it pays the recipient once m-of-n registered attesters have signed that
///         message. The destination believes only the attesters' signatures and recomputes the
///         payout itself, so a relayer can delay a transfer but never forge or redirect one.
/// @dev Split by role: errors, events and types on ICorridorGateway; the attester set and the m-of-n check in
///      Attestable; the LP vault in LiquidityPool; hashing in MessageHash; the inbound limits in RateLimiter and
///      FastAllowance. Lifecycle of a message id: see ICorridorGateway.
contract CorridorGateway is ICorridorGateway, Attestable, LiquidityPool, Pausable, EIP712 {
    using SafeERC20 for IERC20;
    using RateLimiter for RateLimiter.Bucket;
    using FastAllowance for FastAllowance.Allowance;

    // ---------------------------------------------------------------- types
    struct Route {
        bool enabled;
        uint8 mode;
    }

    /// @dev Which batch an item belongs to: selects the event of a failed item.
    enum BatchKind {
        Settle,
        Refund,
        Finalize
    }

    // ---------------------------------------------------------------- constants
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Rates are fixed-point with 18 decimals: amountOut = netAmount * rate / 1e18.
    uint256 public constant RATE_SCALE = 1e18;

    bytes32 public constant MESSAGE_TYPEHASH = MessageHash.MESSAGE_TYPEHASH;
    bytes32 public constant QUOTE_TYPEHASH = MessageHash.QUOTE_TYPEHASH;
    // EIP-712 appends referenced struct types to the primary type; the concatenation is not a
    // compile-time constant in Solidity, so these are immutables computed once in the constructor.
    // The attesters sign one batch at a time: SettleBatch(Settle[] items), RefundBatch(Refund[] items),
    // FinalizeBatch(Message[] messages); a single settle, refund or finalize is a batch of one.
    bytes32 public immutable SETTLE_TYPEHASH;
    bytes32 public immutable REFUND_TYPEHASH;
    bytes32 public immutable SETTLE_BATCH_TYPEHASH;
    bytes32 public immutable REFUND_BATCH_TYPEHASH;
    bytes32 public immutable FINALIZE_BATCH_TYPEHASH;
    bytes32 public constant FINALITY_TYPEHASH = keccak256("Finality(bytes32[] ids)");

    /// @dev Outbound status markers stored in place of the message hash once a message is closed.
    bytes32 internal constant REFUNDED = bytes32(uint256(1));
    bytes32 internal constant FINALIZED = bytes32(uint256(2));
    /// @dev Every batch item type starts with its Message, a static struct of 18 words encoded in place.
    uint256 internal constant MESSAGE_SIZE = 18 * 32;
    /// @dev Encoded sizes of the static batch items (0 for SettleItem, which is dynamic: its array has offsets).
    uint256 internal constant REFUND_ITEM_SIZE = MESSAGE_SIZE + 32;
    uint256 internal constant FINALIZE_ITEM_SIZE = MESSAGE_SIZE;

    // ---------------------------------------------------------------- storage
    /// @inheritdoc ICorridorGateway
    mapping(address sender => uint64) public nonces;
    /// @inheritdoc ICorridorGateway
    mapping(bytes32 id => bool) public consumed;
    /// @inheritdoc ICorridorGateway
    mapping(bytes32 id => bytes32) public outbound;

    mapping(bytes32 routeKey => Route) internal _routes;
    /// @inheritdoc ICorridorGateway
    mapping(uint256 chainId => address) public remoteGateway;
    /// @inheritdoc ICorridorGateway
    mapping(address token => bool) public localToken;
    /// @inheritdoc ICorridorGateway
    mapping(address token => uint256) public escrowed;

    /// @inheritdoc ICorridorGateway
    mapping(address quoter => bool) public isQuoter;
    /// @inheritdoc ICorridorGateway
    mapping(bytes32 quoteHash => bool) public quoteUsed;
    mapping(address token => FastAllowance.Allowance) internal _fastAllowance;
    /// @inheritdoc ICorridorGateway
    mapping(bytes32 id => uint256) public fastDebit;
    mapping(address token => RateLimiter.Bucket) internal _inboundLimit;

    /// @inheritdoc ICorridorGateway
    IFeeModule public feeModule;
    /// @inheritdoc ICorridorGateway
    IComplianceHook public complianceHook;
    /// @inheritdoc ICorridorGateway
    address public feeRecipient;

    // ---------------------------------------------------------------- modifiers
    modifier onlySelf() {
        if (msg.sender != address(this)) revert OnlySelf();
        _;
    }

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE, ATTESTER_ADMIN_ROLE and PAUSER_ROLE.
    /// @param attesters Initial attester set.
    /// @param threshold_ Signatures required (m of n).
    /// @param feeRecipient_ Receives corridor fees on this chain.
    constructor(address admin, address[] memory attesters, uint256 threshold_, address feeRecipient_)
        EIP712("CorridorGateway", "1")
    {
        if (admin == address(0) || feeRecipient_ == address(0)) revert ZeroAddress();
        string memory messageType = MessageHash.MESSAGE_TYPE;
        string memory settleType = "Settle(Message message,uint256 rate,bool sourceFinal)";
        string memory refundType = "Refund(Message message,uint8 reason)";
        SETTLE_TYPEHASH = keccak256(bytes(string.concat(settleType, messageType)));
        REFUND_TYPEHASH = keccak256(bytes(string.concat(refundType, messageType)));
        // Referenced types follow the primary type sorted by name: Message before Refund and Settle.
        SETTLE_BATCH_TYPEHASH = keccak256(bytes(string.concat("SettleBatch(Settle[] items)", messageType, settleType)));
        REFUND_BATCH_TYPEHASH = keccak256(bytes(string.concat("RefundBatch(Refund[] items)", messageType, refundType)));
        FINALIZE_BATCH_TYPEHASH = keccak256(bytes(string.concat("FinalizeBatch(Message[] messages)", messageType)));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ATTESTER_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        for (uint256 i = 0; i < attesters.length; i++) {
            _addAttester(attesters[i]);
        }
        _setThreshold(threshold_);
        feeRecipient = feeRecipient_;
        emit FeeRecipientSet(address(0), feeRecipient_);
    }

    // ================================================================ external: sender

    /// @inheritdoc ICorridorGateway
    function send(SendParams calldata p) external whenNotPaused nonReentrant returns (bytes32) {
        // checks
        CorridorTypes.Message memory m =
            _draft(p.inputToken, p.dstChainId, p.outputToken, p.recipient, p.amount, p.minAmountOut, p.deadline, p.tier);
        _checkSend(m, p.maxFee);
        m.extraHash = p.extraHash;
        m.quoteHash = _checkQuoteAtSend(p);
        return _commitSend(m);
    }

    /// @inheritdoc ICorridorGateway
    function sendSimple(
        address inputToken,
        uint64 dstChainId,
        address outputToken,
        address recipient,
        uint256 amount,
        uint256 maxFee,
        uint256 minAmountOut,
        uint64 deadline,
        uint8 tier
    ) external whenNotPaused nonReentrant returns (bytes32) {
        // checks
        CorridorTypes.Message memory m =
            _draft(inputToken, dstChainId, outputToken, recipient, amount, minAmountOut, deadline, tier);
        _checkSend(m, maxFee);
        return _commitSend(m);
    }

    /// @inheritdoc ICorridorGateway
    function quoteSend(address inputToken, uint64 dstChainId, address outputToken, uint256 amount, uint8 tier, uint256 rate)
        external
        view
        returns (uint256 fee, uint256 amountOut_)
    {
        if (amount == 0) revert ZeroAmount();
        if (tier > uint8(CorridorTypes.Tier.Fast)) revert InvalidTier(tier);
        uint8 mode;
        (mode,, fee) = _routeAndFee(inputToken, dstChainId, outputToken, tier, amount);
        if (fee >= amount) revert FeeNotBelowAmount(fee, amount);
        if (mode == uint8(CorridorTypes.Mode.BurnMint)) {
            if (rate != 0 && rate != RATE_SCALE) revert InvalidRate(rate);
            rate = RATE_SCALE;
        } else if (rate == 0) {
            revert InvalidRate(rate);
        }
        // Rounding down, as `amountOut`: what settle pays at this rate.
        amountOut_ = ((amount - fee) * rate) / RATE_SCALE;
    }

    // ================================================================ external: destination

    /// @inheritdoc ICorridorGateway
    function settle(SettleItem calldata item, bytes[] calldata signatures) external whenNotPaused nonReentrant {
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = _settleHash(item);
        _verify(_batchDigest(SETTLE_BATCH_TYPEHASH, hashes), signatures);
        _settle(item);
    }

    /// @inheritdoc ICorridorGateway
    function settleBatch(SettleItem[] calldata items, bytes[] calldata signatures) external whenNotPaused nonReentrant returns (uint256) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; i++) {
            hashes[i] = _settleHash(items[i]);
        }
        _verify(_batchDigest(SETTLE_BATCH_TYPEHASH, hashes), signatures);
        return _batch(this.settleIsolated.selector, BatchKind.Settle, 0);
    }

    /// @inheritdoc ICorridorGateway
    function settleIsolated(SettleItem calldata item) external onlySelf {
        _settle(item);
    }

    /// @inheritdoc ICorridorGateway
    function creditFastAllowance(bytes32[] calldata ids, bytes[] calldata signatures) external nonReentrant {
        _verify(_hashTypedDataV4(keccak256(abi.encode(FINALITY_TYPEHASH, keccak256(abi.encodePacked(ids))))), signatures);
        for (uint256 i = 0; i < ids.length; i++) {
            uint256 record = fastDebit[ids[i]];
            if (record == 0) continue;
            delete fastDebit[ids[i]];
            (address token, uint256 amount) = FastAllowance.unpack(record);
            _fastAllowance[token].credit(amount);
            emit FastAllowanceCredited(ids[i], token, amount);
        }
    }

    // ================================================================ external: source closures

    /// @inheritdoc ICorridorGateway
    function refund(CorridorTypes.Message calldata message, uint8 reason, bytes[] calldata signatures) external nonReentrant {
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = _refundHash(message, reason);
        _verify(_batchDigest(REFUND_BATCH_TYPEHASH, hashes), signatures);
        _refund(message, reason);
    }

    /// @inheritdoc ICorridorGateway
    function refundBatch(RefundItem[] calldata items, bytes[] calldata signatures) external nonReentrant returns (uint256) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; i++) {
            hashes[i] = _refundHash(items[i].message, items[i].reason);
        }
        _verify(_batchDigest(REFUND_BATCH_TYPEHASH, hashes), signatures);
        return _batch(this.refundIsolated.selector, BatchKind.Refund, REFUND_ITEM_SIZE);
    }

    /// @inheritdoc ICorridorGateway
    function refundIsolated(RefundItem calldata item) external onlySelf {
        _refund(item.message, item.reason);
    }

    /// @inheritdoc ICorridorGateway
    function finalize(CorridorTypes.Message calldata message, bytes[] calldata signatures) external nonReentrant {
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = _messageHash(message);
        _verify(_batchDigest(FINALIZE_BATCH_TYPEHASH, hashes), signatures);
        _finalize(message);
    }

    /// @inheritdoc ICorridorGateway
    function finalizeBatch(CorridorTypes.Message[] calldata messages, bytes[] calldata signatures) external nonReentrant returns (uint256) {
        bytes32[] memory hashes = new bytes32[](messages.length);
        for (uint256 i = 0; i < messages.length; i++) {
            hashes[i] = _messageHash(messages[i]);
        }
        _verify(_batchDigest(FINALIZE_BATCH_TYPEHASH, hashes), signatures);
        return _batch(this.finalizeIsolated.selector, BatchKind.Finalize, FINALIZE_ITEM_SIZE);
    }

    /// @inheritdoc ICorridorGateway
    function finalizeIsolated(CorridorTypes.Message calldata message) external onlySelf {
        _finalize(message);
    }

    // ================================================================ external: admin

    /// @inheritdoc ICorridorGateway
    function setRoute(address inputToken, uint64 dstChainId, address outputToken, CorridorTypes.Mode mode, bool enabled)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (inputToken == address(0) || outputToken == address(0)) revert ZeroAddress();
        _routes[routeKey(inputToken, dstChainId, outputToken)] = Route({enabled: enabled, mode: uint8(mode)});
        emit RouteSet(inputToken, dstChainId, outputToken, uint8(mode), enabled);
    }

    /// @inheritdoc ICorridorGateway
    function setRemoteGateway(uint256 chainId, address gateway) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit RemoteGatewaySet(chainId, remoteGateway[chainId], gateway);
        remoteGateway[chainId] = gateway;
    }

    /// @inheritdoc ICorridorGateway
    function setLocalToken(address token, bool supported) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        localToken[token] = supported;
        emit LocalTokenSet(token, supported);
    }

    /// @inheritdoc ICorridorGateway
    function setQuoter(address quoter, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (quoter == address(0)) revert ZeroAddress();
        emit QuoterSet(quoter, isQuoter[quoter], allowed);
        isQuoter[quoter] = allowed;
    }

    /// @inheritdoc ICorridorGateway
    function setFastAllowance(address token, uint256 capacity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit FastAllowanceSet(token, _fastAllowance[token].capacity, capacity);
        _fastAllowance[token].capacity = capacity;
    }

    /// @inheritdoc ICorridorGateway
    function setRateLimit(address token, bool enabled, uint128 capacity, uint128 rate) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _inboundLimit[token].configure(enabled, capacity, rate);
        emit RateLimitSet(token, enabled, capacity, rate);
    }

    /// @inheritdoc ICorridorGateway
    function setFeeModule(IFeeModule module) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit FeeModuleSet(address(feeModule), address(module));
        feeModule = module;
    }

    /// @inheritdoc ICorridorGateway
    function setComplianceHook(IComplianceHook hook) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit ComplianceHookSet(address(complianceHook), address(hook));
        complianceHook = hook;
    }

    /// @inheritdoc ICorridorGateway
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroAddress();
        emit FeeRecipientSet(feeRecipient, recipient);
        feeRecipient = recipient;
    }

    /// @inheritdoc ICorridorGateway
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ICorridorGateway
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ================================================================ external: views

    /// @inheritdoc ICorridorGateway
    function statusOf(bytes32 id) external view returns (Status) {
        // A message id is settled on its destination and sent from its source, another chain: at most one holds.
        if (consumed[id]) return Status.Settled;
        bytes32 stored = outbound[id];
        if (stored == bytes32(0)) return Status.None;
        if (stored == REFUNDED) return Status.Refunded;
        if (stored == FINALIZED) return Status.Finalized;
        return Status.Pending;
    }

    /// @inheritdoc ICorridorGateway
    function route(address inputToken, uint256 dstChainId, address outputToken) external view returns (bool enabled, uint8 mode) {
        Route memory r = _routes[routeKey(inputToken, dstChainId, outputToken)];
        return (r.enabled, r.mode);
    }

    /// @inheritdoc ICorridorGateway
    function rateLimit(address token) external view returns (bool enabled, uint128 capacity, uint128 rate, uint256 available) {
        RateLimiter.Bucket storage b = _inboundLimit[token];
        return (b.enabled, b.capacity, b.rate, b.enabled ? b.refilled() : type(uint256).max);
    }

    /// @inheritdoc ICorridorGateway
    function fastAllowance(address token) external view returns (uint256) {
        return _fastAllowance[token].capacity;
    }

    /// @inheritdoc ICorridorGateway
    function fastOutstanding(address token) external view returns (uint256) {
        return _fastAllowance[token].outstanding;
    }

    /// @inheritdoc ICorridorGateway
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ================================================================ public: pure

    /// @inheritdoc ICorridorGateway
    function hashQuote(CorridorTypes.Quote memory quote) public pure returns (bytes32) {
        return MessageHash.hash(quote);
    }

    /// @inheritdoc ICorridorGateway
    function amountOut(CorridorTypes.Message calldata message, uint256 rate) public pure returns (uint256) {
        // Rounding down: the recipient never receives more than the attested rate gives; dust stays in the pool.
        return ((message.amount - message.fee) * rate) / RATE_SCALE;
    }

    /// @inheritdoc ICorridorGateway
    function messageId(CorridorTypes.Message memory m) public pure returns (bytes32 id) {
        return MessageHash.id(m);
    }

    /// @inheritdoc ICorridorGateway
    function hashMessage(CorridorTypes.Message memory message) public pure returns (bytes32) {
        return MessageHash.hash(message);
    }

    /// @inheritdoc ICorridorGateway
    function routeKey(address inputToken, uint256 dstChainId, address outputToken) public pure returns (bytes32) {
        return keccak256(abi.encode(inputToken, dstChainId, outputToken));
    }

    // ================================================================ internal: send

    /// @dev The message a send from the caller would emit, before the route, fee and quote are known.
    function _draft(
        address inputToken,
        uint64 dstChainId,
        address outputToken,
        address recipient,
        uint256 amount,
        uint256 minAmountOut,
        uint64 deadline,
        uint8 tier
    ) internal view returns (CorridorTypes.Message memory m) {
        m.srcChainId = uint64(block.chainid);
        m.srcGateway = address(this);
        m.dstChainId = dstChainId;
        m.nonce = nonces[msg.sender];
        m.sender = msg.sender;
        m.recipient = recipient;
        m.inputToken = inputToken;
        m.outputToken = outputToken;
        m.amount = amount;
        m.minAmountOut = minAmountOut;
        m.deadline = deadline;
        m.tier = tier;
        m.sentAt = uint64(block.timestamp);
    }

    /// @dev The checks of a send, in their documented order; fills in the destination gateway, fee and mode.
    function _checkSend(CorridorTypes.Message memory m, uint256 maxFee) internal view {
        if (m.amount == 0) revert ZeroAmount();
        if (m.recipient == address(0)) revert InvalidRecipient();
        if (m.tier > uint8(CorridorTypes.Tier.Fast)) revert InvalidTier(m.tier);
        if (m.deadline <= block.timestamp) revert DeadlinePassed(m.deadline, block.timestamp);
        (m.mode, m.dstGateway, m.fee) = _routeAndFee(m.inputToken, m.dstChainId, m.outputToken, m.tier, m.amount);
        if (m.fee > maxFee) revert FeeAboveMax(m.fee, maxFee);
        if (m.fee >= m.amount) revert FeeNotBelowAmount(m.fee, m.amount);
    }

    /// @dev The route's mode, the trusted destination gateway and the fee, for `send` and `quoteSend` alike.
    ///      Reverts: RouteNotFound, UnknownRemoteGateway, the fee module's errors.
    function _routeAndFee(address inputToken, uint64 dstChainId, address outputToken, uint8 tier, uint256 amount)
        internal
        view
        returns (uint8 mode, address dstGateway, uint256 fee)
    {
        Route memory r = _routes[routeKey(inputToken, dstChainId, outputToken)];
        if (!r.enabled) revert RouteNotFound(inputToken, dstChainId, outputToken);
        dstGateway = remoteGateway[dstChainId];
        if (dstGateway == address(0)) revert UnknownRemoteGateway(dstChainId, address(0));
        fee = address(feeModule) == address(0) ? 0 : feeModule.quoteFee(inputToken, dstChainId, tier, amount);
        mode = r.mode;
    }

    /// @dev Source side: a locked quote must be this sender's, for this route and amount, unexpired and unused.
    ///      Its signature is checked where it is honoured, on the destination.
    function _checkQuoteAtSend(SendParams calldata p) internal view returns (bytes32) {
        CorridorTypes.Quote calldata q = p.quote;
        if (q.quoteId == bytes32(0)) return bytes32(0);
        if (
            q.sender != msg.sender || q.srcChainId != block.chainid || q.dstChainId != p.dstChainId || q.inputToken != p.inputToken
                || q.outputToken != p.outputToken || p.amount > q.maxAmountIn
        ) revert QuoteNotApplicable(q.quoteId);
        if (block.timestamp > q.expiresAt) revert QuoteExpired(q.expiresAt, block.timestamp);
        // Keyed by the quote's hash, which binds the sender: a self-made quote reusing another's id blocks nothing.
        bytes32 qHash = hashQuote(q);
        if (quoteUsed[qHash]) revert QuoteAlreadyUsed(q.quoteId);
        return qHash;
    }

    /// @dev The compliance hook, then the effects and interactions of a checked send.
    function _commitSend(CorridorTypes.Message memory m) internal returns (bytes32 id) {
        if (address(complianceHook) != address(0)) complianceHook.checkSend(m);

        // effects
        id = MessageHash.id(m);
        nonces[msg.sender] = m.nonce + 1;
        outbound[id] = MessageHash.hash(m);
        if (m.quoteHash != bytes32(0)) quoteUsed[m.quoteHash] = true;
        bool burnMint = m.mode == uint8(CorridorTypes.Mode.BurnMint);
        if (!burnMint) escrowed[m.inputToken] += m.amount;

        // interactions
        IERC20(m.inputToken).safeTransferFrom(msg.sender, address(this), m.amount);
        if (burnMint) IMintBurnToken(m.inputToken).burn(m.amount);
        _emitTransferSent(id, m);
    }

    /// @dev `emit TransferSent(id, msg.sender, m.recipient, m)`, with the struct logged from where it lies: a
    ///      memory struct of value types is already its ABI encoding (18 clean words), so the log needs no copy.
    function _emitTransferSent(bytes32 id, CorridorTypes.Message memory m) internal {
        bytes32 topic = TransferSent.selector;
        address sender = m.sender;
        address recipient = m.recipient;
        assembly ("memory-safe") {
            log4(m, MESSAGE_SIZE, topic, id, sender, recipient)
        }
    }

    // ================================================================ internal: settle and close

    function _settle(SettleItem calldata item) internal {
        CorridorTypes.Message calldata m = item.message;
        uint256 rate = item.rate;
        // checks
        if (m.dstChainId != block.chainid || m.dstGateway != address(this)) revert WrongDestination(m.dstChainId, m.dstGateway);
        address trusted = remoteGateway[m.srcChainId];
        if (trusted == address(0) || trusted != m.srcGateway) revert UnknownRemoteGateway(m.srcChainId, m.srcGateway);
        bytes32 id = _messageId(m);
        if (consumed[id]) revert MessageAlreadyProcessed(id);
        if (block.timestamp > m.deadline) revert DeadlinePassed(m.deadline, block.timestamp);
        if (!localToken[m.outputToken]) revert UnsupportedToken(m.outputToken);
        if (m.quoteHash != bytes32(0)) _checkQuoteAtSettle(id, item);
        bool burnMint = m.mode == uint8(CorridorTypes.Mode.BurnMint);
        if (rate == 0 || (burnMint && rate != RATE_SCALE)) revert InvalidRate(rate);
        uint256 out = amountOut(m, rate);
        if (out < m.minAmountOut) revert BelowMinAmountOut(out, m.minAmountOut);

        // effects: the id is consumed before any token moves or any hook is called
        consumed[id] = true;
        _inboundLimit[m.outputToken].consume(m.outputToken, out);
        if (m.tier == uint8(CorridorTypes.Tier.Fast) && !item.sourceFinal) {
            fastDebit[id] = _fastAllowance[m.outputToken].debit(m.outputToken, out);
            emit FastAllowanceDebited(id, m.outputToken, out);
        }
        if (address(complianceHook) != address(0)) complianceHook.checkSettle(m);
        if (!burnMint) _drawLiquidity(m.outputToken, out);

        // interactions
        if (burnMint) {
            IMintBurnToken(m.outputToken).mint(m.recipient, out);
            // Same currency: the fee is minted to this chain's fee recipient (as CCTP's fast-transfer fee).
            if (m.fee > 0) IMintBurnToken(m.outputToken).mint(feeRecipient, m.fee);
        } else {
            IERC20(m.outputToken).safeTransfer(m.recipient, out);
        }
        emit TransferSettled(id, m.recipient, m.outputToken, out, m.fee, rate);
    }

    /// @dev Destination side: the quote is the locked one, signed by a registered quoter, locked before expiry,
    ///      and the attested rate is the quote's rate (so the payout is recomputed from the quote itself).
    function _checkQuoteAtSettle(bytes32 id, SettleItem calldata item) internal view {
        CorridorTypes.Quote calldata q = item.quote;
        if (hashQuote(q) != item.message.quoteHash) revert QuoteMismatch(id);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(_hashTypedDataV4(hashQuote(q)), item.quoteSignature);
        if (err != ECDSA.RecoverError.NoError || !isQuoter[signer]) revert UnknownQuoter(signer);
        if (item.message.sentAt > q.expiresAt) revert QuoteExpired(q.expiresAt, item.message.sentAt);
        if (item.rate != q.rate) revert InvalidRate(item.rate);
    }

    /// @dev The attesters' signatures over the item's batch were checked by the caller.
    function _refund(CorridorTypes.Message calldata m, uint8 reason) internal {
        // checks
        bytes32 id = _checkOutbound(m);
        // effects
        outbound[id] = REFUNDED;
        bool burnMint = m.mode == uint8(CorridorTypes.Mode.BurnMint);
        if (!burnMint) escrowed[m.inputToken] -= m.amount;
        // interactions: the whole amount, fee included, goes back
        if (burnMint) IMintBurnToken(m.inputToken).mint(m.sender, m.amount);
        else IERC20(m.inputToken).safeTransfer(m.sender, m.amount);
        emit TransferRefunded(id, m.sender, m.amount, reason);
    }

    /// @dev The attesters' signatures over the item's batch were checked by the caller.
    function _finalize(CorridorTypes.Message calldata m) internal {
        // checks
        bytes32 id = _checkOutbound(m);
        if (m.mode != uint8(CorridorTypes.Mode.LockRelease)) revert NotLockRelease(id);
        // effects
        outbound[id] = FINALIZED;
        escrowed[m.inputToken] -= m.amount;
        uint256 toPool = m.amount - m.fee;
        _addLiquidity(m.inputToken, toPool);
        // interactions
        if (m.fee > 0) IERC20(m.inputToken).safeTransfer(feeRecipient, m.fee);
        emit TransferFinalized(id, toPool, m.fee);
    }

    /// @dev Source side: `m` is pending here under its id. Returns its id.
    function _checkOutbound(CorridorTypes.Message calldata m) internal view returns (bytes32 id) {
        if (m.srcChainId != block.chainid || m.srcGateway != address(this)) revert WrongSource(m.srcChainId, m.srcGateway);
        id = _messageId(m);
        bytes32 stored = outbound[id];
        if (stored == bytes32(0)) revert UnknownMessage(id);
        if (stored == REFUNDED || stored == FINALIZED) revert MessageAlreadyProcessed(id);
        if (stored != _messageHash(m)) revert MessageMismatch(id);
    }

    /// @dev The id of a message in calldata (MessageHash.id without a copy in memory).
    function _messageId(CorridorTypes.Message calldata m) internal pure returns (bytes32) {
        return _hashCalldataMessage(m, true);
    }

    /// @dev The struct hash of a message in calldata (MessageHash.hash without a copy in memory).
    function _messageHash(CorridorTypes.Message calldata m) internal pure returns (bytes32) {
        return _hashCalldataMessage(m, false);
    }

    /// @dev keccak256(MESSAGE_TYPEHASH ‖ the message's 18 calldata words), `sentAt` zeroed for the id, hashed in
    ///      scratch memory past the free memory pointer. The words are hashed as sent, unchecked: a word that is
    ///      not a clean value of its field's type (high bits set) gives a hash that no attester signed and no
    ///      source stored, so such a message matches nothing; the fields the gateway acts on are checked by
    ///      Solidity where they are read.
    function _hashCalldataMessage(CorridorTypes.Message calldata m, bool zeroSentAt) internal pure returns (bytes32 h) {
        bytes32 typeHash = MESSAGE_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 32), m, MESSAGE_SIZE)
            if zeroSentAt { mstore(add(ptr, MESSAGE_SIZE), 0) }
            h := keccak256(ptr, add(MESSAGE_SIZE, 32))
        }
    }

    // ================================================================ internal: attestations

    /// @dev EIP-712 struct hash of one settlement: Settle(Message message,uint256 rate,bool sourceFinal).
    function _settleHash(SettleItem calldata item) internal view returns (bytes32) {
        return keccak256(abi.encode(SETTLE_TYPEHASH, _messageHash(item.message), item.rate, item.sourceFinal));
    }

    /// @dev EIP-712 struct hash of one refund: Refund(Message message,uint8 reason).
    function _refundHash(CorridorTypes.Message calldata m, uint8 reason) internal view returns (bytes32) {
        return keccak256(abi.encode(REFUND_TYPEHASH, _messageHash(m), reason));
    }

    /// @dev The digest the attesters sign over a batch: its type hash and the hash of its items' struct
    ///      hashes in order (EIP-712's encoding of a struct array), in this gateway's domain.
    function _batchDigest(bytes32 typeHash, bytes32[] memory itemHashes) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(typeHash, keccak256(abi.encodePacked(itemHashes)))));
    }

    // ================================================================ internal: batches

    /// @dev The one batch loop of settleBatch, refundBatch and finalizeBatch, whose first argument is the array
    ///      of items (its signatures, checked by the caller, follow). Each item runs in its own call frame, a
    ///      self-call to `isolated` (settleIsolated, refundIsolated or finalizeIsolated) with the item's own ABI
    ///      encoding copied from this call's calldata, so that its revert is contained: a failed item emits
    ///      `kind`'s failure event with its id and the revert data, and the others proceed. Every item type starts
    ///      with its Message, a static struct encoded in place, which gives the id of a failed item without
    ///      decoding the rest. `itemSize` is the encoded size of a static item type (laid out in place, one after
    ///      another), or 0 for a dynamic one (the array holds an offset per item).
    ///      Reads of msg.data are bounds-checked slices: an item whose offset points outside the calldata reverts
    ///      the whole batch (as indexing the typed array would).
    /// @return done How many items succeeded.
    function _batch(bytes4 isolated, BatchKind kind, uint256 itemSize) internal returns (uint256 done) {
        // msg.data: selector | offset of the array | ... ; at the array: length, then the items in place (static)
        // or one offset per item, relative to the first of those offsets (dynamic).
        uint256 heads = 4 + _calldataWord(4) + 32;
        uint256 n = _calldataWord(heads - 32);
        for (uint256 i = 0; i < n; i++) {
            // Nothing allocated for this item outlives it: its memory is reused for the next one.
            uint256 freeMemory = _freeMemoryPointer();
            uint256 start;
            uint256 end;
            bytes memory call;
            if (itemSize != 0) {
                start = heads + itemSize * i;
                end = start + itemSize;
                call = abi.encodePacked(isolated, msg.data[start:end]);
            } else {
                start = heads + _calldataWord(heads + 32 * i);
                // Standard encoders lay items out in order, so an item ends where the next begins; otherwise (or
                // for the last item) pass the rest of the calldata, of which the callee's decoder reads what it needs.
                end = i + 1 < n ? heads + _calldataWord(heads + 32 * (i + 1)) : msg.data.length;
                if (end <= start || end > msg.data.length) end = msg.data.length;
                call = abi.encodePacked(isolated, uint256(32), msg.data[start:end]);
            }
            (bool ok, bytes memory reason) = address(this).call(call);
            if (ok) {
                done++;
            } else {
                bytes32 id = MessageHash.id(abi.decode(msg.data[start:start + MESSAGE_SIZE], (CorridorTypes.Message)));
                if (kind == BatchKind.Settle) emit SettleFailed(id, reason);
                else if (kind == BatchKind.Refund) emit RefundFailed(id, reason);
                else emit FinalizeFailed(id, reason);
            }
            _setFreeMemoryPointer(freeMemory);
        }
    }

    function _calldataWord(uint256 at) internal pure returns (uint256) {
        return uint256(bytes32(msg.data[at:at + 32]));
    }

    function _freeMemoryPointer() internal pure returns (uint256 ptr) {
        assembly ("memory-safe") {
            ptr := mload(0x40)
        }
    }

    function _setFreeMemoryPointer(uint256 ptr) internal pure {
        assembly ("memory-safe") {
            mstore(0x40, ptr)
        }
    }

    /// @inheritdoc LiquidityPool
    function _isPoolToken(address token) internal view override returns (bool) {
        return localToken[token];
    }
}
