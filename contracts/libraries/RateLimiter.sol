// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RateLimiter
/// @notice A token bucket, as Chainlink CCIP's token pools use: `capacity` tokens, refilled at
///         `rate` tokens per second. Consuming more than the bucket holds reverts with the wait.
library RateLimiter {
    /// @notice Not enough capacity: `waitSeconds` until `requested` would fit (type(uint256).max if never).
    error RateLimited(address token, uint256 requested, uint256 available, uint256 waitSeconds);
    /// @notice The configuration is inconsistent (an enabled bucket needs capacity and a rate).
    error InvalidRateLimit(uint128 capacity, uint128 rate);

    struct Bucket {
        uint128 tokens; // current content
        uint32 lastUpdated; // timestamp of the last refill
        bool enabled;
        uint128 capacity;
        uint128 rate; // tokens per second
    }

    /// @notice Refills, then takes `amount` or reverts RateLimited. A disabled bucket takes anything.
    function consume(Bucket storage b, address token, uint256 amount) internal {
        if (!b.enabled) return;
        uint256 available = refilled(b);
        if (amount > available) {
            uint256 wait = amount > b.capacity ? type(uint256).max : (amount - available + b.rate - 1) / b.rate;
            revert RateLimited(token, amount, available, wait);
        }
        // unchecked: amount <= available <= capacity < 2^128
        unchecked {
            b.tokens = uint128(available - amount);
        }
        b.lastUpdated = uint32(block.timestamp);
    }

    /// @notice The bucket's content now, refill included (never above capacity).
    function refilled(Bucket storage b) internal view returns (uint256) {
        uint256 elapsed = block.timestamp - b.lastUpdated;
        uint256 t = uint256(b.tokens) + elapsed * b.rate;
        return t > b.capacity ? b.capacity : t;
    }

    /// @notice Reconfigures; the bucket keeps its content, capped at the new capacity.
    function configure(Bucket storage b, bool enabled, uint128 capacity, uint128 rate) internal {
        if (enabled && (capacity == 0 || rate == 0)) revert InvalidRateLimit(capacity, rate);
        uint256 current = b.enabled ? refilled(b) : capacity;
        b.tokens = uint128(current > capacity ? capacity : current);
        b.lastUpdated = uint32(block.timestamp);
        b.enabled = enabled;
        b.capacity = capacity;
        b.rate = rate;
    }
}
