// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CorridorTypes} from "../interfaces/ICorridorTypes.sol";

/// @title MessageHash
/// @notice EIP-712 struct hashes of the corridor's Message and Quote, and the message id. The TypeScript
///         side (src/domain/message.ts) computes the same values; the attesters sign over them.
library MessageHash {
    // ---------------------------------------------------------------- constants
    /// @notice The EIP-712 type of a message; also appended to every type that references Message.
    string internal constant MESSAGE_TYPE =
        "Message(uint64 srcChainId,address srcGateway,uint64 dstChainId,address dstGateway,uint64 nonce,address sender,address recipient,address inputToken,address outputToken,uint256 amount,uint256 fee,uint256 minAmountOut,uint64 deadline,uint8 tier,uint8 mode,bytes32 extraHash,bytes32 quoteHash,uint64 sentAt)";
    bytes32 internal constant MESSAGE_TYPEHASH = keccak256(bytes(MESSAGE_TYPE));
    bytes32 internal constant QUOTE_TYPEHASH = keccak256(
        "Quote(bytes32 quoteId,address sender,uint64 srcChainId,uint64 dstChainId,address inputToken,address outputToken,uint256 rate,uint256 maxAmountIn,uint64 expiresAt)"
    );

    // ================================================================ internal

    /// @notice EIP-712 struct hash of a message. Every field is static, so `abi.encode(TYPEHASH, message)`
    ///         is the EIP-712 encoding.
    function hash(CorridorTypes.Message memory message) internal pure returns (bytes32) {
        return keccak256(abi.encode(MESSAGE_TYPEHASH, message));
    }

    /// @notice The message id: the struct hash with `sentAt` left out (zero), so that a send mined again in
    ///         another block by a reorganisation keeps its id. `message` is left as it was.
    function id(CorridorTypes.Message memory message) internal pure returns (bytes32 messageId) {
        uint64 sentAt = message.sentAt;
        message.sentAt = 0;
        messageId = hash(message);
        message.sentAt = sentAt;
    }

    /// @notice EIP-712 struct hash of a quote.
    function hash(CorridorTypes.Quote memory quote) internal pure returns (bytes32) {
        return keccak256(abi.encode(QUOTE_TYPEHASH, quote));
    }
}
