/**
 * Running one sweep job: the one code path of local sweeps, queue workers and job arrays. The job's
 * scenario runs in a `corridor simulate` child process (one core each; the caller's event loop stays
 * free, so a queue worker keeps renewing its lock) inside a temporary folder beside the job's own,
 * which is renamed into place once the run has finished. So a job folder is either absent or
 * complete, and a job done twice (a stalled queue job picked up again while its first run still
 * finishes, an array index run again) keeps the first result: both are the same scenario and seed.
 * A job whose folder already holds its result is not run again; the temporary folder of a run whose
 * process was killed is removed when the job runs again on that host.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, resolve } from "node:path";
import { CorridorError } from "../domain/errors.js";
import { packagePath } from "../paths.js";
import { SweepCode } from "./codes.js";
import { jobResult, parseJobResult, type JobResult, type SweepJob } from "./job.js";

const RESULT_FILE = "job.json";

/** The result in a job's folder under `outRoot`, if the job has finished there. */
export function readJobResult(outRoot: string, job: Pick<SweepJob, "id" | "dir">): JobResult | undefined {
  const file = resolve(outRoot, job.dir, RESULT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return parseJobResult(JSON.parse(readFileSync(file, "utf8")), job.id);
  } catch {
    return undefined;
  }
}

/** Runs `corridor simulate` in a child process; resolves with its exit code and the tail of its stderr (sweep jobs and replications). */
export function simulateChild(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [packagePath("bin", "corridor.mjs"), "simulate", ...args], { stdio: ["ignore", "ignore", "pipe"], env: process.env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-4000);
    });
    child.on("error", (err) => done({ code: 1, stderr: String(err) }));
    child.on("close", (code) => done({ code: code ?? 1, stderr }));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The temporary folder of one run of a job: "<job folder>.tmp-<host>-<pid>-<random>" (host and pid tell an abandoned one). */
const HOST = hostname().replace(/[^\w.]/g, "_");
const tmpPrefix = (final: string) => `${final}.tmp-${HOST}-`;
const tmpName = (final: string) => `${tmpPrefix(final)}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** Removes the temporary folders of earlier runs of the job on this host whose process is gone (a worker killed mid-job). */
function removeAbandoned(final: string): void {
  const parent = dirname(final);
  if (!existsSync(parent)) return;
  const prefix = basename(tmpPrefix(final));
  for (const name of readdirSync(parent)) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split("-")[0]) : NaN;
    if (Number.isInteger(pid) && !alive(pid)) rmSync(resolve(parent, name), { recursive: true, force: true });
  }
}

/** What happened: the job ran now, or its folder already held its result. */
export interface JobOutcome {
  result: JobResult;
  ran: boolean;
}

/**
 * Runs a job into `<outRoot>/<job.dir>` and returns its result. Exit 3 of simulate (a failed
 * conservation check) is a result like any other; any other failure throws JobFailed with the
 * tail of the run's errors and leaves no folder behind.
 */
export async function runJob(job: SweepJob, outRoot: string): Promise<JobOutcome> {
  const done = readJobResult(outRoot, job);
  if (done) return { result: done, ran: false };
  const final = resolve(outRoot, job.dir);
  removeAbandoned(final);
  const tmp = tmpName(final);
  mkdirSync(tmp, { recursive: true });
  try {
    const scenarioFile = resolve(tmp, "scenario.json");
    writeFileSync(scenarioFile, JSON.stringify(job.scenario, null, 2) + "\n");
    const t0 = performance.now();
    const { code, stderr } = await simulateChild([scenarioFile, "--out", tmp, "--quiet"]);
    const wallSeconds = (performance.now() - t0) / 1000;
    const summaryFile = resolve(tmp, "summary.json");
    if ((code !== 0 && code !== 3) || !existsSync(summaryFile)) {
      const error = stderr.trim().split("\n").slice(-5).join("\n") || `exit status ${code}`;
      throw new CorridorError(SweepCode.JobFailed, `job ${job.id} (${job.label || "the scenario"}, replication ${job.replication}): the simulation failed (exit ${code}): ${error}`, { id: job.id, code });
    }
    const result = jobResult(job, (JSON.parse(readFileSync(summaryFile, "utf8")) as { summary: unknown }).summary, wallSeconds);
    writeFileSync(resolve(tmp, RESULT_FILE), JSON.stringify(result, null, 2) + "\n");
    mkdirSync(dirname(final), { recursive: true });
    try {
      renameSync(tmp, final);
      return { result, ran: true };
    } catch (e) {
      // Another run of the same job finished first (a rename onto a folder with files fails): keep its result.
      const code = (e as NodeJS.ErrnoException).code;
      const first = code === "ENOTEMPTY" || code === "EEXIST" ? readJobResult(outRoot, job) : undefined;
      if (!first) throw new CorridorError(SweepCode.JobFailed, `job ${job.id}: cannot move its results into ${final} (${code ?? (e as Error).message}); a folder there without the job's result is in the way`, { id: job.id }, e);
      return { result: first, ran: true };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
