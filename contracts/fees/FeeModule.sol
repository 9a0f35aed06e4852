// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {CorridorTypes} from "../interfaces/ICorridorTypes.sol";
import {IFeeModule} from "../interfaces/IFeeModule.sol";

/// @title FeeModule
/// @notice Corridor fees per (input token, destination chain): a fixed part plus basis points, with
///         optional amount bands, a Fast-tier premium, a gas pass-through, and a [min, max] clamp.
/// @dev The formula is the one in src/domain/fees.ts, to the base unit (a property test checks it):
///        band    = first band with amount <= band.upTo, else the top-level fixedFee and bps
///        raw     = band.fixedFee + floor(amount * (band.bps + (tier == Fast ? fastPremiumBps : 0)) / 10_000)
///                  + gasPassThrough
///        fee     = min(max(raw, minFee), maxFee), then at most amount - 1 (0 when amount is 0)
contract FeeModule is IFeeModule, AccessControl {
    // ---------------------------------------------------------------- errors
    /// @notice A basis-point value is above 10_000.
    error InvalidBps(uint256 bps);
    /// @notice The schedule's minimum fee is above its maximum.
    error MinAboveMax(uint256 minFee, uint256 maxFee);
    /// @notice The schedule has more than MAX_BANDS bands.
    error TooManyBands(uint256 count, uint256 maxBands);
    /// @notice Band `index` does not have an upTo strictly above the previous band's.
    error BandsNotAscending(uint256 index, uint256 upTo, uint256 previousUpTo);
    /// @notice No schedule is configured for this input token and destination chain.
    error ScheduleNotSet(address inputToken, uint256 dstChainId);
    /// @notice `tier` is neither Standard (0) nor Fast (1).
    error UnknownTier(uint8 tier);

    // ---------------------------------------------------------------- events
    /// @notice The schedule for (inputToken, dstChainId) changed; `oldSchedule` is all zeros if there was none.
    event FeeScheduleSet(
        address indexed inputToken, uint256 indexed dstChainId, Schedule oldSchedule, Schedule newSchedule
    );
    /// @notice The schedule for (inputToken, dstChainId) was removed; quotes for it now revert.
    event FeeScheduleCleared(address indexed inputToken, uint256 indexed dstChainId, Schedule oldSchedule);

    // ---------------------------------------------------------------- types
    /// @notice Amounts up to and including `upTo` pay `fixedFee + bps` instead of the top-level values.
    struct Band {
        uint128 upTo;
        uint128 fixedFee;
        uint16 bps;
    }

    /// @notice A fee schedule; base-unit fields are in input-token base units.
    struct Schedule {
        uint128 fixedFee;
        uint128 minFee;
        uint128 maxFee;
        uint128 gasPassThrough;
        uint16 bps;
        uint16 fastPremiumBps;
        Band[] bands;
    }

    // ---------------------------------------------------------------- constants
    /// @notice May set and clear schedules.
    bytes32 public constant FEE_ADMIN_ROLE = keccak256("FEE_ADMIN_ROLE");
    uint256 public constant MAX_BPS = 10_000;
    uint256 public constant MAX_BANDS = 8;
    /// @dev From this amount on, any non-zero bps gives a proportional part above every possible maxFee.
    uint256 internal constant SATURATION_AMOUNT = 1 << 240;

    // ---------------------------------------------------------------- storage
    mapping(bytes32 key => Schedule) internal _schedules;
    mapping(bytes32 key => bool) internal _configured;

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE and FEE_ADMIN_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(FEE_ADMIN_ROLE, admin);
    }

    // ================================================================ external

    /// @inheritdoc IFeeModule
    /// @dev Reverts: UnknownTier, ScheduleNotSet.
    function quoteFee(address inputToken, uint256 dstChainId, uint8 tier, uint256 amount)
        external
        view
        returns (uint256 fee)
    {
        if (tier > uint8(CorridorTypes.Tier.Fast)) revert UnknownTier(tier);
        bytes32 key = scheduleKey(inputToken, dstChainId);
        if (!_configured[key]) revert ScheduleNotSet(inputToken, dstChainId);
        if (amount == 0) return 0;
        Schedule storage s = _schedules[key];

        uint256 fixedFee = s.fixedFee;
        uint256 bps = s.bps;
        uint256 n = s.bands.length;
        for (uint256 i = 0; i < n; i++) {
            Band storage b = s.bands[i];
            if (amount <= b.upTo) {
                fixedFee = b.fixedFee;
                bps = b.bps;
                break;
            }
        }
        if (tier == uint8(CorridorTypes.Tier.Fast)) bps += s.fastPremiumBps;

        uint256 maxFee = s.maxFee;
        uint256 raw;
        if (bps != 0 && amount >= SATURATION_AMOUNT) {
            // amount * bps / 10_000 >= 2^240 / 10^4 > 2^128 > maxFee, so the clamp below gives maxFee;
            // taking it here skips a product that could overflow. Same result as the formula.
            raw = maxFee;
        } else {
            // amount < 2^240 (or bps == 0) and bps <= 20_000 < 2^15: the product fits in 256 bits.
            // Rounding down (integer division): the formula's floor.
            uint256 proportional = (amount * bps) / MAX_BPS;
            // proportional < 2^241 and the other two terms are below 2^128: the sum cannot overflow.
            raw = fixedFee + proportional + s.gasPassThrough;
        }
        uint256 minFee = s.minFee;
        fee = raw < minFee ? minFee : (raw > maxFee ? maxFee : raw);
        // The fee is strictly below the amount, so something is always delivered.
        if (fee >= amount) fee = amount - 1;
    }

    /// @notice Set the schedule for transfers of `inputToken` to `dstChainId`.
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidBps, MinAboveMax, TooManyBands, BandsNotAscending.
    function setSchedule(address inputToken, uint256 dstChainId, Schedule calldata schedule_)
        external
        onlyRole(FEE_ADMIN_ROLE)
    {
        _validate(schedule_);
        bytes32 key = scheduleKey(inputToken, dstChainId);
        Schedule memory old = _schedules[key];

        Schedule storage s = _schedules[key];
        s.fixedFee = schedule_.fixedFee;
        s.minFee = schedule_.minFee;
        s.maxFee = schedule_.maxFee;
        s.gasPassThrough = schedule_.gasPassThrough;
        s.bps = schedule_.bps;
        s.fastPremiumBps = schedule_.fastPremiumBps;
        delete s.bands;
        for (uint256 i = 0; i < schedule_.bands.length; i++) {
            s.bands.push(schedule_.bands[i]);
        }
        _configured[key] = true;
        emit FeeScheduleSet(inputToken, dstChainId, old, schedule_);
    }

    /// @notice Remove the schedule for (inputToken, dstChainId); quoteFee then reverts ScheduleNotSet.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ScheduleNotSet.
    function clearSchedule(address inputToken, uint256 dstChainId) external onlyRole(FEE_ADMIN_ROLE) {
        bytes32 key = scheduleKey(inputToken, dstChainId);
        if (!_configured[key]) revert ScheduleNotSet(inputToken, dstChainId);
        Schedule memory old = _schedules[key];
        delete _schedules[key];
        _configured[key] = false;
        emit FeeScheduleCleared(inputToken, dstChainId, old);
    }

    /// @notice The schedule for (inputToken, dstChainId). Reverts: ScheduleNotSet.
    function scheduleOf(address inputToken, uint256 dstChainId) external view returns (Schedule memory) {
        bytes32 key = scheduleKey(inputToken, dstChainId);
        if (!_configured[key]) revert ScheduleNotSet(inputToken, dstChainId);
        return _schedules[key];
    }

    /// @notice Whether a schedule is set for (inputToken, dstChainId).
    function isConfigured(address inputToken, uint256 dstChainId) external view returns (bool) {
        return _configured[scheduleKey(inputToken, dstChainId)];
    }

    // ================================================================ public

    /// @notice The storage key of a schedule.
    function scheduleKey(address inputToken, uint256 dstChainId) public pure returns (bytes32) {
        return keccak256(abi.encode(inputToken, dstChainId));
    }

    // ================================================================ internal

    function _validate(Schedule calldata s) internal pure {
        if (s.bps > MAX_BPS) revert InvalidBps(s.bps);
        if (s.fastPremiumBps > MAX_BPS) revert InvalidBps(s.fastPremiumBps);
        if (s.minFee > s.maxFee) revert MinAboveMax(s.minFee, s.maxFee);
        uint256 n = s.bands.length;
        if (n > MAX_BANDS) revert TooManyBands(n, MAX_BANDS);
        for (uint256 i = 0; i < n; i++) {
            Band calldata b = s.bands[i];
            if (b.bps > MAX_BPS) revert InvalidBps(b.bps);
            if (i > 0 && b.upTo <= s.bands[i - 1].upTo) revert BandsNotAscending(i, b.upTo, s.bands[i - 1].upTo);
        }
    }
}
