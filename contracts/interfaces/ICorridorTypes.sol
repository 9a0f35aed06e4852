// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Corridor message types shared by the gateway and its policy modules.
library CorridorTypes {
    /// @notice Standard waits for the source chain's hard finality; Fast settles after soft confirmation.
    enum Tier {
        Standard,
        Fast
    }

    /// @notice BurnMint: same currency on both chains (burned on the source, minted on the destination).
    ///         LockRelease: cross-currency (escrowed on the source, paid from liquidity on the destination).
    enum Mode {
        BurnMint,
        LockRelease
    }

    /// @notice Why the attesters signed a refund.
    enum RefundReason {
        Denied,
        Expired,
        BelowMinimum,
        Other
    }

    /// @notice Everything the destination needs to pay a transfer, and everything the source needs to refund it.
    /// @dev All fields are static, so `abi.encode(TYPEHASH, message)` is the EIP-712 struct encoding.
    struct Message {
        uint64 srcChainId;
        address srcGateway;
        uint64 dstChainId;
        address dstGateway;
        uint64 nonce;
        address sender;
        address recipient;
        address inputToken;
        address outputToken;
        uint256 amount; // gross, in inputToken base units, taken from the sender
        uint256 fee; // in inputToken base units, part of `amount`
        uint256 minAmountOut; // in outputToken base units
        uint64 deadline; // unix seconds; no settlement after it
        uint8 tier; // Tier
        uint8 mode; // Mode
        bytes32 extraHash; // hash of off-chain data bound to the transfer (travel-rule record), or zero
    }
}
