// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {CorridorTypes} from "../interfaces/ICorridorTypes.sol";
import {IComplianceHook} from "../interfaces/IComplianceHook.sol";

/// @title AllowlistHook
/// @notice Admits a transfer only if both its sender and its recipient are on an admin-managed
///         allowlist (for example, customers who passed KYC), on send and again on settle.
contract AllowlistHook is IComplianceHook, AccessControl {
    // ---------------------------------------------------------------- errors
    /// @notice The zero address cannot be allowed.
    error ZeroAddress();

    // ---------------------------------------------------------------- events
    /// @notice `account` was allowed (`newAllowed` true) or disallowed.
    event AllowlistStatusChanged(address indexed account, bool oldAllowed, bool newAllowed);

    // ---------------------------------------------------------------- constants
    /// @notice May add and remove allowed addresses.
    bytes32 public constant LIST_ADMIN_ROLE = keccak256("LIST_ADMIN_ROLE");
    /// @notice The ComplianceRejected code of this hook.
    bytes32 public constant NOT_ALLOWLISTED = "NOT_ALLOWLISTED";

    // ---------------------------------------------------------------- storage
    mapping(address account => bool) public isAllowed;
    /// @notice Number of allowed addresses.
    uint256 public allowedCount;

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE and LIST_ADMIN_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(LIST_ADMIN_ROLE, admin);
    }

    // ================================================================ external

    /// @inheritdoc IComplianceHook
    /// @dev Reverts: ComplianceRejected("NOT_ALLOWLISTED", party) for a sender, then recipient, not allowed.
    function checkSend(CorridorTypes.Message calldata message) external view {
        _check(message);
    }

    /// @inheritdoc IComplianceHook
    /// @dev Reverts: ComplianceRejected("NOT_ALLOWLISTED", party) for a sender, then recipient, not allowed.
    function checkSettle(CorridorTypes.Message calldata message) external view {
        _check(message);
    }

    /// @notice Allow `accounts`; already-allowed ones are skipped (no event).
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function addToList(address[] calldata accounts) external onlyRole(LIST_ADMIN_ROLE) {
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (a == address(0)) revert ZeroAddress();
            if (isAllowed[a]) continue;
            isAllowed[a] = true;
            allowedCount += 1;
            emit AllowlistStatusChanged(a, false, true);
        }
    }

    /// @notice Disallow `accounts`; ones not allowed are skipped (no event).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function removeFromList(address[] calldata accounts) external onlyRole(LIST_ADMIN_ROLE) {
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (!isAllowed[a]) continue;
            isAllowed[a] = false;
            allowedCount -= 1;
            emit AllowlistStatusChanged(a, true, false);
        }
    }

    // ================================================================ internal

    function _check(CorridorTypes.Message calldata message) internal view {
        if (!isAllowed[message.sender]) revert ComplianceRejected(NOT_ALLOWLISTED, message.sender);
        if (!isAllowed[message.recipient]) revert ComplianceRejected(NOT_ALLOWLISTED, message.recipient);
    }
}
