import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CorridorError } from "../../src/domain/errors.js";
import { interval } from "../../src/domain/stats.js";
import { renderSweepReport } from "../../src/report/sweep.js";
import { replicationSeed } from "../../src/sim/replications.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { parseVary } from "../../src/sim/sweep.js";
import { jobId, parseJob, planJobs, type JobResult, type SweepJob } from "../../src/sweep/job.js";
import { mergeSweep } from "../../src/sweep/merge.js";
import { readPlan, readPlannedJob, writePlan, type Plan, type PlanHeader } from "../../src/sweep/plan.js";
import { parseQueueUrl, redactQueueUrl } from "../../src/sweep/queue-url.js";

const base = parseScenario({
  name: "sweep-jobs",
  seed: 9,
  liquidity: { us: "1000", uk: "1000" },
  workload: { transfers: 10, durationSeconds: 60, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
});
const varies = [parseVary("fee.bps=0,5"), parseVary("tier=fast,standard")];
const plan3 = () => planJobs({ base, scenarioDir: "/nowhere", varies, replications: 3 });

const coded = (fn: () => unknown): CorridorError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CorridorError);
    return e as CorridorError;
  }
  throw new Error("expected a CorridorError");
};

describe("sweep jobs", () => {
  it("gives the same grid the same ids, seeds and folders every time, one job per point and replication", () => {
    const a = plan3();
    const b = plan3();
    expect(a).toHaveLength(12);
    expect(a.map((j) => j.id)).toEqual(b.map((j) => j.id));
    expect(new Set(a.map((j) => j.id)).size).toBe(12);
    expect(a.map((j) => j.index)).toEqual([...Array(12).keys()]);
    expect(a.slice(0, 3).map((j) => j.seed)).toEqual([0, 1, 2].map((r) => replicationSeed(9, r)));
    expect(a[4]).toMatchObject({ label: "fee.bps=0 tier=standard", replication: 1, dir: `2-fee.bps=0_tier=standard/r1-${a[4]!.id}` });
    expect(a[4]!.scenario.seed).toBe(a[4]!.seed);
  });

  it("derives the id from the scenario and replication alone: another value or seed is another job", () => {
    const [j] = plan3();
    expect(jobId(j!.scenario, 0)).toBe(j!.id);
    expect(jobId({ ...j!.scenario }, 1)).not.toBe(j!.id);
    expect(jobId({ ...j!.scenario, seed: 10 }, 0)).not.toBe(j!.id);
    // key order does not matter (canonical JSON)
    expect(jobId(Object.fromEntries(Object.entries(j!.scenario).reverse()), 0)).toBe(j!.id);
    // --seed gives every point the same base seed
    const seeded = planJobs({ base, scenarioDir: "/nowhere", varies, replications: 2, seed: 42 });
    expect(seeded.filter((x) => x.replication === 0).map((x) => x.seed)).toEqual([42, 42, 42, 42]);
  });

  it("refuses a payload that is not a job, or whose id, seed or folder is not its own", () => {
    const [j] = plan3();
    const bad = (payload: unknown, says: RegExp) => {
      const e = coded(() => parseJob(payload, "queue job x"));
      expect(e.code).toBe("CORRIDOR_SWEEP_JOB_MALFORMED");
      expect(e.message).toMatch(says);
    };
    expect(parseJob(JSON.parse(JSON.stringify(j)), "x")).toEqual(j);
    bad("hello", /payload/);
    bad({ ...j, id: "nope" }, /id: expected 16 hex digits/);
    bad({ ...j, scenario: { ...j!.scenario, name: "other" } }, /id: is not the hash/);
    bad({ ...j, seed: 1 }, /seed: is not the scenario's seed/);
    bad({ ...j, dir: `../../etc/r0-${j!.id}` }, /dir: expected/);
    bad({ ...j, dir: `/tmp/r0-${j!.id}` }, /dir: expected/);
    bad({ ...j, dir: `1-x/r1-${j!.id}` }, /dir: does not name/);
    bad({ ...j, extra: 1 }, /Unrecognized key/);
  });

  it("refuses a grid of more jobs than a sweep may hold", () => {
    const many = parseVary(`workload.transfers=${Array.from({ length: 101 }, (_, i) => i + 1).join(",")}`);
    expect(coded(() => planJobs({ base, scenarioDir: "/", varies: [many], replications: 1000 })).message).toMatch(/101,000 jobs .* at most 100,000/);
  });
});

describe("sweep plans on disk", () => {
  const dir = mkdtempSync(join(tmpdir(), "corridor-plan-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const header: PlanHeader = { scenario: "sweep-jobs", file: "/x.json", command: "corridor sweep x", vary: [], replications: 3, measure: "p95" };

  it("writes a plan and reads back each job, checked against it", () => {
    const jobs = plan3();
    const written = writePlan(dir, header, jobs);
    expect(readPlan(dir)).toEqual(written);
    expect(readPlannedJob(dir, written, 7)).toEqual(jobs[7]);
    expect(coded(() => readPlannedJob(dir, written, 12)).message).toMatch(/--index 12: .* 12 jobs, indexes 0 to 11/);
    // a job file swapped for another job's
    writeFileSync(join(dir, "jobs", "5.json"), JSON.stringify(jobs[6]));
    expect(coded(() => readPlannedJob(dir, written, 5)).code).toBe("CORRIDOR_SWEEP_JOB_MALFORMED");
  });

  it("says what is wrong with a missing or malformed plan", () => {
    expect(coded(() => readPlan(join(dir, "none"))).code).toBe("CORRIDOR_SWEEP_PLAN_NOT_FOUND");
    const bad = mkdtempSync(join(dir, "bad-"));
    writeFileSync(join(bad, "plan.json"), "{ not json");
    expect(coded(() => readPlan(bad)).code).toBe("CORRIDOR_SWEEP_PLAN_MALFORMED");
    writeFileSync(join(bad, "plan.json"), JSON.stringify({ version: 1, ...header, measure: "p99", jobs: [] }));
    expect(coded(() => readPlan(bad)).message).toMatch(/measure/);
  });
});

describe("merging a sweep", () => {
  const jobs = plan3();
  const plan: Plan = { version: 1, scenario: "s", file: "/s.json", command: "c", vary: [{ name: "fee.bps", path: "fees.default.bps", values: ["0", "5"] }], replications: 3, measure: "p95", jobs: jobs.map(({ scenario: _s, ...r }) => r) };
  /** A result whose p95 is `p95` and refunds `refunded`. */
  const result = (job: SweepJob, p95: number, refunded = 0): JobResult => ({
    id: job.id,
    label: job.label,
    replication: job.replication,
    seed: job.seed,
    wallSeconds: 1,
    host: "h",
    summary: {
      transfers: { sent: 10, settled: 10 - refunded, refunded },
      settlementSeconds: { p50: p95 / 2, p95 },
      withinOneHour: { share: 1 },
      costs: { meanTotalPct: 0.1, meanAllInPct: 0.12 },
      conservation: { ok: true },
    },
  });
  // points 1 and 2 alike (around 100 s), point 3 far (around 500 s), point 4 with one run only
  const p95s = [100, 110, 120, 105, 115, 125, 500, 510, 520, 90];
  const results = new Map(jobs.slice(0, 10).map((j, i) => [j.id, result(j, p95s[i]!, i % 3)]));
  const merged = mergeSweep(plan, results, (ref) => (ref.index === 10 ? "active" : "waiting"));

  it("gives each point's figures as the mean and 95% interval of its runs", () => {
    expect(merged.rows.map((r) => r.label)).toEqual(["fee.bps=0 tier=fast", "fee.bps=0 tier=standard", "fee.bps=5 tier=fast", "fee.bps=5 tier=standard"]);
    expect(merged.rows[0]!.figures.p95).toEqual(interval([100, 110, 120]));
    expect(merged.rows[0]!.figures.p50).toEqual(interval([50, 55, 60]));
    expect(merged.rows[0]!.figures.refunds).toEqual(interval([0, 1, 2]));
    expect(merged.rows[0]!.figures.cost!.mean).toBeCloseTo(0.12, 12);
    expect(merged.rows[3]!.figures.p95).toEqual({ n: 1, mean: 90, sd: 0, low: 90, high: 90 });
    expect(merged.rows[3]!.runs).toHaveLength(1);
    expect(merged.computeSeconds).toBe(10);
  });

  it("lists the pairs whose intervals overlap, among points with two runs or more", () => {
    expect(merged.overlaps.p95).toEqual([["fee.bps=0 tier=fast", "fee.bps=0 tier=standard"]]);
    // every point refunds 0, 1, 2: all alike
    expect(merged.overlaps.refunds).toHaveLength(3);
  });

  it("lists the jobs without a result and where they are", () => {
    expect(merged.missing.map((m) => [m.index, m.state])).toEqual([
      [10, "active"],
      [11, "waiting"],
    ]);
  });

  it("reports the chosen measure with its intervals and the points it cannot tell apart", () => {
    const html = renderSweepReport(merged, { command: "corridor sweep <x>", measure: "p95", replications: 3, varyNames: ["fee.bps", "tier"] });
    // the chart's option, embedded beside its SVG: a dot at each point's mean, whiskers from low to high
    const json = /<div class="chart" data-chart="sweep-interval"[^>]*><svg[\s\S]*?<\/svg><script type="application\/json">([\s\S]*?)<\/script><\/div>/.exec(html)![1]!;
    const option = JSON.parse(json) as { series: { type: string; data: [number | string, string, string, string][] }[] };
    const dots = option.series.find((x) => x.type === "scatter")!.data;
    const whiskers = option.series.find((x) => x.type === "line")!.data.filter((d) => d[0] !== "-");
    const x = interval([100, 110, 120])!;
    // p95 on a minutes axis (the largest interval reaches past two minutes); the tooltip says it in words
    expect(dots).toHaveLength(4);
    expect(dots[0]![1]).toBe("fee.bps=0 tier=fast");
    expect(Number(dots[0]![0])).toBeCloseTo(x.mean / 60, 4);
    expect(whiskers.slice(0, 2).map((d) => d[1])).toEqual(["fee.bps=0 tier=fast", "fee.bps=0 tier=fast"]);
    expect(Number(whiskers[0]![0])).toBeCloseTo(x.low / 60, 4);
    expect(Number(whiskers[1]![0])).toBeCloseTo(x.high / 60, 4);
    expect(dots[0]![2]).toMatch(/^mean .+, 95% interval .+ to .+$/);
    expect(html).toContain("<li>fee.bps=0 tier=fast and fee.bps=0 tier=standard</li>");
    expect(html).toContain("2 job(s) have no result yet");
    expect(html).toContain("corridor sweep &lt;x&gt;");
    for (const name of ["sweep-p50", "sweep-p95", "sweep-within-1h", "sweep-cost", "sweep-refunds"]) expect(html).toContain(`data-chart="${name}"`);
    // self-contained: no remote script, style or image
    expect(html).not.toMatch(/(src|href)=["']?https?:\/\//i);
  });
});

describe("--queue addresses", () => {
  const parse = parseQueueUrl();
  it("takes redis and rediss URLs with an optional database", () => {
    for (const u of ["redis://127.0.0.1:6379", "redis://redis.cluster.local", "rediss://user:pw@host:6380/2"]) expect(parse(u)).toBe(u);
  });
  it("refuses anything else with a usage error naming the flag", () => {
    for (const u of ["http://host:6379", "127.0.0.1:6379", "redis://", "redis://h:6379/16", "redis://h:6379/a/b", "redis://h?x=1", "not a url"]) {
      const e = coded(() => parse(u));
      expect(e.code).toBe("CORRIDOR_USAGE_INVALID");
      expect(e.message).toMatch(/^--queue: /);
    }
  });
  it("never shows a password", () => {
    expect(redactQueueUrl("redis://user:secret@host:6379")).toBe("redis://user:***@host:6379");
  });
});
