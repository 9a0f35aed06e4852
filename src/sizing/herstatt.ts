/**
 * Settlement (Herstatt) risk of cross-currency transfers: how much value is exposed, and for how
 * long, between one leg and the other.
 *
 *  - the payer's leg: from the lock on the source (the send's block) to the release on the
 *    destination (the payout's block), or to the refund on the source when there was no payout.
 *    The payer has given up the input currency and holds nothing yet: the exposure a corridor's
 *    users carry.
 *  - the liquidity provider's leg: from the payout on the destination to the release of the escrow
 *    to the source-side pool (finalize). The provider has paid out and is owed the input currency.
 *
 * Value is the amount sent in the numeraire at the scenario's mid; value-time is value × seconds,
 * shown in numeraire-hours. Per corridor (source chain and currency to destination chain and
 * currency): the distribution (p50, p95, max) of each, the total and the peak exposure outstanding
 * at one moment.
 */
import { distribution, type Distribution } from "../domain/stats.js";
import type { CorridorSpec } from "../spec/spec.js";

export interface TransferTimes {
  srcChain: string;
  dstChain: string;
  inputToken: { currency: string };
  outputToken: { currency: string };
  amountIn: string;
  state: string;
  stages: Record<string, number>;
}

export interface LegExposure {
  count: number;
  seconds: Distribution;
  value: Distribution;
  /** value × seconds / 3600, numeraire-hours. */
  valueHours: Distribution;
  totalValueHours: number;
  /** Largest value exposed at one moment (numeraire). */
  peakValue: number;
}

export interface CorridorExposure {
  payer: LegExposure;
  provider: LegExposure;
}

export interface HerstattReport {
  numeraire: string;
  /** "lockRelease": a lock on the source, a release on the destination, in two steps. */
  settlement: string;
  definition: string;
  byCorridor: Record<string, CorridorExposure>;
  all: CorridorExposure;
}

interface Window {
  from: number;
  to: number;
  value: number;
}

const round = (d: Distribution, digits: number): Distribution =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === "count" ? v : Math.round((v as number) * 10 ** digits) / 10 ** digits])) as unknown as Distribution;

function leg(windows: readonly Window[]): LegExposure {
  const seconds = windows.map((w) => w.to - w.from);
  const values = windows.map((w) => w.value);
  const vh = windows.map((w) => (w.value * (w.to - w.from)) / 3600);
  // Peak outstanding: opens before closes at the same second are not counted together (a window [a, b) ).
  const events = windows.flatMap((w) => [[w.from, w.value] as const, [w.to, -w.value] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, dv] of events) {
    open += dv;
    if (open > peak) peak = open;
  }
  return {
    count: windows.length,
    seconds: round(distribution(seconds), 1),
    value: round(distribution(values), 2),
    valueHours: round(distribution(vh), 2),
    totalValueHours: Math.round(vh.reduce((a, b) => a + b, 0) * 100) / 100,
    peakValue: Math.round(peak * 100) / 100,
  };
}

/** The exposure of a run's cross-currency transfers. */
export function herstattExposure(spec: CorridorSpec, transfers: readonly TransferTimes[], settlement = "lockRelease"): HerstattReport {
  const valueOf = (t: TransferTimes) => Number(t.amountIn) / (spec.currencies[t.inputToken.currency]?.mid ?? NaN);
  const groups = new Map<string, { payer: Window[]; provider: Window[] }>();
  const all = { payer: [] as Window[], provider: [] as Window[] };
  for (const t of transfers) {
    if (t.inputToken.currency === t.outputToken.currency) continue;
    const from = t.stages.initiated;
    if (from === undefined) continue;
    const key = `${t.srcChain}:${t.inputToken.currency}->${t.dstChain}:${t.outputToken.currency}`;
    const g = groups.get(key) ?? groups.set(key, { payer: [], provider: [] }).get(key)!;
    const value = valueOf(t);
    const end = t.state === "settled" ? t.stages.settled : t.state === "refunded" ? t.stages.refunded : undefined;
    if (end !== undefined) {
      g.payer.push({ from, to: end, value });
      all.payer.push({ from, to: end, value });
    }
    if (t.state === "settled" && t.stages.settled !== undefined && t.stages.finalized !== undefined) {
      const w = { from: t.stages.settled, to: t.stages.finalized, value };
      g.provider.push(w);
      all.provider.push(w);
    }
  }
  return {
    numeraire: spec.numeraire,
    settlement,
    definition:
      "payer: from the lock on the source (send mined) to the release on the destination (payout mined), or to the refund; provider: from the payout to the escrow's release to the source pool (finalize). Value: the amount sent at the scenario's mid.",
    byCorridor: Object.fromEntries([...groups.keys()].sort().map((k) => [k, { payer: leg(groups.get(k)!.payer), provider: leg(groups.get(k)!.provider) }])),
    all: { payer: leg(all.payer), provider: leg(all.provider) },
  };
}
