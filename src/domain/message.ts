import { encodeAbiParameters, hashStruct, keccak256, type Hex } from "viem";

/** Tiers as the contracts number them. */
export const TIER = { standard: 0, fast: 1 } as const;
export type Tier = keyof typeof TIER;
/** Settlement modes as the contracts number them. */
export const MODE = { burnMint: 0, lockRelease: 1 } as const;
export type Mode = keyof typeof MODE;
export const REFUND_REASON = { denied: 0, expired: 1, belowMinimum: 2, other: 3 } as const;
export type RefundReason = keyof typeof REFUND_REASON;

export const tierName = (n: number): Tier => (n === TIER.fast ? "fast" : "standard");
export const modeName = (n: number): Mode => (n === MODE.lockRelease ? "lockRelease" : "burnMint");

/** Rates are 18-decimal fixed point: amountOut = (amount - fee) * rate / 1e18, rounded down. */
export const RATE_SCALE = 10n ** 18n;

/** The corridor message, field for field as CorridorTypes.Message in Solidity. */
export interface Message {
  srcChainId: bigint;
  srcGateway: Hex;
  dstChainId: bigint;
  dstGateway: Hex;
  nonce: bigint;
  sender: Hex;
  recipient: Hex;
  inputToken: Hex;
  outputToken: Hex;
  amount: bigint;
  fee: bigint;
  minAmountOut: bigint;
  deadline: bigint;
  tier: number;
  mode: number;
  extraHash: Hex;
  /** EIP-712 hash of the quote the sender locked, or zero. */
  quoteHash: Hex;
  /** Source block timestamp at send. */
  sentAt: bigint;
}

/** A firm FX quote (CorridorTypes.Quote), signed by a registered quoter in the destination gateway's domain. */
export interface LockedQuote {
  quoteId: Hex;
  sender: Hex;
  srcChainId: bigint;
  dstChainId: bigint;
  inputToken: Hex;
  outputToken: Hex;
  rate: bigint;
  maxAmountIn: bigint;
  expiresAt: bigint;
}

export const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;
const ZERO_ADDRESS: Hex = `0x${"0".repeat(40)}`;
/** The "no quote" value for SendParams and SettleItem. */
export const NO_QUOTE: LockedQuote = {
  quoteId: ZERO_HASH,
  sender: ZERO_ADDRESS,
  srcChainId: 0n,
  dstChainId: 0n,
  inputToken: ZERO_ADDRESS,
  outputToken: ZERO_ADDRESS,
  rate: 0n,
  maxAmountIn: 0n,
  expiresAt: 0n,
};

export const MESSAGE_FIELDS = [
  { name: "srcChainId", type: "uint64" },
  { name: "srcGateway", type: "address" },
  { name: "dstChainId", type: "uint64" },
  { name: "dstGateway", type: "address" },
  { name: "nonce", type: "uint64" },
  { name: "sender", type: "address" },
  { name: "recipient", type: "address" },
  { name: "inputToken", type: "address" },
  { name: "outputToken", type: "address" },
  { name: "amount", type: "uint256" },
  { name: "fee", type: "uint256" },
  { name: "minAmountOut", type: "uint256" },
  { name: "deadline", type: "uint64" },
  { name: "tier", type: "uint8" },
  { name: "mode", type: "uint8" },
  { name: "extraHash", type: "bytes32" },
  { name: "quoteHash", type: "bytes32" },
  { name: "sentAt", type: "uint64" },
] as const;

export const QUOTE_FIELDS = [
  { name: "quoteId", type: "bytes32" },
  { name: "sender", type: "address" },
  { name: "srcChainId", type: "uint64" },
  { name: "dstChainId", type: "uint64" },
  { name: "inputToken", type: "address" },
  { name: "outputToken", type: "address" },
  { name: "rate", type: "uint256" },
  { name: "maxAmountIn", type: "uint256" },
  { name: "expiresAt", type: "uint64" },
] as const;

/** EIP-712 types of the three attestations. Each is signed in the domain of the gateway that checks it. */
export const ATTESTATION_TYPES = {
  Message: MESSAGE_FIELDS,
  Settle: [
    { name: "message", type: "Message" },
    { name: "rate", type: "uint256" },
    { name: "sourceFinal", type: "bool" },
  ],
  Refund: [
    { name: "message", type: "Message" },
    { name: "reason", type: "uint8" },
  ],
  Finalize: [{ name: "message", type: "Message" }],
} as const;

/** Types signed in the destination's domain apart from settlements: quotes and source finality of Fast transfers. */
export const QUOTE_TYPES = { Quote: QUOTE_FIELDS } as const;
export const FINALITY_TYPES = { Finality: [{ name: "ids", type: "bytes32[]" }] } as const;

export function hashQuote(q: LockedQuote): Hex {
  return hashStruct({ data: q, primaryType: "Quote", types: QUOTE_TYPES });
}

export const GATEWAY_DOMAIN_NAME = "CorridorGateway";
export const GATEWAY_DOMAIN_VERSION = "1";

export function gatewayDomain(chainId: bigint | number, gateway: Hex) {
  return { name: GATEWAY_DOMAIN_NAME, version: GATEWAY_DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract: gateway } as const;
}

/** The message id: keccak256(abi.encode(srcChainId, srcGateway, nonce)), unique across chains. */
export function messageId(srcChainId: bigint, srcGateway: Hex, nonce: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "uint64" }], [srcChainId, srcGateway, nonce]));
}

export function idOf(m: Message): Hex {
  return messageId(m.srcChainId, m.srcGateway, m.nonce);
}

/** EIP-712 struct hash of a message (what the source stores and the attestations bind). */
export function hashMessage(m: Message): Hex {
  return hashStruct({ data: m, primaryType: "Message", types: ATTESTATION_TYPES });
}

/** Payout for a message at an 18-decimal rate, rounded down as the gateway does. */
export function amountOut(m: Pick<Message, "amount" | "fee">, rate: bigint): bigint {
  return ((m.amount - m.fee) * rate) / RATE_SCALE;
}
