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

    /// @dev A memory struct of value types is its fields' words in order, each clean (Solidity masks what it
    ///      stores), which is exactly `abi.encode(message)`; `sentAt` is the last of its 18 words.
    uint256 private constant HASHED_BYTES = 19 * 32; // the type hash and the 18 words
    uint256 private constant SENT_AT_OFFSET = 17 * 32;

    /// @notice EIP-712 struct hash of a message: keccak256(MESSAGE_TYPEHASH ‖ its 18 words). Every field is
    ///         static, so that is `keccak256(abi.encode(MESSAGE_TYPEHASH, message))`, hashed in place: the word
    ///         before the struct holds the type hash for the one keccak and is then restored (no copy of the
    ///         struct, which the corridor's hot paths would otherwise pay for on every hash).
    function hash(CorridorTypes.Message memory message) internal pure returns (bytes32 h) {
        bytes32 typeHash = MESSAGE_TYPEHASH;
        assembly ("memory-safe") {
            let before := sub(message, 32)
            let saved := mload(before)
            mstore(before, typeHash)
            h := keccak256(before, HASHED_BYTES)
            mstore(before, saved)
        }
    }

    /// @notice The message id: the struct hash with `sentAt` left out (zero), so that a send mined again in
    ///         another block by a reorganisation keeps its id. `message` is left as it was.
    function id(CorridorTypes.Message memory message) internal pure returns (bytes32 messageId) {
        bytes32 typeHash = MESSAGE_TYPEHASH;
        assembly ("memory-safe") {
            let before := sub(message, 32)
            let saved := mload(before)
            let sentAtWord := add(message, SENT_AT_OFFSET)
            let sentAt := mload(sentAtWord)
            mstore(before, typeHash)
            mstore(sentAtWord, 0)
            messageId := keccak256(before, HASHED_BYTES)
            mstore(sentAtWord, sentAt)
            mstore(before, saved)
        }
    }

    /// @notice EIP-712 struct hash of a quote.
    function hash(CorridorTypes.Quote memory quote) internal pure returns (bytes32) {
        return keccak256(abi.encode(QUOTE_TYPEHASH, quote));
    }
}
