/**
 * The sweep's unit of work: one grid point under one replication seed. A job carries everything a
 * machine needs to run it (the point's full scenario JSON with the replication's seed written in),
 * its stable id and its output folder. The id is a hash of the scenario JSON and the replication,
 * so the same grid gives the same ids wherever and however often it is planned: a queue holds a
 * job once, a job array's index N is the same job every time, and a job run twice lands in the
 * same folder with the same result. Local sweeps, queue workers and job arrays all run these.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { canonicalJson } from "../domain/compliance/ivms.js";
import { CorridorError } from "../domain/errors.js";
import { replicationSeed } from "../sim/replications.js";
import type { Scenario } from "../sim/scenario.js";
import { expandGrid, pointSlug, scenarioForPoint, type Vary } from "../sim/sweep.js";
import { MAX_JOBS, SweepCode } from "./codes.js";
import { RunSummarySchema } from "./measures.js";

const ID = /^[0-9a-f]{16}$/;
/** "<point slug>/r<replication>-<id>": relative, one level below a folder named by the point (no "..", no "/" at the start). */
const JOB_DIR = /^\d+-[\w.=+-]{0,118}\/r\d{1,6}-[0-9a-f]{16}$/;

export const SweepJobSchema = z
  .object({
    id: z.string().regex(ID, "expected 16 hex digits"),
    /** Position in the plan: points in grid order, each point's replications in turn. */
    index: z.number().int().nonnegative(),
    /** "fee.bps=5 tier=fast". */
    label: z.string().max(2_000),
    params: z.record(z.union([z.string(), z.number()])),
    replication: z.number().int().nonnegative(),
    seed: z.number().int().nonnegative(),
    /** Where the job's results go, relative to the output folder. */
    dir: z.string().regex(JOB_DIR, "expected <point>/r<replication>-<id>"),
    /** The grid point's scenario as JSON, with the replication's seed as its `seed`. */
    scenario: z.record(z.unknown()),
  })
  .strict()
  .superRefine((job, ctx) => {
    if (!job.dir.endsWith(`/r${job.replication}-${job.id}`)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["dir"], message: "does not name the job's replication and id" });
    if (job.scenario.seed !== job.seed) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["seed"], message: "is not the scenario's seed" });
    if (ID.test(job.id) && job.id !== jobId(job.scenario, job.replication)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["id"], message: "is not the hash of the job's scenario and replication" });
  });
export type SweepJob = z.infer<typeof SweepJobSchema>;

/** What a job produces: the run's summary and where it ran (its full results stay in the job's folder). */
export const JobResultSchema = z
  .object({
    id: z.string().regex(ID),
    label: z.string(),
    replication: z.number().int().nonnegative(),
    seed: z.number().int().nonnegative(),
    /** Wall time of the simulation. */
    wallSeconds: z.number().nonnegative(),
    /** The host that ran it. */
    host: z.string(),
    summary: RunSummarySchema,
  })
  .strict();
export type JobResult = z.infer<typeof JobResultSchema>;

/** The stable id of a job: 16 hex digits of SHA-256 over the canonical JSON of its scenario and replication. */
export function jobId(scenario: Record<string, unknown>, replication: number): string {
  return createHash("sha256").update(canonicalJson({ scenario, replication })).digest("hex").slice(0, 16);
}

/** A job payload as received (queue message, plan file), checked; a bad one is a JobMalformed error naming the field. */
export function parseJob(input: unknown, source: string): SweepJob {
  const r = SweepJobSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new CorridorError(SweepCode.JobMalformed, `${source} is not a sweep job: ${issue.path.join(".") || "the payload"}: ${issue.message}`, { source, path: issue.path });
}

/** The result a job folder or a queue returned, checked; undefined for anything else. */
export function parseJobResult(input: unknown, id: string): JobResult | undefined {
  const r = JobResultSchema.safeParse(input);
  return r.success && r.data.id === id ? r.data : undefined;
}

/** A result of a finished run. */
export function jobResult(job: SweepJob, summary: unknown, wallSeconds: number): JobResult {
  return { id: job.id, label: job.label, replication: job.replication, seed: job.seed, wallSeconds, host: hostname(), summary: RunSummarySchema.parse(summary) };
}

/** Relative list files resolve against the scenario's folder: a job, run from anywhere, names them absolutely. */
export function absoluteListFiles(json: Record<string, unknown>, scenarioDir: string): void {
  const hooks = (json.compliance as { hooks?: { listFile?: string }[] } | undefined)?.hooks;
  for (const h of hooks ?? []) {
    if (h.listFile && !isAbsolute(h.listFile) && existsSync(resolve(scenarioDir, h.listFile))) h.listFile = resolve(scenarioDir, h.listFile);
  }
}

/**
 * Every job of a sweep, points in grid order and each point's replications in turn. Every point is
 * validated before any job exists. Replication r of a point runs with replicationSeed(seed, r), seed
 * being `seed` if given (the same for every point: paired comparisons) or else the point's own.
 */
export function planJobs(input: { base: Scenario; scenarioDir: string; varies: readonly Vary[]; replications: number; seed?: number }): SweepJob[] {
  const grid = expandGrid(input.varies);
  const total = grid.length * input.replications;
  if (total > MAX_JOBS) throw new CorridorError("CORRIDOR_USAGE_INVALID", `the sweep has ${total.toLocaleString("en-US")} jobs (${grid.length} points × ${input.replications} replications); at most ${MAX_JOBS.toLocaleString("en-US")}`);
  const width = String(grid.length).length;
  return grid.flatMap((point, p) => {
    const { json } = scenarioForPoint(input.base, point, input.varies);
    absoluteListFiles(json, input.scenarioDir);
    const pointSeed = input.seed ?? (json.seed as number);
    return Array.from({ length: input.replications }, (_, replication) => {
      const seed = replicationSeed(pointSeed, replication);
      const scenario = { ...json, seed };
      const id = jobId(scenario, replication);
      return { id, index: p * input.replications + replication, label: point.label, params: point.params, replication, seed, dir: `${pointSlug(point, p, width)}/r${replication}-${id}`, scenario };
    });
  });
}
