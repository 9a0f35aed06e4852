// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ILiquidityPool
/// @notice Per-token payout liquidity with pool shares: providers deposit and withdraw, payouts draw on it.
interface ILiquidityPool {
    // ---------------------------------------------------------------- errors
    /// @notice The amount must be above zero (or the deposit is too small to mint a share).
    error ZeroAmount();
    /// @notice `token` is not paid out here.
    error UnsupportedToken(address token);
    /// @notice The liquidity pool for `token` holds `available`, `needed` is required.
    error InsufficientLiquidity(address token, uint256 available, uint256 needed);
    /// @notice The provider holds `held` shares, `requested` were asked for.
    error InsufficientShares(uint256 held, uint256 requested);

    // ---------------------------------------------------------------- events
    /// @notice A provider deposited liquidity.
    event LiquidityDeposited(address indexed token, address indexed provider, uint256 amount, uint256 shares);
    /// @notice A provider withdrew liquidity.
    event LiquidityWithdrawn(address indexed token, address indexed provider, uint256 amount, uint256 shares);

    // ---------------------------------------------------------------- functions
    /// @notice Deposit `amount` of `token` into the payout liquidity; mints pool shares.
    /// @dev Reverts: ZeroAmount, UnsupportedToken, ReentrancyGuardReentrantCall, token errors.
    /// @return minted The shares minted to the caller.
    function deposit(address token, uint256 amount) external returns (uint256 minted);

    /// @notice Burn `shareAmount` pool shares for their part of `token` liquidity.
    /// @dev Reverts: ZeroAmount, InsufficientShares, ReentrancyGuardReentrantCall, token errors.
    /// @return amount The amount of `token` paid to the caller.
    function withdraw(address token, uint256 shareAmount) external returns (uint256 amount);

    /// @notice Liquidity available for payouts in `token`.
    function liquidity(address token) external view returns (uint256);

    /// @notice Pool shares outstanding for `token`.
    function totalShares(address token) external view returns (uint256);

    /// @notice Pool shares of `provider` for `token`.
    function shares(address token, address provider) external view returns (uint256);
}
