/**
 * A sweep's plan on disk: `plan.json` (what was swept, how, and the list of jobs with their ids and
 * folders) and `jobs/<index>.json` (each job's full payload). Every sweep writes one into its output
 * folder; `--plan DIR` writes one and stops, for a job array to run (`--run-job DIR --index N`), and
 * `--collect DIR` reads one to merge whatever results exist.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { CorridorError } from "../domain/errors.js";
import { MEASURE_KEYS } from "./measures.js";
import { SweepCode } from "./codes.js";
import { parseJob, SweepJobSchema, type SweepJob } from "./job.js";

const JobRefSchema = SweepJobSchema.innerType().omit({ scenario: true });
export type JobRef = z.infer<typeof JobRefSchema>;

export const PlanSchema = z
  .object({
    version: z.literal(1),
    /** The scenario's name, description and file as given. */
    scenario: z.string(),
    description: z.string().optional(),
    file: z.string(),
    /** The seed every point's replications derive from, when `--seed` gave one (else each point's own). */
    seed: z.number().int().nonnegative().optional(),
    /** The `corridor sweep` command that planned it. */
    command: z.string(),
    vary: z.array(z.object({ name: z.string(), path: z.string(), values: z.array(z.string()) }).strict()),
    replications: z.number().int().min(1),
    /** The measure the table's overlap note and the report's interval chart are about. */
    measure: z.enum(MEASURE_KEYS),
    jobs: z.array(JobRefSchema),
  })
  .strict()
  .superRefine((plan, ctx) => {
    plan.jobs.forEach((j, i) => {
      if (j.index !== i) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["jobs", i, "index"], message: `expected ${i}` });
    });
    const ids = new Set(plan.jobs.map((j) => j.id));
    if (ids.size !== plan.jobs.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["jobs"], message: "two jobs have the same id" });
  });
export type Plan = z.infer<typeof PlanSchema>;
export type PlanHeader = Omit<Plan, "version" | "jobs">;

const PLAN_FILE = "plan.json";
const jobFile = (dir: string, index: number) => resolve(dir, "jobs", `${index}.json`);

/** Writes the jobs, then plan.json (last, by rename: a plan.json present is a complete plan). */
export function writePlan(dir: string, header: PlanHeader, jobs: readonly SweepJob[]): Plan {
  mkdirSync(resolve(dir, "jobs"), { recursive: true });
  for (const job of jobs) writeFileSync(jobFile(dir, job.index), JSON.stringify(job, null, 2) + "\n");
  const plan: Plan = { version: 1, ...header, jobs: jobs.map(({ scenario: _s, ...ref }) => ref) };
  const tmp = resolve(dir, `.${PLAN_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(plan, null, 2) + "\n");
  renameSync(tmp, resolve(dir, PLAN_FILE));
  return plan;
}

function readJson(file: string, what: string, notFound: string): unknown {
  if (!existsSync(file)) throw new CorridorError(SweepCode.PlanNotFound, notFound, { file });
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new CorridorError(SweepCode.PlanMalformed, `${file} is not ${what} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { file }, cause);
  }
}

/** The plan in `dir`; errors say what is missing or wrong. */
export function readPlan(dir: string): Plan {
  const file = resolve(dir, PLAN_FILE);
  const json = readJson(file, "a sweep plan", `${resolve(dir)} holds no ${PLAN_FILE} (a sweep's output folder, or one written by corridor sweep … --plan DIR)`);
  const r = PlanSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CorridorError(SweepCode.PlanMalformed, `${file} is not a sweep plan: ${issue.path.join(".") || "the file"}: ${issue.message}`, { file, path: issue.path });
  }
  return r.data;
}

/** Job `index` of the plan in `dir`, checked against the plan. */
export function readPlannedJob(dir: string, plan: Plan, index: number): SweepJob {
  const ref = plan.jobs[index];
  if (!ref) throw new CorridorError("CORRIDOR_USAGE_INVALID", `--index ${index}: the plan in ${resolve(dir)} has ${plan.jobs.length} jobs, indexes 0 to ${plan.jobs.length - 1}`, { index });
  const file = jobFile(dir, index);
  const job = parseJob(readJson(file, "a sweep job", `${file} is missing: the plan in ${resolve(dir)} is incomplete (write it again with --plan)`), file);
  if (job.id !== ref.id || job.index !== index) throw new CorridorError(SweepCode.JobMalformed, `${file} is not the plan's job ${index} (id ${job.id}, the plan says ${ref.id})`, { file });
  return job;
}
