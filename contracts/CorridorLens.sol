// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The two public getters of CorridorGateway the lens reads (their signatures are the gateway's).
interface ICorridorLensGateway {
    function outbound(bytes32 id) external view returns (bytes32);
    function consumed(bytes32 id) external view returns (bool);
}

/// @title CorridorLens
/// @notice One per chain, stateless and permissionless. Reads a gateway's `outbound` or `consumed` for many
///         message ids in one eth_call, so that the operator and each attester read a block's worth of
///         transfers with one request instead of one per id. At a given block it returns exactly what the
///         gateway's own getters return there, id by id, in the order asked.
/// @dev View only: it holds nothing and trusts nothing. A reader pins the block with the eth_call's block tag.
contract CorridorLens {
    /// @notice `gateway.outbound(id)` for each of `ids`: the pending message's hash, 1 once refunded, 2 once finalized, 0 if unknown.
    function outboundOf(address gateway, bytes32[] calldata ids) external view returns (bytes32[] memory hashes) {
        ICorridorLensGateway g = ICorridorLensGateway(gateway);
        hashes = new bytes32[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            hashes[i] = g.outbound(ids[i]);
        }
    }

    /// @notice `gateway.consumed(id)` for each of `ids`: whether the gateway settled it.
    function consumedOf(address gateway, bytes32[] calldata ids) external view returns (bool[] memory settled) {
        ICorridorLensGateway g = ICorridorLensGateway(gateway);
        settled = new bool[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            settled[i] = g.consumed(ids[i]);
        }
    }
}
