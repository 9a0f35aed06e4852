/**
 * Merging a sweep: whatever job results exist, point by point, into each measure's mean with its 95%
 * interval over the replications, which points' intervals overlap (the data cannot tell them apart),
 * and which jobs have no result yet. Pure: the results come in as a map by job id.
 */
import { interval, intervalsOverlap, type Interval } from "../domain/stats.js";
import type { JobResult } from "./job.js";
import { figuresOf, MEASURE_KEYS, type MeasureKey } from "./measures.js";
import type { JobRef, Plan } from "./plan.js";

/** One replication of a point. */
export interface RunRow {
  id: string;
  replication: number;
  seed: number;
  /** The job's folder, relative to the sweep's output folder (on the machine that ran it). */
  dir: string;
  host: string;
  wallSeconds: number;
  sent: number;
  settled: number;
  refunded: number;
  conservationOk: boolean;
  figures: Record<MeasureKey, number | null>;
}

/** One grid point over its replications. */
export interface PointRow {
  label: string;
  params: Record<string, string | number>;
  /** Replications planned; `runs` holds those done. */
  replications: number;
  runs: RunRow[];
  /** Each measure's mean and 95% interval over the runs that have it; null when none has. */
  figures: Record<MeasureKey, Interval | null>;
  settled: Interval | null;
  /** Every run's books balanced. */
  conservationOk: boolean;
}

export interface MissingJob {
  index: number;
  id: string;
  label: string;
  replication: number;
  dir: string;
  /** Where the job is: "waiting", "active", "failed: <reason>", "no result in <dir>", … */
  state: string;
}

export interface MergedSweep {
  rows: PointRow[];
  /** Per measure, the pairs of point labels whose intervals overlap (both with two runs or more). */
  overlaps: Record<MeasureKey, [string, string][]>;
  missing: MissingJob[];
  /** Simulation wall time summed over the runs. */
  computeSeconds: number;
}

const pointOf = (ref: JobRef) => ref.dir.slice(0, ref.dir.indexOf("/"));
const defined = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);

export function mergeSweep(plan: Plan, results: ReadonlyMap<string, JobResult>, stateOf: (ref: JobRef) => string = () => "no result yet"): MergedSweep {
  const points = new Map<string, JobRef[]>();
  for (const ref of plan.jobs) points.set(pointOf(ref), [...(points.get(pointOf(ref)) ?? []), ref]);
  const missing: MissingJob[] = [];
  const rows: PointRow[] = [...points.values()].map((refs) => {
    const runs: RunRow[] = [];
    for (const ref of refs) {
      const r = results.get(ref.id);
      if (!r) {
        missing.push({ index: ref.index, id: ref.id, label: ref.label, replication: ref.replication, dir: ref.dir, state: stateOf(ref) });
        continue;
      }
      const t = r.summary.transfers;
      runs.push({
        id: ref.id,
        replication: ref.replication,
        seed: ref.seed,
        dir: ref.dir,
        host: r.host,
        wallSeconds: r.wallSeconds,
        sent: t.sent,
        settled: t.settled,
        refunded: t.refunded,
        conservationOk: r.summary.conservation.ok,
        figures: figuresOf(r.summary),
      });
    }
    const figures = Object.fromEntries(MEASURE_KEYS.map((k) => [k, interval(defined(runs.map((run) => run.figures[k]))) ?? null])) as Record<MeasureKey, Interval | null>;
    return { label: refs[0]!.label, params: refs[0]!.params, replications: refs.length, runs, figures, settled: interval(runs.map((run) => run.settled)) ?? null, conservationOk: runs.every((run) => run.conservationOk) };
  });
  const overlaps = Object.fromEntries(
    MEASURE_KEYS.map((k) => {
      const pairs: [string, string][] = [];
      rows.forEach((a, i) =>
        rows.slice(i + 1).forEach((b) => {
          const x = a.figures[k];
          const y = b.figures[k];
          if (x && y && x.n >= 2 && y.n >= 2 && intervalsOverlap(x, y)) pairs.push([a.label, b.label]);
        }),
      );
      return [k, pairs];
    }),
  ) as Record<MeasureKey, [string, string][]>;
  return { rows, overlaps, missing, computeSeconds: rows.reduce((s, r) => s + r.runs.reduce((t, run) => t + run.wallSeconds, 0), 0) };
}
