// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

interface ILensToken {
    function balanceOf(address account) external view returns (uint256);
    function totalSupply() external view returns (uint256);
}

interface ILensGateway {
    function liquidity(address token) external view returns (uint256);
    function escrowed(address token) external view returns (uint256);
    function totalShares(address token) external view returns (uint256);
    function shares(address token, address provider) external view returns (uint256);
    function consumed(bytes32 id) external view returns (bool);
    function outbound(bytes32 id) external view returns (bytes32);
    function paused() external view returns (bool);
}

/// @title InvariantLens (test only)
/// @notice Reads everything the invariant tests check on one chain in a single eth_call: per token, every
///         holder's balance, the total supply and the gateway's books (liquidity, escrow, shares); per id,
///         whether the gateway consumed it (destination) and its outbound status (source).
contract InvariantLens {
    struct TokenView {
        uint256 totalSupply;
        uint256[] balances;
        uint256 liquidity;
        uint256 escrowed;
        uint256 totalShares;
        uint256[] shares;
    }

    function read(address gateway, address[] calldata tokens, address[] calldata holders, bytes32[] calldata ids)
        external
        view
        returns (bool gatewayPaused, TokenView[] memory views, bool[] memory consumed, bytes32[] memory outbound)
    {
        ILensGateway g = ILensGateway(gateway);
        gatewayPaused = g.paused();
        views = new TokenView[](tokens.length);
        for (uint256 t = 0; t < tokens.length; t++) {
            views[t] = _tokenView(g, tokens[t], holders);
        }
        consumed = new bool[](ids.length);
        outbound = new bytes32[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            consumed[i] = g.consumed(ids[i]);
            outbound[i] = g.outbound(ids[i]);
        }
    }

    function _tokenView(ILensGateway g, address token, address[] calldata holders) internal view returns (TokenView memory v) {
        ILensToken t = ILensToken(token);
        v.totalSupply = t.totalSupply();
        v.balances = new uint256[](holders.length);
        v.shares = new uint256[](holders.length);
        for (uint256 h = 0; h < holders.length; h++) {
            v.balances[h] = t.balanceOf(holders[h]);
            v.shares[h] = g.shares(token, holders[h]);
        }
        v.liquidity = g.liquidity(token);
        v.escrowed = g.escrowed(token);
        v.totalShares = g.totalShares(token);
    }
}
