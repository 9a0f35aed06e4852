// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {CorridorTypes} from "./ICorridorTypes.sol";
import {IAttestable} from "./IAttestable.sol";
import {IComplianceHook} from "./IComplianceHook.sol";
import {IFeeModule} from "./IFeeModule.sol";
import {ILiquidityPool} from "./ILiquidityPool.sol";

/// @title ICorridorGateway
/// @notice The corridor gateway, one per chain: the sender's entry points (quote, send), the destination's
///         (settle), the source's closures (refund, finalize), the LP pool, the admin setters and the views.
///         Every error that a call can surface is declared here or on a base interface, including those
///         raised by the token, the fee module and the compliance hook, so that a revert decodes from this ABI.
/// @dev Lifecycle of a message id:
///      source:      send -> Pending -> (refund -> Refunded) | (finalize -> Finalized, lock mode only)
///      destination: settle consumes the id once (Settled), before any token moves.
///      The attesters sign either a settlement or a refund for an id, never both.
interface ICorridorGateway is IAttestable, ILiquidityPool, IERC20Errors {
    // ---------------------------------------------------------------- errors
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
    /// @notice The message does not match what was sent under this id.
    error MessageMismatch(bytes32 id);
    /// @notice Burn-and-mint transfers must use a rate of exactly 1e18; a rate may never be zero.
    error InvalidRate(uint256 rate);
    /// @notice The payout is below the sender's minimum.
    error BelowMinAmountOut(uint256 amountOut, uint256 minAmountOut);
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

    // ------------------------------------------ errors raised by the token, the fee module and the hook
    // Declared again here (same signatures, so the same selectors) so that a revert bubbling up from them
    // decodes with this ABI alone. ERC20InsufficientBalance, ERC20InsufficientAllowance and the other ERC-20
    // errors come from IERC20Errors; EnforcedPause (a paused token) is Pausable's, on this ABI already.
    /// @notice The token refuses to move funds from or to a frozen `account` (CorridorToken).
    error AccountFrozen(address account);
    /// @notice The compliance hook rejected the transfer: `code` is a stable reason (e.g. "SANCTIONED"),
    ///         `account` the party at fault (IComplianceHook).
    error ComplianceRejected(bytes32 code, address account);
    /// @notice The fee module has no schedule for this input token and destination chain (FeeModule).
    error ScheduleNotSet(address inputToken, uint256 dstChainId);
    /// @notice The fee module does not know `tier` (FeeModule).
    error UnknownTier(uint8 tier);

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

    // ---------------------------------------------------------------- types
    /// @notice Where a message id stands on this gateway. On its source: None (never sent here), Pending, then
    ///         Refunded or (lock-and-release only) Finalized; a same-currency transfer stays Pending on its source
    ///         once paid, as nothing is left to release there. On its destination: None, then Settled.
    enum Status {
        None,
        Pending,
        Refunded,
        Finalized,
        Settled
    }

    /// @notice A settlement: the message, the attested rate, whether the attesters saw the source final
    ///         (if not, a Fast transfer uses the Fast allowance), and the locked quote with its signature when
    ///         the sender locked one (empty otherwise). The attesters' signatures cover a whole batch of these
    ///         (EIP-712 `SettleBatch(Settle[] items)`, each item `Settle(Message message,uint256 rate,bool
    ///         sourceFinal)`), so they travel beside the items, not in them.
    struct SettleItem {
        CorridorTypes.Message message;
        uint256 rate;
        bool sourceFinal;
        CorridorTypes.Quote quote;
        bytes quoteSignature;
    }

    /// @notice One entry of a refund batch (signed as `RefundBatch(Refund[] items)`, each `Refund(Message
    ///         message,uint8 reason)`).
    struct RefundItem {
        CorridorTypes.Message message;
        uint8 reason;
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

    // ================================================================ sender

    /// @notice Send a corridor transfer. Takes `amount` of `inputToken` from the caller (burned for
    ///         same-currency routes, escrowed for cross-currency ones) and emits TransferSent.
    /// @dev Reverts, in this order: EnforcedPause, ReentrancyGuardReentrantCall, ZeroAmount, InvalidRecipient,
    ///      InvalidTier, DeadlinePassed, RouteNotFound, UnknownRemoteGateway, fee module errors (ScheduleNotSet,
    ///      UnknownTier), FeeAboveMax, FeeNotBelowAmount, QuoteNotApplicable, QuoteExpired, QuoteAlreadyUsed,
    ///      ComplianceRejected (hook), token errors (ERC20InsufficientAllowance, ERC20InsufficientBalance,
    ///      EnforcedPause, AccountFrozen).
    /// @return id The message id (`messageId`): the message's hash with `sentAt` left out.
    function send(SendParams calldata p) external returns (bytes32 id);

    /// @notice `send` without a locked quote and without off-chain data (extraHash zero), in flat arguments for
    ///         clients that build calls by hand (`cast send gw "sendSimple(address,uint64,address,address,uint256,
    ///         uint256,uint256,uint64,uint8)" ...`). Emits the same TransferSent.
    /// @dev Reverts: as `send`, without the quote errors.
    /// @return id The message id.
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
    ) external returns (bytes32 id);

    /// @notice The fee `send` would charge now for `amount` on this route and tier, and the payout at `rate`.
    /// @param rate Output per input, 18 decimals. On a same-currency route the payout is at 1e18: pass 0 or 1e18.
    /// @return fee The corridor fee, in input-token base units, part of `amount` (the sender's maxFee must cover it).
    /// @return amountOut (amount - fee) * rate / 1e18, rounded down, in output-token base units; what `settle` pays
    ///         at that rate (the sender's minAmountOut must not exceed it).
    /// @dev Reverts: ZeroAmount, InvalidTier, RouteNotFound, UnknownRemoteGateway, fee module errors,
    ///      FeeNotBelowAmount, InvalidRate (0 on a cross-currency route; neither 0 nor 1e18 on a same-currency one).
    function quoteSend(address inputToken, uint64 dstChainId, address outputToken, uint256 amount, uint8 tier, uint256 rate)
        external
        view
        returns (uint256 fee, uint256 amountOut);

    // ================================================================ destination

    /// @notice Pay a transfer attested by the attesters: `settleBatch` with one item, whose revert surfaces.
    /// @param item The message as emitted by the source gateway; the attested rate (output per input, 18
    ///        decimals, 1e18 for burn-and-mint); whether the source was final when attested; and the locked quote
    ///        with the quoter's signature if the message carries a quote hash.
    /// @param signatures At least `threshold` attester signatures over SettleBatch([item]), signers ascending.
    /// @dev Reverts, in this order: EnforcedPause, ReentrancyGuardReentrantCall, the signature errors
    ///      (TooFewSignatures, InvalidSignature, UnknownAttester, DuplicateSigner, SignersNotAscending: signatures
    ///      over another item, or made in another gateway's domain, recover to an unknown attester), then
    ///      WrongDestination, UnknownRemoteGateway, MessageAlreadyProcessed, DeadlinePassed, UnsupportedToken,
    ///      QuoteMismatch, UnknownQuoter, QuoteExpired, InvalidRate, BelowMinAmountOut, RateLimited,
    ///      FastAllowanceExceeded, ComplianceRejected, InsufficientLiquidity, token errors (AccountFrozen, EnforcedPause).
    function settle(SettleItem calldata item, bytes[] calldata signatures) external;

    /// @notice Settle many messages in one transaction, under one attestation: the attesters sign the EIP-712
    ///         `SettleBatch(Settle[] items)` of exactly these items in this order, once, and the gateway recovers
    ///         the m signers once per batch. A message that then fails (already settled, past its deadline,
    ///         short of liquidity, ...) is skipped with a SettleFailed event and does not block the others.
    /// @dev Reverts: EnforcedPause, ReentrancyGuardReentrantCall, signature errors (the whole batch).
    /// @return settled How many messages were paid.
    function settleBatch(SettleItem[] calldata items, bytes[] calldata signatures) external returns (uint256 settled);

    /// @notice Batch helper: settles one item, whose batch's signatures were checked, in its own call frame so
    ///         that its revert is contained.
    /// @dev Reverts: OnlySelf, and every reason of `settle` but the signature errors.
    function settleIsolated(SettleItem calldata item) external;

    /// @notice Credit back the Fast allowance of transfers whose source reached finality, as the attesters sign
    ///         Finality(ids). Ids that took nothing (or were credited already) are skipped.
    /// @dev Reverts: ReentrancyGuardReentrantCall, signature errors.
    function creditFastAllowance(bytes32[] calldata ids, bytes[] calldata signatures) external;

    // ================================================================ source closures

    /// @notice Return the full amount of a pending transfer to its sender, as signed by the attesters
    ///         (`refundBatch` with one item: signatures over RefundBatch([Refund(message, reason)])).
    /// @dev Reverts, in this order: ReentrancyGuardReentrantCall, signature errors, WrongSource, UnknownMessage,
    ///      MessageAlreadyProcessed, MessageMismatch, token errors (AccountFrozen on a frozen sender).
    function refund(CorridorTypes.Message calldata message, uint8 reason, bytes[] calldata signatures) external;

    /// @notice Refund many messages under one attestation over `RefundBatch(Refund[] items)`; a failing one is
    ///         skipped with RefundFailed.
    /// @dev Reverts: ReentrancyGuardReentrantCall, signature errors (the whole batch).
    /// @return refunded How many were refunded.
    function refundBatch(RefundItem[] calldata items, bytes[] calldata signatures) external returns (uint256 refunded);

    /// @notice Batch helper for refunds (the batch's signatures were checked).
    /// @dev Reverts: OnlySelf and every reason of `refund` but the signature errors.
    function refundIsolated(RefundItem calldata item) external;

    /// @notice Close a settled lock-and-release transfer on its source: the escrow, less the fee, joins this
    ///         chain's liquidity, and the fee goes to the fee recipient. The attesters sign
    ///         FinalizeBatch([message]) only after the destination settled it.
    /// @dev Reverts, in this order: ReentrancyGuardReentrantCall, signature errors, WrongSource, UnknownMessage,
    ///      MessageAlreadyProcessed, MessageMismatch, NotLockRelease.
    function finalize(CorridorTypes.Message calldata message, bytes[] calldata signatures) external;

    /// @notice Finalize many messages under one attestation over `FinalizeBatch(Message[] messages)`; a failing
    ///         one is skipped with FinalizeFailed.
    /// @dev Reverts: ReentrancyGuardReentrantCall, signature errors (the whole batch).
    /// @return finalized How many were finalized.
    function finalizeBatch(CorridorTypes.Message[] calldata messages, bytes[] calldata signatures) external returns (uint256 finalized);

    /// @notice Batch helper for finalize (the batch's signatures were checked).
    /// @dev Reverts: OnlySelf and every reason of `finalize` but the signature errors.
    function finalizeIsolated(CorridorTypes.Message calldata message) external;

    // ================================================================ admin

    /// @notice Enable or disable the route inputToken -> (dstChainId, outputToken) with a settlement mode.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setRoute(address inputToken, uint64 dstChainId, address outputToken, CorridorTypes.Mode mode, bool enabled) external;

    /// @notice Trust `gateway` as the corridor gateway on `chainId` (zero to distrust).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function setRemoteGateway(uint256 chainId, address gateway) external;

    /// @notice Declare whether this gateway pays out `token`.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setLocalToken(address token, bool supported) external;

    /// @notice Register or remove an FX quoter.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setQuoter(address quoter, bool allowed) external;

    /// @notice Set the Fast allowance for payouts in `token` (type(uint256).max for unlimited).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function setFastAllowance(address token, uint256 capacity) external;

    /// @notice Configure the inbound token bucket for payouts in `token` (CCIP-style: capacity, refill per second).
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidRateLimit.
    function setRateLimit(address token, bool enabled, uint128 capacity, uint128 rate) external;

    /// @notice Set the fee module (zero for no fee).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function setFeeModule(IFeeModule module) external;

    /// @notice Set the compliance hook (zero for none).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function setComplianceHook(IComplianceHook hook) external;

    /// @notice Set the fee recipient.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function setFeeRecipient(address recipient) external;

    /// @notice Stop sends and settlements (refunds and finalizations stay open so nothing is stuck).
    /// @dev Reverts: AccessControlUnauthorizedAccount, EnforcedPause.
    function pause() external;

    /// @notice Resume.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ExpectedPause.
    function unpause() external;

    // ================================================================ views

    /// @notice Where message `id` stands on this gateway (see Status).
    function statusOf(bytes32 id) external view returns (Status);

    /// @notice The route for inputToken -> (dstChainId, outputToken).
    function route(address inputToken, uint256 dstChainId, address outputToken) external view returns (bool enabled, uint8 mode);

    /// @notice The inbound rate limit for `token`: enabled, capacity, refill per second, and what is available now.
    function rateLimit(address token) external view returns (bool enabled, uint128 capacity, uint128 rate, uint256 available);

    /// @notice The EIP-712 domain separator (name "CorridorGateway", version "1").
    function domainSeparator() external view returns (bytes32);

    /// @notice EIP-712 struct hash of a quote.
    function hashQuote(CorridorTypes.Quote memory quote) external pure returns (bytes32);

    /// @notice EIP-712 struct hash of a message.
    function hashMessage(CorridorTypes.Message memory message) external pure returns (bytes32);

    /// @notice The message id: the EIP-712 hash of the message with `sentAt` left out (zero). It binds
    ///         the source chain and gateway (unique across chains), the sender and the sender's own nonce,
    ///         and every term of the transfer, but not the block: when a reorganisation of the source mines
    ///         the same send again in another block, it keeps its id (so it is settled once), while a
    ///         different send that takes the same nonce on the new branch has another id.
    function messageId(CorridorTypes.Message memory m) external pure returns (bytes32 id);

    /// @notice The payout for a message at `rate`: (amount - fee) * rate / 1e18, rounded down.
    function amountOut(CorridorTypes.Message calldata message, uint256 rate) external pure returns (uint256);

    /// @notice Route key for the route table.
    function routeKey(address inputToken, uint256 dstChainId, address outputToken) external pure returns (bytes32);

    /// @notice Each sender's next outbound nonce. Per sender, not per gateway: a sender's sends are ordered by
    ///         its own account nonce, so when a reorganisation puts them into other blocks they keep their nonces,
    ///         and their ids (compare Across's deterministic deposit ids).
    function nonces(address sender) external view returns (uint64);

    /// @notice Destination side: whether message `id` was settled here.
    function consumed(bytes32 id) external view returns (bool);

    /// @notice Source side: the EIP-712 hash of pending message `id`; 1 once refunded, 2 once finalized, 0 if unknown.
    function outbound(bytes32 id) external view returns (bytes32);

    /// @notice The trusted corridor gateway on `chainId`.
    function remoteGateway(uint256 chainId) external view returns (address);

    /// @notice Whether this gateway pays out (mints or releases) `token`.
    function localToken(address token) external view returns (bool);

    /// @notice Source-side escrow of in-flight lock-and-release transfers in `token`.
    function escrowed(address token) external view returns (uint256);

    /// @notice Whether `quoter` is a registered FX quoter (destination side).
    function isQuoter(address quoter) external view returns (bool);

    /// @notice Whether the quote with this hash was already locked (source side).
    function quoteUsed(bytes32 quoteHash) external view returns (bool);

    /// @notice Fast allowance for payouts in `token`: the most that may be paid before source finality.
    function fastAllowance(address token) external view returns (uint256);

    /// @notice Fast payouts in `token` made before source finality and not yet credited back.
    function fastOutstanding(address token) external view returns (uint256);

    /// @notice What Fast settlement `id` took from the allowance, packed as (token << 96 | amount), until credited.
    function fastDebit(bytes32 id) external view returns (uint256);

    /// @notice The fee module (zero: no fee).
    function feeModule() external view returns (IFeeModule);

    /// @notice The compliance hook (zero: none).
    function complianceHook() external view returns (IComplianceHook);

    /// @notice Receives corridor fees on this chain.
    function feeRecipient() external view returns (address);
}
