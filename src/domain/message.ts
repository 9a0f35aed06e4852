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
}

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
] as const;

/** EIP-712 types of the three attestations. Each is signed in the domain of the gateway that checks it. */
export const ATTESTATION_TYPES = {
  Message: MESSAGE_FIELDS,
  Settle: [
    { name: "message", type: "Message" },
    { name: "rate", type: "uint256" },
  ],
  Refund: [
    { name: "message", type: "Message" },
    { name: "reason", type: "uint8" },
  ],
  Finalize: [{ name: "message", type: "Message" }],
} as const;

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
