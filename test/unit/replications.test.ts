import { describe, expect, it } from "vitest";
import { interval } from "../../src/domain/stats.js";
import { headlineFigures, replicationDir, summarizeReplications, type ReplicationRun, type RunFigures } from "../../src/sim/replications.js";
import type { SimulationResults } from "../../src/sim/results.js";
import { startProgress } from "../../src/cli/progress.js";
import { formatSecondsExact } from "../../src/report/format.js";

/** The parts of a run's summary the headline figures read. */
function summary(o: { p50?: number; p95?: number; within?: number | null; allIn?: number | null; total?: number | null; sent: number; refunded: number; ok?: boolean }): SimulationResults["summary"] {
  return {
    settlementSeconds: { count: o.p50 === undefined ? 0 : 1, p50: o.p50, p95: o.p95 },
    withinOneHour: { count: 0, share: o.within ?? null },
    costs: { feesByCurrency: {}, meanFeePct: null, meanFxBps: null, meanTotalPct: o.total ?? null, ...(o.allIn !== undefined ? { meanAllInPct: o.allIn } : {}) },
    transfers: { planned: o.sent, sent: o.sent, settled: o.sent - o.refunded, refunded: o.refunded, inFlight: 0, dropped: 0, sourceReorged: 0, rejectedAtSend: 0 },
    conservation: { ok: o.ok ?? true, lines: [], burnAndMint: [] },
  } as unknown as SimulationResults["summary"];
}

const run = (replication: number, figures: Partial<RunFigures>): ReplicationRun => ({
  replication,
  seed: replication,
  dir: replicationDir(replication, 3),
  figures: { p50Seconds: 10, p95Seconds: 20, withinOneHourShare: 1, allInCostPct: 0.1, refunds: 0, refundShare: 0, conservationOk: true, ...figures },
  wallSeconds: 1,
});

describe("the headline figures of a replicated run", () => {
  it("reads a run's figures from its summary, the all-in cost falling back to fee + FX when gas was not measured", () => {
    expect(headlineFigures(summary({ p50: 12, p95: 40, within: 0.9, allIn: 0.25, total: 0.2, sent: 200, refunded: 10 }))).toEqual({
      p50Seconds: 12,
      p95Seconds: 40,
      withinOneHourShare: 0.9,
      allInCostPct: 0.25,
      refunds: 10,
      refundShare: 0.05,
      conservationOk: true,
    });
    expect(headlineFigures(summary({ total: 0.2, sent: 0, refunded: 0, ok: false }))).toMatchObject({ p50Seconds: null, allInCostPct: 0.2, refundShare: null, conservationOk: false });
  });

  it("gives each figure the interval of the runs that have it, and names the replications whose books do not balance", () => {
    const runs = [run(0, { p95Seconds: 20 }), run(1, { p95Seconds: 26, conservationOk: false }), run(2, { p95Seconds: null })];
    const s = summarizeReplications(runs);
    expect(s.intervals.p95Seconds).toEqual(interval([20, 26]));
    expect(s.intervals.p50Seconds).toEqual(interval([10, 10, 10]));
    expect(s.conservation).toEqual({ held: 2, failed: [1] });
    expect(summarizeReplications([run(0, { p50Seconds: null })]).intervals.p50Seconds).toBeNull();
  });

  it("names replication folders from rep-00, wide enough for the last one", () => {
    expect([replicationDir(0, 20), replicationDir(19, 20)]).toEqual(["rep-00", "rep-19"]);
    expect(replicationDir(7, 101)).toBe("rep-007");
  });

  it("shows interval ends to the second (to the tenth under a minute)", () => {
    expect([formatSecondsExact(2.34), formatSecondsExact(842), formatSecondsExact(3912)]).toEqual(["2.3 s", "14 min 02 s", "1 h 05 min 12 s"]);
  });
});

describe("progress when stderr is not a terminal", () => {
  it("prints a line at every tenth of the way with what is done and the time left, and nothing before the first tenth", async () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const p = await startProgress("transfers final", stream);
    for (let done = 0; done <= 240; done++) p.update(done, 240, "1 min simulated");
    p.stop();
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^ {2}10% \| 24\/240 transfers final \| 1 min simulated \| .* elapsed, about .* left\n$/);
    expect(lines[9]).toMatch(/^ {2}100% \| 240\/240 transfers final \| 1 min simulated \| .* elapsed\n$/);
  });

  it("prints each step once when there are fewer steps than tenths", async () => {
    const lines: string[] = [];
    const p = await startProgress("replications done", { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream);
    for (let done = 0; done <= 3; done++) p.update(done, 3);
    expect(lines.map((l) => l.split(" |")[0]!.trim())).toEqual(["33%", "66%", "100%"]);
  });
});
