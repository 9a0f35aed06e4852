/**
 * The dashboard's charts: made on the server from the board's figures with the chart definitions
 * the reports use (src/charts), and sent with every state; the page draws them with ECharts'
 * browser build, which the dashboard serves (/assets/echarts.js).
 */
import { countUnit, PALETTE, pctUnit, settlementChart, stackedBarChart, timeSeriesChart, type Chart } from "../charts/definitions.js";
import { formatPct } from "../report/format.js";
import type { DashboardState } from "./board.js";

export interface DashboardCharts {
  latency: Chart;
  inflight: Chart;
  fx: Chart;
  cost: Chart;
}

/** Samples over the last minutes (unix seconds); `mids` per currency against the numeraire; `relayerUp` 1 or 0. */
export interface Timeline {
  t: number[];
  inFlight: number[];
  parked: number[];
  mids: Record<string, number[]>;
  relayerUp: number[];
}

export function dashboardCharts(state: Omit<DashboardState, "charts">, settledSeconds: readonly number[], timeline: Timeline): DashboardCharts {
  const latency = settlementChart({ name: "latency", title: "Settlement time of the payments paid out", seconds: settledSeconds, percentiles: state.settlement, noun: "payments", height: 250 });
  return { latency, inflight: inFlightChart(timeline), fx: fxChart(state, timeline), cost: costChart(state) };
}

/** Spans of samples where the relayer was offline, from one sample to the next. */
function outages(tl: Timeline): { from: number; to: number; label: string }[] {
  const spans: { from: number; to: number; label: string }[] = [];
  tl.t.forEach((t, i) => {
    if (tl.relayerUp[i] !== 0) return;
    const to = tl.t[i + 1] ?? t + 1;
    const last = spans[spans.length - 1];
    if (last && last.to >= t) last.to = to;
    else spans.push({ from: t, to, label: "relayer offline" });
  });
  return spans;
}

function inFlightChart(tl: Timeline): Chart {
  return timeSeriesChart({
    name: "inflight",
    title: "Payments in flight over time",
    times: tl.t,
    series: [
      { key: "inFlight", label: "in flight", values: tl.inFlight, color: PALETTE.primary, area: true },
      { key: "parked", label: "waiting for liquidity", values: tl.parked, color: PALETTE.accent },
    ],
    unit: countUnit,
    shaded: outages(tl),
    height: 220,
  });
}

/** Each currency's mid as a change from its normal rate (so every currency shares one scale). */
function fxChart(state: Omit<DashboardState, "charts">, tl: Timeline): Chart {
  const { numeraire, baseMids } = state.fx;
  const symbol = (c: string) => state.corridor.currencies[c]?.symbol ?? `${c} `;
  return timeSeriesChart({
    name: "fx",
    title: "Mid-market exchange rates over time, change from the normal rate",
    times: tl.t,
    series: Object.entries(tl.mids).map(([c, mids], i) => {
      const base = baseMids[c] ?? 1;
      return {
        key: c,
        label: c,
        values: mids.map((v) => (v / base - 1) * 100),
        color: PALETTE.series[(i + 1) % PALETTE.series.length]!,
        display: (change: number) => `${symbol(c)}${(base * (1 + change / 100)).toFixed(4)} per ${symbol(numeraire)}1 (${Math.abs(change) < 1e-9 ? "normal" : `${change > 0 ? "+" : "−"}${Math.abs(change).toFixed(1)}%`})`,
      };
    }),
    unit: pctUnit(1),
    min: -15,
    max: 15,
    height: 220,
  });
}

function costChart(state: Omit<DashboardState, "charts">): Chart {
  const c = state.cost;
  return stackedBarChart({
    name: "cost",
    title: "Average cost of a payment, % of the amount sent",
    series: [
      { key: "fee", label: "Fee", color: PALETTE.primary },
      { key: "fx", label: "FX margin", color: PALETTE.secondary },
      { key: "gas", label: "Network fees", color: PALETTE.accent },
    ],
    rows: c.samples ? [{ label: "Average", values: { fee: c.meanFeePct ?? 0, fx: c.meanFxPct ?? 0, gas: c.meanGasPct ?? 0 }, display: `all-in ${formatPct(c.meanAllInPct)}` }] : [],
    unit: pctUnit(3),
    labelWidth: 70,
    emptyText: "no payment paid out yet",
  });
}
