import type { RateSource } from "../fx/rate-source.js";
import type { Currency, Decimal } from "../money.js";
import type { Converter } from "./types.js";

/**
 * A converter at the mids of `rates` at simulated time `t`: through the source's numeraire,
 * amount / perNumeraire(from) * perNumeraire(to); the identity for the same currency. A currency
 * the source does not price throws CorridorError(InvalidConfig) when it is converted.
 */
export function converterAt(rates: RateSource, t: number): Converter {
  const perNumeraire = new Map<Currency, Decimal>();
  const rate = (c: Currency): Decimal => {
    let r = perNumeraire.get(c);
    if (r === undefined) {
      r = rates.perNumeraire(c, t);
      perNumeraire.set(c, r);
    }
    return r;
  };
  return (amount, from, to) => (from === to ? amount : amount.div(rate(from)).times(rate(to)));
}
