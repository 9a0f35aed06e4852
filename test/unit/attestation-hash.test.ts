import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { getAddress, hashStruct, hashTypedData, type Hex } from "viem";
import {
  ATTESTATION_TYPES,
  FINALITY_TYPES,
  QUOTE_TYPES,
  finalityDigest,
  finalizeDigest,
  gatewayDomain,
  hashMessage,
  hashQuote,
  quoteDigest,
  refundDigest,
  settleDigest,
  type LockedQuote,
  type Message,
} from "../../src/domain/message.js";
import { AttesterSet } from "../helpers/attester-set.js";

/** The attesters' own EIP-712 hashing (src/domain/message.ts) against viem's hashTypedData, over random messages. */

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
// Lower-case and checksummed addresses, as chains and users give them.
const address = fc.tuple(hex(20), fc.boolean()).map(([a, checksum]) => (checksum ? getAddress(a) : a));
const bytes32 = fc.oneof(hex(32), fc.constant(`0x${"0".repeat(64)}` as Hex));

const message: fc.Arbitrary<Message> = fc.record({
  srcChainId: uint(64),
  srcGateway: address,
  dstChainId: uint(64),
  dstGateway: address,
  nonce: uint(64),
  sender: address,
  recipient: address,
  inputToken: address,
  outputToken: address,
  amount: fc.oneof(uint(256), uint(53), fc.constant(0n)),
  fee: fc.oneof(uint(256), uint(40)),
  minAmountOut: uint(256),
  deadline: uint(64),
  tier: fc.integer({ min: 0, max: 255 }),
  mode: fc.integer({ min: 0, max: 255 }),
  extraHash: bytes32,
  quoteHash: bytes32,
  sentAt: uint(64),
});

const quote: fc.Arbitrary<LockedQuote> = fc.record({
  quoteId: bytes32,
  sender: address,
  srcChainId: uint(64),
  dstChainId: uint(64),
  inputToken: address,
  outputToken: address,
  rate: uint(256),
  maxAmountIn: uint(256),
  expiresAt: uint(64),
});

const RUNS = 300;

describe("attestation hashing", () => {
  it("hashes a message's struct as viem's hashStruct does", () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(hashMessage(m)).toBe(hashStruct({ data: m, primaryType: "Message", types: ATTESTATION_TYPES }));
      }),
      { numRuns: RUNS },
    );
  });

  it("gives the Settle, Refund and Finalize digests of viem's hashTypedData", () => {
    fc.assert(
      fc.property(message, uint(256), fc.boolean(), fc.integer({ min: 0, max: 255 }), (m, rate, sourceFinal, reason) => {
        const dst = gatewayDomain(m.dstChainId, m.dstGateway);
        const src = gatewayDomain(m.srcChainId, m.srcGateway);
        expect(settleDigest(m, rate, sourceFinal)).toBe(
          hashTypedData({ domain: dst, types: ATTESTATION_TYPES, primaryType: "Settle", message: { message: m, rate, sourceFinal } }),
        );
        expect(refundDigest(m, reason)).toBe(hashTypedData({ domain: src, types: ATTESTATION_TYPES, primaryType: "Refund", message: { message: m, reason } }));
        expect(finalizeDigest(m)).toBe(hashTypedData({ domain: src, types: ATTESTATION_TYPES, primaryType: "Finalize", message: { message: m } }));
      }),
      { numRuns: RUNS },
    );
  });

  it("gives the Finality digest over any list of ids", () => {
    fc.assert(
      fc.property(uint(64), address, fc.array(bytes32, { maxLength: 60 }), (chainId, gateway, ids) => {
        expect(finalityDigest(chainId, gateway, ids)).toBe(
          hashTypedData({ domain: gatewayDomain(chainId, gateway), types: FINALITY_TYPES, primaryType: "Finality", message: { ids } }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("hashes and digests quotes as viem does", () => {
    fc.assert(
      fc.property(quote, address, (q, gateway) => {
        expect(hashQuote(q)).toBe(hashStruct({ data: q, primaryType: "Quote", types: QUOTE_TYPES }));
        expect(quoteDigest(q, gateway)).toBe(hashTypedData({ domain: gatewayDomain(q.dstChainId, gateway), types: QUOTE_TYPES, primaryType: "Quote", message: q }));
      }),
      { numRuns: RUNS },
    );
  });

  it("is what the attester set signs", () => {
    const attesters = new AttesterSet([`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`], 2);
    fc.assert(
      fc.property(message, uint(256), fc.boolean(), (m, rate, sourceFinal) => {
        expect(attesters.settleDigest(m, rate, sourceFinal)).toBe(
          hashTypedData({ domain: gatewayDomain(m.dstChainId, m.dstGateway), types: ATTESTATION_TYPES, primaryType: "Settle", message: { message: m, rate, sourceFinal } }),
        );
      }),
      { numRuns: 50 },
    );
  });

  it("rejects what viem rejects: out-of-range integers, malformed addresses and hashes", () => {
    const m = fc.sample(message, { numRuns: 1, seed: 7 })[0]!;
    const bad: Partial<Message>[] = [
      { nonce: 1n << 64n },
      { amount: -1n },
      { tier: 256 },
      { sender: "0x1234" as Hex },
      { recipient: `0x${"g".repeat(40)}` as Hex },
      { extraHash: "0xabcd" as Hex },
    ];
    for (const b of bad) {
      const tampered = { ...m, ...b };
      expect(() => hashTypedData({ domain: gatewayDomain(1n, m.dstGateway), types: ATTESTATION_TYPES, primaryType: "Finalize", message: { message: tampered } })).toThrow();
      expect(() => hashMessage(tampered)).toThrow();
      expect(() => settleDigest(tampered, 1n, true)).toThrow();
    }
  });
});
