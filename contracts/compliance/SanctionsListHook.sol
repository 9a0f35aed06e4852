// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AddressListHook} from "./AddressListHook.sol";

/// @title SanctionsListHook
/// @notice Rejects a transfer whose sender or recipient is on an admin-managed sanctions list
///         (for example the OFAC SDN digital-currency addresses), on send and again on settle,
///         since the list may change while a transfer is in flight.
contract SanctionsListHook is AddressListHook {
    // ---------------------------------------------------------------- events
    /// @notice `account` was added to (`newListed` true) or removed from the list.
    event SanctionStatusChanged(address indexed account, bool oldListed, bool newListed);

    // ---------------------------------------------------------------- constants
    /// @notice The ComplianceRejected code of this hook.
    bytes32 public constant SANCTIONED = "SANCTIONED";

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE and LIST_ADMIN_ROLE.
    constructor(address admin) AddressListHook(admin, SANCTIONED, SanctionStatusChanged.selector) {}

    // ================================================================ external

    /// @notice Whether `account` is listed.
    function isSanctioned(address account) external view returns (bool) {
        return _listed[account];
    }

    /// @notice Number of listed addresses.
    function listedCount() external view returns (uint256) {
        return _listedCount;
    }

    // ================================================================ internal

    /// @dev A listed party is rejected.
    function _rejects(bool listed) internal pure override returns (bool) {
        return listed;
    }
}
