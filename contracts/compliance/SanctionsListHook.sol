// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {CorridorTypes} from "../interfaces/ICorridorTypes.sol";
import {IComplianceHook} from "../interfaces/IComplianceHook.sol";

/// @title SanctionsListHook
/// @notice Rejects a transfer whose sender or recipient is on an admin-managed sanctions list
///         (for example the OFAC SDN digital-currency addresses), on send and again on settle,
///         since the list may change while a transfer is in flight.
contract SanctionsListHook is IComplianceHook, AccessControl {
    // ---------------------------------------------------------------- errors
    /// @notice The zero address cannot be listed.
    error ZeroAddress();

    // ---------------------------------------------------------------- events
    /// @notice `account` was added to (`newListed` true) or removed from the list.
    event SanctionStatusChanged(address indexed account, bool oldListed, bool newListed);

    // ---------------------------------------------------------------- constants
    /// @notice May add and remove listed addresses.
    bytes32 public constant LIST_ADMIN_ROLE = keccak256("LIST_ADMIN_ROLE");
    /// @notice The ComplianceRejected code of this hook.
    bytes32 public constant SANCTIONED = "SANCTIONED";

    // ---------------------------------------------------------------- storage
    mapping(address account => bool) public isSanctioned;
    /// @notice Number of listed addresses.
    uint256 public listedCount;

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE and LIST_ADMIN_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(LIST_ADMIN_ROLE, admin);
    }

    // ================================================================ external

    /// @inheritdoc IComplianceHook
    /// @dev Reverts: ComplianceRejected("SANCTIONED", party) for a listed sender, then recipient.
    function checkSend(CorridorTypes.Message calldata message) external view {
        _check(message);
    }

    /// @inheritdoc IComplianceHook
    /// @dev Reverts: ComplianceRejected("SANCTIONED", party) for a listed sender, then recipient.
    function checkSettle(CorridorTypes.Message calldata message) external view {
        _check(message);
    }

    /// @notice List `accounts`; already-listed ones are skipped (no event).
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function addToList(address[] calldata accounts) external onlyRole(LIST_ADMIN_ROLE) {
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (a == address(0)) revert ZeroAddress();
            if (isSanctioned[a]) continue;
            isSanctioned[a] = true;
            listedCount += 1;
            emit SanctionStatusChanged(a, false, true);
        }
    }

    /// @notice Unlist `accounts`; ones not listed are skipped (no event).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function removeFromList(address[] calldata accounts) external onlyRole(LIST_ADMIN_ROLE) {
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (!isSanctioned[a]) continue;
            isSanctioned[a] = false;
            listedCount -= 1;
            emit SanctionStatusChanged(a, true, false);
        }
    }

    // ================================================================ internal

    function _check(CorridorTypes.Message calldata message) internal view {
        if (isSanctioned[message.sender]) revert ComplianceRejected(SANCTIONED, message.sender);
        if (isSanctioned[message.recipient]) revert ComplianceRejected(SANCTIONED, message.recipient);
    }
}
