/**
 * The chart definitions: Apache ECharts option objects made from our figures, for the HTML
 * reports (rendered to SVG on the server, then made interactive in the browser: ./ssr.ts,
 * ./runtime.ts) and for the live dashboard (sent with its state, drawn by the page).
 *
 * An option is plain JSON (no functions), so the same object renders in Node, in a report file
 * and over server-sent events. What a reader sees is formatted here: each data item carries its
 * value on the chart's scale and a `display` text, which tooltips and bar labels show. Axis
 * labels are templates such as "{value} min" on values already converted to that unit (Unit).
 */
import type { EChartsOption } from "echarts";
import { formatDuration, formatInt, formatPct, formatShare } from "../report/format.js";
import type { Bin } from "../report/measures.js";

export type ChartOption = EChartsOption;

/** A chart: its name (data-chart), a title for screen readers, its height in pixels and its option. */
export interface Chart {
  name: string;
  title: string;
  height: number;
  option: ChartOption;
}

export const PALETTE = {
  ink: "#1f2933",
  muted: "#616e7c",
  grid: "#e4e7eb",
  primary: "#2563eb",
  secondary: "#0d9488",
  accent: "#d97706",
  danger: "#dc2626",
  ok: "#15803d",
  neutral: "#9aa5b1",
  series: ["#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777", "#65a30d", "#0891b2", "#b45309"],
} as const;

/** Class of the tooltip element (tests and styles find it by this name). */
export const TOOLTIP_CLASS = "chart-tooltip";

const FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";

/**
 * Zoom along x with a slider under the plot. (Not ECharts' "inside" zoom: it takes every wheel
 * event over the plot, whatever its settings, so a long page would stop scrolling there.)
 */
const SLIDER_ZOOM = { type: "slider", xAxisIndex: 0, filterMode: "none", height: 16, bottom: 6, showDetail: false };

// ---------------------------------------------------------------- units

/** How a measure reads: raw values are multiplied by `factor` onto the axis, labelled with `axisLabel`, shown as `display(raw)`. */
export interface Unit {
  factor: number;
  axisLabel: string;
  display: (raw: number) => string;
}

/** Shares in [0, 1] as percentages. */
export const shareUnit: Unit = { factor: 100, axisLabel: "{value}%", display: formatShare };
/** Percentages (0.19 is 0.19%). */
export const pctUnit = (places = 2): Unit => ({ factor: 1, axisLabel: "{value}%", display: (v) => formatPct(v, places) });
/** Whole counts. */
export const countUnit: Unit = { factor: 1, axisLabel: "{value}", display: formatInt };

/** Seconds on an axis in the unit a reader expects for values up to `maxSeconds`: seconds, minutes, hours or days. */
export function durationUnit(maxSeconds: number): Unit {
  const [factor, suffix] = maxSeconds < 120 ? [1, "s"] : maxSeconds < 7_200 ? [1 / 60, "min"] : maxSeconds < 172_800 ? [1 / 3_600, "h"] : [1 / 86_400, "d"];
  return { factor, axisLabel: `{value} ${suffix}`, display: formatDuration };
}

/** A raw value on a unit's scale, to six significant digits (keeps the JSON short and stable). */
const onScale = (unit: Unit, raw: number) => Number((raw * unit.factor).toPrecision(6));

// ---------------------------------------------------------------- shared parts

function base(): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: FONT, fontSize: 12, color: PALETTE.ink },
    tooltip: { className: TOOLTIP_CLASS, confine: true, trigger: "item" },
  };
}

/** Dimensions of a data item [value, category, display] on a horizontal bar. */
const H_DIMS = ["value", { name: "category", type: "ordinal" }, { name: "display", type: "ordinal" }] as const;
const H_ENCODE = { x: "value", y: "category", tooltip: "display", itemName: "category" };

/** An italic note in the middle of an empty plot. */
function emptyNote(text: string, top: number | string = "middle") {
  return { text, left: "center", top, textStyle: { color: PALETTE.muted, fontStyle: "italic" as const, fontWeight: "normal" as const, fontSize: 12 } };
}

function valueAxis(unit: Unit, extra: Record<string, unknown> = {}) {
  return {
    type: "value" as const,
    min: 0,
    axisLabel: { formatter: unit.axisLabel, color: PALETTE.muted, fontSize: 10 },
    splitLine: { lineStyle: { color: PALETTE.grid } },
    ...extra,
  };
}

function categoryAxis(labels: readonly string[], labelWidth: number, extra: Record<string, unknown> = {}) {
  return {
    type: "category" as const,
    data: [...labels],
    inverse: true,
    axisTick: { show: false },
    axisLine: { lineStyle: { color: PALETTE.muted } },
    axisLabel: { width: labelWidth - 14, overflow: "truncate" as const, color: PALETTE.ink, fontSize: 12 },
    ...extra,
  };
}

/** A dashed vertical line at a value with its label. */
export interface Marker {
  value: number;
  label: string;
  color?: string;
}

/**
 * Vertical dashed lines at the markers, labelled above the plot at staggered heights (so that
 * neighbours do not overlap), the label running left from a line in the right third of `max`.
 * `top` is the end of the line at the top of the plot ("start" over an inverted category axis).
 */
function markLines(unit: Unit, markers: readonly Marker[], max: number, top: "start" | "end") {
  return {
    symbol: "none",
    silent: true,
    data: markers.map((m, i) => ({
      name: m.label,
      xAxis: onScale(unit, m.value),
      lineStyle: { color: m.color ?? PALETTE.danger, type: "dashed" as const, width: 1.5 },
      label: { formatter: "{b}", color: m.color ?? PALETTE.danger, fontSize: 11, position: top, distance: 4 + 14 * i, align: m.value > max * 0.7 ? "right" : "left" },
    })),
  };
}

// ---------------------------------------------------------------- horizontal bars

export interface BarDatum {
  label: string;
  value: number;
  /** What the reader sees; default: the panel unit's text for the value. */
  display?: string;
  color?: string;
}

export interface Panel {
  title?: string;
  bars: BarDatum[];
  unit: Unit;
  /** Scale maximum (raw); default: fitted to the bars and markers. */
  max?: number;
  markers?: Marker[];
}

const ROW = 26;

/**
 * Horizontal bars in one or more panels stacked vertically, each with its own scale (shares and
 * costs side by side without mixing units); markers are dashed target lines.
 */
export function barChart(opts: { name: string; title: string; panels: Panel[]; labelWidth?: number }): Chart {
  const labelWidth = opts.labelWidth ?? 250;
  const option = base();
  const grids: object[] = [];
  const xAxes: object[] = [];
  const yAxes: object[] = [];
  const titles: object[] = [];
  const series: object[] = [];
  let y = 6;
  opts.panels.forEach((panel, i) => {
    if (panel.title) {
      titles.push({ text: panel.title, left: 0, top: y, textStyle: { fontSize: 12.5, fontWeight: 600, color: PALETTE.ink } });
      y += 24;
    }
    const markers = panel.markers ?? [];
    const top = y + 16 * markers.length;
    const max = panel.max ?? Math.max(0, ...panel.bars.map((b) => b.value), ...markers.map((m) => m.value));
    const height = Math.max(1, panel.bars.length) * ROW;
    grids.push({ left: labelWidth, right: 120, top, height });
    xAxes.push(valueAxis(panel.unit, { gridIndex: i, ...(panel.max !== undefined ? { max: onScale(panel.unit, panel.max) } : {}) }));
    yAxes.push(categoryAxis(panel.bars.map((b) => b.label), labelWidth, { gridIndex: i }));
    if (panel.bars.length === 0) titles.push(emptyNote("no data", top + 4));
    series.push({
      type: "bar",
      name: panel.title ?? opts.title,
      xAxisIndex: i,
      yAxisIndex: i,
      barWidth: 16,
      dimensions: H_DIMS,
      encode: H_ENCODE,
      label: { show: true, position: "right", formatter: "{@display}", color: PALETTE.ink },
      data: panel.bars.map((b) => ({ value: [onScale(panel.unit, b.value), b.label, b.display ?? panel.unit.display(b.value)], itemStyle: { color: b.color ?? PALETTE.primary } })),
      markLine: markLines(panel.unit, markers, max, "start"),
    });
    y = top + height + 30;
  });
  return { name: opts.name, title: opts.title, height: y, option: { ...option, title: titles, grid: grids, xAxis: xAxes, yAxis: yAxes, series } as ChartOption };
}

// ---------------------------------------------------------------- waterfall

export interface WaterfallStep {
  label: string;
  /** Seconds. */
  value: number;
}

/** A waterfall of durations (seconds): each step starts where the previous one ended; a total bar closes the chart. */
export function waterfallChart(opts: { name: string; title: string; steps: WaterfallStep[]; totalLabel: string }): Chart {
  const total = opts.steps.reduce((s, st) => s + Math.max(0, st.value), 0);
  const unit = durationUnit(total);
  const labels = [...opts.steps.map((s) => s.label), opts.totalLabel];
  let cum = 0;
  const starts = opts.steps.map((s) => {
    const start = cum;
    cum += Math.max(0, s.value);
    return start;
  });
  const height = 20 + labels.length * ROW + 30;
  const option = {
    ...base(),
    title: opts.steps.length === 0 ? [emptyNote("no settled transfer")] : [],
    grid: { left: 270, right: 120, top: 10, bottom: 30 },
    xAxis: valueAxis(unit),
    yAxis: categoryAxis(labels, 270),
    series: [
      {
        // Where each step starts: an invisible bar under the step (not hoverable).
        type: "bar",
        name: "start",
        stack: "waterfall",
        silent: true,
        tooltip: { show: false },
        itemStyle: { color: "transparent" },
        barWidth: 18,
        dimensions: H_DIMS,
        encode: H_ENCODE,
        data: [...starts.map((s, i) => [onScale(unit, s), labels[i]!, ""]), [0, opts.totalLabel, ""]],
      },
      {
        type: "bar",
        name: opts.title,
        stack: "waterfall",
        barWidth: 18,
        dimensions: H_DIMS,
        encode: H_ENCODE,
        label: { show: true, position: "right", formatter: "{@display}", color: PALETTE.ink },
        data: [
          ...opts.steps.map((s, i) => ({ value: [onScale(unit, Math.max(0, s.value)), s.label, unit.display(s.value)], itemStyle: { color: PALETTE.series[i % PALETTE.series.length]! } })),
          { value: [onScale(unit, total), opts.totalLabel, unit.display(total)], itemStyle: { color: PALETTE.ink, opacity: 0.75 } },
        ],
      },
    ],
  };
  return { name: opts.name, title: opts.title, height, option: option as ChartOption };
}

// ---------------------------------------------------------------- histogram

/** Vertical histogram of durations (seconds) with labelled markers (percentiles, thresholds), zoomable along time with a slider. */
export function histogramChart(opts: { name: string; title: string; bins: readonly Bin[]; markers?: Marker[]; yLabel: string; countWord: string; height?: number }): Chart {
  const hi = opts.bins[opts.bins.length - 1]?.to ?? 1;
  const unit = durationUnit(hi);
  const markers = opts.markers ?? [];
  const height = opts.height ?? 300;
  const option = {
    ...base(),
    title: opts.bins.length === 0 ? [emptyNote("no settled transfer")] : [],
    grid: { left: 54, right: 20, top: 20 + 14 * markers.length, bottom: 62 },
    xAxis: valueAxis(unit, { max: onScale(unit, hi) }),
    yAxis: { type: "value", minInterval: 1, name: opts.yLabel, nameLocation: "middle", nameGap: 38, nameTextStyle: { color: PALETTE.muted }, axisLabel: { color: PALETTE.muted, fontSize: 10 }, splitLine: { lineStyle: { color: PALETTE.grid } } },
    dataZoom: [SLIDER_ZOOM],
    series: [
      {
        type: "bar",
        name: opts.title,
        barWidth: "96%",
        dimensions: ["from", "count", { name: "display", type: "ordinal" }],
        encode: { x: "from", y: "count", tooltip: "display" },
        itemStyle: { color: PALETTE.primary },
        // Each bar stands over the middle of its bin.
        data: opts.bins.map((b) => [onScale(unit, (b.from + b.to) / 2), b.count, `${formatDuration(b.from)} to ${formatDuration(b.to)}: ${formatInt(b.count)} ${opts.countWord}`]),
        markLine: markLines(unit, markers, hi, "end"),
      },
    ],
  };
  return { name: opts.name, title: opts.title, height, option: option as ChartOption };
}

// ---------------------------------------------------------------- stacked bars

export interface StackSeries {
  key: string;
  label: string;
  color: string;
}

export interface StackRow {
  label: string;
  values: Record<string, number>;
  /** Shown after the stack, e.g. the all-in total. */
  display: string;
}

/** Horizontal stacked bars, one series per key with a legend; hovering a row lists every part. */
export function stackedBarChart(opts: { name: string; title: string; series: StackSeries[]; rows: StackRow[]; unit: Unit; labelWidth?: number; emptyText?: string }): Chart {
  const labelWidth = opts.labelWidth ?? 200;
  const height = 40 + Math.max(1, opts.rows.length) * ROW + 30;
  const last = opts.series.length - 1;
  const option = {
    ...base(),
    title: opts.rows.length === 0 ? [emptyNote(opts.emptyText ?? "no settled transfer")] : [],
    tooltip: { className: TOOLTIP_CLASS, confine: true, trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, left: labelWidth, itemWidth: 12, itemHeight: 12, textStyle: { color: PALETTE.ink } },
    grid: { left: labelWidth, right: 150, top: 36, bottom: 30 },
    xAxis: valueAxis(opts.unit),
    yAxis: categoryAxis(opts.rows.map((r) => r.label), labelWidth),
    series: opts.series.map((s, i) => ({
      type: "bar",
      id: s.key,
      name: s.label,
      stack: "total",
      barWidth: 18,
      itemStyle: { color: s.color },
      dimensions: [...H_DIMS, { name: "total", type: "ordinal" }],
      encode: H_ENCODE,
      // The row's total after the last part.
      ...(i === last ? { label: { show: true, position: "right", formatter: "{@total}", color: PALETTE.ink } } : {}),
      data: opts.rows.map((r) => {
        const v = Math.max(0, r.values[s.key] ?? 0);
        return [onScale(opts.unit, v), r.label, opts.unit.display(v), r.display];
      }),
    })),
  };
  return { name: opts.name, title: opts.title, height, option: option as ChartOption };
}

// ---------------------------------------------------------------- time series

export interface TimeSeries {
  key: string;
  label: string;
  /** One value per time of the chart (raw). */
  values: readonly number[];
  color: string;
  area?: boolean;
  /** Tooltip text of a value; default: the unit's. */
  display?: (raw: number) => string;
}

/** Lines over time (unix seconds), optional shaded spans (e.g. an outage), zoomable along time with a slider. */
export function timeSeriesChart(opts: {
  name: string;
  title: string;
  times: readonly number[];
  series: TimeSeries[];
  unit: Unit;
  /** Fixed scale (raw); default fitted from 0. */
  min?: number;
  max?: number;
  shaded?: { from: number; to: number; label: string }[];
  height?: number;
}): Chart {
  const height = opts.height ?? 220;
  const many = opts.series.length > 1;
  const option = {
    ...base(),
    title: opts.times.length < 2 ? [emptyNote("collecting…")] : [],
    tooltip: { className: TOOLTIP_CLASS, confine: true, trigger: "axis" },
    ...(many ? { legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: PALETTE.ink } } } : {}),
    grid: { left: 52, right: 16, top: many ? 30 : 12, bottom: 56 },
    xAxis: { type: "time", axisLabel: { color: PALETTE.muted, fontSize: 10, hideOverlap: true }, splitLine: { show: false } },
    yAxis: valueAxis(opts.unit, { min: opts.min === undefined ? 0 : onScale(opts.unit, opts.min), ...(opts.max !== undefined ? { max: onScale(opts.unit, opts.max) } : {}) }),
    dataZoom: [SLIDER_ZOOM],
    series: opts.series.map((s, i) => ({
      type: "line",
      id: s.key,
      name: s.label,
      showSymbol: false,
      lineStyle: { color: s.color, width: 2 },
      itemStyle: { color: s.color },
      ...(s.area ? { areaStyle: { color: s.color, opacity: 0.12 } } : {}),
      dimensions: [{ name: "time", type: "time" }, "value", { name: "display", type: "ordinal" }],
      encode: { x: "time", y: "value", tooltip: "display" },
      data: opts.times.map((t, k) => {
        const v = s.values[k] ?? 0;
        return [t * 1000, onScale(opts.unit, v), (s.display ?? opts.unit.display)(v)];
      }),
      ...(i === 0
        ? { markArea: { silent: true, itemStyle: { color: PALETTE.danger, opacity: 0.1 }, label: { color: PALETTE.danger, fontSize: 10 }, data: (opts.shaded ?? []).map((x) => [{ name: x.label, xAxis: x.from * 1000 }, { xAxis: x.to * 1000 }]) } }
        : {}),
    })),
  };
  return { name: opts.name, title: opts.title, height, option: option as ChartOption };
}

// ---------------------------------------------------------------- intervals

/** A figure with its 95% interval, e.g. one variant of a sweep over replications. */
export interface IntervalPoint {
  label: string;
  mean: number;
  low: number;
  high: number;
}

/**
 * Means with their 95% intervals as dots and whiskers, one row per point (variants whose
 * whiskers overlap are not told apart by the data).
 */
export function intervalChart(opts: { name: string; title: string; points: readonly IntervalPoint[]; unit: Unit }): Chart {
  const labelWidth = 220;
  const color = PALETTE.primary;
  const height = 20 + Math.max(1, opts.points.length) * ROW + 30;
  const text = (p: IntervalPoint) => `mean ${opts.unit.display(p.mean)}, 95% interval ${opts.unit.display(p.low)} to ${opts.unit.display(p.high)}`;
  const dims = ["value", { name: "category", type: "ordinal" }, { name: "display", type: "ordinal" }, { name: "mean", type: "ordinal" }];
  const encode = { x: "value", y: "category", tooltip: "display", itemName: "category" };
  const lowest = Math.min(0, ...opts.points.map((p) => p.low));
  const option = {
    ...base(),
    title: opts.points.length === 0 ? [emptyNote("no data")] : [],
    grid: { left: labelWidth, right: 130, top: 10, bottom: 30 },
    xAxis: valueAxis(opts.unit, { min: onScale(opts.unit, lowest), scale: true }),
    yAxis: categoryAxis(opts.points.map((p) => p.label), labelWidth),
    series: [
      {
        // Whiskers: low to high, one segment per point, with caps at both ends ("-" breaks the line).
        type: "line",
        name: "95% interval",
        symbol: "rect",
        symbolSize: [2, 12],
        lineStyle: { color, width: 2 },
        itemStyle: { color },
        dimensions: dims,
        encode,
        data: opts.points.flatMap((p) => [[onScale(opts.unit, p.low), p.label, text(p), ""], [onScale(opts.unit, p.high), p.label, text(p), ""], ["-", p.label, "", ""]]),
      },
      {
        type: "scatter",
        name: opts.title,
        symbolSize: 10,
        itemStyle: { color },
        dimensions: dims,
        encode,
        label: { show: true, position: "top", formatter: "{@mean}", color: PALETTE.ink, fontSize: 11 },
        data: opts.points.map((p) => [onScale(opts.unit, p.mean), p.label, text(p), opts.unit.display(p.mean)]),
      },
    ],
  };
  return { name: opts.name, title: opts.title, height, option: option as ChartOption };
}
