import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeEventLog, encodeAbiParameters, encodeEventTopics, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { decodeGatewayLogs, gatewayAbi } from "../../src/contracts/gateway.js";

/**
 * The relayer's precompiled event decoders (src/contracts/gateway.ts) against viem's generic
 * decodeEventLog, over random values of every corridor event, and over logs that are not one.
 */

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);

/** Random values of an ABI parameter's type (the types the gateway's events use). */
function valueOf(p: AbiParameter): fc.Arbitrary<unknown> {
  const t = p.type;
  if (t === "address") return hex(20);
  if (t === "bool") return fc.boolean();
  if (t === "bytes") return fc.uint8Array({ maxLength: 80 }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
  const fixed = /^bytes(\d+)$/.exec(t);
  if (fixed) return hex(Number(fixed[1]));
  const uint = /^uint(\d+)$/.exec(t);
  if (uint) {
    const bits = Number(uint[1]);
    // viem gives integers of up to 48 bits as numbers, wider ones as bigints.
    return bits <= 48 ? fc.integer({ min: 0, max: 2 ** bits - 1 }) : fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
  }
  if (t === "tuple") {
    const parts = (p as { components: readonly AbiParameter[] }).components;
    return fc.tuple(...parts.map(valueOf)).map((vs) => Object.fromEntries(parts.map((c, i) => [c.name!, vs[i]])));
  }
  throw new Error(`no generator for ${t}`);
}

const WANTED = ["TransferSent", "TransferSettled", "SettleFailed", "TransferRefunded", "RefundFailed", "TransferFinalized", "FinalizeFailed", "FastAllowanceDebited", "FastAllowanceCredited"];
const events = (gatewayAbi().filter((x) => x.type === "event") as AbiEvent[]).filter((e) => WANTED.includes(e.name));

/** A log of `e` with `args`, encoded by viem. */
function logOf(e: AbiEvent, args: Record<string, unknown>): { topics: Hex[]; data: Hex } {
  const topics = encodeEventTopics({ abi: [e], eventName: e.name, args: Object.fromEntries(e.inputs.filter((i) => i.indexed).map((i) => [i.name!, args[i.name!]])) } as never) as Hex[];
  const data = encodeAbiParameters(e.inputs.filter((i) => !i.indexed), e.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]) as never);
  return { topics, data };
}

/** What viem's decodeEventLog gives for a log, in decodeGatewayLogs' shape (undefined where it throws). */
function viemDecode(log: { topics: Hex[]; data: Hex }) {
  try {
    const ev = decodeEventLog({ abi: gatewayAbi(), topics: log.topics as [Hex, ...Hex[]], data: log.data }) as unknown as { eventName: string; args: Record<string, unknown> };
    return WANTED.includes(ev.eventName) ? { name: ev.eventName, ...ev.args, log } : undefined;
  } catch {
    return undefined;
  }
}

describe("decodeGatewayLogs", () => {
  it("covers every corridor event the relayer follows", () => {
    expect(events.map((e) => e.name).sort()).toEqual([...WANTED].sort());
  });

  for (const e of events) {
    it(`decodes ${e.name} exactly as viem's decodeEventLog does`, () => {
      const arb = fc.tuple(...e.inputs.map(valueOf)).map((vs) => Object.fromEntries(e.inputs.map((p, i) => [p.name!, vs[i]])));
      fc.assert(
        fc.property(arb, (args) => {
          const log = logOf(e, args);
          const ours = decodeGatewayLogs([log]);
          expect(ours).toHaveLength(1);
          expect(ours[0]).toEqual(viemDecode(log));
        }),
        { numRuns: 60 },
      );
    });
  }

  it("skips what viem cannot decode: truncated data, missing or extra topics, other events' topics", () => {
    const arb = fc.constantFrom(...events).chain((e) =>
      fc.tuple(fc.constant(e), fc.tuple(...e.inputs.map(valueOf)).map((vs) => Object.fromEntries(e.inputs.map((p, i) => [p.name!, vs[i]]))), fc.integer({ min: 0, max: 3 }), hex(32)),
    );
    fc.assert(
      fc.property(arb, ([e, args, how, junk]) => {
        const good = logOf(e, args);
        const bad =
          how === 0
            ? { ...good, data: good.data.slice(0, Math.max(2, good.data.length - 64)) as Hex }
            : how === 1
              ? { ...good, topics: good.topics.slice(0, -1) }
              : how === 2
                ? { ...good, topics: [...good.topics, junk] }
                : { ...good, topics: [junk, ...good.topics.slice(1)] };
        if (bad.data === good.data && bad.topics.length === good.topics.length && bad.topics[0] === good.topics[0]) return;
        const ours = decodeGatewayLogs([bad]);
        const theirs = viemDecode(bad);
        // Where viem still decodes (data longer than needed, say), so do we, to the same values.
        expect(ours).toEqual(theirs ? [theirs] : []);
      }),
      { numRuns: 200 },
    );
  });
});
