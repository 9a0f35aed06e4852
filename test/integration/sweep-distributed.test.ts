/**
 * Distributed sweeps give the same figures as a local one: a BullMQ queue on a real redis-server run by
 * several `corridor worker` processes (one killed with SIGKILL mid-job), and a job array (--plan, then
 * --run-job for each index, one index twice at once and once more after, two through the shipped Slurm
 * script and Kubernetes manifest, then --collect).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MergedSweep } from "../../src/sweep/merge.js";
import type { Plan } from "../../src/sweep/plan.js";
import { packagePath } from "../../src/paths.js";
import { QUEUE_NAME } from "../../src/sweep/queue.js";
import { CLI, NODE, runCorridor } from "../helpers/cli.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

const dir = mkdtempSync(join(tmpdir(), "corridor-sweep-dist-"));
const scenario = join(dir, "tiny.json");
const GRID = ["--vary", "tier=fast,standard", "--replications", "2"];
const SLOW = { timeoutMs: 500_000 };

type SweepDoc = MergedSweep & { measure: string };
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, "utf8")) as T;

/** What must not depend on where and how the jobs ran: every figure of every point and run (not wall times or hosts). */
const figures = (doc: SweepDoc) =>
  doc.rows.map((r) => ({
    label: r.label,
    params: r.params,
    figures: r.figures,
    settled: r.settled,
    conservationOk: r.conservationOk,
    runs: r.runs.map((x) => ({ id: x.id, replication: x.replication, seed: x.seed, dir: x.dir, sent: x.sent, settled: x.settled, refunded: x.refunded, conservationOk: x.conservationOk, figures: x.figures })),
  }));

/** A command as a job array's task runs it: in the package, with the scheduler's variables. */
function sh(cmd: string, args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: packagePath(), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

/** Folders a run left behind that are not a finished job's. */
const leftovers = (out: string) => readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory() && /^\d+-/.test(d.name)).flatMap((d) => readdirSync(join(out, d.name)).filter((n) => n.includes(".tmp-")));

let local: SweepDoc;
let localPlan: Plan;

beforeAll(async () => {
  writeFileSync(
    scenario,
    JSON.stringify({
      name: "tiny-sweep",
      seed: 5,
      chains: { us: { profile: "local" }, uk: { profile: "local" } },
      liquidity: { us: "100000", uk: "100000" },
      workload: {
        transfers: 4,
        durationSeconds: 30,
        mix: [
          { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
        ],
      },
    }),
  );
  const r = await runCorridor(["sweep", scenario, ...GRID, "--out", join(dir, "local")], SLOW);
  expect(r.status, r.stderr).toBe(0);
  local = readJson<SweepDoc>(join(dir, "local", "sweep.json"));
  localPlan = readJson<Plan>(join(dir, "local", "plan.json"));
  expect(local.rows.map((x) => x.runs.length)).toEqual([2, 2]);
  expect(local.missing).toEqual([]);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a sweep on a BullMQ queue", () => {
  let redis: TestRedis;
  let queue: Queue | undefined;
  const workers: { child: ChildProcess; log: string }[] = [];
  afterAll(async () => {
    for (const w of workers) {
      try {
        process.kill(-w.child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    await queue?.close();
    await redis?.stop();
  }, 60_000);

  const startWorker = (out: string) => {
    const child = spawn(NODE, [CLI, "worker", "--queue", redis.url, "--out", out, "--lock-seconds", "5", "--stalled-seconds", "2"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, CORRIDOR_LOG_JSON: "1", CORRIDOR_LOG_LEVEL: "info" },
      detached: true,
    });
    const w = { child, log: "" };
    child.stderr!.on("data", (d: Buffer) => (w.log += d.toString("utf8")));
    workers.push(w);
    return w;
  };
  const started = (log: string) => [...log.matchAll(/"id":"([0-9a-f]{16})".*"msg":"job started"/g)].map((m) => m[1]!);

  it("runs every job once to completion across workers, one killed mid-job, and merges the local sweep's figures", async () => {
    redis = await startRedis();
    const qout = join(dir, "queued");
    const wout = join(dir, "workers");
    // Enqueued twice: the stable ids make the second add nothing.
    const first = await runCorridor(["sweep", scenario, ...GRID, "--out", qout, "--queue", redis.url, "--no-wait"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain("4 jobs on");
    expect(first.stderr).toContain("4 added, 0 already there");
    const again = await runCorridor(["sweep", scenario, ...GRID, "--out", qout, "--queue", redis.url, "--no-wait"]);
    expect(again.stderr).toContain("0 added, 4 already there");
    const plan = readJson<Plan>(join(qout, "plan.json"));
    expect(plan.jobs.map((j) => j.id)).toEqual(localPlan.jobs.map((j) => j.id));

    // Payloads any Redis client could put on the queue: not a job, and a job whose scenario is not the one its id names.
    queue = new Queue(QUEUE_NAME, { connection: { url: redis.url } });
    const job0 = readJson<Record<string, unknown>>(join(qout, "jobs", "0.json"));
    await queue.add("sweep-job", { hello: "world" }, { jobId: "not-a-job", attempts: 3 });
    await queue.add("sweep-job", { ...job0, scenario: { ...(job0.scenario as object), name: "tampered" } }, { jobId: "tampered", attempts: 3 });

    const victim = startWorker(wout);
    await expect.poll(() => started(victim.log).length, { timeout: 120_000, interval: 200 }).toBeGreaterThan(0);
    const others = [startWorker(wout), startWorker(wout)];
    const lost = started(victim.log)[0]!;
    expect(plan.jobs.map((j) => j.id)).toContain(lost);
    // Mid-job: its simulation is running. SIGKILL the worker and its child, as a lost machine or pod.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(existsSync(join(wout, plan.jobs.find((j) => j.id === lost)!.dir, "job.json"))).toBe(false);
    process.kill(-victim.child.pid!, "SIGKILL");

    // The sweep command waits for the workers and merges.
    const waited = await runCorridor(["sweep", scenario, ...GRID, "--out", qout, "--queue", redis.url], SLOW);
    expect(waited.status, `${waited.stdout}\n${waited.stderr}\n${others.map((w) => w.log).join("\n")}`).toBe(0);
    expect(waited.stderr).toMatch(/4\/4 jobs \(2\/2 points\) done/);
    const merged = readJson<SweepDoc>(join(qout, "sweep.json"));
    expect(figures(merged)).toEqual(figures(local));
    expect(merged.missing).toEqual([]);

    // Every job completed; the lost one stalled and was taken again by another worker.
    for (const ref of plan.jobs) {
      const job = (await queue.getJob(ref.id))!;
      expect(await job.getState(), ref.label).toBe("completed");
      expect(existsSync(join(wout, ref.dir, "job.json")), ref.dir).toBe(true);
    }
    expect((await queue.getJob(lost))!.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(others.flatMap((w) => started(w.log))).toContain(lost);
    expect(leftovers(wout)).toEqual([]);

    // The bad payloads failed for good at once, with a coded reason, and cost no retry.
    for (const id of ["not-a-job", "tampered"]) {
      const job = (await queue.getJob(id))!;
      expect(await job.getState(), id).toBe("failed");
      expect(job.failedReason).toContain("CORRIDOR_SWEEP_JOB_MALFORMED");
      expect(job.attemptsMade).toBe(1);
    }
    expect((await queue.getJob("tampered"))!.failedReason).toMatch(/id: is not the hash/);

    // --collect from the queue alone (no job folder in qout) gives the same.
    const collected = await runCorridor(["sweep", "--collect", qout, "--queue", redis.url]);
    expect(collected.status, collected.stderr).toBe(0);
    expect(figures(readJson<SweepDoc>(join(qout, "sweep.json")))).toEqual(figures(local));
  }, 600_000);
});

describe("a sweep as a job array", () => {
  it("plans the same jobs, runs each index (one twice at once, one again after) and collects the local sweep's figures", async () => {
    const pdir = join(dir, "array");
    const planned = await runCorridor(["sweep", scenario, ...GRID, "--plan", pdir]);
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toContain("Planned 4 jobs (2 points × 2 replications)");
    const plan = readJson<Plan>(join(pdir, "plan.json"));
    expect(plan.jobs.map((j) => j.id)).toEqual(localPlan.jobs.map((j) => j.id));

    const early = await runCorridor(["sweep", "--collect", pdir]);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain("CORRIDOR_SWEEP_INCOMPLETE");
    expect(early.stdout).toContain("Missing 4 of 4 jobs");

    const run = (index: number) => runCorridor(["sweep", "--run-job", pdir, "--index", String(index)], SLOW);
    for (const r of await Promise.all([0, 1, 1].map(run))) expect(r.status, r.stderr).toBe(0);
    // Index 2 as the shipped Slurm array script runs it, index 3 as the Kubernetes Indexed Job's pod does.
    const k8s = readFileSync(packagePath("docs", "sweep-kubernetes.yaml"), "utf8");
    const mount = /mountPath: (\S+)/.exec(k8s)![1]!;
    const [shell, flag, line] = JSON.parse(/command: (\[.*\])/.exec(k8s)![1]!) as string[];
    expect(line).toContain(`--run-job ${mount}/`);
    const arrays = await Promise.all([
      sh("bash", [packagePath("docs", "sweep-slurm.sh")], { PLAN: pdir, SLURM_ARRAY_TASK_ID: "2", CORRIDOR_HOME: packagePath() }),
      sh(shell!, [flag!, line!.replace(new RegExp(`${mount}/[\\w-]+`), pdir)], { JOB_COMPLETION_INDEX: "3" }),
    ]);
    for (const r of arrays) expect(r.status, r.stderr).toBe(0);
    expect(arrays[0]!.stdout).toContain(`Job 2 (${plan.jobs[2]!.id})`);
    expect(arrays[1]!.stdout).toContain(`Job 3 (${plan.jobs[3]!.id})`);
    const result0 = readFileSync(join(pdir, plan.jobs[0]!.dir, "job.json"), "utf8");
    const rerun = await run(0);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain("already done");
    expect(readFileSync(join(pdir, plan.jobs[0]!.dir, "job.json"), "utf8")).toBe(result0);
    expect(leftovers(pdir)).toEqual([]);

    const collected = await runCorridor(["sweep", "--collect", pdir]);
    expect(collected.status, collected.stderr).toBe(0);
    expect(figures(readJson<SweepDoc>(join(pdir, "sweep.json")))).toEqual(figures(local));
    expect(existsSync(join(pdir, "report.html"))).toBe(true);
  }, 600_000);
});
