// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {CorridorTypes} from "../interfaces/ICorridorTypes.sol";
import {IComplianceHook} from "../interfaces/IComplianceHook.sol";

/// @title AddressListHook
/// @notice A compliance hook over an admin-managed list of addresses, checked for the sender, then the
///         recipient, on send and again on settle (the list may change while a transfer is in flight).
///         A list either admits (an allowlist) or rejects (a sanctions list) the parties on it: that one
///         check, `_rejects`, is what an inheriting hook defines.
/// @dev The inheriting hook also gives, to the constructor, its ComplianceRejected code and the selector of
///      its own status event (an `(address indexed account, bool old, bool new)` event), so that it keeps
///      its event and getter names.
abstract contract AddressListHook is IComplianceHook, AccessControl {
    // ---------------------------------------------------------------- errors
    /// @notice The zero address cannot be listed.
    error ZeroAddress();

    // ---------------------------------------------------------------- constants and immutables
    /// @notice May add and remove listed addresses.
    bytes32 public constant LIST_ADMIN_ROLE = keccak256("LIST_ADMIN_ROLE");
    /// @dev The ComplianceRejected code of this hook.
    bytes32 internal immutable _rejectCode;
    /// @dev topic0 of the inheriting hook's status event.
    bytes32 internal immutable _statusEvent;

    // ---------------------------------------------------------------- storage
    mapping(address account => bool) internal _listed;
    uint256 internal _listedCount;

    // ---------------------------------------------------------------- constructor
    /// @param admin Receives DEFAULT_ADMIN_ROLE and LIST_ADMIN_ROLE.
    /// @param rejectCode The ComplianceRejected code of this hook.
    /// @param statusEvent The selector of the hook's event for a list change, emitted as (account, old, new).
    constructor(address admin, bytes32 rejectCode, bytes32 statusEvent) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(LIST_ADMIN_ROLE, admin);
        _rejectCode = rejectCode;
        _statusEvent = statusEvent;
    }

    // ================================================================ external

    /// @inheritdoc IComplianceHook
    /// @dev Reverts: ComplianceRejected(code, party) for a rejected sender, then recipient.
    function checkSend(CorridorTypes.Message calldata message) external view {
        _check(message);
    }

    /// @inheritdoc IComplianceHook
    /// @dev Reverts: ComplianceRejected(code, party) for a rejected sender, then recipient.
    function checkSettle(CorridorTypes.Message calldata message) external view {
        _check(message);
    }

    /// @notice List `accounts`; already-listed ones are skipped (no event).
    /// @dev Reverts: AccessControlUnauthorizedAccount, ZeroAddress.
    function addToList(address[] calldata accounts) external onlyRole(LIST_ADMIN_ROLE) {
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (a == address(0)) revert ZeroAddress();
            if (_listed[a]) continue;
            _listed[a] = true;
            _listedCount += 1;
            _emitStatus(a, false, true);
        }
    }

    /// @notice Unlist `accounts`; ones not listed are skipped (no event).
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function removeFromList(address[] calldata accounts) external onlyRole(LIST_ADMIN_ROLE) {
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (!_listed[a]) continue;
            _listed[a] = false;
            _listedCount -= 1;
            _emitStatus(a, true, false);
        }
    }

    // ================================================================ internal

    /// @dev The one override point: whether a party with this list status is rejected.
    function _rejects(bool listed) internal pure virtual returns (bool);

    function _check(CorridorTypes.Message calldata message) internal view {
        if (_rejects(_listed[message.sender])) revert ComplianceRejected(_rejectCode, message.sender);
        if (_rejects(_listed[message.recipient])) revert ComplianceRejected(_rejectCode, message.recipient);
    }

    /// @dev Emits the inheriting hook's status event, declared there as (address indexed account, bool, bool).
    function _emitStatus(address account, bool oldListed, bool newListed) private {
        bytes32 topic = _statusEvent;
        assembly ("memory-safe") {
            // Scratch space: the two non-indexed bools as the event's data.
            mstore(0x00, oldListed)
            mstore(0x20, newListed)
            log2(0x00, 0x40, topic, account)
        }
    }
}
