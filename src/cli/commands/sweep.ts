import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import type { Interval } from "../../domain/stats.js";
import { MAX_JOBS, SweepCode } from "../../sweep/codes.js";
import type { JobResult, SweepJob } from "../../sweep/job.js";
import { DEFAULT_MEASURE, MEASURE_KEYS, MEASURES, type Measure, type MeasureKey } from "../../sweep/measures.js";
import type { MergedSweep, PointRow } from "../../sweep/merge.js";
import type { JobRef, Plan, PlanHeader } from "../../sweep/plan.js";
import { parseQueueUrl, redactQueueUrl } from "../../sweep/queue-url.js";
import { duration, table } from "../table.js";
import { parseChoice, parseInteger, parseSeed, prepareOutDir, UsageCode } from "../options.js";

// The simulator, the queue client and the report load when the command runs (`--help` and usage errors stay fast).

/** The names of VARY_SHORTHANDS (src/sim/sweep.ts), for the help text without loading the simulator. */
export const SHORTHANDS = "tier, fx.spreadBps, transfers, fastShare";

const usage = (message: string, code: string = UsageCode.Invalid) => new CorridorError(code, message);
const log = (line: string) => process.stderr.write(line + "\n");

/** One figure as the table shows it: the mean, and ± the half-width of its 95% interval when there are two runs or more. */
function cell(x: Interval | null, m: Measure): string {
  if (!x) return "-";
  const f = (v: number) =>
    m.unit === "seconds" ? duration(v) : m.unit === "share" ? `${(Math.round(v * 1000) / 10).toFixed(1)}%` : m.unit === "pct" ? `${v.toFixed(3)}%` : String(Math.round(v * 10) / 10);
  return x.n < 2 ? f(x.mean) : `${f(x.mean)} ± ${f(x.high - x.mean)}`;
}

/** The comparison table: one row per grid point. */
export function formatSweepTable(varyNames: readonly string[], rows: readonly PointRow[]): string {
  return table(
    [...varyNames, "runs", "p50", "p95", "within 1 h", "all-in cost", "refunds", "settled", "books"],
    rows.map((r) => [
      ...varyNames.map((v) => String(r.params[v] ?? "")),
      `${r.runs.length}/${r.replications}`,
      ...MEASURE_KEYS.map((k) => cell(r.figures[k], MEASURES[k])),
      cell(r.settled, MEASURES.refunds),
      r.runs.length === 0 ? "-" : r.conservationOk ? "balance" : "FAIL",
    ]),
  );
}

/** The note under the table: which points the chosen measure cannot tell apart. */
export function overlapNote(merged: MergedSweep, measure: MeasureKey): string {
  const name = `${measure} (${MEASURES[measure].title.toLowerCase()})`;
  const measured = merged.rows.filter((r) => (r.figures[measure]?.n ?? 0) >= 2);
  if (measured.length < 2) return `${name}: fewer than two points with two runs or more, so no intervals to compare (use --replications 2 or more).`;
  const pairs = merged.overlaps[measure];
  if (pairs.length === 0) return `${name}: every point's 95% interval is clear of every other's: the points differ.`;
  const shown = pairs.slice(0, 20).map(([a, b]) => `  ${a}  ~  ${b}`);
  return [`${name}: these points cannot be told apart (their 95% intervals overlap):`, ...shown, ...(pairs.length > shown.length ? [`  … and ${pairs.length - shown.length} more pairs (sweep.json, overlaps)`] : [])].join("\n");
}

/** "3/8 jobs (1/4 points) done, about 40 s left". */
function progressLine(merged: { done: number; total: number; pointsDone: number; points: number }, elapsedSeconds: number, doneHere: number): string {
  const left = merged.total - merged.done;
  const eta = left === 0 ? "" : doneHere > 0 ? `, about ${duration((elapsedSeconds / doneHere) * left)} left` : "";
  return `${merged.done}/${merged.total} jobs (${merged.pointsDone}/${merged.points} points) done${eta}`;
}

function counts(plan: Plan, done: ReadonlySet<string>) {
  const points = new Map<string, boolean>();
  for (const j of plan.jobs) {
    const p = j.dir.slice(0, j.dir.indexOf("/"));
    points.set(p, (points.get(p) ?? true) && done.has(j.id));
  }
  return { done: done.size, total: plan.jobs.length, pointsDone: [...points.values()].filter(Boolean).length, points: points.size };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes sweep.json and report.html into `out`, prints the table, the notes and what is missing; throws when something failed or is missing. */
async function finish(out: string, plan: Plan, results: ReadonlyMap<string, JobResult>, stateOf: (ref: JobRef) => string, opts: { measure: MeasureKey; wallSeconds?: number; collecting: boolean }): Promise<void> {
  const [{ mergeSweep }, { renderSweepReport }] = await Promise.all([import("../../sweep/merge.js"), import("../../report/sweep.js")]);
  const merged = mergeSweep(plan, results, stateOf);
  const { jobs: _jobs, version: _v, ...header } = plan;
  const sweepFile = resolve(out, "sweep.json");
  writeFileSync(sweepFile, JSON.stringify({ ...header, measure: opts.measure, ...(opts.wallSeconds !== undefined ? { wallSeconds: opts.wallSeconds } : {}), ...merged }, null, 2) + "\n");
  const reportFile = resolve(out, "report.html");
  const varyNames = plan.vary.map((v) => v.name);
  writeFileSync(reportFile, renderSweepReport(merged, { command: plan.command, title: `Sweep of ${plan.scenario}`, ...(plan.description ? { description: plan.description } : {}), measure: opts.measure, replications: plan.replications, varyNames }));
  const done = plan.jobs.length - merged.missing.length;
  console.log(`Sweep of ${plan.scenario}: ${done} of ${plan.jobs.length} jobs (${merged.rows.length} points × ${plan.replications} replications)${opts.wallSeconds !== undefined ? ` in ${duration(opts.wallSeconds)}` : ""}\n`);
  console.log(formatSweepTable(varyNames, merged.rows));
  console.log(
    `\n${plan.replications > 1 ? "Each figure is the mean over the runs ± the half-width of its 95% interval (Student's t). " : ""}All-in cost: fee + FX spread + gas, mean over settled transfers, % of the amount sent.\n` +
      overlapNote(merged, opts.measure) +
      `\nSweep: ${sweepFile}\nReport: ${reportFile}`,
  );
  if (merged.missing.length > 0) {
    const shown = merged.missing.slice(0, 20).map((m) => `  #${m.index} ${m.id} ${m.label || "(the scenario)"} r${m.replication}: ${m.state}`);
    console.log(`\nMissing ${merged.missing.length} of ${plan.jobs.length} jobs:\n${shown.join("\n")}${merged.missing.length > shown.length ? `\n  … and ${merged.missing.length - shown.length} more (sweep.json, missing)` : ""}`);
  }
  const failed = merged.missing.filter((m) => m.state.startsWith("failed"));
  if (failed.length > 0) throw new CorridorError(SweepCode.Failed, `${failed.length} of ${plan.jobs.length} jobs failed: ${failed.slice(0, 5).map((f) => `${f.label || f.id} r${f.replication}`).join("; ")}${failed.length > 5 ? "; …" : ""}`);
  if (opts.collecting && merged.missing.length > 0) throw new CorridorError(SweepCode.Incomplete, `${merged.missing.length} of ${plan.jobs.length} jobs have no result yet; collect again once they are done`);
  if (merged.rows.some((r) => !r.conservationOk)) throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", "conservation check failed in at least one run");
}

/** Runs the jobs here, `parallel` at a time, with progress on stderr. */
async function runLocally(out: string, plan: Plan, jobs: readonly SweepJob[], parallel: number, measure: MeasureKey): Promise<void> {
  const { runJob } = await import("../../sweep/run.js");
  const results = new Map<string, JobResult>();
  const failures = new Map<string, string>();
  const t0 = performance.now();
  let next = 0;
  let ran = 0;
  log(`Sweep of ${plan.scenario}: ${jobs.length} jobs, ${Math.min(parallel, jobs.length)} at a time`);
  const lane = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const job = jobs[i]!;
      const name = `${job.label || plan.scenario} r${job.replication}`;
      try {
        const outcome = await runJob(job, out);
        results.set(job.id, outcome.result);
        if (outcome.ran) ran++;
        const t = outcome.result.summary.transfers;
        const line = progressLine(counts(plan, new Set([...results.keys(), ...failures.keys()])), (performance.now() - t0) / 1000, ran);
        log(`  ${name}: ${outcome.ran ? `${t.settled} settled, ${t.refunded} refunded (${duration(outcome.result.wallSeconds)})` : "already done"} | ${line}`);
      } catch (e) {
        failures.set(job.id, `failed: ${(e as Error).message}`);
        log(`  ${name}: FAILED\n${(e as Error).message.replace(/^/gm, "      ")}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, lane));
  await finish(out, plan, results, (ref) => failures.get(ref.id) ?? "not run", { measure, wallSeconds: (performance.now() - t0) / 1000, collecting: false });
}

/** Enqueues the jobs; with `wait`, follows them to the end (progress on stderr) and merges their results. */
async function runOnQueue(url: string, out: string, plan: Plan, jobs: readonly SweepJob[], wait: boolean, measure: MeasureKey): Promise<void> {
  const { openSweepQueue } = await import("../../sweep/queue.js");
  const queue = await openSweepQueue(url);
  try {
    const n = await queue.enqueue(jobs);
    log(`Sweep of ${plan.scenario}: ${jobs.length} jobs on ${redactQueueUrl(url)}: ${n.added} added, ${n.present} already there, ${n.retried} failed ones retried`);
    const collect = `corridor sweep --collect ${out} --queue ${redactQueueUrl(url)}`;
    if (!wait) {
      console.log(`Enqueued. Run workers with \`corridor worker --queue ${redactQueueUrl(url)}\`; merge the results with \`${collect}\`.`);
      return;
    }
    log(`  waiting for workers (\`corridor worker --queue …\`); Ctrl-C leaves the jobs queued (\`${collect}\` merges them later)`);
    const t0 = performance.now();
    const results = new Map<string, JobResult>();
    const failed = new Map<string, string>();
    let before: number | undefined;
    let last = "";
    for (;;) {
      const pending = plan.jobs.filter((j) => !results.has(j.id) && !failed.has(j.id));
      for (const [id, l] of await queue.lookup(pending)) {
        if (l.result) results.set(id, l.result);
        else if (l.state.startsWith("failed") || l.state === "not in the queue" || l.state.startsWith("completed")) failed.set(id, l.state.startsWith("failed") ? l.state : `failed: ${l.state}`);
      }
      before ??= results.size;
      const line = progressLine(counts(plan, new Set([...results.keys(), ...failed.keys()])), (performance.now() - t0) / 1000, results.size - before);
      if (line !== last) log(`  ${line}`);
      last = line;
      if (results.size + failed.size === plan.jobs.length) break;
      await sleep(1000);
    }
    await finish(out, plan, results, (ref) => failed.get(ref.id) ?? "not done", { measure, wallSeconds: (performance.now() - t0) / 1000, collecting: false });
  } finally {
    await queue.close();
  }
}

/** Merges what is done: results in the plan's job folders, then (with --queue) results the queue holds. */
async function collect(dir: string, url: string | undefined, measureFlag: MeasureKey | undefined): Promise<void> {
  const [{ readPlan }, { readJobResult }] = await Promise.all([import("../../sweep/plan.js"), import("../../sweep/run.js")]);
  const plan = readPlan(dir);
  const results = new Map<string, JobResult>();
  for (const ref of plan.jobs) {
    const r = readJobResult(dir, ref);
    if (r) results.set(ref.id, r);
  }
  const states = new Map<string, string>();
  if (url) {
    const { openSweepQueue } = await import("../../sweep/queue.js");
    const queue = await openSweepQueue(url);
    try {
      for (const [id, l] of await queue.lookup(plan.jobs.filter((j) => !results.has(j.id)))) {
        if (l.result) results.set(id, l.result);
        else states.set(id, l.state);
      }
    } finally {
      await queue.close();
    }
  }
  await finish(resolve(dir), plan, results, (ref) => states.get(ref.id) ?? `no result in ${resolve(dir, ref.dir)}`, { measure: measureFlag ?? plan.measure, collecting: true });
}

/** Runs job `index` of the plan in `dir` into its folder there. */
async function runPlannedJob(dir: string, index: number): Promise<void> {
  const [{ readPlan, readPlannedJob }, { runJob }] = await Promise.all([import("../../sweep/plan.js"), import("../../sweep/run.js")]);
  const plan = readPlan(dir);
  const job = readPlannedJob(dir, plan, index);
  const { result, ran } = await runJob(job, resolve(dir));
  const t = result.summary.transfers;
  console.log(`Job ${index} (${job.id}) ${job.label || plan.scenario} r${job.replication}: ${ran ? "" : "already done: "}${t.settled} settled, ${t.refunded} refunded; ${resolve(dir, job.dir)}`);
}

interface SweepFlags {
  vary?: string[];
  replications: number;
  measure?: MeasureKey;
  out: string;
  jobs: number;
  seed?: number;
  queue?: string;
  wait: boolean;
  plan?: string;
  runJob?: string;
  index?: number;
  collect?: string;
}

/** Which flags each way of running takes (commander's attribute names). */
const MODES = {
  "--collect": ["collect", "queue", "measure"],
  "--run-job": ["runJob", "index"],
  grid: ["vary", "replications", "measure", "out", "jobs", "seed", "queue", "wait", "plan"],
} as const;

function checkFlags(file: string | undefined, o: SweepFlags, cmd: Command): void {
  const given = cmd.options.filter((opt) => cmd.getOptionValueSource(opt.attributeName()) === "cli");
  if (o.collect !== undefined && o.runJob !== undefined) throw usage("--collect and --run-job: give one");
  const mode = o.collect !== undefined ? "--collect" : o.runJob !== undefined ? "--run-job" : "grid";
  const allowed: readonly string[] = MODES[mode];
  const stray = given.find((opt) => !allowed.includes(opt.attributeName()));
  if (stray) {
    const takes = allowed.map((a) => cmd.options.find((x) => x.attributeName() === a)!.long!).filter((f) => f !== mode);
    throw usage(mode === "grid" ? `${stray.long} goes with --run-job` : `${stray.long} cannot be used with ${mode} (it takes ${takes.join(", ") || "no other flag"})`);
  }
  if (mode !== "grid") {
    if (file !== undefined) throw usage(`${mode} takes no scenario file (the plan holds the scenario), got ${JSON.stringify(file)}`, UsageCode.ExcessArguments);
    if (mode === "--run-job" && o.index === undefined) throw usage("--run-job needs --index <n> (in a job array: $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID)", UsageCode.MissingOption);
    return;
  }
  if (file === undefined) throw usage("missing required argument 'scenario-file'", UsageCode.MissingArgument);
  if (!o.vary?.length) throw usage("required option '--vary <path=values>' not specified", UsageCode.MissingOption);
  const has = (name: string) => given.some((g) => g.attributeName() === name);
  if (o.plan !== undefined && o.queue !== undefined) throw usage("--plan and --queue: give one (a job array or a queue runs the jobs)");
  if (o.plan !== undefined && has("out")) throw usage("--plan DIR is the sweep's output folder: give no --out");
  if (has("jobs") && (o.plan !== undefined || o.queue !== undefined)) throw usage("--jobs sets how many jobs run here: with --queue, give workers --concurrency; with --plan, the job array sets it");
  if (!o.wait && o.queue === undefined) throw usage("--no-wait goes with --queue");
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(
      "run a scenario over a grid of parameter values, each point --replications times, and compare the points with 95% intervals: here (--jobs at a time), on a BullMQ queue (--queue, run by `corridor worker`), or as a job array (--plan, --run-job); --collect merges what is done",
    )
    .argument("[scenario-file]", "scenario JSON file (see scenarios/)")
    .option(
      "--vary <path=values>",
      `a scenario path and comma-separated values, repeatable: fee.bps=0,5,10, tier=fast,standard, fx.spreadBps=0,10,25, workload.transfers=100,1000, or any dotted path (shorthands: ${SHORTHANDS}, fee.<field>)`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--replications <n>", "runs of each point, replication r under a seed derived from the point's (r = 0: its own)", parseInteger("--replications", 1, 1000), 1)
    .option("--measure <name>", `the measure the overlap note and the report's interval chart compare: ${MEASURE_KEYS.join(", ")} (default ${DEFAULT_MEASURE})`, parseChoice("--measure", MEASURE_KEYS))
    .option("--out <dir>", "output folder: plan.json, one folder per job, sweep.json and report.html", "out/sweep")
    .option("--jobs <n>", "jobs run here at a time (each uses about one core)", parseInteger("--jobs", 1, 64), 2)
    .option("--seed <n>", "the seed of every point (the same everywhere: paired comparisons), replications derived from it", parseSeed())
    .option("--queue <url>", "enqueue the jobs on the BullMQ queue in this Redis (redis://host:6379) and wait for `corridor worker`s to run them", parseQueueUrl())
    .option("--no-wait", "with --queue: enqueue and exit; merge later with --collect")
    .option("--plan <dir>", "write the jobs to DIR for a job array (Kubernetes Indexed Job, Slurm array) and stop")
    .option("--run-job <dir>", "run one job of the plan in DIR, into DIR (with --index)")
    .option("--index <n>", "with --run-job: the job's index, from 0", parseInteger("--index", 0, MAX_JOBS - 1))
    .option("--collect <dir>", "merge the results present in DIR (and, with --queue, on the queue) into DIR/sweep.json and report.html; list what is missing")
    .action(async (file: string | undefined, o: SweepFlags, cmd: Command) => {
      checkFlags(file, o, cmd);
      if (o.collect !== undefined) return collect(o.collect, o.queue, o.measure);
      if (o.runJob !== undefined) return runPlannedJob(o.runJob, o.index!);
      const [{ loadScenario }, { parseVary }, { planJobs }, { writePlan }] = await Promise.all([
        import("../../sim/scenario.js"),
        import("../../sim/sweep.js"),
        import("../../sweep/job.js"),
        import("../../sweep/plan.js"),
      ]);
      const base = loadScenario(file!);
      const varies = o.vary!.map(parseVary);
      // Every point is validated before anything is written or runs.
      const jobs = planJobs({ base, scenarioDir: dirname(resolve(file!)), varies, replications: o.replications, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
      const out = o.plan !== undefined ? prepareOutDir("--plan", o.plan) : prepareOutDir("--out", o.out);
      const measure = o.measure ?? DEFAULT_MEASURE;
      const command = [
        "corridor sweep",
        file!,
        ...o.vary!.flatMap((v) => ["--vary", v]),
        ...(o.replications > 1 ? ["--replications", String(o.replications)] : []),
        ...(o.seed !== undefined ? ["--seed", String(o.seed)] : []),
      ].join(" ");
      const header: PlanHeader = {
        scenario: base.name,
        ...(base.description ? { description: base.description } : {}),
        file: resolve(file!),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        command,
        vary: varies.map((v) => ({ name: v.name, path: v.path, values: v.raw })),
        replications: o.replications,
        measure,
      };
      const plan = writePlan(out, header, jobs);
      if (o.plan !== undefined) {
        console.log(
          `Planned ${jobs.length} jobs (${jobs.length / o.replications} points × ${o.replications} replications) in ${out}.\n` +
            `Run each index 0 to ${jobs.length - 1}: corridor sweep --run-job ${out} --index <n> (a Kubernetes Indexed Job or a Slurm array: docs/sweeps.md).\n` +
            `Then merge: corridor sweep --collect ${out}`,
        );
        return;
      }
      if (o.queue !== undefined) return runOnQueue(o.queue, out, plan, jobs, o.wait, measure);
      return runLocally(out, plan, jobs, o.jobs, measure);
    });
}
