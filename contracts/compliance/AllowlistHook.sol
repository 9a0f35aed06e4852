// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AddressListHook} from "./AddressListHook.sol";

/// @title AllowlistHook
/// @notice Admits a transfer only if both its sender and its recipient are on an admin-managed
///         allowlist (for example, customers who passed KYC), on send and again on settle.
contract AllowlistHook is AddressListHook {
    // ---------------------------------------------------------------- events
    /// @notice `account` was allowed (`newAllowed` true) or disallowed.
    event AllowlistStatusChanged(address indexed account, bool oldAllowed, bool newAllowed);

    // ---------------------------------------------------------------- constants
    /// @notice The ComplianceRejected code of this hook.
    bytes32 public constant NOT_ALLOWLISTED = "NOT_ALLOWLISTED";

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE and LIST_ADMIN_ROLE.
    constructor(address admin) AddressListHook(admin, NOT_ALLOWLISTED, AllowlistStatusChanged.selector) {}

    // ================================================================ external

    /// @notice Whether `account` is allowed.
    function isAllowed(address account) external view returns (bool) {
        return _listed[account];
    }

    /// @notice Number of allowed addresses.
    function allowedCount() external view returns (uint256) {
        return _listedCount;
    }

    // ================================================================ internal

    /// @dev A party not on the list is rejected.
    function _rejects(bool listed) internal pure override returns (bool) {
        return !listed;
    }
}
