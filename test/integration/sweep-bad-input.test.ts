/**
 * Bad input to the distributed sweep's flags and files: each gets a coded error, a non-zero exit status,
 * no stack, and touches no job (nothing is run, nothing already done is lost).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCorridor } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "corridor-sweep-bad-"));
const scenario = join(dir, "scenario.json");
const plan = join(dir, "plan");
const VARY = ["--vary", "tier=fast,standard"];
/** A port nothing listens on (1 needs root to bind). */
const NOBODY = "redis://127.0.0.1:1";

/** A copy of the good plan with one file replaced. */
function brokenPlan(name: string, file: string, edit: (text: string) => string): string {
  const d = join(dir, name);
  mkdirSync(join(d, "jobs"), { recursive: true });
  for (const f of ["plan.json", "jobs/0.json", "jobs/1.json"]) writeFileSync(join(d, f), f === file ? edit(readFileSync(join(plan, f), "utf8")) : readFileSync(join(plan, f)));
  return d;
}

beforeAll(async () => {
  writeFileSync(
    scenario,
    JSON.stringify({
      name: "sweep-bad-input",
      seed: 3,
      chains: { us: { profile: "local" }, uk: { profile: "local" } },
      liquidity: { us: "100000", uk: "100000" },
      workload: { transfers: 2, durationSeconds: 30, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
    }),
  );
  const r = await runCorridor(["sweep", scenario, ...VARY, "--plan", plan]);
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  args: () => string[];
  code: string;
  status?: number;
  says?: string;
}

const CASES: Case[] = [
  // the grid
  { name: "--replications 0", args: () => ["sweep", scenario, ...VARY, "--replications", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "--replications a word", args: () => ["sweep", scenario, ...VARY, "--replications", "many"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "--replications enormous", args: () => ["sweep", scenario, ...VARY, "--replications", "1000000"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "more jobs than a sweep may hold", args: () => ["sweep", scenario, "--vary", `workload.transfers=${Array.from({ length: 101 }, (_, i) => i + 1).join(",")}`, "--replications", "1000", "--plan", join(dir, "huge")], code: "CORRIDOR_USAGE_INVALID", says: "at most 100,000" },
  { name: "--measure unknown", args: () => ["sweep", scenario, ...VARY, "--measure", "p99"], code: "CORRIDOR_USAGE_INVALID", says: "p50 or p95" },
  { name: "a grid without a scenario", args: () => ["sweep", ...VARY], code: "CORRIDOR_USAGE_MISSING_ARGUMENT", says: "scenario-file" },
  // --queue
  { name: "--queue over http", args: () => ["sweep", scenario, ...VARY, "--queue", "http://127.0.0.1:6379"], code: "CORRIDOR_USAGE_INVALID", says: "--queue" },
  { name: "--queue not a URL", args: () => ["sweep", scenario, ...VARY, "--queue", "localhost:6379"], code: "CORRIDOR_USAGE_INVALID", says: "--queue" },
  { name: "--queue with a database past 15", args: () => ["sweep", scenario, ...VARY, "--queue", "redis://127.0.0.1:6379/99"], code: "CORRIDOR_USAGE_INVALID", says: "database" },
  { name: "--queue where no Redis answers", args: () => ["sweep", scenario, ...VARY, "--queue", NOBODY, "--out", join(dir, "q1")], code: "CORRIDOR_QUEUE_UNREACHABLE", status: 1, says: "cannot reach Redis" },
  { name: "--queue with a password is never echoed", args: () => ["sweep", scenario, ...VARY, "--queue", "redis://u:hunter2@127.0.0.1:1", "--out", join(dir, "q2")], code: "CORRIDOR_QUEUE_UNREACHABLE", status: 1, says: "u:***@" },
  { name: "--no-wait without --queue", args: () => ["sweep", scenario, ...VARY, "--no-wait"], code: "CORRIDOR_USAGE_INVALID", says: "--no-wait" },
  { name: "--jobs with --queue", args: () => ["sweep", scenario, ...VARY, "--queue", NOBODY, "--jobs", "4"], code: "CORRIDOR_USAGE_INVALID", says: "--concurrency" },
  // --plan
  { name: "--plan and --queue", args: () => ["sweep", scenario, ...VARY, "--plan", join(dir, "p1"), "--queue", NOBODY], code: "CORRIDOR_USAGE_INVALID", says: "give one" },
  { name: "--plan and --out", args: () => ["sweep", scenario, ...VARY, "--plan", join(dir, "p2"), "--out", join(dir, "p3")], code: "CORRIDOR_USAGE_INVALID", says: "--out" },
  { name: "--plan into a folder that cannot be", args: () => ["sweep", scenario, ...VARY, "--plan", "/dev/null/plan"], code: "CORRIDOR_USAGE_OUTPUT_UNWRITABLE", says: "--plan" },
  // --run-job
  { name: "--run-job without --index", args: () => ["sweep", "--run-job", plan], code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--index" },
  { name: "--index without --run-job", args: () => ["sweep", scenario, ...VARY, "--index", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--index goes with --run-job" },
  { name: "--index past the plan", args: () => ["sweep", "--run-job", plan, "--index", "2"], code: "CORRIDOR_USAGE_INVALID", says: "indexes 0 to 1" },
  { name: "--index negative", args: () => ["sweep", "--run-job", plan, "--index", "-1"], code: "CORRIDOR_USAGE_INVALID", says: "--index" },
  { name: "--index a word", args: () => ["sweep", "--run-job", plan, "--index", "$SLURM_ARRAY_TASK_ID"], code: "CORRIDOR_USAGE_INVALID", says: "--index" },
  { name: "--run-job in a folder without a plan", args: () => ["sweep", "--run-job", join(dir, "nothing"), "--index", "0"], code: "CORRIDOR_SWEEP_PLAN_NOT_FOUND", says: "plan.json" },
  { name: "--run-job with a scenario file", args: () => ["sweep", scenario, "--run-job", plan, "--index", "0"], code: "CORRIDOR_USAGE_EXCESS_ARGUMENTS", says: "--run-job takes no scenario" },
  { name: "--run-job with --vary", args: () => ["sweep", "--run-job", plan, "--index", "0", ...VARY], code: "CORRIDOR_USAGE_INVALID", says: "--vary cannot be used with --run-job" },
  { name: "--run-job and --collect", args: () => ["sweep", "--run-job", plan, "--index", "0", "--collect", plan], code: "CORRIDOR_USAGE_INVALID", says: "give one" },
  { name: "a plan.json that is not JSON", args: () => ["sweep", "--run-job", brokenPlan("notjson", "plan.json", () => "{ jobs: "), "--index", "0"], code: "CORRIDOR_SWEEP_PLAN_MALFORMED", says: "plan.json" },
  { name: "a plan.json with a bad field", args: () => ["sweep", "--run-job", brokenPlan("badfield", "plan.json", (t) => t.replace('"replications": 1', '"replications": "one"')), "--index", "0"], code: "CORRIDOR_SWEEP_PLAN_MALFORMED", says: "replications" },
  { name: "a job file whose scenario was edited", args: () => ["sweep", "--run-job", brokenPlan("edited", "jobs/0.json", (t) => t.replace('"transfers": 2', '"transfers": 3')), "--index", "0"], code: "CORRIDOR_SWEEP_JOB_MALFORMED", says: "is not the hash" },
  { name: "a job file writing outside the plan", args: () => ["sweep", "--run-job", brokenPlan("escape", "jobs/1.json", (t) => t.replace(/"dir": "[^"]*"/, '"dir": "../../../tmp/evil"')), "--index", "1"], code: "CORRIDOR_SWEEP_JOB_MALFORMED", says: "dir" },
  { name: "a job file of another job", args: () => ["sweep", "--run-job", brokenPlan("swapped", "jobs/0.json", () => readFileSync(join(plan, "jobs", "1.json"), "utf8")), "--index", "0"], code: "CORRIDOR_SWEEP_JOB_MALFORMED", says: "not the plan's job 0" },
  // --collect
  { name: "--collect a folder without a plan", args: () => ["sweep", "--collect", join(dir, "nothing")], code: "CORRIDOR_SWEEP_PLAN_NOT_FOUND" },
  { name: "--collect with --replications", args: () => ["sweep", "--collect", plan, "--replications", "3"], code: "CORRIDOR_USAGE_INVALID", says: "--replications cannot be used with --collect (it takes --queue, --measure)" },
  { name: "--collect with a bad --queue", args: () => ["sweep", "--collect", plan, "--queue", "redis:/nohost"], code: "CORRIDOR_USAGE_INVALID", says: "--queue" },
  { name: "--collect from a queue nobody serves", args: () => ["sweep", "--collect", plan, "--queue", NOBODY], code: "CORRIDOR_QUEUE_UNREACHABLE", status: 1 },
  { name: "--collect before any job ran", args: () => ["sweep", "--collect", plan], code: "CORRIDOR_SWEEP_INCOMPLETE", status: 1, says: "2 of 2 jobs have no result yet" },
  // corridor worker
  { name: "worker without --queue", args: () => ["worker"], code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--queue" },
  { name: "worker --queue not Redis", args: () => ["worker", "--queue", "amqp://127.0.0.1:5672"], code: "CORRIDOR_USAGE_INVALID", says: "--queue" },
  { name: "worker --concurrency 0", args: () => ["worker", "--queue", NOBODY, "--concurrency", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--concurrency" },
  { name: "worker --lock-seconds 0", args: () => ["worker", "--queue", NOBODY, "--lock-seconds", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--lock-seconds" },
  { name: "worker --out that cannot be", args: () => ["worker", "--queue", NOBODY, "--out", "/dev/null/out"], code: "CORRIDOR_USAGE_OUTPUT_UNWRITABLE", says: "--out" },
  { name: "worker where no Redis answers", args: () => ["worker", "--queue", NOBODY, "--out", join(dir, "w")], code: "CORRIDOR_QUEUE_UNREACHABLE", status: 1, says: "cannot reach Redis" },
];

describe("bad input: distributed sweeps", () => {
  it.concurrent.for(CASES)("$name", async (c, { expect: ex }) => {
    const r = await runCorridor(c.args());
    ex(r.stderr, "a coded error").toContain(`error [${c.code}]`);
    ex(r.status).toBe(c.status ?? 2);
    if (c.says) ex(r.stderr).toContain(c.says);
    ex(r.stderr).not.toMatch(/\n\s+at |CORRIDOR_INTERNAL|hunter2/);
  });

  it("leaves the plan as it was: no job ran, no job folder appeared", () => {
    expect(JSON.parse(readFileSync(join(plan, "plan.json"), "utf8")).jobs).toHaveLength(2);
    expect(readdirSync(plan).filter((n) => /^\d+-/.test(n))).toEqual([]);
  });
});
