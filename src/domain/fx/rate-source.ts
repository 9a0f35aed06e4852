/**
 * FX rate sources. A source prices a set of currencies against one `numeraire`: at simulated time
 * t (seconds), `perNumeraire(c, t)` is units of `c` per one unit of the numeraire (1 for the
 * numeraire itself). Any cross rate follows from two of those (`midFor`). The corridor's spec
 * (src/spec) says which currencies exist and which is the numeraire; a source for one pair is
 * `fixedRate`, `ornsteinUhlenbeck` or `historicalReplay`, and `combineRates` joins one per quote
 * currency into a source for the whole corridor.
 */
import { CorridorError, ErrorCode } from "../errors.js";
import { Decimal, type Currency, type DecimalValue } from "../money.js";

export type { Currency } from "../money.js";

/** `base`/`quote`: a rate of the pair is units of `quote` per one unit of `base`. */
export interface CurrencyPair {
  base: Currency;
  quote: Currency;
}

export interface RateSource {
  /** Stable name for reports, e.g. "fixed:0.79" or "ou:seed=7". */
  readonly id: string;
  /** Every rate is quoted against one unit of this currency. */
  readonly numeraire: Currency;
  /** The currencies priced besides the numeraire. */
  readonly quotes: readonly Currency[];
  /**
   * Units of `currency` per one numeraire unit at simulated time `tSeconds`; always positive, 1 for
   * the numeraire; CorridorError(InvalidConfig) for a currency the source does not price.
   */
  perNumeraire(currency: Currency, tSeconds: number): Decimal;
}

function positive(rate: DecimalValue, what: string): Decimal {
  let d: Decimal;
  try {
    d = new Decimal(rate);
  } catch (cause) {
    throw new CorridorError(ErrorCode.InvalidConfig, `${what} must be a positive number, got ${String(rate)}`, { rate: String(rate) }, cause);
  }
  if (!d.isFinite() || d.lte(0)) throw new CorridorError(ErrorCode.InvalidConfig, `${what} must be a positive number, got ${d.toString()}`, { rate: d.toString() });
  return d;
}

/** The error for a currency a source does not price. */
export function notPriced(source: Pick<RateSource, "id" | "numeraire" | "quotes">, currency: Currency): CorridorError {
  return new CorridorError(
    ErrorCode.InvalidConfig,
    `rate source ${source.id} does not price ${currency} (it prices ${[source.numeraire, ...source.quotes].join(", ")})`,
    { source: source.id, currency },
  );
}

/** True when `source` prices `currency` (the numeraire or one of its quotes). */
export function prices(source: RateSource, currency: Currency): boolean {
  return currency === source.numeraire || source.quotes.includes(currency);
}

/**
 * A source for one pair from a function of time giving the pair's rate (quote per base): the
 * pair's base is the numeraire. The building block of the single-pair models.
 */
export function pairSource(id: string, pair: CurrencyPair, rateAt: (tSeconds: number) => Decimal): RateSource {
  if (pair.base === pair.quote) throw new CorridorError(ErrorCode.InvalidConfig, `an FX pair needs two currencies, got ${pair.base}/${pair.quote}`, { ...pair });
  const one = new Decimal(1);
  const source: RateSource = {
    id,
    numeraire: pair.base,
    quotes: Object.freeze([pair.quote]),
    perNumeraire(currency, tSeconds) {
      if (currency === pair.quote) return rateAt(tSeconds);
      if (currency === pair.base) return one;
      throw notPriced(source, currency);
    },
  };
  return source;
}

/** A constant rate for `pair`: `rate` units of pair.quote per pair.base (the numeraire). */
export function fixedRate(rate: DecimalValue, pair: CurrencyPair): RateSource {
  const r = positive(rate, "fixed rate");
  return pairSource(`fixed:${r.toString()}`, pair, () => r);
}

/** Constant rates for several currencies against `numeraire` (units per numeraire unit); none given: the numeraire alone. */
export function fixedRates(numeraire: Currency, mids: Readonly<Record<Currency, DecimalValue>>): RateSource {
  const quotes = Object.keys(mids).filter((c) => c !== numeraire);
  if (quotes.length === 0) {
    const source: RateSource = {
      id: "fixed:none",
      numeraire,
      quotes: [],
      perNumeraire: (currency) => {
        if (currency === numeraire) return new Decimal(1);
        throw notPriced(source, currency);
      },
    };
    return source;
  }
  return combineRates(quotes.map((quote) => fixedRate(mids[quote]!, { base: numeraire, quote })));
}

/**
 * One source for every currency of `sources`: they must share a numeraire and price disjoint
 * quote currencies (else InvalidConfig). A single source is returned as it is.
 */
export function combineRates(sources: readonly RateSource[]): RateSource {
  const first = sources[0];
  if (first === undefined) throw new CorridorError(ErrorCode.InvalidConfig, "combineRates needs at least one rate source");
  if (sources.length === 1) return first;
  const byQuote = new Map<Currency, RateSource>();
  for (const s of sources) {
    if (s.numeraire !== first.numeraire) {
      throw new CorridorError(ErrorCode.InvalidConfig, `rate sources quote against different numeraires: ${first.id} against ${first.numeraire}, ${s.id} against ${s.numeraire}`, {
        sources: [first.id, s.id],
      });
    }
    for (const q of s.quotes) {
      const clash = byQuote.get(q) ?? (q === first.numeraire ? s : undefined);
      if (clash) throw new CorridorError(ErrorCode.InvalidConfig, `rate sources ${clash.id} and ${s.id} both price ${q}`, { currency: q, sources: [clash.id, s.id] });
      byQuote.set(q, s);
    }
  }
  const one = new Decimal(1);
  const combined: RateSource = {
    id: sources.map((s) => s.id).join(" + "),
    numeraire: first.numeraire,
    quotes: Object.freeze([...byQuote.keys()]),
    perNumeraire(currency, tSeconds) {
      if (currency === combined.numeraire) return one;
      const s = byQuote.get(currency);
      if (s === undefined) throw notPriced(combined, currency);
      return s.perNumeraire(currency, tSeconds);
    },
  };
  return combined;
}

export interface ShockOptions {
  /** Simulated time the shock starts (inclusive). */
  at: number;
  /** Multiplier on the rate from `at`, e.g. 0.9 for a 10% fall of the currency's units per numeraire unit. */
  factor: DecimalValue;
  /** Simulated time the shock ends (exclusive); default: never. */
  until?: number;
  /** The currency whose rate is shocked; default: every quote currency of the source. */
  currency?: Currency;
}

/**
 * Wraps a source: from `at` (until `until`) its perNumeraire of `currency` (or of every quote
 * currency) is multiplied by `factor`. Used by FX-shock faults.
 */
export function shock(source: RateSource, options: ShockOptions): RateSource {
  const factor = positive(options.factor, "shock factor");
  const until = options.until ?? Number.POSITIVE_INFINITY;
  const only = options.currency;
  if (only !== undefined && !source.quotes.includes(only)) {
    throw new CorridorError(ErrorCode.InvalidConfig, `cannot shock ${only}: rate source ${source.id} quotes ${source.quotes.join(", ")} against ${source.numeraire}`, {
      currency: only,
      source: source.id,
    });
  }
  return {
    id: `${source.id}+shock(${factor.toString()}@${options.at}${only === undefined ? "" : ` ${only}`})`,
    numeraire: source.numeraire,
    quotes: source.quotes,
    perNumeraire(currency, t) {
      const r = source.perNumeraire(currency, t);
      const hit = currency !== source.numeraire && (only === undefined || currency === only);
      return hit && t >= options.at && t < until ? r.times(factor) : r;
    },
  };
}

/** Units of `to` per unit of `from` at mid at simulated time t: perNumeraire(to) / perNumeraire(from). */
export function midFor(source: RateSource, from: Currency, to: Currency, tSeconds: number): Decimal {
  if (from === to) return new Decimal(1);
  // The numeraire on either side: one rate, not a division by 1 (exactly the pair's rate or its inverse).
  if (from === source.numeraire) return source.perNumeraire(to, tSeconds);
  if (to === source.numeraire) return new Decimal(1).div(source.perNumeraire(from, tSeconds));
  return source.perNumeraire(to, tSeconds).div(source.perNumeraire(from, tSeconds));
}
