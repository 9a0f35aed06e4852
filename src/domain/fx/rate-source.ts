/**
 * FX rate sources. A source gives the mid rate of its `pair` at simulated time t (seconds):
 * `mid(t)` is units of `pair.quote` per one unit of `pair.base`. The default pair is
 * USD/GBP, i.e. GBP per USD (how the historical series is published).
 */
import { CorridorError, ErrorCode } from "../errors.js";
import { Decimal, type Currency, type DecimalValue } from "../money.js";

export interface CurrencyPair {
  base: Currency;
  quote: Currency;
}

/** GBP per USD. */
export const USD_GBP: CurrencyPair = Object.freeze({ base: "USD", quote: "GBP" });

export interface RateSource {
  /** Stable name for reports, e.g. "fixed:0.79" or "ou:seed=7". */
  readonly id: string;
  readonly pair: CurrencyPair;
  /** Quote currency per base currency at simulated time `tSeconds`. Always positive. */
  mid(tSeconds: number): Decimal;
}

function positive(rate: DecimalValue, what: string): Decimal {
  const d = new Decimal(rate);
  if (!d.isFinite() || d.lte(0)) throw new CorridorError(ErrorCode.InvalidConfig, `${what} must be a positive number, got ${d.toString()}`, { rate: d.toString() });
  return d;
}

/** A constant rate. */
export function fixedRate(rate: DecimalValue, pair: CurrencyPair = USD_GBP): RateSource {
  const r = positive(rate, "fixed rate");
  return { id: `fixed:${r.toString()}`, pair, mid: () => r };
}

export interface ShockOptions {
  /** Simulated time the shock starts (inclusive). */
  at: number;
  /** Multiplier on the mid from `at`, e.g. 0.9 for a 10% fall of quote per base. */
  factor: DecimalValue;
  /** Simulated time the shock ends (exclusive); default: never. */
  until?: number;
}

/** Wraps a source: from `at` (until `until`) its mid is multiplied by `factor`. Used by FX-shock faults. */
export function shock(source: RateSource, options: ShockOptions): RateSource {
  const factor = positive(options.factor, "shock factor");
  const until = options.until ?? Number.POSITIVE_INFINITY;
  return {
    id: `${source.id}+shock(${factor.toString()}@${options.at})`,
    pair: source.pair,
    mid: (t) => {
      const m = source.mid(t);
      return t >= options.at && t < until ? m.times(factor) : m;
    },
  };
}

/** Output-currency units per input-currency unit at mid, for either direction of the source's pair. */
export function midFor(source: RateSource, from: Currency, to: Currency, tSeconds: number): Decimal {
  if (from === to) return new Decimal(1);
  const { base, quote } = source.pair;
  if (from === base && to === quote) return source.mid(tSeconds);
  if (from === quote && to === base) return new Decimal(1).div(source.mid(tSeconds));
  throw new CorridorError(ErrorCode.InvalidConfig, `rate source ${source.id} (${base}/${quote}) cannot convert ${from} to ${to}`, { from, to });
}

/** GBP per USD at t. */
export function gbpPerUsd(source: RateSource, tSeconds: number): Decimal {
  return midFor(source, "USD", "GBP", tSeconds);
}

/** USD per GBP at t. */
export function usdPerGbp(source: RateSource, tSeconds: number): Decimal {
  return midFor(source, "GBP", "USD", tSeconds);
}
