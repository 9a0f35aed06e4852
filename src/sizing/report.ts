/**
 * The sizing report (`corridor size`): the curve of prefunding against the target's figure as a
 * chart (<div class="chart" data-chart="size-curve">: each run a dot, met in green, short in red,
 * the target as a line), the minimum per pool and every run in a table.
 */
import type { EChartsOption } from "echarts";
import type { Chart } from "../charts/definitions.js";
import { PALETTE, TOOLTIP_CLASS } from "../charts/definitions.js";
import { chartFigure } from "../charts/render.js";
import { escapeHtml as esc } from "../report/escape.js";
import { formatDuration, formatMoney, formatShare } from "../report/format.js";
import { kpi, page, table } from "../report/page.js";
import type { SizePoint, SizeResult } from "./search.js";

const show = (r: SizeResult, v: number | null) => (v === null ? "none" : r.target.unit === "share" ? formatShare(v) : formatDuration(v));

/** Prefunding (total in the numeraire) against the figure, one dot per run, the target as a horizontal line. */
export function sizeCurveChart(r: SizeResult): Chart {
  const onAxis = (v: number) => (r.target.unit === "share" ? v * 100 : v);
  const dot = (p: SizePoint) => [p.totalNumeraire, p.value === null ? null : onAxis(p.value), `${Object.entries(p.liquidity).map(([n, v]) => `${n} ${formatMoney(v)}`).join(", ")}: ${show(r, p.value)}`];
  const series = (met: boolean) => ({
    type: "scatter",
    name: met ? "meets the target" : "short of the target",
    symbolSize: 9,
    itemStyle: { color: met ? PALETTE.ok : PALETTE.danger },
    dimensions: ["prefunding", "value", { name: "display", type: "ordinal" }],
    encode: { x: "prefunding", y: "value", tooltip: "display" },
    data: r.points.filter((p) => p.meets === met && p.value !== null).map(dot),
    ...(met ? { markLine: { silent: true, symbol: "none", lineStyle: { color: PALETTE.muted, type: "dashed" }, label: { formatter: `target ${r.target.text}`, color: PALETTE.muted, fontSize: 10 }, data: [{ yAxis: onAxis(r.target.bound) }] } } : {}),
  });
  const option = {
    animation: false,
    textStyle: { fontFamily: "system-ui, sans-serif" },
    tooltip: { className: TOOLTIP_CLASS, confine: true, trigger: "item" },
    legend: { top: 0, textStyle: { color: PALETTE.ink } },
    grid: { left: 64, right: 24, top: 34, bottom: 44 },
    xAxis: { type: "value", name: `total prefunding (${r.numeraire})`, nameLocation: "middle", nameGap: 28, scale: true, axisLabel: { color: PALETTE.muted, fontSize: 10 }, splitLine: { lineStyle: { color: PALETTE.grid } } },
    yAxis: { type: "value", name: r.target.unit === "share" ? "%" : "seconds", scale: true, axisLabel: { color: PALETTE.muted, fontSize: 10 }, splitLine: { lineStyle: { color: PALETTE.grid } } },
    series: [series(true), series(false)],
  };
  return { name: "size-curve", title: `${r.target.title} against prefunding`, height: 300, option: option as EChartsOption };
}

export function renderSizeReport(r: SizeResult, command: string): string {
  const pools = Object.entries(r.pools);
  const body = `<h1>Sizing ${esc(r.scenario)}: ${esc(r.target.text)}</h1>
<section id="size-answer">
<div class="kpis">${pools.map(([n, p]) => kpi(formatMoney(p.minimum, p.currency, 0), `minimum prefunding on ${n}`)).join("")}${kpi(show(r, r.answer.value), r.target.title.toLowerCase() + " at that prefunding")}</div>
<p>The smallest prefunding per pool that meets <strong>${esc(r.target.text)}</strong>, found by ${r.points.length} simulated runs (${r.jobs} at a time, to a tolerance of ${(r.tolerance * 100).toFixed(1)}%): first every pool scaled together (smallest scale ${esc(r.joint.scale)} of the scenario's liquidity${r.joint.belowScale ? `; ${esc(r.joint.belowScale)} falls short` : ""}), then each pool alone with the others held. The run at the minimum meets the target; each pool's "below" is the largest amount of it found short.</p>
${table(
  [
    { header: "pool", cell: (x: (typeof pools)[number]) => esc(x[0]) },
    { header: "scenario's liquidity", cell: (x) => formatMoney(r.scenarioLiquidity[x[0]]!, x[1].currency, 0), num: true },
    { header: "minimum", cell: (x) => formatMoney(x[1].minimum, x[1].currency, 0), num: true },
    { header: `minimum (${r.numeraire})`, cell: (x) => formatMoney(x[1].minimumNumeraire, r.numeraire, 0), num: true },
    { header: "below (short of the target)", cell: (x) => (x[1].below === null ? "-" : formatMoney(x[1].below, x[1].currency, 0)), num: true },
  ],
  pools,
)}
</section>
<section id="size-curve">
<h2>The curve</h2>
${chartFigure(sizeCurveChart(r))}
${table(
  [
    { header: "run", cell: (p: SizePoint) => String(p.step), num: true },
    { header: "phase", cell: (p) => esc(p.phase) },
    ...pools.map(([n, pool]) => ({ header: n, cell: (p: SizePoint) => formatMoney(p.liquidity[n]!, pool.currency, 0), num: true })),
    { header: r.target.title.toLowerCase(), cell: (p) => show(r, p.value), num: true },
    { header: "meets", cell: (p) => (p.meets ? "yes" : p.conservationOk ? "no" : "no (books FAIL)") },
    { header: "settled / refunded", cell: (p) => `${p.settled} / ${p.refunded}`, num: true },
  ],
  r.points,
)}
</section>
<section id="reproduce"><h2>Reproduce</h2><pre>${esc(command)}</pre><p>Each run's results are in its folder under runs/ (the same pools are not run twice).</p></section>`;
  return page(`Sizing ${r.scenario}`, body);
}
