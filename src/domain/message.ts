import { bytesToHex, stringToBytes, type Hex } from "viem";
import { keccak256, keccak256Bytes } from "../crypto/native.js";
import { z } from "zod";
import { CorridorError } from "./errors.js";

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

/** Hex of a given form, typed as viem's Hex. */
const hex = (re: RegExp, what: string) => z.custom<Hex>((v) => typeof v === "string" && re.test(v), `expected ${what}`);
export const hex32 = hex(/^0x[0-9a-fA-F]{64}$/, "32 bytes of hex");
export const hexAddress = hex(/^0x[0-9a-fA-F]{40}$/, "an address");
export const hexBytes = hex(/^0x(?:[0-9a-fA-F]{2})*$/, "hex bytes");
const uint = (bits: number) => z.bigint().min(0n).max((1n << BigInt(bits)) - 1n);

/** The corridor message, field for field as CorridorTypes.Message in Solidity (the operator's API reads it with this). */
export const MessageSchema = z
  .object({
    srcChainId: uint(64),
    srcGateway: hexAddress,
    dstChainId: uint(64),
    dstGateway: hexAddress,
    nonce: uint(64),
    sender: hexAddress,
    recipient: hexAddress,
    inputToken: hexAddress,
    outputToken: hexAddress,
    amount: uint(256),
    fee: uint(256),
    minAmountOut: uint(256),
    deadline: uint(64),
    tier: z.number().int().min(0).max(255),
    mode: z.number().int().min(0).max(255),
    extraHash: hex32,
    /** EIP-712 hash of the quote the sender locked, or zero. */
    quoteHash: hex32,
    /** Source block timestamp at send. */
    sentAt: uint(64),
  })
  .strict();
export type Message = z.infer<typeof MessageSchema>;

/** A firm FX quote (CorridorTypes.Quote), signed by a registered quoter in the destination gateway's domain. */
export const LockedQuoteSchema = z
  .object({
    quoteId: hex32,
    sender: hexAddress,
    srcChainId: uint(64),
    dstChainId: uint(64),
    inputToken: hexAddress,
    outputToken: hexAddress,
    rate: uint(256),
    maxAmountIn: uint(256),
    expiresAt: uint(64),
  });
export type LockedQuote = z.infer<typeof LockedQuoteSchema>;

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

/**
 * EIP-712 types of the three attestations. Each is signed in the domain of the gateway that checks it,
 * once per batch: the attesters sign SettleBatch, RefundBatch or FinalizeBatch over the exact items of
 * one transaction, and the gateway recovers the m signers once for all of them.
 */
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
  /** What the attesters sign: one batch of items at a time, in the gateway's domain (a single item is a batch of one). */
  SettleBatch: [{ name: "items", type: "Settle[]" }],
  RefundBatch: [{ name: "items", type: "Refund[]" }],
  FinalizeBatch: [{ name: "messages", type: "Message[]" }],
} as const;

/** Types signed in the destination's domain apart from settlements: quotes and source finality of Fast transfers. */
export const QUOTE_TYPES = { Quote: QUOTE_FIELDS } as const;
export const FINALITY_TYPES = { Finality: [{ name: "ids", type: "bytes32[]" }] } as const;

/** EIP-712 struct hash of a quote (what SendParams and the message carry as `quoteHash`). */
export function hashQuote(q: LockedQuote): Hex {
  return bytesToHex(quoteHasher(q));
}

export const GATEWAY_DOMAIN_NAME = "CorridorGateway";
export const GATEWAY_DOMAIN_VERSION = "1";

export function gatewayDomain(chainId: bigint | number, gateway: Hex) {
  return { name: GATEWAY_DOMAIN_NAME, version: GATEWAY_DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract: gateway } as const;
}

/**
 * The message id (CorridorGateway.messageId): the EIP-712 hash of the message with `sentAt` left
 * out. It binds the source chain and gateway, the sender and the sender's own nonce, and every
 * term of the transfer, but not the block: a send mined again in another block after a
 * reorganisation keeps its id; a different send that takes the same nonce gets another.
 */
export function idOf(m: Message): Hex {
  return memo(ids, m, () => bytesToHex(messageHasher({ ...m, sentAt: 0n })));
}

/** EIP-712 struct hash of a message (what the source stores and the attestations bind). */
export function hashMessage(m: Message): Hex {
  return memo(hashes, m, () => bytesToHex(messageHasher(m)));
}

/**
 * A message's id and hash, computed once per message object: the relayer, the operator and each
 * attester ask for them several times per transfer (issue 14). A message is a value: the object is
 * frozen when its hash is first kept, so that changing it afterwards throws instead of leaving a
 * stale hash behind (every field is a primitive, so a shallow freeze covers it).
 */
const ids = new WeakMap<Message, Hex>();
const hashes = new WeakMap<Message, Hex>();
function memo(cache: WeakMap<Message, Hex>, m: Message, compute: () => Hex): Hex {
  let h = cache.get(m);
  if (h === undefined) {
    h = compute();
    cache.set(Object.isFrozen(m) ? m : Object.freeze(m), h);
  }
  return h;
}

/** Payout for a message at an 18-decimal rate, rounded down as the gateway does. */
export function amountOut(m: Pick<Message, "amount" | "fee">, rate: bigint): bigint {
  return ((m.amount - m.fee) * rate) / RATE_SCALE;
}

// ---------------------------------------------------------------- EIP-712 digests
//
// The attesters sign one EIP-712 digest per settlement, refund and finalization. viem's
// `hashTypedData` validates the whole typed message and re-derives the type strings and hashes
// on every call (about 0.5 ms for a Settle). These helpers compile each struct's encoder once
// (type hash, field order, field encoders), compute each gateway's domain separator once, and
// hash a message with one keccak over a fixed-size buffer. The digests are byte-for-byte viem's
// (test/unit/attestation-hash.test.ts checks them against `hashTypedData` over random messages);
// out-of-range integers, malformed addresses and hashes throw, as viem's do.

type Field = { readonly name: string; readonly type: string };
type Types = Record<string, readonly Field[]>;
type Hasher = (data: Record<string, unknown>) => Uint8Array;

/** `Name(type1 name1,type2 name2,...)`. */
const typeString = (name: string, fields: readonly Field[]) => `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;

/** EIP-712 encodeType: the primary type, then the struct types it references, sorted by name. */
function encodeType(primaryType: string, types: Types): string {
  const deps = new Set<string>();
  const walk = (t: string) => {
    for (const f of types[t] ?? []) {
      const base = f.type.replace(/\[\d*\]$/, "");
      if (types[base] && base !== primaryType && !deps.has(base)) {
        deps.add(base);
        walk(base);
      }
    }
  };
  walk(primaryType);
  return [primaryType, ...[...deps].sort()].map((t) => typeString(t, types[t]!)).join("");
}

const HEX_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[65 + i] = t[97 + i] = 10 + i;
  return t;
})();

/** Writes the `0x`-prefixed hex of exactly `bytes` bytes into `buf` at `offset`; throws on anything else. */
function writeHex(buf: Uint8Array, offset: number, hex: unknown, bytes: number, what: string): void {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * bytes || hex[0] !== "0" || (hex[1] !== "x" && hex[1] !== "X")) {
    throw new Error(`invalid ${what}: ${String(hex)}`);
  }
  for (let i = 0; i < bytes; i++) {
    const hi = HEX_VALUE[hex.charCodeAt(2 + 2 * i) & 127]!;
    const lo = HEX_VALUE[hex.charCodeAt(3 + 2 * i) & 127]!;
    if (hi < 0 || lo < 0 || hex.charCodeAt(2 + 2 * i) > 127 || hex.charCodeAt(3 + 2 * i) > 127) throw new Error(`invalid ${what}: ${hex}`);
    buf[offset + i] = (hi << 4) | lo;
  }
}

/** Writes an unsigned integer of `bits` bits as a 32-byte big-endian word (the buffer is zeroed). */
function writeUint(buf: Uint8Array, offset: number, value: unknown, bits: number, what: string): void {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else throw new Error(`invalid ${what}: ${String(value)}`);
  if (v < 0n || v >> BigInt(bits) !== 0n) throw new Error(`${what} out of range for uint${bits}: ${v}`);
  // Small values (chain ids, nonces, timestamps, most amounts) fit in a double's 53 bits: no bigint loop.
  if (v <= 0x1f_ffff_ffff_ffffn) {
    let n = Number(v);
    for (let i = 31; n > 0; i--) {
      buf[offset + i] = n % 256;
      n = Math.floor(n / 256);
    }
    return;
  }
  for (let i = 31; v > 0n; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Compiles the EIP-712 `hashStruct` of `primaryType`: keccak256(typeHash ‖ encoded fields). */
function structHasher(primaryType: string, types: Types): Hasher {
  const typeHash = keccak256Bytes(stringToBytes(encodeType(primaryType, types)));
  const fields = types[primaryType]!;
  const writers = fields.map((f): ((buf: Uint8Array, offset: number, value: unknown) => void) => {
    const what = `${primaryType}.${f.name}`;
    const uint = /^uint(\d+)$/.exec(f.type);
    if (uint) {
      const bits = Number(uint[1]);
      return (buf, o, v) => writeUint(buf, o, v, bits, what);
    }
    if (f.type === "address") return (buf, o, v) => writeHex(buf, o + 12, v, 20, what);
    if (f.type === "bytes32") return (buf, o, v) => writeHex(buf, o, v, 32, what);
    if (f.type === "bool")
      return (buf, o, v) => {
        if (typeof v !== "boolean") throw new Error(`invalid ${what}: ${String(v)}`);
        buf[o + 31] = v ? 1 : 0;
      };
    if (f.type === "bytes32[]")
      return (buf, o, v) => {
        if (!Array.isArray(v)) throw new Error(`invalid ${what}: not an array`);
        const words = new Uint8Array(32 * v.length);
        v.forEach((h, i) => writeHex(words, 32 * i, h, 32, what));
        buf.set(keccak256Bytes(words), o);
      };
    const array = /^(\w+)\[\]$/.exec(f.type);
    if (array && types[array[1]!]) {
      let sub: Hasher | undefined;
      return (buf, o, v) => {
        if (!Array.isArray(v)) throw new Error(`invalid ${what}: not an array`);
        sub ??= structHasher(array[1]!, types);
        const words = new Uint8Array(32 * v.length);
        v.forEach((item, i) => words.set(sub!(item as Record<string, unknown>), 32 * i));
        buf.set(keccak256Bytes(words), o);
      };
    }
    if (types[f.type]) {
      let sub: Hasher | undefined;
      return (buf, o, v) => buf.set((sub ??= structHasher(f.type, types))(v as Record<string, unknown>), o);
    }
    throw new Error(`EIP-712 field type ${f.type} (${what}) is not supported by the fast hasher`);
  });
  const size = 32 * (fields.length + 1);
  return (data) => {
    const buf = new Uint8Array(size);
    buf.set(typeHash, 0);
    for (let i = 0; i < fields.length; i++) writers[i]!(buf, 32 * (i + 1), data[fields[i]!.name]);
    return keccak256Bytes(buf);
  };
}

const messageHasher = structHasher("Message", ATTESTATION_TYPES) as unknown as (m: Message) => Uint8Array;
const quoteHasher = structHasher("Quote", QUOTE_TYPES) as unknown as (q: LockedQuote) => Uint8Array;
const settleBatchHasher = structHasher("SettleBatch", ATTESTATION_TYPES);
const refundBatchHasher = structHasher("RefundBatch", ATTESTATION_TYPES);
const finalizeBatchHasher = structHasher("FinalizeBatch", ATTESTATION_TYPES);
const finalityHasher = structHasher("Finality", FINALITY_TYPES);
const DOMAIN_TYPE_HASH = keccak256Bytes(stringToBytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"));
const NAME_HASH = keccak256Bytes(stringToBytes(GATEWAY_DOMAIN_NAME));
const VERSION_HASH = keccak256Bytes(stringToBytes(GATEWAY_DOMAIN_VERSION));

/** Domain separators by chain id and gateway: computed once per gateway. */
const separators = new Map<string, Uint8Array>();

/** The EIP-712 domain separator of a gateway (`gatewayDomain(chainId, gateway)`), computed once. */
function gatewayDomainSeparator(chainId: bigint | number, gateway: Hex): Uint8Array {
  const key = `${chainId}:${gateway.toLowerCase()}`;
  let sep = separators.get(key);
  if (!sep) {
    const buf = new Uint8Array(160);
    buf.set(DOMAIN_TYPE_HASH, 0);
    buf.set(NAME_HASH, 32);
    buf.set(VERSION_HASH, 64);
    writeUint(buf, 96, BigInt(chainId), 256, "domain chainId");
    writeHex(buf, 140, gateway, 20, "domain verifyingContract");
    sep = keccak256Bytes(buf);
    separators.set(key, sep);
  }
  return sep;
}

/** keccak256(0x1901 ‖ domainSeparator ‖ structHash): the digest an EIP-712 signature signs. */
function typedDigest(separator: Uint8Array, structHash: Uint8Array): Hex {
  const buf = new Uint8Array(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.set(separator, 2);
  buf.set(structHash, 34);
  return keccak256(buf);
}

/** One settlement as the attesters sign it (EIP-712 Settle). */
export interface SettleTerms {
  message: Message;
  rate: bigint;
  sourceFinal: boolean;
}
/** One refund as the attesters sign it (EIP-712 Refund). */
export interface RefundTerms {
  message: Message;
  reason: number;
}

export const BatchErrorCode = { Invalid: "CORRIDOR_BATCH_INVALID" } as const;

/** The one gateway a batch goes to: every item's destination (settle) or source (refund, finalize) must be it. */
function batchGateway(messages: readonly Message[], side: "src" | "dst"): Uint8Array {
  const first = messages[0];
  if (!first) throw new CorridorError(BatchErrorCode.Invalid, "a batch has at least one item");
  const chainId = side === "dst" ? first.dstChainId : first.srcChainId;
  const gateway = side === "dst" ? first.dstGateway : first.srcGateway;
  for (const m of messages) {
    const [c, g] = side === "dst" ? [m.dstChainId, m.dstGateway] : [m.srcChainId, m.srcGateway];
    if (c !== chainId || g.toLowerCase() !== gateway.toLowerCase()) {
      throw new CorridorError(BatchErrorCode.Invalid, `a batch goes to one gateway: ${c}/${g} is not ${chainId}/${gateway}`, { chainId: c.toString(), gateway: g });
    }
  }
  return gatewayDomainSeparator(chainId, gateway);
}

/** The digest of a batch of settlements, in the destination gateway's domain (all items must share it). */
export function settleBatchDigest(items: readonly SettleTerms[]): Hex {
  const sep = batchGateway(items.map((i) => i.message), "dst");
  return typedDigest(sep, settleBatchHasher({ items: items.map((i) => ({ message: i.message, rate: i.rate, sourceFinal: i.sourceFinal })) }));
}

/** The digest of a batch of refunds, in the source gateway's domain (all items must share it). */
export function refundBatchDigest(items: readonly RefundTerms[]): Hex {
  const sep = batchGateway(items.map((i) => i.message), "src");
  return typedDigest(sep, refundBatchHasher({ items: items.map((i) => ({ message: i.message, reason: i.reason })) }));
}

/** The digest of a batch of finalizations, in the source gateway's domain (all messages must share it). */
export function finalizeBatchDigest(messages: readonly Message[]): Hex {
  const sep = batchGateway(messages, "src");
  return typedDigest(sep, finalizeBatchHasher({ messages }));
}

/** A single settlement's digest: the batch of one that `settle(item, signatures)` checks. */
export const settleDigest = (m: Message, rate: bigint, sourceFinal: boolean): Hex => settleBatchDigest([{ message: m, rate, sourceFinal }]);
/** A single refund's digest: the batch of one that `refund(message, reason, signatures)` checks. */
export const refundDigest = (m: Message, reason: number): Hex => refundBatchDigest([{ message: m, reason }]);
/** A single finalization's digest: the batch of one that `finalize(message, signatures)` checks. */
export const finalizeDigest = (m: Message): Hex => finalizeBatchDigest([m]);

/** The source-finality digest of Fast transfers, in the destination gateway's domain. */
export function finalityDigest(dstChainId: bigint, dstGateway: Hex, ids: readonly Hex[]): Hex {
  return typedDigest(gatewayDomainSeparator(dstChainId, dstGateway), finalityHasher({ ids }));
}

/** A quote's digest as its quoter signs it, in the destination gateway's domain. */
export function quoteDigest(q: LockedQuote, dstGateway: Hex): Hex {
  return typedDigest(gatewayDomainSeparator(q.dstChainId, dstGateway), quoteHasher(q));
}
