// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFeeModule
/// @notice Computes the corridor fee for a transfer, in input-token base units.
interface IFeeModule {
    /// @notice The fee for sending `amount` of `inputToken` to `dstChainId` at `tier`.
    /// @dev Must never exceed `amount`.
    function quoteFee(address inputToken, uint256 dstChainId, uint8 tier, uint256 amount)
        external
        view
        returns (uint256 fee);
}
