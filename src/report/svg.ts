/**
 * Hand-written inline SVG charts for the HTML reports: no library, no external request.
 *
 * Every chart is one <svg data-chart="NAME"> element. Each data bar is a
 * <rect class="bar" data-label data-value> (histogram bins also carry data-from, data-to
 * and data-count), so a test or a browser can count the bars and read their values.
 * Decorations (target lines, totals, gridlines) never use the class "bar".
 * All text goes through escapeHtml.
 */
import { escapeHtml as esc } from "./escape.js";

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

const WIDTH = 760;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

export interface BarDatum {
  label: string;
  value: number;
  /** The value as the reader should see it, e.g. "13 minutes" or "0.19%". */
  display: string;
  color?: string;
}

export interface Marker {
  value: number;
  label: string;
  color?: string;
}

export interface Panel {
  title?: string;
  bars: BarDatum[];
  /** Scale maximum; default: the largest bar or marker, plus headroom. */
  max?: number;
  markers?: Marker[];
  /** Tick label format. */
  tick?: (v: number) => string;
  /** Tick values for a scale maximum (default niceTicks). */
  ticks?: (max: number) => number[];
}

const num = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(2)) : 0);

function svgOpen(name: string, title: string, height: number): string {
  const id = `chart-${name.replace(/[^a-zA-Z0-9_-]/g, "-")}-title`;
  return (
    `<svg class="chart" data-chart="${esc(name)}" role="img" aria-labelledby="${esc(id)}" viewBox="0 0 ${WIDTH} ${num(height)}" ` +
    `width="100%" preserveAspectRatio="xMinYMin meet" ${FONT} font-size="12">` +
    `<title id="${esc(id)}">${esc(title)}</title>`
  );
}

/** Up to `count` round tick values from 0 to max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

/** Tick values for a time axis in seconds, at steps a reader expects (30 s, 5 min, 1 h...). */
export function durationTicks(max: number, count = 6): number[] {
  if (!(max > 0)) return [0];
  const step = DURATION_STEPS.find((s) => max / s <= count) ?? Math.ceil(max / count);
  const ticks: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(v);
  return ticks;
}

function emptyNote(x: number, y: number, text: string): string {
  return `<text x="${num(x)}" y="${num(y)}" fill="${PALETTE.muted}" font-style="italic">${esc(text)}</text>`;
}

/**
 * Horizontal bar chart in one or more panels, each with its own scale (so a chart can put
 * shares and costs side by side without mixing units). Markers are dashed target lines.
 */
export function barChart(opts: { name: string; title: string; panels: Panel[]; labelWidth?: number; emptyText?: string }): string {
  const labelW = opts.labelWidth ?? 250;
  const valueW = 120;
  const plotW = WIDTH - labelW - valueW - 10;
  const rowH = 24;
  const barH = 16;
  const parts: string[] = [];
  let y = 6;
  for (const panel of opts.panels) {
    if (panel.title) {
      parts.push(`<text x="0" y="${num(y + 14)}" font-weight="600" fill="${PALETTE.ink}">${esc(panel.title)}</text>`);
      y += 24;
    }
    const markers = panel.markers ?? [];
    const top = y + (markers.length ? 16 * markers.length : 0);
    const dataMax = Math.max(0, ...panel.bars.map((b) => b.value), ...markers.map((m) => m.value));
    const max = panel.max ?? (dataMax > 0 ? dataMax * 1.08 : 1);
    const x = (v: number) => labelW + (Math.max(0, Math.min(v, max)) / max) * plotW;
    const bottom = top + Math.max(1, panel.bars.length) * rowH;
    const tick = panel.tick ?? ((v: number) => String(v));
    for (const t of (panel.ticks ?? niceTicks)(max)) {
      parts.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${num(top)}" y2="${num(bottom)}" stroke="${PALETTE.grid}"/>`);
      parts.push(`<text x="${num(x(t))}" y="${num(bottom + 14)}" text-anchor="middle" fill="${PALETTE.muted}" font-size="10">${esc(tick(t))}</text>`);
    }
    if (panel.bars.length === 0) parts.push(emptyNote(labelW, top + 16, opts.emptyText ?? "no data"));
    panel.bars.forEach((b, i) => {
      const by = top + i * rowH;
      const w = b.value > 0 ? Math.max(1, x(b.value) - labelW) : 0;
      parts.push(
        `<text x="${num(labelW - 8)}" y="${num(by + barH - 3)}" text-anchor="end" fill="${PALETTE.ink}">${esc(b.label)}</text>` +
          `<rect class="bar" x="${num(labelW)}" y="${num(by + (rowH - barH) / 2 - 2)}" width="${num(w)}" height="${barH}" rx="2" fill="${esc(b.color ?? PALETTE.primary)}" ` +
          `data-label="${esc(b.label)}" data-value="${esc(b.value)}"><title>${esc(`${b.label}: ${b.display}`)}</title></rect>` +
          `<text x="${num(labelW + w + 6)}" y="${num(by + barH - 3)}" fill="${PALETTE.ink}">${esc(b.display)}</text>`,
      );
    });
    markers.forEach((m, i) => {
      const mx = x(m.value);
      const color = m.color ?? PALETTE.danger;
      const anchor = mx > labelW + plotW * 0.75 ? "end" : "start";
      parts.push(
        `<line class="marker" x1="${num(mx)}" x2="${num(mx)}" y1="${num(y + 16 * i + 4)}" y2="${num(bottom)}" stroke="${esc(color)}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
          `<text x="${num(anchor === "start" ? mx + 4 : mx - 4)}" y="${num(y + 16 * i + 12)}" text-anchor="${anchor}" fill="${esc(color)}" font-size="11">${esc(m.label)}</text>`,
      );
    });
    y = bottom + 28;
  }
  return `${svgOpen(opts.name, opts.title, y)}${parts.join("")}</svg>`;
}

export interface WaterfallStep {
  label: string;
  value: number;
  display: string;
  color?: string;
}

/** Waterfall of durations (seconds): each step starts where the previous one ended; a total bar closes the chart. */
export function waterfallChart(opts: { name: string; title: string; steps: WaterfallStep[]; totalLabel: string; totalDisplay: string; tick: (v: number) => string }): string {
  const labelW = 270;
  const valueW = 120;
  const plotW = WIDTH - labelW - valueW - 10;
  const rowH = 26;
  const barH = 18;
  const total = opts.steps.reduce((s, st) => s + Math.max(0, st.value), 0);
  const max = total > 0 ? total : 1;
  const x = (v: number) => labelW + (v / max) * plotW;
  const top = 8;
  const rows = opts.steps.length + 1;
  const bottom = top + rows * rowH;
  const parts: string[] = [];
  for (const t of durationTicks(max)) {
    parts.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${top}" y2="${num(bottom)}" stroke="${PALETTE.grid}"/>`);
    parts.push(`<text x="${num(x(t))}" y="${num(bottom + 14)}" text-anchor="middle" fill="${PALETTE.muted}" font-size="10">${esc(opts.tick(t))}</text>`);
  }
  let cum = 0;
  opts.steps.forEach((s, i) => {
    const v = Math.max(0, s.value);
    const by = top + i * rowH;
    const x0 = x(cum);
    const w = v > 0 ? Math.max(1, x(cum + v) - x0) : 0;
    const color = s.color ?? PALETTE.series[i % PALETTE.series.length]!;
    const textX = x0 + w + 6 > labelW + plotW ? x0 - 6 : x0 + w + 6;
    const anchor = textX < x0 ? "end" : "start";
    parts.push(
      `<text x="${num(labelW - 8)}" y="${num(by + barH - 4)}" text-anchor="end" fill="${PALETTE.ink}">${esc(s.label)}</text>` +
        `<rect class="bar" x="${num(x0)}" y="${num(by + (rowH - barH) / 2 - 2)}" width="${num(w)}" height="${barH}" rx="2" fill="${esc(color)}" ` +
        `data-label="${esc(s.label)}" data-value="${esc(s.value)}" data-start="${esc(cum)}"><title>${esc(`${s.label}: ${s.display}`)}</title></rect>` +
        `<text x="${num(textX)}" y="${num(by + barH - 4)}" text-anchor="${anchor}" fill="${PALETTE.ink}">${esc(s.display)}</text>`,
    );
    if (i > 0) parts.push(`<line x1="${num(x0)}" x2="${num(x0)}" y1="${num(by - rowH + 4)}" y2="${num(by + rowH - 4)}" stroke="${PALETTE.neutral}" stroke-dasharray="2 2"/>`);
    cum += v;
  });
  const ty = top + opts.steps.length * rowH;
  parts.push(
    `<text x="${num(labelW - 8)}" y="${num(ty + barH - 4)}" text-anchor="end" font-weight="600" fill="${PALETTE.ink}">${esc(opts.totalLabel)}</text>` +
      `<rect class="total" x="${labelW}" y="${num(ty + (rowH - barH) / 2 - 2)}" width="${num(total > 0 ? plotW : 0)}" height="${barH}" rx="2" fill="${PALETTE.ink}" fill-opacity="0.75" data-value="${esc(total)}">` +
      `<title>${esc(`${opts.totalLabel}: ${opts.totalDisplay}`)}</title></rect>` +
      `<text x="${num(labelW + plotW - 6)}" y="${num(ty + barH - 4)}" text-anchor="end" fill="#ffffff" font-weight="600">${esc(opts.totalDisplay)}</text>`,
  );
  if (opts.steps.length === 0) parts.push(emptyNote(labelW, top + 16, "no settled transfer"));
  return `${svgOpen(opts.name, opts.title, bottom + 24)}${parts.join("")}</svg>`;
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

/** Vertical histogram with labelled vertical markers (percentiles, thresholds). */
export function histogramChart(opts: {
  name: string;
  title: string;
  bins: HistogramBin[];
  markers?: Marker[];
  tick: (v: number) => string;
  /** Tick values along x for the span covered (default niceTicks). */
  xTicks?: (span: number) => number[];
  yLabel: string;
  color?: string;
}): string {
  const height = 280;
  const left = 54;
  const right = 16;
  const markers = opts.markers ?? [];
  const top = 16 + 14 * markers.length;
  const bottom = height - 40;
  const plotW = WIDTH - left - right;
  const lo = opts.bins[0]?.from ?? 0;
  const hi = opts.bins[opts.bins.length - 1]?.to ?? 1;
  const span = hi > lo ? hi - lo : 1;
  const x = (v: number) => left + ((Math.max(lo, Math.min(v, hi)) - lo) / span) * plotW;
  const maxCount = Math.max(1, ...opts.bins.map((b) => b.count));
  const yTicks = niceTicks(maxCount, 4).filter((t) => Number.isInteger(t));
  const yMax = Math.max(maxCount, yTicks[yTicks.length - 1] ?? 1);
  const y = (c: number) => bottom - (c / yMax) * (bottom - top);
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(`<line x1="${left}" x2="${WIDTH - right}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="${PALETTE.grid}"/>`);
    parts.push(`<text x="${left - 6}" y="${num(y(t) + 4)}" text-anchor="end" fill="${PALETTE.muted}" font-size="10">${t}</text>`);
  }
  parts.push(`<text x="12" y="${num((top + bottom) / 2)}" transform="rotate(-90 12 ${num((top + bottom) / 2)})" text-anchor="middle" fill="${PALETTE.muted}" font-size="11">${esc(opts.yLabel)}</text>`);
  for (const t of (opts.xTicks ?? niceTicks)(span)) {
    const v = lo + t;
    if (v > hi) continue;
    parts.push(`<line x1="${num(x(v))}" x2="${num(x(v))}" y1="${bottom}" y2="${bottom + 4}" stroke="${PALETTE.muted}"/>`);
    parts.push(`<text x="${num(x(v))}" y="${bottom + 16}" text-anchor="middle" fill="${PALETTE.muted}" font-size="10">${esc(opts.tick(v))}</text>`);
  }
  for (const b of opts.bins) {
    const x0 = x(b.from);
    const w = Math.max(0, x(b.to) - x0 - 1);
    const label = `${opts.tick(b.from)} to ${opts.tick(b.to)}`;
    parts.push(
      `<rect class="bar" x="${num(x0 + 0.5)}" y="${num(y(b.count))}" width="${num(w)}" height="${num(bottom - y(b.count))}" fill="${esc(opts.color ?? PALETTE.primary)}" ` +
        `data-label="${esc(label)}" data-value="${b.count}" data-count="${b.count}" data-from="${esc(b.from)}" data-to="${esc(b.to)}"><title>${esc(`${label}: ${b.count}`)}</title></rect>`,
    );
  }
  parts.push(`<line x1="${left}" x2="${WIDTH - right}" y1="${bottom}" y2="${bottom}" stroke="${PALETTE.muted}"/>`);
  markers.forEach((m, i) => {
    const mx = x(m.value);
    const color = m.color ?? PALETTE.danger;
    const anchor = mx > left + plotW * 0.7 ? "end" : "start";
    const ly = 12 + 14 * i;
    parts.push(
      `<line class="marker" x1="${num(mx)}" x2="${num(mx)}" y1="${num(ly + 2)}" y2="${bottom}" stroke="${esc(color)}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
        `<text x="${num(anchor === "start" ? mx + 4 : mx - 4)}" y="${num(ly)}" text-anchor="${anchor}" fill="${esc(color)}" font-size="11">${esc(m.label)}</text>`,
    );
  });
  if (opts.bins.length === 0) parts.push(emptyNote(left + 10, (top + bottom) / 2, "no settled transfer"));
  return `${svgOpen(opts.name, opts.title, height)}${parts.join("")}</svg>`;
}

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

/** Horizontal stacked bars: one rect per row and series (data-series names the series), with a legend. */
export function stackedBarChart(opts: { name: string; title: string; series: StackSeries[]; rows: StackRow[]; tick: (v: number) => string; format: (v: number) => string; max?: number }): string {
  const labelW = 200;
  const valueW = 150;
  const plotW = WIDTH - labelW - valueW - 10;
  const rowH = 26;
  const barH = 18;
  const parts: string[] = [];
  let lx = labelW;
  for (const s of opts.series) {
    parts.push(`<rect x="${num(lx)}" y="4" width="12" height="12" fill="${esc(s.color)}"/><text x="${num(lx + 16)}" y="14" fill="${PALETTE.ink}">${esc(s.label)}</text>`);
    lx += 24 + s.label.length * 6.5;
  }
  const top = 26;
  const totals = opts.rows.map((r) => opts.series.reduce((sum, s) => sum + Math.max(0, r.values[s.key] ?? 0), 0));
  const max = opts.max ?? (Math.max(0, ...totals) > 0 ? Math.max(...totals) * 1.08 : 1);
  const x = (v: number) => labelW + (Math.min(v, max) / max) * plotW;
  const bottom = top + Math.max(1, opts.rows.length) * rowH;
  for (const t of niceTicks(max)) {
    parts.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${top}" y2="${num(bottom)}" stroke="${PALETTE.grid}"/>`);
    parts.push(`<text x="${num(x(t))}" y="${num(bottom + 14)}" text-anchor="middle" fill="${PALETTE.muted}" font-size="10">${esc(opts.tick(t))}</text>`);
  }
  opts.rows.forEach((r, i) => {
    const by = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${num(by + barH - 4)}" text-anchor="end" fill="${PALETTE.ink}">${esc(r.label)}</text>`);
    let cum = 0;
    for (const s of opts.series) {
      const v = Math.max(0, r.values[s.key] ?? 0);
      const x0 = x(cum);
      const w = x(cum + v) - x0;
      parts.push(
        `<rect class="bar" x="${num(x0)}" y="${num(by + (rowH - barH) / 2 - 2)}" width="${num(w)}" height="${barH}" fill="${esc(s.color)}" ` +
          `data-label="${esc(r.label)}" data-series="${esc(s.key)}" data-value="${esc(r.values[s.key] ?? 0)}"><title>${esc(`${r.label}, ${s.label}: ${opts.format(v)}`)}</title></rect>`,
      );
      cum += v;
    }
    parts.push(`<text x="${num(x(cum) + 6)}" y="${num(by + barH - 4)}" fill="${PALETTE.ink}">${esc(r.display)}</text>`);
  });
  if (opts.rows.length === 0) parts.push(emptyNote(labelW, top + 16, "no settled transfer"));
  return `${svgOpen(opts.name, opts.title, bottom + 24)}${parts.join("")}</svg>`;
}
