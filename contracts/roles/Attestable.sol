// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IAttestable} from "../interfaces/IAttestable.sol";

/// @title Attestable
/// @notice The attester set and the m-of-n signature check, as Circle's CCTP `roles/Attestable.sol`:
///         ATTESTER_ADMIN_ROLE adds and removes attesters and sets the threshold; `_verify` accepts a
///         digest signed by at least `threshold` distinct registered attesters, signers ascending.
/// @dev The inheriting contract registers the initial set in its constructor (`_addAttester`, then
///      `_setThreshold`), so that it decides the order of its own constructor checks.
abstract contract Attestable is IAttestable, AccessControl {
    // ---------------------------------------------------------------- constants
    /// @notice May add and remove attesters and set the threshold.
    bytes32 public constant ATTESTER_ADMIN_ROLE = keccak256("ATTESTER_ADMIN_ROLE");

    // ---------------------------------------------------------------- storage
    /// @inheritdoc IAttestable
    uint256 public threshold;
    /// @inheritdoc IAttestable
    uint256 public attesterCount;
    /// @inheritdoc IAttestable
    mapping(address attester => bool) public isAttester;

    // ================================================================ external

    /// @inheritdoc IAttestable
    function addAttester(address attester) external onlyRole(ATTESTER_ADMIN_ROLE) {
        _addAttester(attester);
    }

    /// @inheritdoc IAttestable
    function removeAttester(address attester) external onlyRole(ATTESTER_ADMIN_ROLE) {
        if (!isAttester[attester]) revert InvalidAttester(attester);
        if (attesterCount - 1 < threshold) revert InvalidThreshold(threshold, attesterCount - 1);
        isAttester[attester] = false;
        attesterCount--;
        emit AttesterRemoved(attester);
    }

    /// @inheritdoc IAttestable
    function setThreshold(uint256 newThreshold) external onlyRole(ATTESTER_ADMIN_ROLE) {
        _setThreshold(newThreshold);
    }

    // ================================================================ internal

    /// @dev m-of-n check. Signers must be ascending so that duplicates are caught in one pass (as CCTP does).
    ///      Reverts: TooFewSignatures, InvalidSignature, UnknownAttester, DuplicateSigner, SignersNotAscending.
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

    /// @dev Reverts: InvalidAttester (zero or already registered).
    function _addAttester(address attester) internal {
        if (attester == address(0) || isAttester[attester]) revert InvalidAttester(attester);
        isAttester[attester] = true;
        attesterCount++;
        emit AttesterAdded(attester);
    }

    /// @dev Reverts: InvalidThreshold (zero or above the number of attesters).
    function _setThreshold(uint256 newThreshold) internal {
        if (newThreshold == 0 || newThreshold > attesterCount) revert InvalidThreshold(newThreshold, attesterCount);
        emit ThresholdChanged(threshold, newThreshold);
        threshold = newThreshold;
    }
}
