/**
 * Replays a monthly series of one pair's rate (e.g. the Fed H.10 monthly averages in data/, named
 * by the currency presets' `series`) on the simulated clock.
 *
 * Each month's value sits at the start of that month on the replay time line; between
 * two months the mid is linearly interpolated. Before the window the first value holds,
 * after it the last.
 */
import { CorridorError, ErrorCode } from "../errors.js";
import { Decimal } from "../money.js";
import { pairSource, type CurrencyPair, type RateSource } from "./rate-source.js";

export interface FxPoint {
  /** "YYYY-MM" or "YYYY-MM-DD" (the day is ignored: one point per month). */
  date: string;
  /** Units of the series' pair.quote per pair.base. */
  rate: number;
}

/** A monthly history of one pair's rate. */
export interface FxSeries {
  pair: CurrencyPair;
  points: readonly FxPoint[];
}

export interface HistoricalReplayOptions {
  /** First month of the window, "YYYY-MM". */
  windowStart: string;
  /** Last month of the window, "YYYY-MM"; default: the last month of the series. */
  windowEnd?: string;
  /** Simulated time at which windowStart begins; default 0. */
  simStart?: number;
  /** Simulated seconds per month of history; default 30 days. Ignored if simDuration is set. */
  simSecondsPerMonth?: number;
  /** Map simStart..simStart+simDuration onto windowStart..windowEnd (overrides simSecondsPerMonth). */
  simDuration?: number;
}

const MONTH = /^(\d{4})-(\d{2})(?:-\d{2})?$/;
const DEFAULT_SECONDS_PER_MONTH = 30 * 24 * 3600;

function monthIndex(date: string): number {
  const m = MONTH.exec(date);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) throw new CorridorError(ErrorCode.FxWindowInvalid, `not a month (YYYY-MM): ${date}`, { date });
  return Number(m[1]) * 12 + (month - 1);
}

/** A source for `series.pair` (its base is the numeraire) replaying the series over the window. */
export function historicalReplay(series: FxSeries, options: HistoricalReplayOptions): RateSource {
  const byMonth = new Map<number, number>();
  for (const p of series.points) {
    if (!(p.rate > 0)) throw new CorridorError(ErrorCode.FxWindowInvalid, `rate for ${p.date} must be positive`, { date: p.date });
    byMonth.set(monthIndex(p.date), p.rate);
  }
  if (byMonth.size === 0) throw new CorridorError(ErrorCode.FxWindowInvalid, "the FX series is empty");
  const start = monthIndex(options.windowStart);
  const end = options.windowEnd === undefined ? Math.max(...byMonth.keys()) : monthIndex(options.windowEnd);
  if (end < start) throw new CorridorError(ErrorCode.FxWindowInvalid, `window end ${options.windowEnd} is before its start ${options.windowStart}`, { ...options });

  const values: Decimal[] = [];
  for (let i = start; i <= end; i++) {
    const v = byMonth.get(i);
    if (v === undefined) {
      const missing = `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
      throw new CorridorError(ErrorCode.FxWindowInvalid, `the FX series has no value for ${missing}`, { month: missing });
    }
    values.push(new Decimal(v));
  }

  const simStart = options.simStart ?? 0;
  const months = values.length - 1;
  let secondsPerMonth = options.simSecondsPerMonth ?? DEFAULT_SECONDS_PER_MONTH;
  if (options.simDuration !== undefined) secondsPerMonth = months === 0 ? 1 : options.simDuration / months;
  if (!(secondsPerMonth > 0)) throw new CorridorError(ErrorCode.InvalidConfig, "simulated seconds per month must be positive", { secondsPerMonth });
  const first = values[0] as Decimal;
  const last = values[months] as Decimal;

  return pairSource(`historical:${options.windowStart}..${options.windowEnd ?? "end"}`, series.pair, (t) => {
    const position = new Decimal(t - simStart).div(secondsPerMonth);
    if (position.lte(0)) return first;
    if (position.gte(months)) return last;
    const i = position.floor().toNumber();
    const a = values[i] as Decimal;
    const b = values[i + 1] as Decimal;
    return a.plus(b.minus(a).times(position.minus(i)));
  });
}
