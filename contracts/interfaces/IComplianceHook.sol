// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CorridorTypes} from "./ICorridorTypes.sol";

/// @title IComplianceHook
/// @notice An on-chain policy check the gateway calls on send (source) and on settle (destination),
///         in the spirit of ERC-3643 compliance modules: a view that reverts with a reason to reject.
interface IComplianceHook {
    /// @notice Rejected by the hook: `code` is a stable reason code (e.g. "SANCTIONED"), `account` the party at fault.
    error ComplianceRejected(bytes32 code, address account);

    /// @notice Reverts with ComplianceRejected if the transfer may not be sent.
    function checkSend(CorridorTypes.Message calldata message) external view;

    /// @notice Reverts with ComplianceRejected if the transfer may not be paid out.
    function checkSettle(CorridorTypes.Message calldata message) external view;
}
