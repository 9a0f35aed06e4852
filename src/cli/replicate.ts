/**
 * `corridor simulate --replications N`: the scenario's N replications (seeds from replicationSeed),
 * each a full `corridor simulate` in a child process writing to its own folder under --out, --jobs
 * at a time, with progress on stderr; then each headline figure's mean and interval.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CorridorError } from "../domain/errors.js";
import { simulateChild } from "../sweep/run.js";
import type { SimulationResults } from "../sim/results.js";
import type { ChainBackend } from "../sim/chain-backend.js";
import { headlineFigures, INTERVAL_METHOD, replicationDir, replicationSeed, summarizeReplications, type ReplicationRun, type ReplicationsReport } from "../sim/replications.js";
import { startProgress } from "./progress.js";

export interface ReplicateOptions {
  /** The scenario file as given (children read it, and the command that reproduces the run names it). */
  file: string;
  scenarioName: string;
  /** The base seed: the scenario's, or --seed. */
  seed: number;
  replications: number;
  jobs: number;
  /** --out as given (children write below it), and its absolute path. */
  out: string;
  outDir: string;
  chains?: ChainBackend;
  /** Further flags every replication's run gets as given (the sanctions list). */
  extraArgs?: readonly string[];
  quiet: boolean;
  /** The command that reproduces the whole replicated run. */
  command: string;
}

/**
 * Runs every replication and summarises them. A replication that fails (anything but a finished run)
 * stops the others from starting and fails the command with CORRIDOR_REPLICATION_FAILED naming it; a
 * finished run whose conservation check failed (exit 3) counts, and its failure is in the result.
 */
export async function replicate(o: ReplicateOptions): Promise<ReplicationsReport> {
  const n = o.replications;
  const runs: ReplicationRun[] = [];
  const failed: { replication: number; seed: number; code: number; error: string }[] = [];
  const progress = o.quiet ? undefined : await startProgress("replications done");
  if (!o.quiet) process.stderr.write(`  ${n} replications of ${o.scenarioName}, ${Math.min(o.jobs, n)} at a time, into ${o.outDir}\n`);
  progress?.update(0, n);
  const wallStart = performance.now();
  let next = 0;
  const worker = async () => {
    for (let r = next++; r < n && failed.length === 0; r = next++) {
      const seed = replicationSeed(o.seed, r);
      const dir = replicationDir(r, n);
      const t0 = performance.now();
      const { code, stderr } = await simulateChild([o.file, "--seed", String(seed), "--out", join(o.out, dir), "--quiet", ...(o.chains ? ["--chains", o.chains] : []), ...(o.extraArgs ?? [])]);
      const summaryFile = resolve(o.outDir, dir, "summary.json");
      // Exit 3 is a failed conservation check: the run finished and its summary says so.
      if ((code === 0 || code === 3) && existsSync(summaryFile)) {
        const { summary } = JSON.parse(readFileSync(summaryFile, "utf8")) as { summary: SimulationResults["summary"] };
        runs.push({ replication: r, seed, dir, figures: headlineFigures(summary), wallSeconds: (performance.now() - t0) / 1000 });
        progress?.update(runs.length, n);
      } else {
        failed.push({ replication: r, seed, code, error: stderr.trim().split("\n").slice(-5).join("\n") || `exit status ${code}` });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.jobs, n) }, worker));
  } finally {
    progress?.stop();
  }
  if (failed.length > 0) {
    const f = failed.sort((a, b) => a.replication - b.replication)[0]!;
    throw new CorridorError(
      "CORRIDOR_REPLICATION_FAILED",
      `replication ${f.replication} (seed ${f.seed}, ${replicationDir(f.replication, n)}) failed with exit status ${f.code}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ""}:\n${f.error.replace(/^/gm, "  ")}`,
      { failed },
    );
  }
  runs.sort((a, b) => a.replication - b.replication);
  return {
    scenario: o.scenarioName,
    seed: o.seed,
    replications: n,
    command: o.command,
    method: INTERVAL_METHOD,
    ...summarizeReplications(runs),
    runs,
    wallSeconds: (performance.now() - wallStart) / 1000,
  };
}
