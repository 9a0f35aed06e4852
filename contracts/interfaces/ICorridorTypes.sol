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
        bytes32 quoteHash; // EIP-712 struct hash of the FX quote the sender locked, or zero
        uint64 sentAt; // source block timestamp at send
    }

    /// @notice A firm FX quote from a registered quoter, which a sender may lock at send.
    /// @dev Signed by the quoter in the destination gateway's EIP-712 domain; the destination checks it.
    struct Quote {
        bytes32 quoteId;
        address sender; // the quote is for this sender only
        uint64 srcChainId;
        uint64 dstChainId;
        address inputToken;
        address outputToken;
        uint256 rate; // output per input, 18 decimals
        uint256 maxAmountIn; // largest amount the quote covers
        uint64 expiresAt; // must be locked (sent) no later than this
    }
}
