/**
 * The sweep report: a grid of scenario variants, each run over replications, compared side by side in
 * one self-contained HTML file. A comparison table (each figure as its mean ± the half-width of its 95%
 * interval), the chosen measure across the grid with its intervals (<div class="chart"
 * data-chart="sweep-interval">: per point a dot at the mean and whiskers to the interval's ends) and
 * which points it cannot tell apart, then one bar chart of the means per measure:
 * <div class="chart" data-chart="sweep-p50|sweep-p95|sweep-within-1h|sweep-cost|sweep-refunds">
 * (src/charts: the definitions, rendered here to SVG).
 */
import type { Interval } from "../domain/stats.js";
import { MEASURE_KEYS, MEASURES, type Measure, type MeasureKey } from "../sweep/measures.js";
import type { MergedSweep, PointRow } from "../sweep/merge.js";
import { escapeHtml as esc } from "./escape.js";
import { formatInt } from "./format.js";
import { page, table } from "./page.js";
import { barChart, countUnit, durationUnit, intervalChart, PALETTE, pctUnit, shareUnit, type Unit } from "../charts/definitions.js";
import { chartFigure } from "../charts/render.js";

export interface SweepReportOptions {
  /** The command that reproduces the sweep, shown verbatim. */
  command: string;
  title?: string;
  description?: string;
  /** The measure charted with its intervals and checked for overlaps. */
  measure: MeasureKey;
  replications: number;
  /** The varied parameters, in --vary order. */
  varyNames: readonly string[];
}

/** The chart unit of each kind of figure, for values up to `max` (durations pick s, min, h or d by it). */
const UNITS: Record<Measure["unit"], (max: number) => Unit> = {
  seconds: durationUnit,
  share: () => shareUnit,
  pct: () => pctUnit(3),
  count: () => ({ ...countUnit, display: (v) => (Number.isInteger(v) ? formatInt(v) : v.toFixed(1)) }),
};
/** The top of the axis where a figure has one (shares). */
const AXIS_MAX: Partial<Record<Measure["unit"], number>> = { share: 1 };

const chartName: Record<MeasureKey, string> = { p50: "sweep-p50", p95: "sweep-p95", within1h: "sweep-within-1h", cost: "sweep-cost", refunds: "sweep-refunds" };

/** "13 minutes ± 40 seconds", or the mean alone from one run. */
function withInterval(x: Interval | null, m: Measure): string {
  if (!x) return "–";
  const f = UNITS[m.unit](Math.abs(x.mean)).display;
  return x.n < 2 ? f(x.mean) : `${f(x.mean)} ± ${f(x.high - x.mean)}`;
}

function intervalFigure(rows: readonly PointRow[], m: Measure): string {
  const measured = rows.flatMap((r) => (r.figures[m.key] ? [{ r, x: r.figures[m.key]! }] : []));
  const unit = UNITS[m.unit](Math.max(0, ...measured.map(({ x }) => x.high)));
  return chartFigure(
    intervalChart({
      name: "sweep-interval",
      title: `${m.title} by point: mean and 95% interval`,
      points: measured.map(({ r, x }) => ({ label: r.label || "(the scenario)", mean: x.mean, low: x.low, high: x.high })),
      unit,
    }),
  );
}

function overlapNote(merged: MergedSweep, m: Measure): string {
  const measured = merged.rows.filter((r) => (r.figures[m.key]?.n ?? 0) >= 2);
  if (measured.length < 2) return `<p class="note">With fewer than two runs per point there is no interval to compare: sweep with <code>--replications 2</code> or more.</p>`;
  const pairs = merged.overlaps[m.key];
  if (pairs.length === 0) return `<p class="note">Every point's 95% interval is clear of every other's: on this measure the points differ.</p>`;
  return `<p class="note">These points cannot be told apart on this measure (their 95% intervals overlap):</p>
<ul class="overlaps">${pairs.map(([a, b]) => `<li>${esc(a)} and ${esc(b)}</li>`).join("")}</ul>`;
}

export function renderSweepReport(merged: MergedSweep, opts: SweepReportOptions): string {
  const title = opts.title ?? "Corridor parameter sweep";
  const rows = merged.rows;
  const chosen = MEASURES[opts.measure];
  const comparison = table(
    [
      { header: "Point", cell: (r: PointRow) => esc(r.label || "(the scenario)") },
      ...opts.varyNames.map((k) => ({ header: k, num: true, cell: (r: PointRow) => esc(r.params[k] ?? "–") })),
      { header: "Runs", num: true, cell: (r: PointRow) => esc(`${r.runs.length} of ${r.replications}`) },
      { header: "Settled", num: true, cell: (r: PointRow) => esc(withInterval(r.settled, MEASURES.refunds)) },
      ...MEASURE_KEYS.map((k) => ({
        header: MEASURES[k].title.replace(", % of the amount sent", "").replace(" settlement time", ""),
        num: true,
        cell: (r: PointRow) => esc(withInterval(r.figures[k], MEASURES[k])),
      })),
      { header: "Books balance", cell: (r: PointRow) => (r.runs.length === 0 ? "–" : r.conservationOk ? "yes" : '<span class="notmet">NO</span>') },
    ],
    rows,
  );
  const charts = MEASURE_KEYS.map((k) => {
    const m = MEASURES[k];
    const bars = rows.flatMap((r) => {
      const x = r.figures[k];
      return x ? [{ label: r.label || "(the scenario)", value: x.mean, display: withInterval(x, m), color: PALETTE.primary }] : [];
    });
    const without = rows.length - bars.length;
    const unit = UNITS[m.unit](Math.max(0, ...bars.map((b) => b.value)));
    const max = AXIS_MAX[m.unit];
    return `<h3>${esc(m.title)}</h3>
${chartFigure(barChart({ name: chartName[k], title: `${m.title}, mean by point`, panels: [{ bars, unit, ...(max !== undefined ? { max } : {}) }], labelWidth: 220 }))}${
      without ? `<p class="note">${esc(formatInt(without))} point(s) without this figure are left out.</p>` : ""
    }`;
  }).join("\n");
  const missing = merged.missing.length
    ? `<p class="note">${esc(formatInt(merged.missing.length))} job(s) have no result yet; the figures are over the runs done (sweep.json lists the missing ones).</p>`
    : "";
  const body = `<header>
<p class="eyebrow">Corridor parameter sweep</p>
<h1>${esc(title)}</h1>
${opts.description ? `<p class="lede">${esc(opts.description)}</p>` : ""}
<p class="meta">${esc(formatInt(rows.length))} points × ${esc(formatInt(opts.replications))} replication(s)${opts.varyNames.length ? `, varying ${esc(opts.varyNames.join(", "))}` : ""}.${
    opts.replications > 1 ? " Each figure is the mean over a point's runs ± the half-width of its 95% interval (Student's t)." : ""
  }</p>
${missing}
</header>
<section id="comparison">
<h2>Points compared</h2>
${comparison}
</section>
<section id="interval">
<h2>${esc(chosen.title)} across the grid</h2>
${intervalFigure(rows, chosen)}
${overlapNote(merged, chosen)}
</section>
<section id="charts">
<h2>Each measure, point by point</h2>
${charts}
</section>
<section id="reproduce">
<h2>Reproduce this sweep</h2>
<pre><code class="command">${esc(opts.command)}</code></pre>
</section>
<footer>Generated by Corridor. This file makes no network request; its charts are drawn by the ECharts library it carries.</footer>`;
  return page(title, body);
}
