/** The transfer lifecycle: every legal transition, the late events it ignores, the illegal ones it rejects, the stage times it sets. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Hex } from "viem";
import {
  advance,
  LIFECYCLE,
  LifecycleErrorCode,
  lifecycleTable,
  outcomeOf,
  transition,
  type LifecycleEvent,
  type LifecycleEventKind,
} from "../../src/domain/lifecycle.js";
import { isCorridorError } from "../../src/domain/errors.js";
import type { TransferRecord, TransferState } from "../../src/domain/transfer.js";

const STATES: TransferState[] = ["initiated", "confirmed", "screened", "held", "attested", "submitted", "settled", "refund_attested", "refunded", "dropped"];
const ZERO = `0x${"0".repeat(40)}` as Hex;
const TX = `0x${"ab".repeat(32)}` as Hex;

function record(state: TransferState, extra: Partial<TransferRecord> = {}): TransferRecord {
  return {
    id: `0x${"11".repeat(32)}`,
    message: {
      srcChainId: 1n,
      srcGateway: ZERO,
      dstChainId: 2n,
      dstGateway: ZERO,
      nonce: 1n,
      sender: ZERO,
      recipient: ZERO,
      inputToken: ZERO,
      outputToken: ZERO,
      amount: 100_000_000n,
      fee: 100_000n,
      minAmountOut: 0n,
      deadline: 2_000n,
      tier: 0,
      mode: 0,
      extraHash: `0x${"0".repeat(64)}`,
      quoteHash: `0x${"0".repeat(64)}`,
      sentAt: 1_000n,
    },
    srcChain: "us",
    dstChain: "uk",
    inputCurrency: "USD",
    outputCurrency: "GBP",
    state,
    stages: { initiated: 1_000 },
    srcBlock: 10,
    srcTxHash: TX,
    settleAttempts: 0,
    ...extra,
  };
}

/** One example of each event, with its facts. */
const EVENTS: Record<LifecycleEventKind, LifecycleEvent> = {
  confirmed: { kind: "confirmed" },
  screened: { kind: "screened" },
  held: { kind: "held" },
  attested: { kind: "attested", rate: 790_000_000_000_000_000n, mid: 791_000_000_000_000_000n },
  refundAttested: { kind: "refundAttested", reason: "denied:SANCTIONED_RECIPIENT" },
  submitted: { kind: "submitted" },
  liquidityShort: { kind: "liquidityShort" },
  allowanceExceeded: { kind: "allowanceExceeded" },
  settled: { kind: "settled", block: 77, tx: TX, amountOut: 78_921_000n, rate: 790_000_000_000_000_000n },
  refunded: { kind: "refunded", block: 55, reason: "expired" },
  finalized: { kind: "finalized", block: 90 },
  finalizedElsewhere: { kind: "finalizedElsewhere" },
  finalizeVanished: { kind: "finalizeVanished" },
  sendVanished: { kind: "sendVanished" },
  sendRemined: { kind: "sendRemined" },
  settlementVanished: { kind: "settlementVanished" },
  refundVanished: { kind: "refundVanished" },
};

/** The state diagram, written out by hand (event, from, to): the table must say exactly this. */
const EXPECTED: [LifecycleEventKind, TransferState, TransferState][] = [
  ["confirmed", "initiated", "confirmed"],
  ["screened", "initiated", "screened"],
  ["screened", "confirmed", "screened"],
  ...(["initiated", "confirmed", "screened", "held"] as const).map((s) => ["held", s, "held"] as [LifecycleEventKind, TransferState, TransferState]),
  ...(["initiated", "confirmed", "screened", "held", "attested", "submitted"] as const).map((s) => ["attested", s, "attested"] as [LifecycleEventKind, TransferState, TransferState]),
  ...(["initiated", "confirmed", "screened", "held", "attested", "submitted", "refund_attested"] as const).map(
    (s) => ["refundAttested", s, "refund_attested"] as [LifecycleEventKind, TransferState, TransferState],
  ),
  ["submitted", "attested", "submitted"],
  ["submitted", "submitted", "submitted"],
  ["liquidityShort", "attested", "attested"],
  ["liquidityShort", "submitted", "attested"],
  ["allowanceExceeded", "attested", "confirmed"],
  ["allowanceExceeded", "submitted", "confirmed"],
  ...(["initiated", "confirmed", "screened", "held", "attested", "submitted", "refund_attested", "dropped"] as const).map(
    (s) => ["settled", s, "settled"] as [LifecycleEventKind, TransferState, TransferState],
  ),
  ...(["initiated", "confirmed", "screened", "held", "attested", "submitted", "refund_attested"] as const).map((s) => ["refunded", s, "refunded"] as [LifecycleEventKind, TransferState, TransferState]),
  ...STATES.map((s) => ["finalized", s, s] as [LifecycleEventKind, TransferState, TransferState]),
  ["finalizedElsewhere", "settled", "settled"],
  ...STATES.map((s) => ["finalizeVanished", s, s] as [LifecycleEventKind, TransferState, TransferState]),
  ...(["initiated", "confirmed", "screened", "held", "attested", "submitted", "refund_attested", "refunded"] as const).map(
    (s) => ["sendVanished", s, "dropped"] as [LifecycleEventKind, TransferState, TransferState],
  ),
  ["sendVanished", "settled", "settled"],
  ...STATES.map((s) => ["sendRemined", s, s === "dropped" ? "initiated" : s] as [LifecycleEventKind, TransferState, TransferState]),
  ["settlementVanished", "settled", "confirmed"],
  ["refundVanished", "refunded", "screened"],
];

const key = (e: string, f: string) => `${e} ${f}`;

describe("lifecycle table", () => {
  it("allows exactly the transitions of the state diagram", () => {
    const table = lifecycleTable().map((r) => `${r.event} ${r.from} -> ${r.to}`).sort();
    expect(table).toEqual(EXPECTED.map(([e, f, t]) => `${e} ${f} -> ${t}`).sort());
  });

  it("never lists a state as both legal and ignored for one event", () => {
    for (const [event, rule] of Object.entries(LIFECYCLE)) {
      for (const s of rule.ignored) expect(rule.to[s], `${event} in ${s}`).toBeUndefined();
    }
  });

  it("reaches every state from INITIATED along the main path and its branches", () => {
    const reached = new Set<TransferState>(["initiated"]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const row of lifecycleTable()) if (reached.has(row.from) && !reached.has(row.to)) (reached.add(row.to), (grew = true));
    }
    expect([...reached].sort()).toEqual([...STATES].sort());
  });
});

describe("transition", () => {
  const legal = new Set(EXPECTED.map(([e, f]) => key(e, f)));

  for (const [event, from, to] of EXPECTED) {
    it(`moves a ${from} transfer to ${to} on ${event}`, () => {
      const before = record(from);
      const snapshot = structuredClone(before);
      const after = transition(before, EVENTS[event], 2_000);
      expect(after.state).toBe(to);
      expect(after).not.toBe(before);
      expect(before).toEqual(snapshot); // pure: the input is never changed
    });
  }

  it("rejects every other (state, event) pair that is not a late event, with CORRIDOR_LIFECYCLE_ILLEGAL", () => {
    let illegal = 0;
    for (const state of STATES) {
      for (const kind of Object.keys(EVENTS) as LifecycleEventKind[]) {
        if (legal.has(key(kind, state)) || LIFECYCLE[kind].ignored.includes(state)) continue;
        illegal++;
        let caught: unknown;
        try {
          transition(record(state), EVENTS[kind], 2_000);
        } catch (err) {
          caught = err;
        }
        expect(isCorridorError(caught, LifecycleErrorCode.Illegal), `${kind} in ${state}`).toBe(true);
        expect((caught as { details: Record<string, unknown> }).details).toMatchObject({ state, event: kind });
        expect(outcomeOf(state, kind)).toBe("illegal");
      }
    }
    expect(illegal).toBeGreaterThan(30);
  });

  it("refuses a refund of a settled transfer and a settlement of a refunded one", () => {
    expect(() => transition(record("settled"), EVENTS.refunded, 2_000)).toThrow(/not allowed when settled/);
    expect(() => transition(record("refunded"), EVENTS.settled, 2_000)).toThrow(/not allowed when refunded/);
    expect(() => transition(record("refund_attested"), EVENTS.attested, 2_000)).toThrow(/not allowed/);
    expect(() => transition(record("attested"), EVENTS.held, 2_000)).toThrow(/not allowed/);
    expect(() => transition(record("dropped"), EVENTS.refunded, 2_000)).toThrow(/not allowed/);
  });

  it("is total: every (state, event) is legal, ignored or illegal, and transition agrees", () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATES), fc.constantFrom(...(Object.keys(EVENTS) as LifecycleEventKind[])), fc.integer({ min: 0, max: 4e9 }), (state, kind, at) => {
        const before = record(state);
        const outcome = outcomeOf(state, kind);
        if (outcome === "illegal") {
          expect(() => transition(before, EVENTS[kind], at)).toThrow();
        } else if (outcome === "ignored") {
          expect(transition(before, EVENTS[kind], at)).toBe(before);
        } else {
          expect(transition(before, EVENTS[kind], at).state).toBe(outcome);
        }
      }),
    );
  });
});

describe("late events", () => {
  it("ignores a late attestation, refund attestation or hold for a settled, refunded or dropped transfer", () => {
    for (const state of ["settled", "refunded", "dropped"] as const) {
      for (const kind of ["attested", "refundAttested", "held", "submitted", "screened", "confirmed", "liquidityShort", "allowanceExceeded"] as const) {
        const r = record(state);
        expect(transition(r, EVENTS[kind], 2_000), `${kind} in ${state}`).toBe(r);
      }
    }
  });

  it("ignores a settlement read again for a settled transfer and a refund read again for a refunded one", () => {
    const s = record("settled", { stages: { initiated: 1_000, settled: 1_500 }, dstBlock: 70 });
    expect(transition(s, EVENTS.settled, 2_000)).toBe(s);
    const r = record("refunded", { stages: { initiated: 1_000, refunded: 1_500 }, refundedBlock: 50 });
    expect(transition(r, EVENTS.refunded, 2_000)).toBe(r);
  });

  it("counts confirmations once: a confirmation after screening started is ignored", () => {
    for (const state of STATES.filter((s) => s !== "initiated")) {
      const r = record(state);
      expect(transition(r, EVENTS.confirmed, 2_000)).toBe(r);
    }
  });

  it("does not move back a transfer whose settlement batch or failure is from an earlier attestation", () => {
    for (const state of ["confirmed", "screened", "held", "refund_attested", "initiated"] as const) {
      for (const kind of ["submitted", "liquidityShort", "allowanceExceeded"] as const) {
        const r = record(state);
        expect(transition(r, EVENTS[kind], 2_000), `${kind} in ${state}`).toBe(r);
      }
    }
  });

  it("ignores a second screening and a drop of a dropped transfer", () => {
    const r = record("screened", { stages: { initiated: 1_000, screened: 1_100 } });
    expect(transition(r, EVENTS.screened, 2_000)).toBe(r);
    const d = record("dropped", { stages: { initiated: 1_000, dropped: 1_200 } });
    expect(transition(d, EVENTS.sendVanished, 2_000)).toBe(d);
  });
});

describe("stage times and facts", () => {
  it("stamps the main path: confirmed, screened, attested, submitted, settled", () => {
    let r = record("initiated");
    r = transition(r, EVENTS.confirmed, 1_024);
    r = transition(r, EVENTS.screened, 1_025);
    r = transition(r, EVENTS.attested, 1_026);
    r = transition(r, EVENTS.submitted, 1_030);
    r = transition(r, EVENTS.settled, 1_036);
    expect(r.state).toBe("settled");
    expect(r.stages).toEqual({ initiated: 1_000, confirmed: 1_024, screened: 1_025, attested: 1_026, submitted: 1_030, settled: 1_036 });
    expect(r).toMatchObject({ rate: 790_000_000_000_000_000n, mid: 791_000_000_000_000_000n, dstBlock: 77, dstTxHash: TX, amountOut: 78_921_000n });
  });

  it("keeps the first screening, hold and submission times; overwrites the attestation time when attested again", () => {
    let r = record("confirmed");
    r = transition(r, EVENTS.screened, 1_100);
    r = transition(r, EVENTS.held, 1_200);
    r = transition(r, EVENTS.held, 1_300);
    expect(r.stages).toMatchObject({ screened: 1_100, held: 1_200 });
    r = transition(r, EVENTS.attested, 1_400);
    r = transition(r, EVENTS.submitted, 1_410);
    r = transition(r, EVENTS.submitted, 1_470);
    r = transition(r, EVENTS.attested, 1_500);
    expect(r.stages).toMatchObject({ reviewed: 1_400, attested: 1_500, submitted: 1_410 });
  });

  it("records the review time when a held transfer is attested or refunded, once", () => {
    const approved = transition(record("held"), EVENTS.attested, 1_400);
    expect(approved.stages.reviewed).toBe(1_400);
    const denied = transition(record("held"), EVENTS.refundAttested, 1_450);
    expect(denied.stages.reviewed).toBe(1_450);
    expect(denied.stages.refundAttested).toBe(1_450);
    expect(denied.refundReason).toBe("denied:SANCTIONED_RECIPIENT");
    expect(transition(record("screened"), EVENTS.attested, 1_400).stages.reviewed).toBeUndefined();
  });

  it("refunds with the chain's block and keeps a reason already known", () => {
    const r = transition(record("refund_attested", { refundReason: "denied:TRAVEL_RULE_MISSING" }), EVENTS.refunded, 1_600);
    expect(r).toMatchObject({ state: "refunded", refundedBlock: 55, refundReason: "denied:TRAVEL_RULE_MISSING" });
    expect(r.stages.refunded).toBe(1_600);
    expect(transition(record("attested"), EVENTS.refunded, 1_600).refundReason).toBe("expired");
  });

  it("finalizes a settled lock-and-release transfer, and undoes it when a reorganisation takes it away", () => {
    const f = transition(record("settled"), EVENTS.finalized, 1_700);
    expect(f).toMatchObject({ state: "settled", finalized: true, finalizedBlock: 90 });
    expect(f.stages.finalized).toBe(1_700);
    const gone = transition(f, EVENTS.finalizeVanished, 1_800);
    expect(gone.finalized).toBe(false);
    expect(gone.stages.finalized).toBeUndefined();
    expect("finalizedBlock" in gone).toBe(false);
    const elsewhere = transition(record("settled"), EVENTS.finalizedElsewhere, 1_900);
    expect(elsewhere.finalized).toBe(true);
    expect(elsewhere.stages.finalized).toBeUndefined();
  });
});

describe("reorganisations", () => {
  it("drops a transfer whose send vanished before it settled, and takes it up again when the send is mined again", () => {
    const d = transition(record("attested"), EVENTS.sendVanished, 1_300);
    expect(d.state).toBe("dropped");
    expect(d.stages.dropped).toBe(1_300);
    const again = transition(d, EVENTS.sendRemined, 1_320);
    expect(again.state).toBe("initiated");
    expect(again.stages.dropped).toBeUndefined();
  });

  it("drops a refunded transfer whose send and refund both vanished", () => {
    const r = transition(record("refunded", { stages: { initiated: 1_000, refunded: 1_200 }, refundedBlock: 20 }), EVENTS.sendVanished, 1_300);
    expect(r.state).toBe("dropped");
    expect(r.stages.dropped).toBe(1_300);
  });

  it("keeps a settled transfer settled when its send vanished, marked as exposure, and clears the mark when the send returns", () => {
    const exposed = transition(record("settled"), EVENTS.sendVanished, 1_300);
    expect(exposed).toMatchObject({ state: "settled", sourceReorgedAt: 1_300 });
    expect(transition(exposed, EVENTS.sendVanished, 1_400).sourceReorgedAt).toBe(1_300);
    const backed = transition(exposed, EVENTS.sendRemined, 1_350);
    expect(backed.state).toBe("settled");
    expect("sourceReorgedAt" in backed).toBe(false);
  });

  it("settles a dropped transfer that was delivered anyway, as exposure from when it was dropped", () => {
    const r = transition(record("dropped", { stages: { initiated: 1_000, dropped: 1_300 } }), EVENTS.settled, 1_310);
    expect(r).toMatchObject({ state: "settled", sourceReorgedAt: 1_300 });
    expect(r.stages.dropped).toBeUndefined();
    expect(r.stages.settled).toBe(1_310);
  });

  it("sends a transfer whose settlement vanished back to CONFIRMED, without its settlement", () => {
    const settled = transition(record("submitted"), EVENTS.settled, 1_500);
    const r = transition(settled, EVENTS.settlementVanished, 1_600);
    expect(r.state).toBe("confirmed");
    expect(r.stages.settled).toBeUndefined();
    for (const k of ["dstBlock", "dstTxHash", "amountOut"]) expect(k in r, k).toBe(false);
  });

  it("sends a transfer whose refund vanished back to SCREENED, keeping its reason", () => {
    const refunded = transition(record("refund_attested", { refundReason: "expired" }), EVENTS.refunded, 1_500);
    const r = transition(refunded, EVENTS.refundVanished, 1_600);
    expect(r).toMatchObject({ state: "screened", refundReason: "expired" });
    expect(r.stages.refunded).toBeUndefined();
    expect("refundedBlock" in r).toBe(false);
  });

  it("moves a Fast transfer the allowance refused back to CONFIRMED, and parks one short of liquidity as ATTESTED", () => {
    expect(transition(record("submitted"), EVENTS.allowanceExceeded, 1_500).state).toBe("confirmed");
    const parked = transition(record("submitted", { stages: { initiated: 1_000, attested: 1_400, submitted: 1_410 } }), EVENTS.liquidityShort, 1_500);
    expect(parked.state).toBe("attested");
    expect(parked.stages).toEqual({ initiated: 1_000, attested: 1_400, submitted: 1_410 });
  });
});

describe("advance", () => {
  it("changes the working copy in place, keeping the same object, and deletes what the transition removed", () => {
    const r = record("settled", { stages: { initiated: 1_000, settled: 1_500 }, dstBlock: 70, dstTxHash: TX, amountOut: 5n });
    const stages = r.stages;
    const step = advance(r, EVENTS.settlementVanished, 1_600);
    expect(step).toEqual({ from: "settled", to: "confirmed", ignored: false });
    expect(r.state).toBe("confirmed");
    expect(r.stages).toBe(stages);
    expect(r.stages.settled).toBeUndefined();
    for (const k of ["dstBlock", "dstTxHash", "amountOut"]) expect(k in r, k).toBe(false);
  });

  it("reports a late event as ignored and leaves the record as it was", () => {
    const r = record("settled");
    const before = structuredClone(r);
    expect(advance(r, EVENTS.attested, 1_600)).toEqual({ from: "settled", to: "settled", ignored: true });
    expect(r).toEqual(before);
  });

  it("leaves the record as it was when the event is illegal", () => {
    const r = record("refunded");
    const before = structuredClone(r);
    expect(() => advance(r, EVENTS.settled, 1_600)).toThrow();
    expect(r).toEqual(before);
  });

  it("ends where transition ends, for any sequence of events", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...(Object.keys(EVENTS) as LifecycleEventKind[])), { maxLength: 20 }), (kinds) => {
        let pure = record("initiated");
        const working = record("initiated");
        let at = 1_000;
        for (const kind of kinds) {
          at += 7;
          if (outcomeOf(pure.state, kind) === "illegal") continue;
          pure = transition(pure, EVENTS[kind], at);
          advance(working, EVENTS[kind], at);
          expect(working).toEqual(pure);
        }
      }),
    );
  });
});
