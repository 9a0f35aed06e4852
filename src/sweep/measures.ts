/**
 * The five figures a sweep compares, read from one run's summary: settlement time at p50 and p95,
 * the share settled within one hour, the mean all-in cost and the refunds. The sweep table, sweep.json,
 * the overlap note and the sweep report all take their figures from here.
 */
import { z } from "zod";

/**
 * What a sweep reads from a run's summary (results.json `summary`, as `corridor simulate` writes it),
 * checked where it comes back from a worker, a queue or a job folder. The rest passes through.
 */
export const RunSummarySchema = z
  .object({
    transfers: z.object({ sent: z.number(), settled: z.number(), refunded: z.number() }).passthrough(),
    settlementSeconds: z.object({ p50: z.number().optional(), p95: z.number().optional() }).passthrough(),
    withinOneHour: z.object({ share: z.number().nullable() }).passthrough().optional(),
    costs: z.object({ meanTotalPct: z.number().nullable(), meanAllInPct: z.number().nullable().optional() }).passthrough(),
    conservation: z.object({ ok: z.boolean() }).passthrough(),
  })
  .passthrough();
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const MEASURE_KEYS = ["p50", "p95", "within1h", "cost", "refunds"] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

/** The measure `--measure` picks when none is given: the tail settlement time, what a corridor is sized by. */
export const DEFAULT_MEASURE: MeasureKey = "p95";

export interface Measure {
  key: MeasureKey;
  /** As a heading: "95th percentile settlement time". */
  title: string;
  /** How the value reads: seconds, a share in [0, 1], a percentage of the amount sent, or a count. */
  unit: "seconds" | "share" | "pct" | "count";
  /** The figure of one run; null when the run has none (no settled transfer). */
  value(summary: RunSummary): number | null;
}

export const MEASURES: Record<MeasureKey, Measure> = {
  p50: { key: "p50", title: "Median settlement time", unit: "seconds", value: (s) => s.settlementSeconds.p50 ?? null },
  p95: { key: "p95", title: "95th percentile settlement time", unit: "seconds", value: (s) => s.settlementSeconds.p95 ?? null },
  within1h: { key: "within1h", title: "Share settled within one hour", unit: "share", value: (s) => s.withinOneHour?.share ?? null },
  // fee + FX spread + gas, mean over settled transfers (fee + FX where a summary has no gas)
  cost: { key: "cost", title: "Average all-in cost, % of the amount sent", unit: "pct", value: (s) => s.costs.meanAllInPct ?? s.costs.meanTotalPct },
  refunds: { key: "refunds", title: "Refunded transfers", unit: "count", value: (s) => s.transfers.refunded },
};

/** Every figure of one run. */
export function figuresOf(summary: RunSummary): Record<MeasureKey, number | null> {
  return Object.fromEntries(MEASURE_KEYS.map((k) => [k, MEASURES[k].value(summary)])) as Record<MeasureKey, number | null>;
}
