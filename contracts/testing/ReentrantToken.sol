// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ReentrantToken (test only)
/// @notice A malicious ERC-20 with the gateway's mint/burn interface. Once armed, the next `transfer`,
///         `transferFrom`, `mint` or `burn` (as selected) calls `target` with `payload` (for example
///         CorridorGateway.settle with the very item being settled), after the balance moved, as an
///         ERC-777-style receive hook would. The attempt is one-shot (disarmed before the call, so it
///         cannot recurse), and its outcome is kept (`attempts`, `lastOk`, `lastReturn`, event Reentered).
///         In bubble mode the token then reverts with the outcome, so the caller's call fails with it:
///         ReentryBlocked(reason) when the reentrant call reverted, ReentrySucceeded(returnData) when not.
/// @dev Lives under contracts/testing: never deployed by the corridor, only by the tests.
contract ReentrantToken is ERC20 {
    /// @notice The reentrant call reverted with `reason` (bubble mode).
    error ReentryBlocked(bytes reason);
    /// @notice The reentrant call succeeded and returned `returnData` (bubble mode).
    error ReentrySucceeded(bytes returnData);
    /// @notice Only the owner may configure the token, only minters may mint.
    error NotAllowed(address caller);

    /// @notice A reentrant call was attempted from inside `trigger` (1 transfer, 2 transferFrom, 4 mint, 8 burn).
    event Reentered(uint8 trigger, bool ok, bytes returnData);

    uint8 public constant ON_TRANSFER = 1;
    uint8 public constant ON_TRANSFER_FROM = 2;
    uint8 public constant ON_MINT = 4;
    uint8 public constant ON_BURN = 8;

    address public immutable owner;
    mapping(address account => bool) public isMinter;

    address public target;
    bytes public payload;
    /// @notice Bitmask of ON_* functions that fire the armed call; zero when disarmed.
    uint8 public triggers;
    bool public bubble;

    uint256 public attempts;
    bool public lastOk;
    bytes public lastReturn;

    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {
        owner = msg.sender;
        isMinter[msg.sender] = true;
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    // ---------------------------------------------------------------- configuration
    function setMinter(address account, bool allowed) external {
        if (msg.sender != owner) revert NotAllowed(msg.sender);
        isMinter[account] = allowed;
    }

    /// @notice Arm one reentrant call of `target` with `payload`, fired by the next function in `triggers_`.
    function arm(address target_, bytes calldata payload_, uint8 triggers_, bool bubble_) external {
        if (msg.sender != owner) revert NotAllowed(msg.sender);
        target = target_;
        payload = payload_;
        triggers = triggers_;
        bubble = bubble_;
    }

    function disarm() external {
        if (msg.sender != owner) revert NotAllowed(msg.sender);
        triggers = 0;
    }

    /// @notice The token itself acts as a liquidity provider: it approves `gateway` and deposits `amount`
    ///         of its own balance (so a later withdraw pays it, and its receive hook can reenter).
    function depositInto(address gateway, uint256 amount) external {
        if (msg.sender != owner) revert NotAllowed(msg.sender);
        _approve(address(this), gateway, amount);
        (bool ok, bytes memory ret) = gateway.call(abi.encodeWithSignature("deposit(address,uint256)", address(this), amount));
        if (!ok) _bubble(ret);
    }

    /// @notice The token (as a provider) withdraws `shareAmount` shares of its own liquidity from `gateway`.
    function withdrawFrom(address gateway, uint256 shareAmount) external {
        if (msg.sender != owner) revert NotAllowed(msg.sender);
        (bool ok, bytes memory ret) = gateway.call(abi.encodeWithSignature("withdraw(address,uint256)", address(this), shareAmount));
        if (!ok) _bubble(ret);
    }

    // ---------------------------------------------------------------- ERC-20 with hooks
    function transfer(address to, uint256 value) public override returns (bool) {
        bool r = super.transfer(to, value);
        _maybeReenter(ON_TRANSFER);
        return r;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        bool r = super.transferFrom(from, to, value);
        _maybeReenter(ON_TRANSFER_FROM);
        return r;
    }

    /// @notice IMintBurnToken.mint, for minters (the gateway on burn-and-mint routes).
    function mint(address to, uint256 amount) external {
        if (!isMinter[msg.sender]) revert NotAllowed(msg.sender);
        _mint(to, amount);
        _maybeReenter(ON_MINT);
    }

    /// @notice IMintBurnToken.burn: burns the caller's own balance.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
        _maybeReenter(ON_BURN);
    }

    // ---------------------------------------------------------------- internal
    function _maybeReenter(uint8 trigger) internal {
        if (triggers & trigger == 0) return;
        triggers = 0; // one-shot: no recursion
        attempts += 1;
        (bool ok, bytes memory ret) = target.call(payload);
        lastOk = ok;
        lastReturn = ret;
        emit Reentered(trigger, ok, ret);
        if (bubble) {
            if (ok) revert ReentrySucceeded(ret);
            revert ReentryBlocked(ret);
        }
    }

    function _bubble(bytes memory ret) internal pure {
        assembly {
            revert(add(ret, 32), mload(ret))
        }
    }
}
