import { combineRates, fixedRate, type RateSource } from "../domain/fx/rate-source.js";
import { historicalReplay } from "../domain/fx/historical.js";
import { ornsteinUhlenbeck } from "../domain/fx/ornstein-uhlenbeck.js";
import { loadFxSeries } from "../data/fx-series.js";
import { dailyReplay } from "../domain/fx/daily-replay.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { createRandom } from "../domain/random.js";
import type { Scenario } from "./scenario.js";

/**
 * The scenario's FX rates: every currency of its spec priced against the numeraire, each by the
 * scenario's model with the currency's own parameters (src/spec/presets.ts or the scenario's
 * `currencies`), with simulated time as unix seconds from `start`.
 * - fixed: the currency's mid;
 * - historical, pace "real" (default): the currency's daily series replayed at its own pace from
 *   `fx.replayFrom` (default the run's start), a seeded Brownian bridge between days; pace
 *   "compressed": its monthly `fx.window` squeezed onto the run. A currency without the series stays at its mid;
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
          if (fx.pace === "real") {
            if (!c.dailySeries) return fixedRate(c.mid, pair);
            const from = fx.replayFrom === undefined ? start : Date.parse(fx.replayFrom) / 1000;
            const replay = dailyReplay(loadFxSeries(c.dailySeries), { replayFrom: from, simStart: start, rng: createRandom(s.seed).fork("fx-daily") });
            if (!replay.covers(from, from + runSeconds)) {
              const pts = loadFxSeries(c.dailySeries).points;
              throw new CorridorError(
                ErrorCode.FxWindowInvalid,
                `fx.replayFrom ${new Date(from * 1000).toISOString()} and the run's ${Math.round(runSeconds)} s are outside the daily ${c.code} series (${pts[0]!.date} to ${pts[pts.length - 1]!.date}): set fx.replayFrom inside it, or fx.pace "compressed"`,
                { currency: c.code, replayFrom: fx.replayFrom ?? null },
              );
            }
            return replay;
          }
          // The chosen monthly window is mapped onto the run's arrival period.
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
