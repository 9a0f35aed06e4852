// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title CorridorToken
/// @notice A test stablecoin with the controls a regulated issuer has: mint, burn, pause,
///         freeze (blocklist) and seizure of frozen balances. One contract serves as both
///         tUSD (on the US chain) and tGBP (on the UK chain). 6 decimals, like USDC.
/// @dev Built on OpenZeppelin ERC20, ERC20Permit, AccessControl and Pausable.
contract CorridorToken is ERC20, ERC20Permit, AccessControl, Pausable {
    // ---------------------------------------------------------------- errors
    /// @notice `account` is frozen and can neither send nor receive.
    error AccountFrozen(address account);
    /// @notice Seizure needs the account to be frozen first.
    error AccountNotFrozen(address account);
    /// @notice The zero address is not a valid recovery address.
    error InvalidRecoveryAddress();

    // ---------------------------------------------------------------- events
    /// @notice `account` was frozen by `by`.
    event Frozen(address indexed account, address indexed by);
    /// @notice `account` was unfrozen by `by`.
    event Unfrozen(address indexed account, address indexed by);
    /// @notice `amount` was seized from frozen `account` to `recovery`.
    event Seized(address indexed account, address indexed recovery, uint256 amount, address indexed by);
    /// @notice `amount` minted to `to` by `minter`.
    event Minted(address indexed minter, address indexed to, uint256 amount);
    /// @notice `amount` burned from `from` by `burner`.
    event Burned(address indexed burner, address indexed from, uint256 amount);

    // ---------------------------------------------------------------- constants
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant BURNER_ROLE = keccak256("BURNER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant FREEZER_ROLE = keccak256("FREEZER_ROLE");

    // ---------------------------------------------------------------- storage
    /// @notice Whether an account is frozen.
    mapping(address account => bool) public frozen;
    /// @dev Set only for the duration of a seizure, so `_update` lets the frozen balance move.
    bool private _seizing;

    // ---------------------------------------------------------------- constructor
    /// @param name_ Token name, e.g. "Test USD".
    /// @param symbol_ Token symbol, e.g. "tUSD".
    /// @param admin Receives DEFAULT_ADMIN_ROLE (and may grant the others).
    constructor(string memory name_, string memory symbol_, address admin) ERC20(name_, symbol_) ERC20Permit(name_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- external
    /// @notice Mint `amount` to `to`.
    /// @dev Reverts: AccessControlUnauthorizedAccount, EnforcedPause, AccountFrozen(to).
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
        emit Minted(msg.sender, to, amount);
    }

    /// @notice Burn `amount` of the caller's own balance.
    /// @dev Reverts: AccessControlUnauthorizedAccount, EnforcedPause, AccountFrozen(caller), ERC20InsufficientBalance.
    function burn(uint256 amount) external onlyRole(BURNER_ROLE) {
        _burn(msg.sender, amount);
        emit Burned(msg.sender, msg.sender, amount);
    }

    /// @notice Burn `amount` from `from`, spending the caller's allowance.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ERC20InsufficientAllowance, EnforcedPause, AccountFrozen.
    function burnFrom(address from, uint256 amount) external onlyRole(BURNER_ROLE) {
        _spendAllowance(from, msg.sender, amount);
        _burn(from, amount);
        emit Burned(msg.sender, from, amount);
    }

    /// @notice Stop all transfers, mints and burns.
    /// @dev Reverts: AccessControlUnauthorizedAccount, EnforcedPause.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume transfers.
    /// @dev Reverts: AccessControlUnauthorizedAccount, ExpectedPause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Freeze `account`: it can neither send nor receive until unfrozen.
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function freeze(address account) external onlyRole(FREEZER_ROLE) {
        frozen[account] = true;
        emit Frozen(account, msg.sender);
    }

    /// @notice Unfreeze `account`.
    /// @dev Reverts: AccessControlUnauthorizedAccount.
    function unfreeze(address account) external onlyRole(FREEZER_ROLE) {
        frozen[account] = false;
        emit Unfrozen(account, msg.sender);
    }

    /// @notice Move the whole balance of frozen `account` to `recovery`.
    /// @dev Reverts: AccessControlUnauthorizedAccount, AccountNotFrozen, InvalidRecoveryAddress,
    ///      AccountFrozen(recovery) if the recovery address is itself frozen.
    function seize(address account, address recovery) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 amount) {
        if (!frozen[account]) revert AccountNotFrozen(account);
        if (recovery == address(0)) revert InvalidRecoveryAddress();
        if (frozen[recovery]) revert AccountFrozen(recovery);
        amount = balanceOf(account);
        _seizing = true;
        _transfer(account, recovery, amount);
        _seizing = false;
        emit Seized(account, recovery, amount, msg.sender);
    }

    // ---------------------------------------------------------------- public
    /// @notice 6 decimals, like the fiat-backed stablecoins this models.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    // ---------------------------------------------------------------- internal
    /// @dev Every balance change passes here: enforce pause and freeze, except for a seizure,
    ///      which must be able to move a frozen balance (and is itself an admin action).
    function _update(address from, address to, uint256 value) internal override {
        if (!_seizing) {
            _requireNotPaused();
            if (frozen[from]) revert AccountFrozen(from);
            if (frozen[to]) revert AccountFrozen(to);
        }
        super._update(from, to, value);
    }
}
