import { describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import {
  fixedRate,
  gbpPerUsd,
  historicalReplay,
  midFor,
  ornsteinUhlenbeck,
  SECONDS_PER_YEAR,
  shock,
  usdPerGbp,
  type FxPoint,
} from "../../src/domain/fx/index.js";

const MONTH = 30 * 24 * 3600;
const series: FxPoint[] = [
  { date: "2024-01-01", gbpPerUsd: 0.8 },
  { date: "2024-02-01", gbpPerUsd: 0.7 },
  { date: "2024-03-01", gbpPerUsd: 0.9 },
  { date: "2024-05-01", gbpPerUsd: 0.75 },
];

describe("fixed rate", () => {
  it("gives the same mid at every time and converts in both directions", () => {
    const s = fixedRate("0.8");
    expect(s.mid(0).toString()).toBe("0.8");
    expect(s.mid(1e9).toString()).toBe("0.8");
    expect(gbpPerUsd(s, 5).toString()).toBe("0.8");
    expect(usdPerGbp(s, 5).toString()).toBe("1.25");
    expect(midFor(s, "USD", "USD", 0).toString()).toBe("1");
  });

  it("inverts correctly for a source quoted the other way round", () => {
    const s = fixedRate("1.25", { base: "GBP", quote: "USD" });
    expect(gbpPerUsd(s, 0).toString()).toBe("0.8");
    expect(usdPerGbp(s, 0).toString()).toBe("1.25");
  });

  it("rejects a non-positive rate", () => {
    expect(() => fixedRate(0)).toThrow(/positive/);
  });
});

describe("historical replay", () => {
  it("gives each month's value at the start of that month and interpolates linearly between months", () => {
    const s = historicalReplay(series, { windowStart: "2024-01", windowEnd: "2024-03" });
    expect(s.mid(0).toString()).toBe("0.8");
    expect(s.mid(MONTH).toString()).toBe("0.7");
    expect(s.mid(MONTH / 2).toString()).toBe("0.75");
    expect(s.mid(MONTH * 1.25).toString()).toBe("0.75"); // 0.7 + 0.25 * 0.2
    expect(s.mid(2 * MONTH).toString()).toBe("0.9");
  });

  it("holds the first value before the window and the last after it", () => {
    const s = historicalReplay(series, { windowStart: "2024-02", windowEnd: "2024-03" });
    expect(s.mid(-100).toString()).toBe("0.7");
    expect(s.mid(10 * MONTH).toString()).toBe("0.9");
  });

  it("maps a simulated span onto the whole window", () => {
    const day = 86_400;
    const s = historicalReplay(series, { windowStart: "2024-01", windowEnd: "2024-03", simStart: 1_000, simDuration: day });
    expect(s.mid(1_000).toString()).toBe("0.8");
    expect(s.mid(1_000 + day / 2).toString()).toBe("0.7");
    expect(s.mid(1_000 + day).toString()).toBe("0.9");
    expect(s.mid(1_000 + day / 4).toString()).toBe("0.75");
  });

  it("honours a custom number of simulated seconds per month", () => {
    const s = historicalReplay(series, { windowStart: "2024-01", windowEnd: "2024-02", simSecondsPerMonth: 100 });
    expect(s.mid(50).toString()).toBe("0.75");
  });

  it("refuses a window with a missing month or an end before its start", () => {
    expect(() => historicalReplay(series, { windowStart: "2024-03", windowEnd: "2024-05" })).toThrow(/no value for 2024-04/);
    expect(() => historicalReplay(series, { windowStart: "2024-03", windowEnd: "2024-01" })).toThrow(/before its start/);
    expect(() => historicalReplay(series, { windowStart: "2024-13" })).toThrow(/not a month/);
  });
});

describe("Ornstein-Uhlenbeck rate", () => {
  const options = { mean: 0.79, theta: 2, seed: 11, stepSeconds: 60 };

  it("gives the same path for the same seed, whatever the order of queries", () => {
    const times = [0, 59, 61, 3_600, 86_400, 12_345.5];
    const forward = ornsteinUhlenbeck(options);
    const backward = ornsteinUhlenbeck(options);
    const a = times.map((t) => forward.mid(t).toString());
    const b = [...times].reverse().map((t) => backward.mid(t).toString()).reverse();
    expect(a).toEqual(b);
    expect(ornsteinUhlenbeck({ ...options, seed: 12 }).mid(3_600).toString()).not.toBe(a[3]);
  });

  it("interpolates linearly between grid points", () => {
    const s = ornsteinUhlenbeck(options);
    const a = s.gridValue(10);
    const b = s.gridValue(11);
    expect(s.mid(630).toNumber()).toBeCloseTo((a + b) / 2, 12);
    expect(s.mid(600).toNumber()).toBeCloseTo(a, 12);
  });

  it("starts at the start rate and stays positive", () => {
    const s = ornsteinUhlenbeck({ ...options, start: 0.85, annualVol: 0.5 });
    expect(s.mid(0).toString()).toBe("0.85");
    for (let k = 0; k < 10_000; k++) expect(s.gridValue(k)).toBeGreaterThan(0);
  });

  it("realises roughly the configured annualised volatility", () => {
    const step = 3_600;
    const s = ornsteinUhlenbeck({ mean: 0.79, theta: 1, annualVol: 0.08, seed: 5, stepSeconds: step });
    const n = 2 * 8_766; // two years of hourly steps
    const returns: number[] = [];
    for (let k = 1; k <= n; k++) returns.push(Math.log(s.gridValue(k) / s.gridValue(k - 1)));
    const mean = returns.reduce((a, b) => a + b, 0) / n;
    const variance = returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    const annualised = Math.sqrt(variance / (step / SECONDS_PER_YEAR));
    expect(annualised).toBeGreaterThan(0.076);
    expect(annualised).toBeLessThan(0.084);
  });

  it("reverts towards its mean", () => {
    const s = ornsteinUhlenbeck({ mean: 0.8, theta: 50, annualVol: 0.02, start: 1.2, seed: 1, stepSeconds: 86_400 });
    expect(s.gridValue(365)).toBeCloseTo(0.8, 1);
  });
});

describe("FX shock", () => {
  it("multiplies the mid by the factor from its start time until its end", () => {
    const s = shock(fixedRate("0.8"), { at: 100, factor: "0.9", until: 200 });
    expect(s.mid(99).toString()).toBe("0.8");
    expect(s.mid(100).toString()).toBe("0.72");
    expect(s.mid(199).toString()).toBe("0.72");
    expect(s.mid(200).toString()).toBe("0.8");
    expect(s.pair).toEqual({ base: "USD", quote: "GBP" });
    expect(s.id).toContain("shock");
  });

  it("lasts forever without an end time", () => {
    const s = shock(fixedRate(new Decimal("0.8")), { at: 0, factor: 1.1 });
    expect(s.mid(1e9).toString()).toBe("0.88");
  });
});
