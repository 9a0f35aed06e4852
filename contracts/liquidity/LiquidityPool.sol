// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {ILiquidityPool} from "../interfaces/ILiquidityPool.sol";

/// @title LiquidityPool
/// @notice Per-token payout liquidity with pool shares. Providers deposit and withdraw; the inheriting
///         contract pays out of the pool (`_drawLiquidity`) and returns to it (`_addLiquidity`).
/// @dev Shares are per chain and token: a provider who pays out GBP on the UK chain is paid in USD into the
///      US chain's pool, so a provider is expected to fund both sides of the corridor (as a market maker
///      does); cross-chain claims are not tracked. The one override point is `_isPoolToken`.
abstract contract LiquidityPool is ILiquidityPool, ReentrancyGuard {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- storage
    /// @inheritdoc ILiquidityPool
    mapping(address token => uint256) public liquidity;
    /// @inheritdoc ILiquidityPool
    mapping(address token => uint256) public totalShares;
    /// @inheritdoc ILiquidityPool
    mapping(address token => mapping(address provider => uint256)) public shares;

    // ================================================================ external

    /// @inheritdoc ILiquidityPool
    function deposit(address token, uint256 amount) external nonReentrant returns (uint256 minted) {
        if (amount == 0) revert ZeroAmount();
        if (!_isPoolToken(token)) revert UnsupportedToken(token);
        uint256 supply = totalShares[token];
        uint256 pool = liquidity[token];
        // Virtual offset of one share and one base unit (as OpenZeppelin's ERC4626): a pool drained to zero by
        // payouts while shares are outstanding cannot hand a new deposit's value to those worthless shares.
        // Rounded down: the depositor never gets more than their share of the pool.
        minted = (amount * (supply + 1)) / (pool + 1);
        if (minted == 0) revert ZeroAmount();
        totalShares[token] = supply + minted;
        shares[token][msg.sender] += minted;
        liquidity[token] = pool + amount;
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        emit LiquidityDeposited(token, msg.sender, amount, minted);
    }

    /// @inheritdoc ILiquidityPool
    function withdraw(address token, uint256 shareAmount) external nonReentrant returns (uint256 amount) {
        if (shareAmount == 0) revert ZeroAmount();
        uint256 held = shares[token][msg.sender];
        if (held < shareAmount) revert InsufficientShares(held, shareAmount);
        uint256 supply = totalShares[token];
        uint256 pool = liquidity[token];
        // Same virtual offset as deposit; rounded down, so the pool keeps the dust and remaining providers are never diluted.
        amount = (shareAmount * (pool + 1)) / (supply + 1);
        shares[token][msg.sender] = held - shareAmount;
        totalShares[token] = supply - shareAmount;
        liquidity[token] = pool - amount;
        IERC20(token).safeTransfer(msg.sender, amount);
        emit LiquidityWithdrawn(token, msg.sender, amount, shareAmount);
    }

    // ================================================================ internal

    /// @dev Whether `token` may be deposited (the tokens this contract pays out).
    function _isPoolToken(address token) internal view virtual returns (bool);

    /// @dev Takes `amount` out of the pool for a payout (the caller moves the tokens).
    ///      Reverts: InsufficientLiquidity.
    function _drawLiquidity(address token, uint256 amount) internal {
        uint256 available = liquidity[token];
        if (available < amount) revert InsufficientLiquidity(token, available, amount);
        liquidity[token] = available - amount;
    }

    /// @dev Adds `amount`, already held by this contract, to the pool.
    function _addLiquidity(address token, uint256 amount) internal {
        liquidity[token] += amount;
    }
}
