import type { RateSource } from "../domain/fx/rate-source.js";
import { fixedRate } from "../domain/fx/rate-source.js";
import { historicalReplay } from "../domain/fx/historical.js";
import { ornsteinUhlenbeck } from "../domain/fx/ornstein-uhlenbeck.js";
import { loadFxSeries } from "../data/fx-series.js";
import type { Scenario } from "./scenario.js";

/** The scenario's FX rate source (GBP per USD), with simulated time as unix seconds from `start`. */
export function rateSourceFor(s: Scenario, start: number, runSeconds: number): RateSource {
  const fx = s.fx;
  switch (fx.source) {
    case "fixed":
      return fixedRate(fx.gbpPerUsd);
    case "historical":
      // The chosen historical window is mapped onto the run's arrival period.
      return historicalReplay(loadFxSeries(), { windowStart: fx.window.from, windowEnd: fx.window.to, simStart: start, simDuration: Math.max(1, runSeconds) });
    case "ou":
      return ornsteinUhlenbeck({ mean: fx.gbpPerUsd, theta: fx.meanReversionPerYear, annualVol: fx.annualVol, seed: s.seed, t0: start, stepSeconds: 60 });
  }
}
