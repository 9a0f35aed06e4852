// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FastAllowance
/// @notice How much a destination may pay out in one token before the sources of those payouts are final
///         (as CCTP's fast-transfer allowance): a capacity and what is outstanding against it. A Fast
///         settlement debits it and records the debit under its id; the attesters' Finality signature
///         credits it back once the source is final.
library FastAllowance {
    // ---------------------------------------------------------------- errors
    /// @notice The Fast allowance for `token` has `available` left, `needed` is required.
    error FastAllowanceExceeded(address token, uint256 available, uint256 needed);

    // ---------------------------------------------------------------- types
    struct Allowance {
        uint256 capacity; // type(uint256).max for unlimited
        uint256 outstanding; // paid before source finality, not yet credited back
    }

    // ================================================================ internal

    /// @notice Takes `amount` from the allowance of `token` and returns the debit record to keep under the
    ///         settlement's id: (token << 96 | amount). Amounts of 2^96 base units or more cannot be Fast.
    /// @dev Reverts: FastAllowanceExceeded.
    function debit(Allowance storage a, address token, uint256 amount) internal returns (uint256 record) {
        uint256 outstanding = a.outstanding;
        uint256 capacity = a.capacity;
        uint256 available = capacity > outstanding ? capacity - outstanding : 0;
        if (amount > available || amount >= (1 << 96)) revert FastAllowanceExceeded(token, available, amount);
        a.outstanding = outstanding + amount;
        record = (uint256(uint160(token)) << 96) | amount;
    }

    /// @notice Gives back what a debit record took.
    function credit(Allowance storage a, uint256 amount) internal {
        a.outstanding -= amount;
    }

    /// @notice The token and amount of a debit record.
    function unpack(uint256 record) internal pure returns (address token, uint256 amount) {
        token = address(uint160(record >> 96));
        amount = record & ((1 << 96) - 1);
    }
}
