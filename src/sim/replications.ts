/**
 * Replications: one scenario run under N seeds derived from its own, so a figure can be given with an
 * interval. Replication 0 is the scenario's own seed (a run with one replication is the plain run);
 * replication r > 0 runs with a seed derived from (seed, r) alone, so the same (seed, r) is the same
 * run wherever it executes (locally, on a queue worker, in a job array).
 *
 * Also the headline figures a replicated run reports, read from each run's summary, and their
 * intervals: what `corridor simulate --replications` writes to replications.json, prints and shows
 * in the report.
 */
import { createRandom } from "../domain/random.js";
import { interval, type Interval } from "../domain/stats.js";
import type { SimulationResults } from "./results.js";

export function replicationSeed(seed: number, replication: number): number {
  if (!Number.isInteger(replication) || replication < 0) throw new RangeError(`replication must be a non-negative integer, got ${replication}`);
  if (replication === 0) return seed;
  return Math.floor(createRandom(seed).fork(`replication/${replication}`).next() * 2 ** 32);
}

/** Folder of replication r among n: "rep-00", "rep-01", … (wider when n needs it). */
export function replicationDir(replication: number, n: number): string {
  return `rep-${String(replication).padStart(Math.max(2, String(n - 1).length), "0")}`;
}

/** The headline figures of a run, each reported over replications as a mean with its interval. */
export const HEADLINE_FIGURES = [
  { key: "p50Seconds", label: "p50 settlement", unit: "seconds" },
  { key: "p95Seconds", label: "p95 settlement", unit: "seconds" },
  { key: "withinOneHourShare", label: "settled within one hour", unit: "share" },
  { key: "allInCostPct", label: "all-in cost (mean)", unit: "pct" },
  { key: "refunds", label: "refunds", unit: "count" },
  { key: "refundShare", label: "refunds, share of sent", unit: "share" },
] as const;

export type FigureKey = (typeof HEADLINE_FIGURES)[number]["key"];
export type FigureUnit = (typeof HEADLINE_FIGURES)[number]["unit"];

/** One run's headline figures (null where the run has none: no settled transfer, nothing sent) and its conservation check. */
export type RunFigures = Record<FigureKey, number | null> & { conservationOk: boolean };

type Summary = SimulationResults["summary"];
const orNull = (x: number | null | undefined): number | null => (x === undefined ? null : x);

/** The headline figures of one run's summary (results.json or summary.json). */
export function headlineFigures(s: Summary): RunFigures {
  return {
    p50Seconds: orNull(s.settlementSeconds.p50),
    p95Seconds: orNull(s.settlementSeconds.p95),
    withinOneHourShare: orNull(s.withinOneHour?.share),
    allInCostPct: orNull(s.costs.meanAllInPct ?? s.costs.meanTotalPct),
    refunds: s.transfers.refunded,
    refundShare: s.transfers.sent > 0 ? s.transfers.refunded / s.transfers.sent : null,
    conservationOk: s.conservation.ok,
  };
}

/** How the interval is computed, in words (replications.json, the summary and the report say it). */
export const INTERVAL_METHOD =
  "95% confidence interval for the mean over replications: mean ± t(0.975, n−1) × s / √n (Student's t, s the sample standard deviation, n the runs that have the figure); " +
  "the replications differ only in their seed, so they are independent runs of the same scenario. It bounds where the mean of many more runs would fall, not the spread of single runs.";

/** One replication as replications.json lists it. */
export interface ReplicationRun {
  replication: number;
  seed: number;
  /** Its folder under --out, holding its results.json, summary.json, transfers.csv, audit.json and report.html. */
  dir: string;
  figures: RunFigures;
  wallSeconds: number;
}

/** replications.json: every replication's seed and figures, and each figure's mean with its interval. */
export interface ReplicationsReport {
  scenario: string;
  /** The scenario's seed (or --seed): replication 0's, and the one every other replication's is derived from. */
  seed: number;
  replications: number;
  command: string;
  method: string;
  /** Mean and 95% interval of each headline figure; null when no run has the figure. */
  intervals: Record<FigureKey, Interval | null>;
  /** Replications whose conservation check held and failed. */
  conservation: { held: number; failed: number[] };
  runs: ReplicationRun[];
  wallSeconds: number;
}

/** Each figure's interval over the runs that have it, and the conservation tally. */
export function summarizeReplications(runs: readonly ReplicationRun[]): Pick<ReplicationsReport, "intervals" | "conservation"> {
  const intervals = Object.fromEntries(
    HEADLINE_FIGURES.map(({ key }) => [key, interval(runs.map((r) => r.figures[key]).filter((v): v is number => v !== null)) ?? null]),
  ) as Record<FigureKey, Interval | null>;
  const failed = runs.filter((r) => !r.figures.conservationOk).map((r) => r.replication);
  return { intervals, conservation: { held: runs.length - failed.length, failed } };
}
