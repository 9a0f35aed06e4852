import { Decimal, type DecimalValue, type FiatCurrency } from "../money.js";
import type { Converter } from "./types.js";

/**
 * ASSUMPTION: EUR per USD is fixed (default 0.92, roughly the 2023-2024 average): EUR only
 * matters for the UK travel-rule threshold (EUR 1,000), and there is no EUR token to price.
 */
export const DEFAULT_EUR_PER_USD = "0.92";

export interface ConverterRates {
  /** GBP per USD, e.g. gbpPerUsd(rateSource, now). */
  gbpPerUsd: DecimalValue;
  /** EUR per USD; default DEFAULT_EUR_PER_USD. */
  eurPerUsd?: DecimalValue;
}

/** A converter through USD at the given mids. */
export function makeConverter(rates: ConverterRates): Converter {
  const perUsd: Record<FiatCurrency, Decimal> = {
    USD: new Decimal(1),
    GBP: new Decimal(rates.gbpPerUsd),
    EUR: new Decimal(rates.eurPerUsd ?? DEFAULT_EUR_PER_USD),
  };
  return (amount, from, to) => (from === to ? amount : amount.div(perUsd[from]).times(perUsd[to]));
}
