/**
 * Stable codes of the SDK's own failures. Contract reverts keep the gateway's codes
 * (`CORRIDOR_REVERT_<ErrorName>`, from revertError in src/contracts/gateway.ts).
 */
export const SdkErrorCode = {
  /** Not a 20-byte hex address, or the zero address where one is not allowed. */
  InvalidAddress: "CORRIDOR_SDK_INVALID_ADDRESS",
  /** A mixed-case address whose EIP-55 checksum is wrong (likely a typo). */
  AddressChecksum: "CORRIDOR_SDK_ADDRESS_CHECKSUM",
  /** Not a positive amount in base units or in whole units with at most 6 decimals. */
  InvalidAmount: "CORRIDOR_SDK_INVALID_AMOUNT",
  InvalidChainId: "CORRIDOR_SDK_INVALID_CHAIN_ID",
  InvalidTier: "CORRIDOR_SDK_INVALID_TIER",
  InvalidDeadline: "CORRIDOR_SDK_INVALID_DEADLINE",
  InvalidHash: "CORRIDOR_SDK_INVALID_HASH",
  /** The quote to lock is not a well-formed LockedQuote (whether it applies is the gateway's call). */
  InvalidQuote: "CORRIDOR_SDK_INVALID_QUOTE",
  /** Neither a viem WalletClient with an account nor an ethers v6 Signer with a provider. */
  InvalidSigner: "CORRIDOR_SDK_INVALID_SIGNER",
  InvalidClient: "CORRIDOR_SDK_INVALID_CLIENT",
  /** The allowance is short and the caller asked for no approval. */
  AllowanceTooLow: "CORRIDOR_SDK_ALLOWANCE_TOO_LOW",
  /** The sender holds less of the input token than the amount. */
  InsufficientBalance: "CORRIDOR_SDK_INSUFFICIENT_BALANCE",
  /** The call reverted without data the corridor's ABIs can decode (and without data at all). */
  CallReverted: "CORRIDOR_SDK_CALL_REVERTED",
  /** The node or the wallet failed (transport error, rejected signature, timeout). */
  RpcFailed: "CORRIDOR_SDK_RPC_FAILED",
  /** The transaction was mined but reverted. */
  TxReverted: "CORRIDOR_SDK_TX_REVERTED",
  /** The receipt holds no TransferSent event from the gateway. */
  EventMissing: "CORRIDOR_SDK_EVENT_MISSING",
} as const;

export type SdkErrorCode = (typeof SdkErrorCode)[keyof typeof SdkErrorCode];
