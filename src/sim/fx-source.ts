import { combineRates, fixedRate, type RateSource } from "../domain/fx/rate-source.js";
import { historicalReplay } from "../domain/fx/historical.js";
import { ornsteinUhlenbeck } from "../domain/fx/ornstein-uhlenbeck.js";
import { loadFxSeries } from "../data/fx-series.js";
import type { Scenario } from "./scenario.js";

/**
 * The scenario's FX rates: every currency of its spec priced against the numeraire, each by the
 * scenario's model with the currency's own parameters (src/spec/presets.ts or the scenario's
 * `currencies`), with simulated time as unix seconds from `start`.
 * - fixed: the currency's mid;
 * - historical: the currency's monthly series replayed over the run (a currency without a series stays at its mid);
 * - ou: a mean-reverting path around its mid with its own volatility. Each currency draws from its
 *   own seeded stream; the first one priced keeps the stream a one-pair corridor has always used
 *   ("fx-ou"), so adding a currency does not move the others' paths.
 */
export function rateSourceFor(s: Scenario, start: number, runSeconds: number): RateSource {
  const { spec, fx } = s;
  const quotes = Object.values(spec.currencies).filter((c) => c.code !== spec.numeraire);
  return combineRates(
    quotes.map((c, i) => {
      const pair = { base: spec.numeraire, quote: c.code };
      switch (fx.source) {
        case "fixed":
          return fixedRate(c.mid, pair);
        case "historical":
          // The chosen historical window is mapped onto the run's arrival period.
          return c.series
            ? historicalReplay(loadFxSeries(c.series), { windowStart: fx.window.from, windowEnd: fx.window.to, simStart: start, simDuration: Math.max(1, runSeconds) })
            : fixedRate(c.mid, pair);
        case "ou":
          return ornsteinUhlenbeck({
            pair,
            mean: c.mid,
            theta: c.meanReversionPerYear,
            annualVol: c.annualVol,
            seed: s.seed,
            stream: i === 0 ? "fx-ou" : `fx-ou/${c.code}`,
            t0: start,
            stepSeconds: 60,
          });
      }
    }),
  );
}
