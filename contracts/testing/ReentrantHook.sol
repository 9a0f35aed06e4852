// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CorridorTypes} from "../interfaces/ICorridorTypes.sol";

/// @title ReentrantHook (test only)
/// @notice A malicious compliance hook: it has IComplianceHook's two functions (same selectors), but not
///         declared `view`, and during checkSend / checkSettle it calls `target` with `payload` (for example
///         CorridorGateway.settle with the item being settled, or withdraw, or pause).
///         The gateway calls hooks through the `view` interface, that is with STATICCALL, so this hook can
///         neither keep state nor emit events: it reports the outcome of its attempt by reverting with it
///         (bubble mode): ReentryBlocked(reason) when the reentrant call reverted, ReentrySucceeded(returnData)
///         when it did not. In swallow mode it ignores the outcome and lets the transfer through.
/// @dev Lives under contracts/testing: never deployed by the corridor, only by the tests.
contract ReentrantHook {
    /// @notice The reentrant call reverted with `reason`.
    error ReentryBlocked(bytes reason);
    /// @notice The reentrant call succeeded and returned `returnData`.
    error ReentrySucceeded(bytes returnData);

    uint8 public constant ON_SEND = 1;
    uint8 public constant ON_SETTLE = 2;

    address public target;
    bytes public payload;
    uint8 public triggers;
    bool public bubble;

    /// @notice Configure the attack (outside any gateway call, so storage can be written).
    function arm(address target_, bytes calldata payload_, uint8 triggers_, bool bubble_) external {
        target = target_;
        payload = payload_;
        triggers = triggers_;
        bubble = bubble_;
    }

    /// @notice Same selector as IComplianceHook.checkSend.
    function checkSend(CorridorTypes.Message calldata) external {
        if (triggers & ON_SEND != 0) _reenter();
    }

    /// @notice Same selector as IComplianceHook.checkSettle.
    function checkSettle(CorridorTypes.Message calldata) external {
        if (triggers & ON_SETTLE != 0) _reenter();
    }

    function _reenter() internal {
        (bool ok, bytes memory ret) = target.call(payload);
        if (bubble) {
            if (ok) revert ReentrySucceeded(ret);
            revert ReentryBlocked(ret);
        }
    }
}
