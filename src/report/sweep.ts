/**
 * The sweep report: a grid of runs (one per parameter combination) compared side by side, as one
 * self-contained HTML file. A comparison table, then one bar chart per measure:
 * <div class="chart" data-chart="sweep-p50|sweep-p95|sweep-within-1h|sweep-cost|sweep-refunds">, one bar per run.
 */
import type { SimulationResults } from "../sim/results.js";
import { ONE_HOUR_SECONDS } from "../measure/scorecard.js";
import { escapeHtml as esc } from "./escape.js";
import { formatInt } from "./format.js";
import { page, table } from "./page.js";
import { barChart, countUnit, durationUnit, PALETTE, pctUnit, shareUnit, type Unit } from "../charts/definitions.js";
import { chartFigure } from "../charts/ssr.js";

export interface SweepRow {
  label: string;
  params: Record<string, string | number>;
  summary: SimulationResults["summary"];
  /**
   * Share of transfers with an outcome settled within one hour, in [0, 1]. Older summaries do
   * not hold it (only percentiles); sweepRowFromResults fills it from the transfers. Without it
   * or summary.withinOneHour, the report derives it where the percentiles decide it (every
   * settlement under an hour, or none) and shows "–" otherwise.
   */
  shareWithinOneHour?: number;
}

export interface SweepReportOptions {
  /** The command that reproduces the sweep, shown verbatim. */
  command: string;
  title?: string;
  description?: string;
}

/** A SweepRow from a run's full results (fills shareWithinOneHour from its transfers). */
export function sweepRowFromResults(label: string, params: Record<string, string | number>, results: SimulationResults): SweepRow {
  const outcomes = results.transfers.filter((t) => t.state === "settled" || t.state === "refunded");
  const within = outcomes.filter((t) => t.state === "settled" && t.settlementSeconds !== null && t.settlementSeconds <= ONE_HOUR_SECONDS).length;
  return { label, params, summary: results.summary, ...(outcomes.length ? { shareWithinOneHour: within / outcomes.length } : {}) };
}

/** Fields newer summaries carry, read loosely so rows from older results.json files still work. */
type NewerSummary = { withinOneHour?: { share: number | null }; costs: { meanAllInPct?: number | null } };

/** The share within one hour: given, in the summary, or decided by the percentiles alone (all under an hour, or none). */
export function sweepShareWithinOneHour(row: SweepRow): number | null {
  if (row.shareWithinOneHour !== undefined) return row.shareWithinOneHour;
  const recorded = (row.summary as NewerSummary).withinOneHour;
  if (recorded) return recorded.share;
  const t = row.summary.transfers;
  const d = row.summary.settlementSeconds;
  const outcomes = t.settled + t.refunded;
  if (outcomes === 0) return null;
  if (t.settled === 0 || (d.min !== undefined && d.min > ONE_HOUR_SECONDS)) return 0;
  if (d.max !== undefined && d.max <= ONE_HOUR_SECONDS) return t.settled / outcomes;
  return null;
}

interface Measure {
  key: string;
  title: string;
  value: (r: SweepRow) => number | null;
  /** The unit for the largest value shown. */
  unit: (max: number) => Unit;
  max?: number;
}

const MEASURES: Measure[] = [
  {
    key: "sweep-p50",
    title: "Median settlement time",
    value: (r) => r.summary.settlementSeconds.p50 ?? null,
    unit: durationUnit,
  },
  {
    key: "sweep-p95",
    title: "95th percentile settlement time",
    value: (r) => r.summary.settlementSeconds.p95 ?? null,
    unit: durationUnit,
  },
  {
    key: "sweep-within-1h",
    title: "Share settled within one hour",
    value: sweepShareWithinOneHour,
    unit: () => shareUnit,
    max: 1,
  },
  {
    key: "sweep-cost",
    title: "Average all-in cost, % of the amount sent",
    // fee + FX + gas where the summary has it, else fee + FX
    value: (r) => (r.summary as NewerSummary).costs.meanAllInPct ?? r.summary.costs.meanTotalPct,
    unit: () => pctUnit(),
  },
  {
    key: "sweep-refunds",
    title: "Refunded transfers",
    value: (r) => r.summary.transfers.refunded,
    unit: () => countUnit,
  },
];

export function renderSweepReport(rows: readonly SweepRow[], opts: SweepReportOptions): string {
  const title = opts.title ?? "Corridor parameter sweep";
  const paramKeys = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const comparison = table(
    [
      { header: "Run", cell: (r: SweepRow) => esc(r.label) },
      ...paramKeys.map((k) => ({ header: k, num: true, cell: (r: SweepRow) => esc(r.params[k] ?? "–") })),
      { header: "Sent", num: true, cell: (r: SweepRow) => esc(formatInt(r.summary.transfers.sent)) },
      { header: "Settled", num: true, cell: (r: SweepRow) => esc(formatInt(r.summary.transfers.settled)) },
      ...MEASURES.map((m) => ({
        header: m.title.replace(", % of the amount sent", "").replace(" settlement time", ""),
        num: true,
        cell: (r: SweepRow) => {
          const v = m.value(r);
          return esc(v === null ? "–" : m.unit(v).display(v));
        },
      })),
      { header: "Books balance", cell: (r: SweepRow) => (r.summary.conservation.ok ? "yes" : '<span class="notmet">NO</span>') },
    ],
    rows,
  );
  const charts = MEASURES.map((m) => {
    const bars = rows
      .map((r) => ({ r, v: m.value(r) }))
      .filter((x): x is { r: SweepRow; v: number } => x.v !== null)
      .map(({ r, v }) => ({ label: r.label, value: v, color: PALETTE.primary }));
    const missing = rows.length - bars.length;
    const unit = m.unit(Math.max(0, ...bars.map((b) => b.value)));
    return `<h3>${esc(m.title)}</h3>
${chartFigure(barChart({ name: m.key, title: `${m.title}, by run`, panels: [{ bars, unit, ...(m.max !== undefined ? { max: m.max } : {}) }], labelWidth: 220 }))}${
      missing ? `<p class="note">${esc(formatInt(missing))} run(s) without this figure are left out.</p>` : ""
    }`;
  }).join("\n");
  const body = `<header>
<p class="eyebrow">Corridor parameter sweep</p>
<h1>${esc(title)}</h1>
${opts.description ? `<p class="lede">${esc(opts.description)}</p>` : ""}
<p class="meta">${esc(formatInt(rows.length))} runs${paramKeys.length ? `, varying ${esc(paramKeys.join(", "))}` : ""}.</p>
</header>
<section id="comparison">
<h2>Runs compared</h2>
${comparison}
</section>
<section id="charts">
<h2>Each measure, run by run</h2>
${charts}
</section>
<section id="reproduce">
<h2>Reproduce this sweep</h2>
<pre><code class="command">${esc(opts.command)}</code></pre>
</section>
<footer>Generated by Corridor. This file makes no network request; its charts are drawn by the ECharts library it carries.</footer>`;
  return page(title, body);
}
