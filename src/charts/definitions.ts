/**
 * The chart definitions: Apache ECharts option objects made from our figures, for the HTML
 * reports (rendered to SVG on the server, then made interactive in the browser: ./render.ts) and
 * for the live dashboard (sent with its state, drawn by the page).
 *
 * An option is plain JSON (no functions), so the same object renders in Node, in a report file
 * and over server-sent events. What a reader sees is formatted here: each data item carries its
 * value on the chart's scale and a `display` text, which tooltips and bar labels show through
 * the series' `dimensions`/`encode`. Axis labels are templates such as "{value} min" on values
 * already converted to that unit (Unit).
 */
import type { EChartsOption } from "echarts";
import { formatDuration, formatInt, formatPct, formatShare } from "../report/format.js";
import { histogramBins, type Bin } from "../report/measures.js";

/** A chart: its name (data-chart), a title for screen readers, its height in pixels and its option. */
export interface Chart {
  name: string;
  title: string;
  height: number;
  option: EChartsOption;
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

const ROW = 26;
/** Dimensions of a data item [value, category, display, …more] on a horizontal bar. */
const ordinal = (name: string) => ({ name, type: "ordinal" as const });
const hDims = (...more: string[]) => ["value", ordinal("category"), ordinal("display"), ...more.map(ordinal)];
const H_ENCODE = { x: "value", y: "category", tooltip: "display", itemName: "category" };
/** A label beside each item showing one of its dimensions. */
const label = (dim: string, position = "right", extra = {}) => ({ label: { show: true, position, formatter: `{@${dim}}`, color: PALETTE.ink, ...extra } });
/** Zoom along x with a slider under the plot (ECharts' "inside" zoom takes every wheel event over the plot, so a long page would stop scrolling there). */
const SLIDER_ZOOM = { type: "slider", xAxisIndex: 0, filterMode: "none", height: 16, bottom: 6, showDetail: false };
const tooltip = (trigger: "item" | "axis", extra = {}) => ({ className: TOOLTIP_CLASS, confine: true, trigger, ...extra });

/** An italic note in the middle of an empty plot. */
const emptyNote = (text: string, top: number | string = "middle") => ({
  text,
  left: "center",
  top,
  textStyle: { color: PALETTE.muted, fontStyle: "italic", fontWeight: "normal", fontSize: 12 },
});

/** A chart with the shared look; `empty` is the note shown when there is nothing to draw. */
function chart(name: string, title: string, height: number, option: Record<string, unknown>, empty?: string | false): Chart {
  const base = { animation: false, textStyle: { fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", fontSize: 12, color: PALETTE.ink }, tooltip: tooltip("item") };
  return { name, title, height, option: { ...base, ...(empty === undefined ? {} : { title: empty ? [emptyNote(empty)] : [] }), ...option } as EChartsOption };
}

const valueAxis = (unit: Unit, extra = {}) => ({
  type: "value",
  min: 0,
  axisLabel: { formatter: unit.axisLabel, color: PALETTE.muted, fontSize: 10 },
  splitLine: { lineStyle: { color: PALETTE.grid } },
  ...extra,
});

const categoryAxis = (labels: readonly string[], labelWidth: number, extra = {}) => ({
  type: "category",
  data: [...labels],
  inverse: true,
  axisTick: { show: false },
  axisLine: { lineStyle: { color: PALETTE.muted } },
  axisLabel: { width: labelWidth - 14, overflow: "truncate", color: PALETTE.ink, fontSize: 12 },
  ...extra,
});

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
function markLine(unit: Unit, markers: readonly Marker[], max: number, top: "start" | "end") {
  const data = markers.map((m, i) => {
    const color = m.color ?? PALETTE.danger;
    const align = m.value > max * 0.7 ? "right" : "left";
    return { name: m.label, xAxis: onScale(unit, m.value), lineStyle: { color, type: "dashed", width: 1.5 }, label: { formatter: "{b}", color, fontSize: 11, position: top, distance: 4 + 14 * i, align } };
  });
  return { markLine: { symbol: "none", silent: true, data } };
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

/**
 * Horizontal bars in one or more panels stacked vertically, each with its own scale (shares and
 * costs side by side without mixing units); markers are dashed target lines.
 */
export function barChart(opts: { name: string; title: string; panels: Panel[]; labelWidth?: number }): Chart {
  const labelWidth = opts.labelWidth ?? 250;
  const parts = { title: [] as object[], grid: [] as object[], xAxis: [] as object[], yAxis: [] as object[], series: [] as object[] };
  let y = 6;
  opts.panels.forEach((panel, i) => {
    if (panel.title) {
      parts.title.push({ text: panel.title, left: 0, top: y, textStyle: { fontSize: 12.5, fontWeight: 600, color: PALETTE.ink } });
      y += 24;
    }
    const { bars, unit, markers = [] } = panel;
    const top = y + 16 * markers.length;
    const height = Math.max(1, bars.length) * ROW;
    parts.grid.push({ left: labelWidth, right: 120, top, height });
    parts.xAxis.push(valueAxis(unit, { gridIndex: i, ...(panel.max !== undefined ? { max: onScale(unit, panel.max) } : {}) }));
    parts.yAxis.push(categoryAxis(bars.map((b) => b.label), labelWidth, { gridIndex: i }));
    if (bars.length === 0) parts.title.push(emptyNote("no data", top + 4));
    parts.series.push({
      type: "bar",
      name: panel.title ?? opts.title,
      xAxisIndex: i,
      yAxisIndex: i,
      barWidth: 16,
      dimensions: hDims(),
      encode: H_ENCODE,
      ...label("display"),
      data: bars.map((b) => ({ value: [onScale(unit, b.value), b.label, b.display ?? unit.display(b.value)], itemStyle: { color: b.color ?? PALETTE.primary } })),
      ...markLine(unit, markers, panel.max ?? Math.max(0, ...bars.map((b) => b.value), ...markers.map((m) => m.value)), "start"),
    });
    y = top + height + 30;
  });
  return chart(opts.name, opts.title, y, parts);
}

// ---------------------------------------------------------------- waterfall

/** A waterfall of durations (seconds): each step starts where the previous one ended; a total bar closes the chart. */
export function waterfallChart(opts: { name: string; title: string; steps: { label: string; value: number }[]; totalLabel: string }): Chart {
  const total = opts.steps.reduce((s, st) => s + Math.max(0, st.value), 0);
  const unit = durationUnit(total);
  const labels = [...opts.steps.map((s) => s.label), opts.totalLabel];
  const starts = opts.steps.map((_, i) => opts.steps.slice(0, i).reduce((s, st) => s + Math.max(0, st.value), 0));
  const bar = { type: "bar", stack: "waterfall", barWidth: 18, dimensions: hDims(), encode: H_ENCODE };
  return chart(
    opts.name,
    opts.title,
    20 + labels.length * ROW + 30,
    {
      grid: { left: 270, right: 120, top: 10, bottom: 30 },
      xAxis: valueAxis(unit),
      yAxis: categoryAxis(labels, 270),
      series: [
        // Where each step starts: an invisible bar under the step (not hoverable).
        { ...bar, name: "start", silent: true, tooltip: { show: false }, itemStyle: { color: "transparent" }, data: labels.map((l, i) => [onScale(unit, starts[i] ?? 0), l, ""]) },
        {
          ...bar,
          name: opts.title,
          ...label("display"),
          data: [
            ...opts.steps.map((s, i) => ({ value: [onScale(unit, Math.max(0, s.value)), s.label, unit.display(s.value)], itemStyle: { color: PALETTE.series[i % PALETTE.series.length]! } })),
            { value: [onScale(unit, total), opts.totalLabel, unit.display(total)], itemStyle: { color: PALETTE.ink, opacity: 0.75 } },
          ],
        },
      ],
    },
    opts.steps.length === 0 && "no settled transfer",
  );
}

// ---------------------------------------------------------------- histogram

/** Vertical histogram of durations (seconds) with labelled markers (percentiles, thresholds), zoomable along time with a slider. */
export function histogramChart(opts: { name: string; title: string; bins: readonly Bin[]; markers?: Marker[]; yLabel: string; countWord: string; height?: number }): Chart {
  const hi = opts.bins[opts.bins.length - 1]?.to ?? 1;
  const unit = durationUnit(hi);
  const markers = opts.markers ?? [];
  const muted = { color: PALETTE.muted };
  return chart(
    opts.name,
    opts.title,
    opts.height ?? 300,
    {
      grid: { left: 54, right: 20, top: 20 + 14 * markers.length, bottom: 62 },
      xAxis: valueAxis(unit, { max: onScale(unit, hi) }),
      yAxis: { type: "value", minInterval: 1, name: opts.yLabel, nameLocation: "middle", nameGap: 38, nameTextStyle: muted, axisLabel: { ...muted, fontSize: 10 }, splitLine: { lineStyle: { color: PALETTE.grid } } },
      dataZoom: [SLIDER_ZOOM],
      series: [
        {
          type: "bar",
          name: opts.title,
          barWidth: "96%",
          dimensions: ["from", "count", ordinal("display")],
          encode: { x: "from", y: "count", tooltip: "display" },
          itemStyle: { color: PALETTE.primary },
          // Each bar stands over the middle of its bin.
          data: opts.bins.map((b) => [onScale(unit, (b.from + b.to) / 2), b.count, `${formatDuration(b.from)} to ${formatDuration(b.to)}: ${formatInt(b.count)} ${opts.countWord}`]),
          ...markLine(unit, markers, hi, "end"),
        },
      ],
    },
    opts.bins.length === 0 && "no settled transfer",
  );
}

/**
 * Settlement times (seconds) as a histogram with the median, 95th and 99th percentiles marked
 * (those given) and the G20's one hour once the times reach it: the report's and the dashboard's.
 */
export function settlementChart(opts: { name: string; title: string; seconds: readonly number[]; percentiles: Partial<Record<"p50" | "p95" | "p99", number | null>>; noun: string; height?: number }): Chart {
  const bins = histogramBins(opts.seconds);
  const { p50, p95, p99 } = opts.percentiles;
  const marks: [number | null | undefined, string, string][] = [
    [p50, `median ${formatDuration(p50)}`, PALETTE.ok],
    [p95, `95th percentile ${formatDuration(p95)}`, PALETTE.accent],
    [p99, `99th percentile ${formatDuration(p99)}`, PALETTE.danger],
    [(bins[bins.length - 1]?.to ?? 0) >= 3600 ? 3600 : null, "one hour (G20)", PALETTE.ink],
  ];
  const markers = marks.flatMap(([value, label, color]) => (value === null || value === undefined ? [] : [{ value, label, color }]));
  return histogramChart({ name: opts.name, title: opts.title, bins, markers, yLabel: opts.noun, countWord: opts.noun, ...(opts.height ? { height: opts.height } : {}) });
}

// ---------------------------------------------------------------- stacked bars

/** Horizontal stacked bars, one series per key with a legend; hovering a row lists every part. `display` is shown after a row's stack (e.g. the all-in total). */
export function stackedBarChart(opts: {
  name: string;
  title: string;
  series: { key: string; label: string; color: string }[];
  rows: { label: string; values: Record<string, number>; display: string }[];
  unit: Unit;
  labelWidth?: number;
  emptyText?: string;
}): Chart {
  const { unit, labelWidth = 200 } = opts;
  return chart(
    opts.name,
    opts.title,
    40 + Math.max(1, opts.rows.length) * ROW + 30,
    {
      tooltip: tooltip("axis", { axisPointer: { type: "shadow" } }),
      legend: { top: 0, left: labelWidth, itemWidth: 12, itemHeight: 12, textStyle: { color: PALETTE.ink } },
      grid: { left: labelWidth, right: 150, top: 36, bottom: 30 },
      xAxis: valueAxis(unit),
      yAxis: categoryAxis(opts.rows.map((r) => r.label), labelWidth),
      series: opts.series.map((s, i) => ({
        type: "bar",
        id: s.key,
        name: s.label,
        stack: "total",
        barWidth: 18,
        itemStyle: { color: s.color },
        dimensions: hDims("total"),
        encode: H_ENCODE,
        // The row's total after the last part.
        ...(i === opts.series.length - 1 ? label("total") : {}),
        data: opts.rows.map((r) => {
          const v = Math.max(0, r.values[s.key] ?? 0);
          return [onScale(unit, v), r.label, unit.display(v), r.display];
        }),
      })),
    },
    opts.rows.length === 0 && (opts.emptyText ?? "no settled transfer"),
  );
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

/** Lines over time (unix seconds), optional shaded spans (e.g. an outage), zoomable along time with a slider. `min`/`max` fix the scale (raw; default fitted from 0). */
export function timeSeriesChart(opts: {
  name: string;
  title: string;
  times: readonly number[];
  series: TimeSeries[];
  unit: Unit;
  min?: number;
  max?: number;
  shaded?: { from: number; to: number; label: string }[];
  height?: number;
}): Chart {
  const { unit } = opts;
  const many = opts.series.length > 1;
  const shade = { silent: true, itemStyle: { color: PALETTE.danger, opacity: 0.1 }, label: { color: PALETTE.danger, fontSize: 10 }, data: (opts.shaded ?? []).map((x) => [{ name: x.label, xAxis: x.from * 1000 }, { xAxis: x.to * 1000 }]) };
  return chart(
    opts.name,
    opts.title,
    opts.height ?? 220,
    {
      tooltip: tooltip("axis"),
      ...(many ? { legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: PALETTE.ink } } } : {}),
      grid: { left: 52, right: 16, top: many ? 30 : 12, bottom: 56 },
      xAxis: { type: "time", axisLabel: { color: PALETTE.muted, fontSize: 10, hideOverlap: true }, splitLine: { show: false } },
      yAxis: valueAxis(unit, { min: opts.min === undefined ? 0 : onScale(unit, opts.min), ...(opts.max !== undefined ? { max: onScale(unit, opts.max) } : {}) }),
      dataZoom: [SLIDER_ZOOM],
      series: opts.series.map((s, i) => ({
        type: "line",
        id: s.key,
        name: s.label,
        showSymbol: false,
        lineStyle: { color: s.color, width: 2 },
        itemStyle: { color: s.color },
        ...(s.area ? { areaStyle: { color: s.color, opacity: 0.12 } } : {}),
        dimensions: [{ name: "time", type: "time" }, "value", ordinal("display")],
        encode: { x: "time", y: "value", tooltip: "display" },
        data: opts.times.map((t, k) => [t * 1000, onScale(unit, s.values[k] ?? 0), (s.display ?? unit.display)(s.values[k] ?? 0)]),
        ...(i === 0 ? { markArea: shade } : {}),
      })),
    },
    opts.times.length < 2 && "collecting…",
  );
}

// ---------------------------------------------------------------- intervals

/**
 * Means with their 95% intervals as dots and whiskers, one row per point (variants whose
 * whiskers overlap are not told apart by the data), e.g. the variants of a sweep over replications.
 */
export function intervalChart(opts: { name: string; title: string; points: readonly { label: string; mean: number; low: number; high: number }[]; unit: Unit }): Chart {
  const { unit, points } = opts;
  const labelWidth = 220;
  const color = PALETTE.primary;
  const text = (p: (typeof points)[number]) => `mean ${unit.display(p.mean)}, 95% interval ${unit.display(p.low)} to ${unit.display(p.high)}`;
  const series = { dimensions: hDims("mean"), encode: H_ENCODE, itemStyle: { color } };
  return chart(
    opts.name,
    opts.title,
    20 + Math.max(1, points.length) * ROW + 30,
    {
      grid: { left: labelWidth, right: 130, top: 10, bottom: 30 },
      xAxis: valueAxis(unit, { min: onScale(unit, Math.min(0, ...points.map((p) => p.low))), scale: true }),
      yAxis: categoryAxis(points.map((p) => p.label), labelWidth),
      series: [
        // Whiskers: low to high, one segment per point, with caps at both ends ("-" breaks the line).
        { ...series, type: "line", name: "95% interval", symbol: "rect", symbolSize: [2, 12], lineStyle: { color, width: 2 }, data: points.flatMap((p) => [[onScale(unit, p.low), p.label, text(p), ""], [onScale(unit, p.high), p.label, text(p), ""], ["-", p.label, "", ""]]) },
        { ...series, type: "scatter", name: opts.title, symbolSize: 10, ...label("mean", "top", { fontSize: 11 }), data: points.map((p) => [onScale(unit, p.mean), p.label, text(p), unit.display(p.mean)]) },
      ],
    },
    points.length === 0 && "no data",
  );
}
