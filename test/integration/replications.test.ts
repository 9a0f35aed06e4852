/**
 * `corridor simulate --replications`, run as users run it: every replication a full run on its own
 * chains in a child process. A tiny scenario keeps it short (about a minute on two idle cores; the
 * timeouts allow for a machine busy with other work).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interval } from "../../src/domain/stats.js";
import { HEADLINE_FIGURES, replicationSeed, type ReplicationsReport } from "../../src/sim/replications.js";
import { runCorridor } from "../helpers/cli.js";

const SCENARIO = {
  name: "replications-tiny",
  seed: 7,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "100000", uk: "100000" },
  workload: {
    transfers: 4,
    durationSeconds: 60,
    senders: 2,
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
    ],
  },
};

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "corridor-replications-"));
  file = join(dir, "tiny.json");
  writeFileSync(file, JSON.stringify(SCENARIO));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (out: string) => JSON.parse(readFileSync(join(out, "replications.json"), "utf8")) as ReplicationsReport;
/** What must not depend on the machine or on how many runs went at a time. */
const figures = (r: ReplicationsReport) => ({ intervals: r.intervals, conservation: r.conservation, runs: r.runs.map(({ wallSeconds: _w, ...rest }) => rest) });

describe("corridor simulate --replications", () => {
  it("gives the same figures for the same scenario and N (whatever --jobs), each recomputable from its runs, and reports them", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    const first = await runCorridor(["simulate", file, "--replications", "3", "--out", a], { timeoutMs: 300_000 });
    expect(first.status, first.stderr).toBe(0);
    const second = await runCorridor(["simulate", file, "--replications", "3", "--jobs", "3", "--out", b], { timeoutMs: 300_000 });
    expect(second.status, second.stderr).toBe(0);

    const r = read(a);
    expect(figures(read(b))).toEqual(figures(r));
    // Replication 0 is the plain run (the scenario's seed); the others' seeds come from replicationSeed.
    expect(r.runs.map((x) => [x.replication, x.seed, x.dir])).toEqual([0, 1, 2].map((i) => [i, replicationSeed(7, i), `rep-0${i}`]));
    for (const x of r.runs) {
      const own = JSON.parse(readFileSync(join(a, x.dir, "summary.json"), "utf8")) as { seed: number };
      expect(own.seed).toBe(x.seed);
      expect(existsSync(join(a, x.dir, "results.json")) && existsSync(join(a, x.dir, "report.html"))).toBe(true);
    }
    for (const { key } of HEADLINE_FIGURES) expect(r.intervals[key]).toEqual(interval(r.runs.map((x) => x.figures[key]!)));
    expect(r.conservation).toEqual({ held: 3, failed: [] });
    // The replications differ: a figure with spread has an interval wider than a point.
    expect(r.intervals.allInCostPct!.high).toBeGreaterThan(r.intervals.allInCostPct!.low);

    // The summary prints each figure's interval; stderr (not a terminal here) has a progress line per step.
    expect(first.stdout).toMatch(/3 replications/);
    expect(first.stdout).toContain(`all-in cost (mean)`);
    expect(first.stdout).toContain(`${r.intervals.allInCostPct!.low.toFixed(3)}% to ${r.intervals.allInCostPct!.high.toFixed(3)}%`);
    expect(first.stdout).toContain("HOLDS in all 3 replications");
    expect(first.stderr).toMatch(/100% \| 3\/3 replications done/);

    // The report shows the intervals, how they were computed, every replication, and replication 0's single-run sections.
    const html = readFileSync(join(a, "report.html"), "utf8");
    const cost = r.intervals.allInCostPct!;
    expect(html).toContain(`all-in cost (mean) ${cost.mean.toFixed(3)}% (${cost.low.toFixed(3)}%–${cost.high.toFixed(3)}%, 95% CI, 3 runs)`);
    expect(html).toMatch(/p95 settlement [\d.]+ s \([\d.]+ s–[\d.]+ s, 95% CI, 3 runs\)/);
    expect(html).toContain("Student&#39;s t");
    for (const x of r.runs) expect(html).toContain(`<td class="num">${x.seed}</td>`);
    expect(html).toContain("Replication 0 in detail");
    expect(html).toContain('data-chart="latency"');
  }, 600_000);

  it("fails with a coded error naming the replication that could not run", async () => {
    const out = join(dir, "broken");
    mkdirSync(out);
    // Replication 1's folder cannot be made: a file is in the way.
    writeFileSync(join(out, "rep-01"), "not a folder");
    const r = await runCorridor(["simulate", file, "--replications", "3", "--out", out], { timeoutMs: 300_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error [CORRIDOR_REPLICATION_FAILED]: replication 1 (seed");
    expect(r.stderr).toContain("CORRIDOR_USAGE_OUTPUT_UNWRITABLE");
    expect(existsSync(join(out, "replications.json"))).toBe(false);
  }, 300_000);
});
