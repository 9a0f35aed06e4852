/**
 * Replays a DAILY series of one pair's rate (e.g. the Fed H.10 noon rates in data/) at its real
 * pace: a run of H hours that starts at `replayFrom` sees the H hours of history after it. Each
 * day's rate sits at noon New York time (taken as 16:00 UTC); between two published days the
 * log-rate follows a Brownian bridge from one to the next, at the volatility fitted to the series
 * itself (the standard deviation of its log changes per square root of elapsed time), drawn from
 * the run's seed, so ten minutes move like ten real minutes rather than like months. Before the
 * first point and after the last the replay is refused: a run must lie inside the series.
 */
import { CorridorError, ErrorCode } from "../errors.js";
import { Decimal } from "../money.js";
import type { Random } from "../random.js";
import type { FxSeries } from "./historical.js";
import { pairSource, type RateSource } from "./rate-source.js";

/** Seconds after midnight UTC at which a daily point is placed (noon in New York, summer time). */
export const DAILY_FIX_SECONDS_UTC = 16 * 3600;
const YEAR_SECONDS = 365.25 * 86_400;

export interface DailyReplayOptions {
  /** Unix seconds of history the run's start maps to. */
  replayFrom: number;
  /** Simulated time (unix seconds) of the run's start. */
  simStart: number;
  /** Seeded stream for the bridges between points. */
  rng: Random;
  /** Grid of the bridge, seconds (default 60): the path is piecewise linear between grid points. */
  stepSeconds?: number;
}

/** Unix seconds of a "YYYY-MM-DD" daily point. */
export function dailyPointTime(date: string): number {
  const t = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !Number.isFinite(t)) throw new CorridorError(ErrorCode.FxWindowInvalid, `not a day (YYYY-MM-DD): ${date}`, { date });
  return t / 1000 + DAILY_FIX_SECONDS_UTC;
}

/** The annualised volatility of the series' log changes, each scaled by the time it spans (weekends count). */
export function fittedAnnualVol(series: FxSeries): number {
  const pts = series.points.map((p) => ({ t: dailyPointTime(p.date), x: Math.log(p.rate) }));
  let sum = 0;
  let n = 0;
  for (let i = 1; i < pts.length; i++) {
    const dt = pts[i]!.t - pts[i - 1]!.t;
    if (dt <= 0) continue;
    const z = (pts[i]!.x - pts[i - 1]!.x) / Math.sqrt(dt);
    sum += z * z;
    n++;
  }
  return n === 0 ? 0 : Math.sqrt((sum / n) * YEAR_SECONDS);
}

export function dailyReplay(series: FxSeries, o: DailyReplayOptions): RateSource & { annualVol: number; covers: (from: number, to: number) => boolean } {
  const pts = series.points.map((p) => ({ t: dailyPointTime(p.date), x: Math.log(p.rate), date: p.date }));
  for (let i = 1; i < pts.length; i++) {
    if (!(pts[i]!.t > pts[i - 1]!.t)) throw new CorridorError(ErrorCode.FxWindowInvalid, `the daily FX series is not in date order at ${pts[i]!.date}`, { date: pts[i]!.date });
  }
  if (pts.length < 2) throw new CorridorError(ErrorCode.FxWindowInvalid, "a daily FX series needs at least two days");
  const annualVol = fittedAnnualVol(series);
  const sigma = annualVol / Math.sqrt(YEAR_SECONDS); // per sqrt(second)
  const step = o.stepSeconds ?? 60;
  const first = pts[0]!.t;
  const last = pts[pts.length - 1]!.t;
  const bridges = new Map<number, Float64Array>();
  /** The bridge of interval i (from point i to i+1) on its grid, log-rates. */
  const bridge = (i: number): Float64Array => {
    let b = bridges.get(i);
    if (b) return b;
    const a = pts[i]!;
    const z = pts[i + 1]!;
    const n = Math.max(1, Math.ceil((z.t - a.t) / step));
    const rng = o.rng.fork(`bridge/${series.pair.quote}/${a.date}`);
    const w = new Float64Array(n + 1);
    const sd = sigma * Math.sqrt((z.t - a.t) / n);
    for (let k = 1; k <= n; k++) w[k] = w[k - 1]! + rng.normal(0, sd);
    b = new Float64Array(n + 1);
    for (let k = 0; k <= n; k++) b[k] = a.x + (k / n) * (z.x - a.x) + (w[k]! - (k / n) * w[n]!);
    if (bridges.size > 64) bridges.delete(bridges.keys().next().value!);
    bridges.set(i, b);
    return b;
  };
  let hint = 0;
  const at = (h: number): number => {
    if (h <= first) return pts[0]!.x;
    if (h >= last) return pts[pts.length - 1]!.x;
    // The interval holding h (runs ask in time order: start from the last one).
    if (!(pts[hint]!.t <= h && h < pts[hint + 1]!.t)) {
      let lo = 0;
      let hi = pts.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (pts[mid]!.t <= h) lo = mid;
        else hi = mid;
      }
      hint = lo;
    }
    const b = bridge(hint);
    const n = b.length - 1;
    const pos = ((h - pts[hint]!.t) / (pts[hint + 1]!.t - pts[hint]!.t)) * n;
    const k = Math.min(n - 1, Math.floor(pos));
    return b[k]! + (b[k + 1]! - b[k]!) * (pos - k);
  };
  const source = pairSource(`historical-daily:${new Date(o.replayFrom * 1000).toISOString()}`, series.pair, (t) => new Decimal(Math.exp(at(o.replayFrom + (t - o.simStart))).toPrecision(10)));
  return Object.assign(source, { annualVol, covers: (from: number, to: number) => from >= first - 86_400 && to <= last + 86_400 });
}
