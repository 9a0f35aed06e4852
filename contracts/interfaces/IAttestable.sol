// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAttestable
/// @notice An m-of-n attester set: who may sign, how many signatures a digest needs, and the errors
///         and events of the set and of the signature check (as Circle's CCTP `roles/Attestable.sol`).
interface IAttestable {
    // ---------------------------------------------------------------- errors
    /// @notice Fewer signatures than the threshold.
    error TooFewSignatures(uint256 provided, uint256 required);
    /// @notice Signature `index` is malformed.
    error InvalidSignature(uint256 index);
    /// @notice `signer` is not a registered attester.
    error UnknownAttester(address signer);
    /// @notice `signer` signed twice.
    error DuplicateSigner(address signer);
    /// @notice Signatures must be ordered by signer address, ascending.
    error SignersNotAscending(address signer);
    /// @notice `threshold` is zero or above the number of attesters.
    error InvalidThreshold(uint256 threshold, uint256 attesterCount);
    /// @notice The attester is already registered (add) or not registered (remove), or is the zero address.
    error InvalidAttester(address attester);

    // ---------------------------------------------------------------- events
    /// @notice Attester added.
    event AttesterAdded(address indexed attester);
    /// @notice Attester removed.
    event AttesterRemoved(address indexed attester);
    /// @notice Signature threshold changed.
    event ThresholdChanged(uint256 oldThreshold, uint256 newThreshold);

    // ---------------------------------------------------------------- functions
    /// @notice Register an attester.
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidAttester.
    function addAttester(address attester) external;

    /// @notice Remove an attester; its signatures stop counting at once.
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidAttester, InvalidThreshold (if fewer than threshold remain).
    function removeAttester(address attester) external;

    /// @notice Set the signature threshold.
    /// @dev Reverts: AccessControlUnauthorizedAccount, InvalidThreshold.
    function setThreshold(uint256 newThreshold) external;

    /// @notice Signatures required on every attested digest.
    function threshold() external view returns (uint256);

    /// @notice Number of registered attesters.
    function attesterCount() external view returns (uint256);

    /// @notice Whether `attester` is registered.
    function isAttester(address attester) external view returns (bool);
}
