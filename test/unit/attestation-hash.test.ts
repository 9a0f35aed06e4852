import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { getAddress, hashStruct, hashTypedData, recoverAddress, type Hex } from "viem";
import { isCorridorError } from "../../src/domain/errors.js";
import {
  ATTESTATION_TYPES,
  BatchErrorCode,
  FINALITY_TYPES,
  QUOTE_TYPES,
  finalityDigest,
  finalizeBatchDigest,
  finalizeDigest,
  gatewayDomain,
  hashMessage,
  hashQuote,
  idOf,
  quoteDigest,
  refundBatchDigest,
  refundDigest,
  settleBatchDigest,
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

/** The same gateway address, checksummed or lower-case (the batch helpers must treat both as one gateway). */
const sameAddress = (a: Hex, checksum: boolean): Hex => (checksum ? getAddress(a) : (a.toLowerCase() as Hex));

/**
 * 1..5 random messages that share one gateway on the `side` a batch goes to (the destination for
 * settlements, the source for refunds and finalizations), its address spelled either way per message.
 */
const batchOf = (side: "src" | "dst") =>
  fc.tuple(fc.array(message, { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 })).map(([ms, spell]) => {
    const [chainId, gateway] = side === "dst" ? [ms[0]!.dstChainId, ms[0]!.dstGateway] : [ms[0]!.srcChainId, ms[0]!.srcGateway];
    return ms.map((m, i) =>
      side === "dst" ? { ...m, dstChainId: chainId, dstGateway: sameAddress(gateway, spell[i]!) } : { ...m, srcChainId: chainId, srcGateway: sameAddress(gateway, spell[i]!) },
    );
  });
const settleBatchArb = batchOf("dst").chain((ms) =>
  fc.tuple(fc.array(uint(256), { minLength: ms.length, maxLength: ms.length }), fc.array(fc.boolean(), { minLength: ms.length, maxLength: ms.length })).map(([rates, finals]) =>
    ms.map((m, i) => ({ message: m, rate: rates[i]!, sourceFinal: finals[i]! })),
  ),
);
const refundBatchArb = batchOf("src").chain((ms) =>
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: ms.length, maxLength: ms.length }).map((reasons) => ms.map((m, i) => ({ message: m, reason: reasons[i]! }))),
);

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

  it("gives the SettleBatch, RefundBatch and FinalizeBatch digests of viem's hashTypedData for a single item (the settle, refund and finalize helpers)", () => {
    fc.assert(
      fc.property(message, uint(256), fc.boolean(), fc.integer({ min: 0, max: 255 }), (m, rate, sourceFinal, reason) => {
        const dst = gatewayDomain(m.dstChainId, m.dstGateway);
        const src = gatewayDomain(m.srcChainId, m.srcGateway);
        const settle = hashTypedData({ domain: dst, types: ATTESTATION_TYPES, primaryType: "SettleBatch", message: { items: [{ message: m, rate, sourceFinal }] } });
        const refund = hashTypedData({ domain: src, types: ATTESTATION_TYPES, primaryType: "RefundBatch", message: { items: [{ message: m, reason }] } });
        const finalize = hashTypedData({ domain: src, types: ATTESTATION_TYPES, primaryType: "FinalizeBatch", message: { messages: [m] } });
        expect(settleDigest(m, rate, sourceFinal)).toBe(settle);
        expect(settleBatchDigest([{ message: m, rate, sourceFinal }])).toBe(settle);
        expect(refundDigest(m, reason)).toBe(refund);
        expect(refundBatchDigest([{ message: m, reason }])).toBe(refund);
        expect(finalizeDigest(m)).toBe(finalize);
        expect(finalizeBatchDigest([m])).toBe(finalize);
        // A batch of one is not the item's own struct (the per-item attestations of the old scheme).
        expect(settle).not.toBe(hashTypedData({ domain: dst, types: ATTESTATION_TYPES, primaryType: "Settle", message: { message: m, rate, sourceFinal } }));
        expect(refund).not.toBe(hashTypedData({ domain: src, types: ATTESTATION_TYPES, primaryType: "Refund", message: { message: m, reason } }));
      }),
      { numRuns: RUNS },
    );
  });

  it("gives the SettleBatch digest of viem's hashTypedData for random batches of 1 to 5 items, in the destination's domain", () => {
    fc.assert(
      fc.property(settleBatchArb, (items) => {
        const m = items[0]!.message;
        const domain = gatewayDomain(m.dstChainId, m.dstGateway);
        const digest = settleBatchDigest(items);
        expect(digest).toBe(hashTypedData({ domain, types: ATTESTATION_TYPES, primaryType: "SettleBatch", message: { items } }));
        // Order matters: the reversed batch is another batch (unless it reads the same).
        const reversed = [...items].reverse();
        const same = reversed.every((it, i) => settleDigest(it.message, it.rate, it.sourceFinal) === settleDigest(items[i]!.message, items[i]!.rate, items[i]!.sourceFinal));
        if (!same) expect(settleBatchDigest(reversed)).not.toBe(digest);
      }),
      { numRuns: RUNS },
    );
  });

  it("gives the RefundBatch and FinalizeBatch digests of viem's hashTypedData for random batches of 1 to 5 items, in the source's domain", () => {
    fc.assert(
      fc.property(refundBatchArb, (items) => {
        const m = items[0]!.message;
        const domain = gatewayDomain(m.srcChainId, m.srcGateway);
        const messages = items.map((i) => i.message);
        expect(refundBatchDigest(items)).toBe(hashTypedData({ domain, types: ATTESTATION_TYPES, primaryType: "RefundBatch", message: { items } }));
        expect(finalizeBatchDigest(messages)).toBe(hashTypedData({ domain, types: ATTESTATION_TYPES, primaryType: "FinalizeBatch", message: { messages } }));
        // The three kinds never share a digest (their type hashes differ).
        expect(refundBatchDigest(items)).not.toBe(finalizeBatchDigest(messages));
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses to digest an empty batch, or one whose items go to more than one gateway", () => {
    const batchError = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isCorridorError(e, BatchErrorCode.Invalid);
      }
      return false;
    };
    expect(batchError(() => settleBatchDigest([]))).toBe(true);
    expect(batchError(() => refundBatchDigest([]))).toBe(true);
    expect(batchError(() => finalizeBatchDigest([]))).toBe(true);
    fc.assert(
      fc.property(message, message, uint(256), (a, b, rate) => {
        fc.pre(a.dstChainId !== b.dstChainId || a.dstGateway.toLowerCase() !== b.dstGateway.toLowerCase());
        fc.pre(a.srcChainId !== b.srcChainId || a.srcGateway.toLowerCase() !== b.srcGateway.toLowerCase());
        expect(batchError(() => settleBatchDigest([{ message: a, rate, sourceFinal: true }, { message: b, rate, sourceFinal: true }]))).toBe(true);
        expect(batchError(() => refundBatchDigest([{ message: a, reason: 0 }, { message: b, reason: 0 }]))).toBe(true);
        expect(batchError(() => finalizeBatchDigest([a, b]))).toBe(true);
      }),
      { numRuns: 50 },
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

  it("is what the attester set signs", async () => {
    const attesters = new AttesterSet([`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`], 2);
    fc.assert(
      fc.property(message, uint(256), fc.boolean(), (m, rate, sourceFinal) => {
        expect(attesters.settleDigest(m, rate, sourceFinal)).toBe(
          hashTypedData({ domain: gatewayDomain(m.dstChainId, m.dstGateway), types: ATTESTATION_TYPES, primaryType: "SettleBatch", message: { items: [{ message: m, rate, sourceFinal }] } }),
        );
      }),
      { numRuns: 50 },
    );
    // One signature per attester over the whole batch, signers ascending.
    await fc.assert(
      fc.asyncProperty(settleBatchArb, refundBatchArb, async (settles, refunds) => {
        const m = settles[0]!.message;
        const s = await attesters.signSettleBatch(settles);
        const settleHash = hashTypedData({ domain: gatewayDomain(m.dstChainId, m.dstGateway), types: ATTESTATION_TYPES, primaryType: "SettleBatch", message: { items: settles } });
        expect(await Promise.all(s.map((sig) => recoverAddress({ hash: settleHash, signature: sig })))).toEqual(attesters.addresses);
        const r = await attesters.signRefundBatch(refunds);
        expect(await Promise.all(r.map((sig) => recoverAddress({ hash: refundBatchDigest(refunds), signature: sig })))).toEqual(attesters.addresses);
        const messages = refunds.map((i) => i.message);
        const fin = await attesters.signFinalizeBatch(messages);
        expect(await Promise.all(fin.map((sig) => recoverAddress({ hash: finalizeBatchDigest(messages), signature: sig })))).toEqual(attesters.addresses);
      }),
      { numRuns: 10 },
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
      expect(() => hashTypedData({ domain: gatewayDomain(1n, m.dstGateway), types: ATTESTATION_TYPES, primaryType: "FinalizeBatch", message: { messages: [tampered] } })).toThrow();
      expect(() => hashMessage(tampered)).toThrow();
      expect(() => settleDigest(tampered, 1n, true)).toThrow();
      // Also as the second item of a batch (the domain is the first's).
      expect(() => settleBatchDigest([{ message: m, rate: 1n, sourceFinal: true }, { message: { ...tampered, dstChainId: m.dstChainId, dstGateway: m.dstGateway }, rate: 1n, sourceFinal: true }])).toThrow();
      expect(() => finalizeBatchDigest([m, { ...tampered, srcChainId: m.srcChainId, srcGateway: m.srcGateway }])).toThrow();
    }
  });

  it("keeps a message's id and hash once computed, and freezes the message so that they cannot go stale", () => {
    fc.assert(
      fc.property(message, (m) => {
        const copy = { ...m };
        const id = idOf(m);
        const hash = hashMessage(m);
        expect(Object.isFrozen(m)).toBe(true);
        // The same values in another object: the same id and hash, computed afresh.
        expect(idOf(copy)).toBe(id);
        expect(hashMessage(copy)).toBe(hash);
        expect(hashMessage({ ...m, sentAt: 0n })).toBe(id);
        // Changing the message it was computed for throws (ESM is strict mode) instead of leaving a stale hash.
        expect(() => ((m as { nonce: bigint }).nonce = m.nonce + 1n)).toThrow(TypeError);
        expect(hashMessage(m)).toBe(hash);
        // Another message, another hash.
        expect(hashMessage({ ...m, nonce: m.nonce === 0n ? 1n : m.nonce - 1n })).not.toBe(hash);
      }),
      { numRuns: 100 },
    );
  });
});

