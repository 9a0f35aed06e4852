/**
 * A mean-reverting FX rate: the log of the rate follows an Ornstein–Uhlenbeck process
 *   d ln S = theta (ln mean - ln S) dt + sigma dW,   t in years,
 * so `annualVol` (sigma) is the relative volatility per sqrt(year), as FX vols are quoted.
 *
 * The path is generated on a fixed grid (t0, t0 + step, ...) with the exact OU transition
 * and one seeded stream, strictly in grid order, extended lazily as later times are asked
 * for; between grid points the rate is linearly interpolated. So the same seed gives the
 * same rate at every t, whatever the order or pattern of queries. One source models one pair; the
 * corridor combines one per quote currency (combineRates), each with its own seed.
 */
import { CorridorError, ErrorCode } from "../errors.js";
import { Decimal } from "../money.js";
import { createRandom } from "../random.js";
import { pairSource, type CurrencyPair, type RateSource } from "./rate-source.js";

export const SECONDS_PER_YEAR = 365.25 * 24 * 3600;
/** Memory guard: 20M points (160 MB) is two years at a 3-second step. */
const MAX_GRID_POINTS = 20_000_000;

export interface OrnsteinUhlenbeckOptions {
  /** The pair modelled: the rate is units of pair.quote per pair.base (the source's numeraire). */
  pair: CurrencyPair;
  /** Long-run mean rate (quote per base). */
  mean: number;
  /** Mean reversion speed per year (0: a driftless geometric random walk). */
  theta: number;
  /** Relative volatility per sqrt(year); default 0.08. */
  annualVol?: number;
  /** Rate at t0; default `mean`. */
  start?: number;
  seed: number;
  /** The name of the seeded stream the path draws from (default "fx-ou"): currencies modelled together need different ones. */
  stream?: string;
  /** Grid step in simulated seconds; default 60. */
  stepSeconds?: number;
  /** Simulated time of the first grid point; default 0. Earlier times get the start rate. */
  t0?: number;
}

export interface OrnsteinUhlenbeckSource extends RateSource {
  /** The rate at grid point k (for tests and reports). */
  gridValue(k: number): number;
  readonly stepSeconds: number;
}

export function ornsteinUhlenbeck(options: OrnsteinUhlenbeckOptions): OrnsteinUhlenbeckSource {
  const sigma = options.annualVol ?? 0.08;
  const step = options.stepSeconds ?? 60;
  const t0 = options.t0 ?? 0;
  const start = options.start ?? options.mean;
  const { mean, theta } = options;
  if (!(mean > 0) || !(start > 0) || !(sigma >= 0) || !(theta >= 0) || !(step > 0)) {
    throw new CorridorError(ErrorCode.InvalidConfig, "OU needs mean > 0, start > 0, annualVol >= 0, theta >= 0, stepSeconds > 0", { ...options });
  }
  const dt = step / SECONDS_PER_YEAR;
  const decay = Math.exp(-theta * dt);
  // Exact OU transition: sd of ln S(t+dt) given ln S(t); theta -> 0 gives sigma * sqrt(dt).
  const noise = theta === 0 ? sigma * Math.sqrt(dt) : sigma * Math.sqrt((1 - Math.exp(-2 * theta * dt)) / (2 * theta));
  const logMean = Math.log(mean);
  const rng = createRandom(options.seed).fork(options.stream ?? "fx-ou");
  const logs: number[] = [Math.log(start)];

  function logAt(k: number): number {
    if (k > MAX_GRID_POINTS) {
      throw new CorridorError(ErrorCode.InvalidConfig, `OU path asked for grid point ${k}, above ${MAX_GRID_POINTS}; use a larger stepSeconds`, { k, step });
    }
    while (logs.length <= k) {
      const prev = logs[logs.length - 1] as number;
      logs.push(logMean + (prev - logMean) * decay + noise * rng.normal());
    }
    return logs[k] as number;
  }

  const rateAt = (t: number): Decimal => {
    const x = (t - t0) / step;
    if (!(x > 0)) return new Decimal(start);
    const k = Math.floor(x);
    const a = Math.exp(logAt(k));
    const b = Math.exp(logAt(k + 1));
    return new Decimal(a + (b - a) * (x - k));
  };
  return Object.assign(pairSource(`ou:seed=${options.seed}${options.stream === undefined ? "" : `/${options.stream}`},mean=${mean},theta=${theta},vol=${sigma}`, options.pair, rateAt), {
    stepSeconds: step,
    gridValue: (k: number) => Math.exp(logAt(k)),
  });
}
