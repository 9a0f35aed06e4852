import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioInput } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { CorridorError } from "../../src/domain/errors.js";
import { toBaseUnits } from "../../src/domain/money.js";
import type { FaultReport } from "../../src/sim/faults.js";

/** Every fault kind at once on fast local chains (1 s blocks): ten minutes of traffic. */
const withFaults: ScenarioInput = {
  name: "all-faults",
  seed: 5,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "200000", uk: "60000" },
  workload: {
    transfers: 120,
    durationSeconds: 600,
    senders: 20,
    deadlineSeconds: 1500,
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 3 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
      { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
    ],
  },
  faults: [
    { kind: "relayerDown", at: 60, durationSeconds: 90 },
    { kind: "rpcErrors", at: 200, durationSeconds: 200, share: 0.3 },
    { kind: "chainHalt", chain: "uk", at: 100, durationSeconds: 60 },
    { kind: "attesterOutage", at: 300, durationSeconds: 100 },
    { kind: "fxShock", at: 150, durationSeconds: 300, factor: 1.08 },
    { kind: "liquidityDrain", chain: "uk", at: 30, share: 0.95, redepositAfterSeconds: 500 },
  ],
};

describe("faults on a schedule", () => {
  it("shows each fault in the results with its start, end and effect, and the books still balance", async () => {
    const results = await simulate({ scenario: parseScenario(withFaults) });
    const s = results.summary;
    expect(s.conservation.ok).toBe(true);
    // Delayed, never lost: every transfer reached an outcome.
    expect(s.transfers.sent).toBe(120);
    expect(s.transfers.inFlight).toBe(0);
    expect(s.transfers.settled + s.transfers.refunded).toBe(120);

    const faults = s.faults!;
    const byKind = (kind: FaultReport["kind"]) => faults.find((f) => f.kind === kind)!;
    expect(faults.map((f) => f.kind)).toEqual(["relayerDown", "rpcErrors", "chainHalt", "attesterOutage", "fxShock", "liquidityDrain"]);
    for (const f of faults) {
      expect(f.start, f.kind).not.toBeNull();
      expect(f.end, f.kind).not.toBeNull();
      expect(f.end!.unix).toBeGreaterThan(f.start!.unix);
      expect(f.affected.transfersInFlight, f.kind).toBeGreaterThan(0);
      expect(f.summary.length).toBeGreaterThan(20);
    }
    expect(byKind("relayerDown").start!.offsetSeconds).toBe(60);
    expect(byKind("relayerDown").end!.offsetSeconds).toBe(150);

    const down = byKind("relayerDown").affected;
    expect(down.pollsSkipped).toBeGreaterThan(100);
    // On resuming it read the blocks it missed from its cursor.
    expect(down.catchUpBlocks_us).toBeGreaterThan(60);

    const rpc = byKind("rpcErrors").affected;
    expect(rpc.failed).toBeGreaterThan(0);
    expect((rpc.failed as number) / (rpc.calls as number)).toBeGreaterThan(0.15);
    expect((rpc.failed as number) / (rpc.calls as number)).toBeLessThan(0.45);

    const halt = byKind("chainHalt").affected;
    expect(halt.blocksSkipped).toBe(60);

    const outage = byKind("attesterOutage").affected;
    expect(outage.offline).toHaveLength(2);
    expect(outage.failedSigningAttempts).toBeGreaterThan(0);
    // Nothing was signed while the threshold could not be met: the operator still decides (stage
    // "attested"), but no batch went to the chains for the first time (its signatures come first).
    const o = byKind("attesterOutage");
    const signedDuring = results.transfers.filter((t) => t.stages.submitted !== undefined && t.stages.submitted > o.start!.unix && t.stages.submitted < o.end!.unix);
    expect(signedDuring).toHaveLength(0);
    // Decisions went on during the outage and were signed once it ended.
    const decidedDuring = results.transfers.filter((t) => t.stages.attested !== undefined && t.stages.attested > o.start!.unix && t.stages.attested < o.end!.unix);
    expect(decidedDuring.every((t) => t.stages.submitted === undefined || t.stages.submitted >= o.end!.unix)).toBe(true);

    const fx = byKind("fxShock").affected;
    expect(fx.pricedDuring).toBeGreaterThan(0);
    // Priced during the shock: the mid is 8% higher (GBP per USD) than just before it.
    const shocked = results.transfers.find((t) => t.inputToken.currency === "USD" && t.outputToken.currency === "GBP" && t.stages.attested! >= byKind("fxShock").start!.unix + 5 && t.stages.attested! < byKind("fxShock").end!.unix);
    expect(Number(shocked!.mid)).toBeCloseTo(0.7497 * 1.08, 6);

    const drain = byKind("liquidityDrain").affected;
    expect(Number(drain.withdrawn)).toBeGreaterThan(50_000);
    expect(drain.redeposited).toBe(drain.withdrawn);
    expect(drain.transfersWaited).toBeGreaterThan(0);
    expect(s.liquidity.waited).toBeGreaterThan(0);
    // The pool fell to almost nothing and came back (timeline, whole units).
    const pool = results.timeline!.liquidity.uk!;
    expect(Math.min(...pool)).toBeLessThan(5_000);
    expect(pool[pool.length - 1]!).toBeGreaterThan(30_000);
    // The provider's own flows are the only thing moving the pool besides transfers: the conservation lines hold exactly.
    const line = s.conservation.lines.find((l) => l.chain === "uk" && l.token === "GBP" && l.holder === "liquidity")!;
    expect(toBaseUnits(line.actual)).toBe(toBaseUnits(line.expected));
  });

  it("injects the same faults at the same calls for the same seed", async () => {
    const small = parseScenario({
      ...withFaults,
      workload: { ...withFaults.workload, transfers: 40, durationSeconds: 300 },
      faults: [
        { kind: "rpcErrors", at: 20, durationSeconds: 200, share: 0.3 },
        { kind: "attesterOutage", at: 100, durationSeconds: 40 },
        { kind: "liquidityDrain", chain: "uk", at: 10, share: 0.95, redepositAfterSeconds: 200 },
      ],
    });
    const strip = (r: Awaited<ReturnType<typeof simulate>>) => JSON.stringify({ ...r, summary: { ...r.summary, wallClock: null } }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    const a = await simulate({ scenario: small });
    const b = await simulate({ scenario: small });
    expect(a.summary.faults![0]!.affected.failed).toBeGreaterThan(0);
    expect(strip(b)).toBe(strip(a));
  });

  it("names the field, the expectation and what was found when a fault is malformed", () => {
    const bad = { ...withFaults, faults: [{ kind: "meteorStrike", at: 10 }, { kind: "chainHalt", chain: "mars", at: 5, durationSeconds: 10 }] };
    let err: unknown;
    try {
      parseScenario(bad, "bad.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorridorError);
    const message = (err as CorridorError).message;
    expect(message).toMatch(/faults\.0\.kind: .*relayerDown.*\(found "meteorStrike"\)/);
    // A chain the scenario does not declare is named with the chains it has (once the rest of the scenario is well formed).
    const mars = () => parseScenario({ ...withFaults, faults: [{ kind: "chainHalt", chain: "mars", at: 5, durationSeconds: 10 }] }, "bad.json");
    expect(mars).toThrow(/faults\.0\.chain: unknown chain "mars"; this scenario's chains are us, uk/);
  });
});
