// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {CorridorTypes} from "./interfaces/ICorridorTypes.sol";
import {IComplianceHook} from "./interfaces/IComplianceHook.sol";
import {IFeeModule} from "./interfaces/IFeeModule.sol";
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
/// @dev Lifecycle of a message id:
///      source:      send -> Pending -> (refund -> Refunded) | (finalize -> Finalized, lock mode only)
///      destination: settle consumes the id once, before any token moves.
///      The attesters sign either a settlement or a refund for an id, never both.
contract CorridorGateway is AccessControl, Pausable, ReentrancyGuard, EIP712 {
    using SafeERC20 for IERC20;
    using RateLimiter for RateLimiter.Bucket;

    // ---------------------------------------------------------------- errors
    /// @notice The amount must be above zero.
    error ZeroAmount();
    /// @notice The recipient may not be the zero address.
    error InvalidRecipient();
    /// @notice `tier` is not a known tier.
    error InvalidTier(uint8 tier);
    /// @notice The transfer's deadline has passed (or is not in the future at send).
    error DeadlinePassed(uint64 deadline, uint256 nowTimestamp);
    /// @notice There is no enabled route from `inputToken` to `outputToken` on `dstChainId`.
    error RouteNotFound(address inputToken, uint256 dstChainId, address outputToken);
    /// @notice No remote gateway is registered for `chainId`, or `gateway` is not it.
    error UnknownRemoteGateway(uint256 chainId, address gateway);
    /// @notice The corridor fee exceeds the sender's cap.
    error FeeAboveMax(uint256 fee, uint256 maxFee);
    /// @notice The fee module returned a fee that is not below the amount.
    error FeeNotBelowAmount(uint256 fee, uint256 amount);
    /// @notice The message is addressed to another chain or gateway.
    error WrongDestination(uint256 chainId, address gateway);
    /// @notice The message did not originate on this chain and gateway.
    error WrongSource(uint256 chainId, address gateway);
    /// @notice The message id was already settled (destination) or closed (source).
    error MessageAlreadyProcessed(bytes32 id);
    /// @notice The source has no pending message with this id.
    error UnknownMessage(bytes32 id);
    error MessageMismatch(bytes32 id);
    /// @notice The message does not match what was sent under this id.
    /// @notice Fewer signatures than the threshold.
    error TooFewSignatures(uint256 provided, uint256 required);
    /// @notice Signature `index` is malformed.
    error InvalidSignature(uint256 index);
    /// @notice `signer` is not a registered attester.
    error UnknownAttester(address signer);
    /// @notice `signer` signed twice.
    error DuplicateSigner(address signer);
    /// @notice Signatures must be ordered by signer address, ascending.
    error SignersNotAscending(address signer);
    /// @notice `threshold` is zero or above the number of attesters.
    error InvalidThreshold(uint256 threshold, uint256 attesterCount);
    /// @notice The attester is already registered (add) or not registered (remove), or is the zero address.
    error InvalidAttester(address attester);
    /// @notice Burn-and-mint transfers must use a rate of exactly 1e18; a rate may never be zero.
    error InvalidRate(uint256 rate);
    /// @notice The payout is below the sender's minimum.
    error BelowMinAmountOut(uint256 amountOut, uint256 minAmountOut);
    /// @notice `token` is not paid out by this gateway.
    error UnsupportedToken(address token);
    /// @notice The liquidity pool for `token` holds `available`, `needed` is required.
    error InsufficientLiquidity(address token, uint256 available, uint256 needed);
    /// @notice The provider holds `held` shares, `requested` were asked for.
    error InsufficientShares(uint256 held, uint256 requested);
    /// @notice Only finalizable in lock-and-release mode.
    error NotLockRelease(bytes32 id);
    /// @notice Only callable by the gateway itself (batch isolation).
    error OnlySelf();
    /// @notice The zero address is not allowed here.
    error ZeroAddress();
    /// @notice The quote given at settle is not the one the sender locked.
    error QuoteMismatch(bytes32 id);
    /// @notice The quote was not signed by a registered quoter (`signer` is who did sign).
    error UnknownQuoter(address signer);
    /// @notice The quote expired at `expiresAt`, before it was locked at `lockedAt`.
    error QuoteExpired(uint64 expiresAt, uint256 lockedAt);
    /// @notice The quote is for another sender, route, or a smaller amount.
    error QuoteNotApplicable(bytes32 quoteId);
    /// @notice The quote was already locked by an earlier transfer.
    error QuoteAlreadyUsed(bytes32 quoteId);
    /// @notice The Fast allowance for `token` has `available` left, `needed` is required.
    error FastAllowanceExceeded(address token, uint256 available, uint256 needed);

    // ---------------------------------------------------------------- events
    /// @notice A transfer left this chain. Carries everything the destination needs.
    event TransferSent(bytes32 indexed id, address indexed sender, address indexed recipient, CorridorTypes.Message message);
    /// @notice A transfer was paid on this (destination) chain.
    event TransferSettled(
        bytes32 indexed id, address indexed recipient, address outputToken, uint256 amountOut, uint256 fee, uint256 rate
    );
    /// @notice A message in a batch could not be settled; `reason` is the revert data.
    event SettleFailed(bytes32 indexed id, bytes reason);
    /// @notice A transfer was returned in full to its sender on this (source) chain.
    event TransferRefunded(bytes32 indexed id, address indexed sender, uint256 amount, uint8 reason);
    /// @notice A message in a batch could not be refunded; `reason` is the revert data.
    event RefundFailed(bytes32 indexed id, bytes reason);
    /// @notice The escrow of a settled lock-and-release transfer was released to the pool and the fee recipient.
    event TransferFinalized(bytes32 indexed id, uint256 toLiquidity, uint256 fee);
    /// @notice A message in a batch could not be finalized; `reason` is the revert data.
    event FinalizeFailed(bytes32 indexed id, bytes reason);
    /// @notice Attester added.
    event AttesterAdded(address indexed attester);
    /// @notice Attester removed.
    event AttesterRemoved(address indexed attester);
    /// @notice Signature threshold changed.
    event ThresholdChanged(uint256 oldThreshold, uint256 newThreshold);
    /// @notice A route was configured.
    event RouteSet(address indexed inputToken, uint256 indexed dstChainId, address indexed outputToken, uint8 mode, bool enabled);
    /// @notice The trusted gateway for `chainId` changed.
    event RemoteGatewaySet(uint256 indexed chainId, address oldGateway, address newGateway);
    /// @notice Whether this gateway pays out `token` changed.
    event LocalTokenSet(address indexed token, bool supported);
    /// @notice The fee module changed.
    event FeeModuleSet(address oldModule, address newModule);
    /// @notice The compliance hook changed.
    event ComplianceHookSet(address oldHook, address newHook);
    /// @notice The fee recipient changed.
    event FeeRecipientSet(address oldRecipient, address newRecipient);
    /// @notice A quoter was registered or removed.
    event QuoterSet(address indexed quoter, bool oldStatus, bool newStatus);
    /// @notice The Fast allowance capacity for `token` changed.
    event FastAllowanceSet(address indexed token, uint256 oldCapacity, uint256 newCapacity);
    /// @notice A Fast transfer settled before its source was final and used `amount` of the allowance.
    event FastAllowanceDebited(bytes32 indexed id, address indexed token, uint256 amount);
    /// @notice The source of a Fast transfer reached finality and its allowance came back.
    event FastAllowanceCredited(bytes32 indexed id, address indexed token, uint256 amount);
    /// @notice The inbound rate limit for `token` changed.
    event RateLimitSet(address indexed token, bool enabled, uint128 capacity, uint128 rate);
    /// @notice A provider deposited liquidity.
    event LiquidityDeposited(address indexed token, address indexed provider, uint256 amount, uint256 shares);
    /// @notice A provider withdrew liquidity.
    event LiquidityWithdrawn(address indexed token, address indexed provider, uint256 amount, uint256 shares);

    // ---------------------------------------------------------------- types
    /// @notice A settlement: the message, the attested rate, whether the attesters saw the source final
    ///         (if not, a Fast transfer uses the Fast allowance), their signatures, and the locked quote
    ///         with its signature when the sender locked one (empty otherwise).
    struct SettleItem {
        CorridorTypes.Message message;
        uint256 rate;
        bool sourceFinal;
        bytes[] signatures;
        CorridorTypes.Quote quote;
        bytes quoteSignature;
    }

    /// @notice One entry of a refund batch.
    struct RefundItem {
        CorridorTypes.Message message;
        uint8 reason;
        bytes[] signatures;
    }

    /// @notice One entry of a finalize batch.
    struct FinalizeItem {
        CorridorTypes.Message message;
        bytes[] signatures;
    }

    /// @notice What a sender asks for.
    struct SendParams {
        address inputToken;
        uint64 dstChainId;
        address outputToken;
        address recipient;
        uint256 amount;
        uint256 maxFee;
        uint256 minAmountOut;
        uint64 deadline;
        uint8 tier;
        bytes32 extraHash;
        /// @dev All zeros when the sender does not lock a quote.
        CorridorTypes.Quote quote;
    }

    struct Route {
        bool enabled;
        uint8 mode;
    }

    // ---------------------------------------------------------------- constants
    bytes32 public constant ATTESTER_ADMIN_ROLE = keccak256("ATTESTER_ADMIN_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Rates are fixed-point with 18 decimals: amountOut = netAmount * rate / 1e18.
    uint256 public constant RATE_SCALE = 1e18;

    string internal constant MESSAGE_TYPE =
        "Message(uint64 srcChainId,address srcGateway,uint64 dstChainId,address dstGateway,uint64 nonce,address sender,address recipient,address inputToken,address outputToken,uint256 amount,uint256 fee,uint256 minAmountOut,uint64 deadline,uint8 tier,uint8 mode,bytes32 extraHash,bytes32 quoteHash,uint64 sentAt)";
    bytes32 public constant MESSAGE_TYPEHASH = keccak256(bytes(MESSAGE_TYPE));
    // EIP-712 appends referenced struct types to the primary type; the concatenation is not a
    // compile-time constant in Solidity, so these are immutables computed once in the constructor.
    bytes32 public immutable SETTLE_TYPEHASH;
    bytes32 public immutable REFUND_TYPEHASH;
    bytes32 public immutable FINALIZE_TYPEHASH;
    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(bytes32 quoteId,address sender,uint64 srcChainId,uint64 dstChainId,address inputToken,address outputToken,uint256 rate,uint256 maxAmountIn,uint64 expiresAt)"
    );
    bytes32 public constant FINALITY_TYPEHASH = keccak256("Finality(bytes32[] ids)");

    /// @dev Outbound status markers stored in place of the message hash once a message is closed.
    bytes32 internal constant REFUNDED = bytes32(uint256(1));
    bytes32 internal constant FINALIZED = bytes32(uint256(2));

    // ---------------------------------------------------------------- storage
    /// @notice Each sender's next outbound nonce. Per sender, not per gateway: a sender's sends are
    /// ordered by its own account nonce, so when a reorganisation puts them into other blocks they
    /// keep their nonces, and their ids (compare Across's deterministic deposit ids).
    mapping(address sender => uint64) public nonces;
    /// @notice Signatures required for settle, refund and finalize.
    uint256 public threshold;
    /// @notice Number of registered attesters.
    uint256 public attesterCount;
    mapping(address attester => bool) public isAttester;

    /// @notice Destination side: ids already settled.
    mapping(bytes32 id => bool) public consumed;
    /// @notice Source side: the EIP-712 hash of each pending message; REFUNDED or FINALIZED once closed.
    mapping(bytes32 id => bytes32) public outbound;

    mapping(bytes32 routeKey => Route) internal _routes;
    /// @notice The trusted corridor gateway on each remote chain.
    mapping(uint256 chainId => address) public remoteGateway;
    /// @notice Tokens this gateway pays out (mints or releases).
    mapping(address token => bool) public localToken;

    /// @notice Liquidity available for payouts, per token. Shares are per chain and token: a provider who pays
    ///         out GBP on the UK chain is paid in USD into the US chain's pool, so a provider is expected to fund
    ///         both sides of the corridor (as a market maker does); cross-chain claims are not tracked.
    mapping(address token => uint256) public liquidity;
    /// @notice Source-side escrow of in-flight lock-and-release transfers, per token.
    mapping(address token => uint256) public escrowed;
    mapping(address token => uint256) public totalShares;
    mapping(address token => mapping(address provider => uint256)) public shares;

    /// @notice Registered FX quoters (destination side).
    mapping(address quoter => bool) public isQuoter;
    /// @notice Quotes already locked (source side), by quote hash.
    mapping(bytes32 quoteHash => bool) public quoteUsed;
    /// @notice Fast allowance per payout token: the most that may be paid before source finality.
    mapping(address token => uint256) public fastAllowance;
    /// @notice Paid before source finality and not yet credited back.
    mapping(address token => uint256) public fastOutstanding;
    /// @notice What each Fast settlement took from the allowance, until its source is final.
    mapping(bytes32 id => uint256) public fastDebit;
    mapping(address token => RateLimiter.Bucket) internal _inboundLimit;

    IFeeModule public feeModule;
    IComplianceHook public complianceHook;
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
        SETTLE_TYPEHASH = keccak256(bytes(string.concat("Settle(Message message,uint256 rate,bool sourceFinal)", MESSAGE_TYPE)));
        REFUND_TYPEHASH = keccak256(bytes(string.concat("Refund(Message message,uint8 reason)", MESSAGE_TYPE)));
        FINALIZE_TYPEHASH = keccak256(bytes(string.concat("Finalize(Message message)", MESSAGE_TYPE)));
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

    /// @notice Send a corridor transfer. Takes `amount` of `inputToken` from the caller (burned for
    ///         same-currency routes, escrowed for cross-currency ones) and emits TransferSent.
    /// @dev Reverts: EnforcedPause, ZeroAmount, InvalidRecipient, InvalidTier, DeadlinePassed, RouteNotFound,
    ///      UnknownRemoteGateway, FeeAboveMax, FeeNotBelowAmount, ComplianceRejected (hook), and token errors
    ///      (allowance, balance, AccountFrozen).
    /// @return id The message id (`messageId`): the message's hash with `sentAt` left out.
    function send(SendParams calldata p) external whenNotPaused nonReentrant returns (bytes32 id) {
        // checks
        if (p.amount == 0) revert ZeroAmount();
        if (p.recipient == address(0)) revert InvalidRecipient();
        if (p.tier > uint8(CorridorTypes.Tier.Fast)) revert InvalidTier(p.tier);
        if (p.deadline <= block.timestamp) revert DeadlinePassed(p.deadline, block.timestamp);
        Route memory r = _routes[routeKey(p.inputToken, p.dstChainId, p.outputToken)];
        if (!r.enabled) revert RouteNotFound(p.inputToken, p.dstChainId, p.outputToken);
        address dstGateway = remoteGateway[p.dstChainId];
        if (dstGateway == address(0)) revert UnknownRemoteGateway(p.dstChainId, address(0));
        uint256 fee = address(feeModule) == address(0) ? 0 : feeModule.quoteFee(p.inputToken, p.dstChainId, p.tier, p.amount);
        if (fee > p.maxFee) revert FeeAboveMax(fee, p.maxFee);
        if (fee >= p.amount) revert FeeNotBelowAmount(fee, p.amount);
        bytes32 qHash = _checkQuoteAtSend(p);

        uint64 nonce = nonces[msg.sender];
        CorridorTypes.Message memory m = CorridorTypes.Message({
            srcChainId: uint64(block.chainid),
            srcGateway: address(this),
            dstChainId: p.dstChainId,
            dstGateway: dstGateway,
            nonce: nonce,
            sender: msg.sender,
            recipient: p.recipient,
            inputToken: p.inputToken,
            outputToken: p.outputToken,
            amount: p.amount,
            fee: fee,
            minAmountOut: p.minAmountOut,
            deadline: p.deadline,
            tier: p.tier,
            mode: r.mode,
            extraHash: p.extraHash,
            quoteHash: qHash,
            sentAt: uint64(block.timestamp)
        });
        if (address(complianceHook) != address(0)) complianceHook.checkSend(m);

        // effects
        id = messageId(m);
        nonces[msg.sender] = nonce + 1;
        outbound[id] = hashMessage(m);
        if (qHash != bytes32(0)) quoteUsed[qHash] = true;
        if (r.mode == uint8(CorridorTypes.Mode.LockRelease)) escrowed[p.inputToken] += p.amount;

        // interactions
        IERC20(p.inputToken).safeTransferFrom(msg.sender, address(this), p.amount);
        if (r.mode == uint8(CorridorTypes.Mode.BurnMint)) IMintBurnToken(p.inputToken).burn(p.amount);
        emit TransferSent(id, msg.sender, p.recipient, m);
    }

    // ================================================================ external: destination

    /// @notice Pay a transfer attested by the attesters.
    /// @param item The message as emitted by the source gateway; the attested rate (output per input, 18
    ///        decimals, 1e18 for burn-and-mint); whether the source was final when attested; at least
    ///        `threshold` attester signatures over Settle(message, rate, sourceFinal), signers ascending; and the
    ///        locked quote with the quoter's signature if the message carries a quote hash.
    /// @dev Reverts: EnforcedPause, WrongDestination, UnknownRemoteGateway, MessageAlreadyProcessed, DeadlinePassed,
    ///      UnsupportedToken, TooFewSignatures, InvalidSignature, UnknownAttester, DuplicateSigner, SignersNotAscending,
    ///      QuoteMismatch, UnknownQuoter, QuoteExpired, InvalidRate, BelowMinAmountOut, FastAllowanceExceeded,
    ///      RateLimited, InsufficientLiquidity, ComplianceRejected, token errors (AccountFrozen).
    function settle(SettleItem calldata item) external whenNotPaused nonReentrant {
        _settle(item);
    }

    /// @notice Settle many messages in one transaction. A message that fails is skipped with a
    ///         SettleFailed event and does not block the others.
    /// @return settled How many messages were paid.
    /// @dev Reverts: EnforcedPause (the whole batch).
    function settleBatch(SettleItem[] calldata items) external whenNotPaused nonReentrant returns (uint256 settled) {
        for (uint256 i = 0; i < items.length; i++) {
            try this.settleIsolated(items[i]) {
                settled++;
            } catch (bytes memory reason) {
                emit SettleFailed(_idOf(items[i].message), reason);
            }
        }
    }

    /// @notice Batch helper: settles one item in its own call frame so that its revert is contained.
    /// @dev Reverts: OnlySelf, and every reason of `settle`.
    function settleIsolated(SettleItem calldata item) external onlySelf {
        _settle(item);
    }

    /// @notice Credit back the Fast allowance of transfers whose source reached finality, as the attesters sign
    ///         Finality(ids). Ids that took nothing (or were credited already) are skipped.
    /// @dev Reverts: signature errors.
    function creditFastAllowance(bytes32[] calldata ids, bytes[] calldata signatures) external nonReentrant {
        _verify(_hashTypedDataV4(keccak256(abi.encode(FINALITY_TYPEHASH, keccak256(abi.encodePacked(ids))))), signatures);
        for (uint256 i = 0; i < ids.length; i++) {
            uint256 packed = fastDebit[ids[i]];
            if (packed == 0) continue;
            delete fastDebit[ids[i]];
            address token = address(uint160(packed >> 96));
            uint256 amount = packed & ((1 << 96) - 1);
            fastOutstanding[token] -= amount;
            emit FastAllowanceCredited(ids[i], token, amount);
        }
    }

    // ================================================================ external: source closures

    /// @notice Return the full amount of a pending transfer to its sender, as signed by the attesters.
    /// @dev Reverts: WrongSource, UnknownMessage, MessageAlreadyProcessed, MessageMismatch, signature errors,
    ///      token errors (AccountFrozen on a frozen sender).
    function refund(CorridorTypes.Message calldata message, uint8 reason, bytes[] calldata signatures) external nonReentrant {
        _refund(message, reason, signatures);
    }

    /// @notice Refund many messages; a failing one is skipped with RefundFailed.
    /// @return refunded How many were refunded.
    function refundBatch(RefundItem[] calldata items) external nonReentrant returns (uint256 refunded) {
        for (uint256 i = 0; i < items.length; i++) {
            try this.refundIsolated(items[i]) {
                refunded++;
            } catch (bytes memory reason) {
                emit RefundFailed(_idOf(items[i].message), reason);
            }
        }
    }

    /// @notice Batch helper for refunds. Reverts: OnlySelf and every reason of `refund`.
    function refundIsolated(RefundItem calldata item) external onlySelf {
        _refund(item.message, item.reason, item.signatures);
    }

    /// @notice Close a settled lock-and-release transfer on its source: the escrow, less the fee, joins this
    ///         chain's liquidity, and the fee goes to the
    ///         fee recipient. The attesters sign Finalize(message) only after the destination settled it.
    /// @dev Reverts: WrongSource, UnknownMessage, MessageAlreadyProcessed, MessageMismatch, NotLockRelease,
    ///      signature errors.
    function finalize(CorridorTypes.Message calldata message, bytes[] calldata signatures) external nonReentrant {
        _finalize(message, signatures);
    }

    /// @notice Finalize many messages; a failing one is skipped with FinalizeFailed.
    /// @return finalized How many were finalized.
    function finalizeBatch(FinalizeItem[] calldata items) external nonReentrant returns (uint256 finalized) {
        for (uint256 i = 0; i < items.length; i++) {
            try this.finalizeIsolated(items[i]) {
                finalized++;
            } catch (bytes memory reason) {
                emit FinalizeFailed(_idOf(items[i].message), reason);
            }
        }
    }

    /// @notice Batch helper for finalize. Reverts: OnlySelf and every reason of `finalize`.
    function finalizeIsolated(FinalizeItem calldata item) external onlySelf {
        _finalize(item.message, item.signatures);
    }

    // ================================================================ external: liquidity providers

    /// @notice Deposit `amount` of `token` into this gateway's payout liquidity; mints pool shares.
    /// @dev Reverts: ZeroAmount, UnsupportedToken, token errors.
    function deposit(address token, uint256 amount) external nonReentrant returns (uint256 minted) {
        if (amount == 0) revert ZeroAmount();
        if (!localToken[token]) revert UnsupportedToken(token);
        uint256 supply = totalShares[token];
        uint256 pool = liquidity[token];
        // Virtual offset of one share and one base unit (as OpenZeppelin's ERC4626): a pool drained to zero by
        // payouts while shares are outstanding cannot hand a new deposit's value to those worthless shares.
        // Rounded down: the depositor never gets more than their share of the pool.
        minted = (amount * (supply + 1)) / (pool + 1);
        if (minted == 0) revert ZeroAmount();
        totalShares[token] = supply + minted;
        shares[token][msg.sender] += minted;
        liquidity[token] = pool + amount;
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        emit LiquidityDeposited(token, msg.sender, amount, minted);
    }

    /// @notice Burn `shareAmount` pool shares for their part of `token` liquidity.
    /// @dev Reverts: ZeroAmount, InsufficientShares, InsufficientLiquidity, token errors.
    function withdraw(address token, uint256 shareAmount) external nonReentrant returns (uint256 amount) {
        if (shareAmount == 0) revert ZeroAmount();
        uint256 held = shares[token][msg.sender];
        if (held < shareAmount) revert InsufficientShares(held, shareAmount);
        uint256 supply = totalShares[token];
        uint256 pool = liquidity[token];
        // Same virtual offset as deposit; rounded down, so the pool keeps the dust and remaining providers are never diluted.
        amount = (shareAmount * (pool + 1)) / (supply + 1);
        shares[token][msg.sender] = held - shareAmount;
        totalShares[token] = supply - shareAmount;
        liquidity[token] = pool - amount;
        IERC20(token).safeTransfer(msg.sender, amount);
        emit LiquidityWithdrawn(token, msg.sender, amount, shareAmount);
    }

    // ================================================================ external: admin

    /// @notice Register an attester. Reverts: AccessControlUnauthorizedAccount, InvalidAttester.
    function addAttester(address attester) external onlyRole(ATTESTER_ADMIN_ROLE) {
        _addAttester(attester);
    }

    /// @notice Remove an attester; its signatures stop counting at once.
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidAttester, InvalidThreshold (if fewer than threshold remain).
    function removeAttester(address attester) external onlyRole(ATTESTER_ADMIN_ROLE) {
        if (!isAttester[attester]) revert InvalidAttester(attester);
        if (attesterCount - 1 < threshold) revert InvalidThreshold(threshold, attesterCount - 1);
        isAttester[attester] = false;
        attesterCount--;
        emit AttesterRemoved(attester);
    }

    /// @notice Set the signature threshold. Reverts: AccessControlUnauthorizedAccount, InvalidThreshold.
    function setThreshold(uint256 newThreshold) external onlyRole(ATTESTER_ADMIN_ROLE) {
        _setThreshold(newThreshold);
    }

    /// @notice Enable or disable the route inputToken -> (dstChainId, outputToken) with a settlement mode.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setRoute(address inputToken, uint64 dstChainId, address outputToken, CorridorTypes.Mode mode, bool enabled)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (inputToken == address(0) || outputToken == address(0)) revert ZeroAddress();
        _routes[routeKey(inputToken, dstChainId, outputToken)] = Route({enabled: enabled, mode: uint8(mode)});
        emit RouteSet(inputToken, dstChainId, outputToken, uint8(mode), enabled);
    }

    /// @notice Trust `gateway` as the corridor gateway on `chainId` (zero to distrust).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function setRemoteGateway(uint256 chainId, address gateway) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit RemoteGatewaySet(chainId, remoteGateway[chainId], gateway);
        remoteGateway[chainId] = gateway;
    }

    /// @notice Declare whether this gateway pays out `token`. Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setLocalToken(address token, bool supported) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        localToken[token] = supported;
        emit LocalTokenSet(token, supported);
    }

    /// @notice Register or remove an FX quoter. Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setQuoter(address quoter, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (quoter == address(0)) revert ZeroAddress();
        emit QuoterSet(quoter, isQuoter[quoter], allowed);
        isQuoter[quoter] = allowed;
    }

    /// @notice Set the Fast allowance for payouts in `token` (type(uint256).max for unlimited).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function setFastAllowance(address token, uint256 capacity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit FastAllowanceSet(token, fastAllowance[token], capacity);
        fastAllowance[token] = capacity;
    }

    /// @notice Configure the inbound token bucket for payouts in `token` (CCIP-style: capacity, refill per second).
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidRateLimit.
    function setRateLimit(address token, bool enabled, uint128 capacity, uint128 rate) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _inboundLimit[token].configure(enabled, capacity, rate);
        emit RateLimitSet(token, enabled, capacity, rate);
    }

    /// @notice Set the fee module (zero for no fee). Reverts: AccessControlUnauthorizedAccount.
    function setFeeModule(IFeeModule module) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit FeeModuleSet(address(feeModule), address(module));
        feeModule = module;
    }

    /// @notice Set the compliance hook (zero for none). Reverts: AccessControlUnauthorizedAccount.
    function setComplianceHook(IComplianceHook hook) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit ComplianceHookSet(address(complianceHook), address(hook));
        complianceHook = hook;
    }

    /// @notice Set the fee recipient. Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroAddress();
        emit FeeRecipientSet(feeRecipient, recipient);
        feeRecipient = recipient;
    }

    /// @notice Stop sends and settlements (refunds and finalizations stay open so nothing is stuck).
    /// @dev Reverts: AccessControlUnauthorizedAccount, EnforcedPause.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume. Reverts: AccessControlUnauthorizedAccount, ExpectedPause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ================================================================ public views

    /// @notice The route for inputToken -> (dstChainId, outputToken).
    function route(address inputToken, uint256 dstChainId, address outputToken) external view returns (bool enabled, uint8 mode) {
        Route memory r = _routes[routeKey(inputToken, dstChainId, outputToken)];
        return (r.enabled, r.mode);
    }

    /// @notice The inbound rate limit for `token`: enabled, capacity, refill per second, and what is available now.
    function rateLimit(address token) external view returns (bool enabled, uint128 capacity, uint128 rate, uint256 available) {
        RateLimiter.Bucket storage b = _inboundLimit[token];
        return (b.enabled, b.capacity, b.rate, b.enabled ? b.refilled() : type(uint256).max);
    }

    /// @notice EIP-712 struct hash of a quote.
    function hashQuote(CorridorTypes.Quote memory quote) public pure returns (bytes32) {
        return keccak256(abi.encode(QUOTE_TYPEHASH, quote));
    }

    /// @notice The EIP-712 domain separator (name "CorridorGateway", version "1").
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The payout for a message at `rate`: (amount - fee) * rate / 1e18, rounded down.
    function amountOut(CorridorTypes.Message calldata message, uint256 rate) public pure returns (uint256) {
        // Rounding down: the recipient never receives more than the attested rate gives; dust stays in the pool.
        return ((message.amount - message.fee) * rate) / RATE_SCALE;
    }

    /// @notice The message id: the EIP-712 hash of the message with `sentAt` left out (zero). It binds
    /// the source chain and gateway (unique across chains), the sender and the sender's own nonce,
    /// and every term of the transfer, but not the block: when a reorganisation of the source mines
    /// the same send again in another block, it keeps its id (so it is settled once), while a
    /// different send that takes the same nonce on the new branch has another id.
    function messageId(CorridorTypes.Message memory m) public pure returns (bytes32 id) {
        uint64 sentAt = m.sentAt;
        m.sentAt = 0;
        id = hashMessage(m);
        m.sentAt = sentAt;
    }

    /// @notice EIP-712 struct hash of a message.
    function hashMessage(CorridorTypes.Message memory message) public pure returns (bytes32) {
        return keccak256(abi.encode(MESSAGE_TYPEHASH, message));
    }

    /// @notice Route key for the route table.
    function routeKey(address inputToken, uint256 dstChainId, address outputToken) public pure returns (bytes32) {
        return keccak256(abi.encode(inputToken, dstChainId, outputToken));
    }

    // ================================================================ internal

    function _settle(SettleItem calldata item) internal {
        CorridorTypes.Message calldata m = item.message;
        uint256 rate = item.rate;
        // checks
        if (m.dstChainId != block.chainid || m.dstGateway != address(this)) revert WrongDestination(m.dstChainId, m.dstGateway);
        address trusted = remoteGateway[m.srcChainId];
        if (trusted == address(0) || trusted != m.srcGateway) revert UnknownRemoteGateway(m.srcChainId, m.srcGateway);
        bytes32 id = messageId(m);
        if (consumed[id]) revert MessageAlreadyProcessed(id);
        if (block.timestamp > m.deadline) revert DeadlinePassed(m.deadline, block.timestamp);
        if (!localToken[m.outputToken]) revert UnsupportedToken(m.outputToken);
        bytes32 messageHash = hashMessage(m);
        _verify(_hashTypedDataV4(keccak256(abi.encode(SETTLE_TYPEHASH, messageHash, rate, item.sourceFinal))), item.signatures);
        if (m.quoteHash != bytes32(0)) _checkQuoteAtSettle(id, item);
        bool burnMint = m.mode == uint8(CorridorTypes.Mode.BurnMint);
        if (rate == 0 || (burnMint && rate != RATE_SCALE)) revert InvalidRate(rate);
        uint256 out = amountOut(m, rate);
        if (out < m.minAmountOut) revert BelowMinAmountOut(out, m.minAmountOut);

        // effects: the id is consumed before any token moves or any hook is called
        consumed[id] = true;
        _inboundLimit[m.outputToken].consume(m.outputToken, out);
        if (m.tier == uint8(CorridorTypes.Tier.Fast) && !item.sourceFinal) _debitFastAllowance(id, m.outputToken, out);
        if (address(complianceHook) != address(0)) complianceHook.checkSettle(m);
        if (!burnMint) {
            uint256 available = liquidity[m.outputToken];
            if (available < out) revert InsufficientLiquidity(m.outputToken, available, out);
            liquidity[m.outputToken] = available - out;
        }

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

    /// @dev Records the debit packed as (token << 96 | amount); amounts above 2^96 base units cannot be Fast.
    function _debitFastAllowance(bytes32 id, address token, uint256 amount) internal {
        uint256 outstanding = fastOutstanding[token];
        uint256 capacity = fastAllowance[token];
        uint256 available = capacity > outstanding ? capacity - outstanding : 0;
        if (amount > available || amount >= (1 << 96)) revert FastAllowanceExceeded(token, available, amount);
        fastOutstanding[token] = outstanding + amount;
        fastDebit[id] = (uint256(uint160(token)) << 96) | amount;
        emit FastAllowanceDebited(id, token, amount);
    }

    function _refund(CorridorTypes.Message calldata m, uint8 reason, bytes[] calldata signatures) internal {
        // checks
        bytes32 id = _checkOutbound(m);
        _verify(_hashTypedDataV4(keccak256(abi.encode(REFUND_TYPEHASH, hashMessage(m), reason))), signatures);
        // effects
        outbound[id] = REFUNDED;
        bool burnMint = m.mode == uint8(CorridorTypes.Mode.BurnMint);
        if (!burnMint) escrowed[m.inputToken] -= m.amount;
        // interactions: the whole amount, fee included, goes back
        if (burnMint) IMintBurnToken(m.inputToken).mint(m.sender, m.amount);
        else IERC20(m.inputToken).safeTransfer(m.sender, m.amount);
        emit TransferRefunded(id, m.sender, m.amount, reason);
    }

    function _finalize(CorridorTypes.Message calldata m, bytes[] calldata signatures) internal {
        // checks
        bytes32 id = _checkOutbound(m);
        if (m.mode != uint8(CorridorTypes.Mode.LockRelease)) revert NotLockRelease(id);
        _verify(_hashTypedDataV4(keccak256(abi.encode(FINALIZE_TYPEHASH, hashMessage(m)))), signatures);
        // effects
        outbound[id] = FINALIZED;
        escrowed[m.inputToken] -= m.amount;
        uint256 toPool = m.amount - m.fee;
        liquidity[m.inputToken] += toPool;
        // interactions
        if (m.fee > 0) IERC20(m.inputToken).safeTransfer(feeRecipient, m.fee);
        emit TransferFinalized(id, toPool, m.fee);
    }

    function _checkOutbound(CorridorTypes.Message calldata m) internal view returns (bytes32 id) {
        if (m.srcChainId != block.chainid || m.srcGateway != address(this)) revert WrongSource(m.srcChainId, m.srcGateway);
        id = messageId(m);
        bytes32 stored = outbound[id];
        if (stored == bytes32(0)) revert UnknownMessage(id);
        if (stored == REFUNDED || stored == FINALIZED) revert MessageAlreadyProcessed(id);
        if (stored != hashMessage(m)) revert MessageMismatch(id);
    }

    /// @dev m-of-n check. Signers must be ascending so that duplicates are caught in one pass (as CCTP does).
    function _verify(bytes32 digest, bytes[] calldata signatures) internal view {
        uint256 needed = threshold;
        if (signatures.length < needed) revert TooFewSignatures(signatures.length, needed);
        address last = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (!isAttester[signer]) revert UnknownAttester(signer);
            if (signer == last) revert DuplicateSigner(signer);
            if (signer < last) revert SignersNotAscending(signer);
            last = signer;
        }
    }

    function _idOf(CorridorTypes.Message calldata m) internal pure returns (bytes32) {
        return messageId(m);
    }

    function _addAttester(address attester) internal {
        if (attester == address(0) || isAttester[attester]) revert InvalidAttester(attester);
        isAttester[attester] = true;
        attesterCount++;
        emit AttesterAdded(attester);
    }

    function _setThreshold(uint256 newThreshold) internal {
        if (newThreshold == 0 || newThreshold > attesterCount) revert InvalidThreshold(newThreshold, attesterCount);
        emit ThresholdChanged(threshold, newThreshold);
        threshold = newThreshold;
    }
}
