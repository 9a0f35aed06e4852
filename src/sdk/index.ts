/**
 * Corridor SDK: send a corridor transfer and follow it, from a viem WalletClient or an ethers v6
 * Signer. Every failure is a CorridorError: CORRIDOR_SDK_* for bad input and wallet or node
 * failures, CORRIDOR_REVERT_<ErrorName> for a gateway or token revert (found by simulation,
 * before any gas is spent).
 */
export { sendCorridorTransfer, validateSendOptions, quoteCorridorFee, type SendCorridorTransferOptions, type SentTransfer } from "./send.js";
export {
  getTransferStatus,
  type GatewayTarget,
  type OutboundStatus,
  type TransferStatus,
  type TransferStatusOptions,
  type TransferStatusResult,
} from "./status.js";
export {
  toCorridorSigner,
  toChainReader,
  revertDataOf,
  type AdapterOptions,
  type CallResult,
  type ChainReader,
  type CorridorSigner,
  type ReaderLike,
  type SdkReceipt,
  type SignerLike,
  type TxCall,
  type ViemWalletClient,
} from "./signer.js";
export { parseAddress, parseAmount, type AmountInput } from "./validate.js";
export { SdkErrorCode } from "./errors.js";
export { CorridorError, isCorridorError } from "../domain/errors.js";
export { TIER, NO_QUOTE, ZERO_HASH, idOf, type LockedQuote, type Message, type Tier } from "../domain/message.js";
