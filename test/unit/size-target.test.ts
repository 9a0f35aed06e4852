import { describe, expect, it } from "vitest";
import { isCorridorError } from "../../src/domain/errors.js";
import { measureOf, meets, parseTarget, SizeCode, type TargetSummary } from "../../src/sizing/target.js";

const summary = (o: Partial<TargetSummary> = {}): TargetSummary => ({
  transfers: { refunded: 0 },
  settlementSeconds: { count: 3, p50: 20, p95: 50, p99: 70 },
  withinOneHour: { share: 0.8 },
  liquidity: { maxWaitSeconds: 120 },
  refundsByReason: {},
  ...o,
});

describe("size targets", () => {
  it("parses the three kinds, with units and spacing", () => {
    expect(parseTarget("p95<=60s")).toMatchObject({ kind: "percentile", percentile: 95, op: "le", bound: 60, text: "p95 <= 60s" });
    expect(parseTarget(" p50 <= 2m ")).toMatchObject({ percentile: 50, bound: 120 });
    expect(parseTarget("P99<1.5h")).toMatchObject({ percentile: 99, bound: 5400 });
    expect(parseTarget("p95<=90")).toMatchObject({ bound: 90 });
    expect(parseTarget("share within one hour >= 0.75")).toMatchObject({ kind: "withinOneHour", op: "ge", bound: 0.75 });
    expect(parseTarget("share within 1h>=75%")).toMatchObject({ kind: "withinOneHour", bound: 0.75 });
    expect(parseTarget("no settlement queued longer than 300 s")).toMatchObject({ kind: "maxQueue", op: "le", bound: 300 });
    expect(parseTarget("no settlement queued longer than 5 minutes")).toMatchObject({ bound: 300 });
  });

  it.each([
    ["", "empty"],
    ["p95", "not a target"],
    ["p90<=60s", "p90 is not measured"],
    ["p95>=60s", "not a target"],
    ["p95<=sixty", "is not a duration"],
    ["p95<=60d", "is not a duration"],
    ["p95<=-5s", "is not a duration"],
    ["p95<=99999999h", "beyond 31 days"],
    ["share within one hour >= 1.5", "at most 1"],
    ["share within one hour >= 0", "above 0"],
    ["share within one hour >= lots", "is not a share"],
    ["share within 2h >= 0.5", "only the share within one hour"],
    ["share within one hour <= 0.5", "sized from below"],
    ["no settlement queued longer than", "not a target"],
    ["no settlement queued longer than ever", "is not a duration"],
    ["p95<=60s; rm -rf /", "is not a duration"],
    ["x".repeat(500), "longer than 200"],
  ])("refuses %j with a coded error", (text, why) => {
    let err: unknown;
    try {
      parseTarget(text);
    } catch (e) {
      err = e;
    }
    expect(isCorridorError(err, SizeCode.TargetInvalid), String(err)).toBe(true);
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).toContain("share within one hour >= 0.75");
  });

  it("measures a run's summary and judges it", () => {
    const p95 = parseTarget("p95<=60s");
    expect(measureOf(p95, summary(), 600)).toBe(50);
    expect(meets(p95, 50)).toBe(true);
    expect(meets(p95, 60)).toBe(true);
    expect(meets(p95, 60.5)).toBe(false);
    // No settled transfer: no figure, never met.
    expect(measureOf(p95, summary({ settlementSeconds: { count: 0 } }), 600)).toBeNull();
    expect(meets(p95, null)).toBe(false);
    const share = parseTarget("share within one hour >= 0.75");
    expect(meets(share, measureOf(share, summary(), 600))).toBe(true);
    expect(meets(share, measureOf(share, summary({ withinOneHour: { share: 0.7 } }), 600))).toBe(false);
    const queue = parseTarget("no settlement queued longer than 300s");
    expect(measureOf(queue, summary(), 600)).toBe(120);
    expect(measureOf(queue, summary({ liquidity: { maxWaitSeconds: null } }), 600)).toBe(0);
    // A transfer refunded at its deadline waited for liquidity all along: its whole deadline counts.
    expect(measureOf(queue, summary({ refundsByReason: { expired: 1 } }), 600)).toBe(600);
    expect(meets(queue, measureOf(queue, summary({ refundsByReason: { expired: 1 } }), 600))).toBe(false);
  });
});
