import { describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import {
  combineRates,
  fixedRate,
  historicalReplay,
  midFor,
  ornsteinUhlenbeck,
  SECONDS_PER_YEAR,
  shock,
  type FxSeries,
  type RateSource,
} from "../../src/domain/fx/index.js";
import { USD_EUR, USD_GBP } from "../helpers/fx.js";

const MONTH = 30 * 24 * 3600;
const series: FxSeries = {
  pair: USD_GBP,
  points: [
    { date: "2024-01-01", rate: 0.8 },
    { date: "2024-02-01", rate: 0.7 },
    { date: "2024-03-01", rate: 0.9 },
    { date: "2024-05-01", rate: 0.75 },
  ],
};
/** GBP per USD. */
const gbp = (s: RateSource, t: number) => s.perNumeraire("GBP", t);

describe("fixed rate", () => {
  it("gives the same mid at every time and converts in both directions", () => {
    const s = fixedRate("0.8", USD_GBP);
    expect(s.numeraire).toBe("USD");
    expect(s.quotes).toEqual(["GBP"]);
    expect(s.perNumeraire("GBP", 0).toString()).toBe("0.8");
    expect(s.perNumeraire("GBP", 1e9).toString()).toBe("0.8");
    expect(s.perNumeraire("USD", 5).toString()).toBe("1");
    expect(midFor(s, "USD", "GBP", 5).toString()).toBe("0.8");
    expect(midFor(s, "GBP", "USD", 5).toString()).toBe("1.25");
    expect(midFor(s, "USD", "USD", 0).toString()).toBe("1");
    expect(midFor(s, "GBP", "GBP", 0).toString()).toBe("1");
  });

  it("inverts correctly for a source quoted the other way round", () => {
    const s = fixedRate("1.25", { base: "GBP", quote: "USD" });
    expect(s.numeraire).toBe("GBP");
    expect(midFor(s, "USD", "GBP", 0).toString()).toBe("0.8");
    expect(midFor(s, "GBP", "USD", 0).toString()).toBe("1.25");
  });

  it("rejects a non-positive rate, a pair of one currency and a currency it does not price", () => {
    expect(() => fixedRate(0, USD_GBP)).toThrow(/positive/);
    expect(() => fixedRate(1, { base: "USD", quote: "USD" })).toThrow(expect.objectContaining({ code: "CORRIDOR_INVALID_CONFIG" }));
    const s = fixedRate("0.8", USD_GBP);
    expect(() => s.perNumeraire("EUR", 0)).toThrow(expect.objectContaining({ code: "CORRIDOR_INVALID_CONFIG" }));
    expect(() => midFor(s, "GBP", "EUR", 0)).toThrow(/does not price EUR/);
  });

  it("gives a single pair's mid and its inverse exactly as one division, as before", () => {
    const s = fixedRate("0.7497", USD_GBP);
    expect(midFor(s, "USD", "GBP", 0)).toBe(s.perNumeraire("GBP", 0));
    expect(midFor(s, "GBP", "USD", 0).eq(new Decimal(1).div("0.7497"))).toBe(true);
    expect(midFor(s, "GBP", "USD", 0).toString()).toBe(new Decimal(1).div("0.7497").toString());
  });
});

describe("combined rates", () => {
  const both = combineRates([fixedRate("0.8", USD_GBP), fixedRate("0.92", USD_EUR)]);

  it("prices every quote of its sources against the shared numeraire, and cross rates through it", () => {
    expect(both.numeraire).toBe("USD");
    expect(both.quotes).toEqual(["GBP", "EUR"]);
    expect(both.perNumeraire("USD", 0).toString()).toBe("1");
    expect(both.perNumeraire("EUR", 0).toString()).toBe("0.92");
    expect(midFor(both, "GBP", "EUR", 0).toString()).toBe("1.15");
    expect(midFor(both, "EUR", "GBP", 0).toString()).toBe(new Decimal("0.8").div("0.92").toString());
    expect(midFor(both, "GBP", "USD", 0).toString()).toBe("1.25");
    expect(() => both.perNumeraire("JPY", 0)).toThrow(/does not price JPY/);
  });

  it("returns a single source as it is", () => {
    const one = fixedRate("0.8", USD_GBP);
    expect(combineRates([one])).toBe(one);
  });

  it("refuses no sources, different numeraires and a currency priced twice", () => {
    expect(() => combineRates([])).toThrow(expect.objectContaining({ code: "CORRIDOR_INVALID_CONFIG" }));
    expect(() => combineRates([fixedRate("0.8", USD_GBP), fixedRate("1.1", { base: "GBP", quote: "EUR" })])).toThrow(/different numeraires/);
    expect(() => combineRates([fixedRate("0.8", USD_GBP), fixedRate("0.7", USD_GBP)])).toThrow(/both price GBP/);
  });
});

describe("historical replay", () => {
  it("prices the series' pair, its base as the numeraire", () => {
    const s = historicalReplay({ pair: USD_EUR, points: series.points }, { windowStart: "2024-01", windowEnd: "2024-03" });
    expect(s.numeraire).toBe("USD");
    expect(s.quotes).toEqual(["EUR"]);
    expect(s.perNumeraire("EUR", 0).toString()).toBe("0.8");
  });

  it("gives each month's value at the start of that month and interpolates linearly between months", () => {
    const s = historicalReplay(series, { windowStart: "2024-01", windowEnd: "2024-03" });
    expect(s.perNumeraire("GBP", 0).toString()).toBe("0.8");
    expect(s.perNumeraire("GBP", MONTH).toString()).toBe("0.7");
    expect(s.perNumeraire("GBP", MONTH / 2).toString()).toBe("0.75");
    expect(s.perNumeraire("GBP", MONTH * 1.25).toString()).toBe("0.75"); // 0.7 + 0.25 * 0.2
    expect(s.perNumeraire("GBP", 2 * MONTH).toString()).toBe("0.9");
  });

  it("holds the first value before the window and the last after it", () => {
    const s = historicalReplay(series, { windowStart: "2024-02", windowEnd: "2024-03" });
    expect(s.perNumeraire("GBP", -100).toString()).toBe("0.7");
    expect(s.perNumeraire("GBP", 10 * MONTH).toString()).toBe("0.9");
  });

  it("maps a simulated span onto the whole window", () => {
    const day = 86_400;
    const s = historicalReplay(series, { windowStart: "2024-01", windowEnd: "2024-03", simStart: 1_000, simDuration: day });
    expect(s.perNumeraire("GBP", 1_000).toString()).toBe("0.8");
    expect(s.perNumeraire("GBP", 1_000 + day / 2).toString()).toBe("0.7");
    expect(s.perNumeraire("GBP", 1_000 + day).toString()).toBe("0.9");
    expect(s.perNumeraire("GBP", 1_000 + day / 4).toString()).toBe("0.75");
  });

  it("honours a custom number of simulated seconds per month", () => {
    const s = historicalReplay(series, { windowStart: "2024-01", windowEnd: "2024-02", simSecondsPerMonth: 100 });
    expect(s.perNumeraire("GBP", 50).toString()).toBe("0.75");
  });

  it("refuses a window with a missing month or an end before its start", () => {
    expect(() => historicalReplay(series, { windowStart: "2024-03", windowEnd: "2024-05" })).toThrow(/no value for 2024-04/);
    expect(() => historicalReplay(series, { windowStart: "2024-03", windowEnd: "2024-01" })).toThrow(/before its start/);
    expect(() => historicalReplay(series, { windowStart: "2024-13" })).toThrow(/not a month/);
  });
});

describe("Ornstein-Uhlenbeck rate", () => {
  const options = { pair: USD_GBP, mean: 0.79, theta: 2, seed: 11, stepSeconds: 60 };

  it("gives the same path for the same seed, whatever the order of queries", () => {
    const times = [0, 59, 61, 3_600, 86_400, 12_345.5];
    const forward = ornsteinUhlenbeck(options);
    const backward = ornsteinUhlenbeck(options);
    const a = times.map((t) => gbp(forward, t).toString());
    const b = [...times].reverse().map((t) => gbp(backward, t).toString()).reverse();
    expect(a).toEqual(b);
    expect(gbp(ornsteinUhlenbeck({ ...options, seed: 12 }), 3_600).toString()).not.toBe(a[3]);
  });

  it("draws from another seeded stream when named, so currencies modelled together move apart", () => {
    const dflt = ornsteinUhlenbeck(options);
    expect(gbp(ornsteinUhlenbeck({ ...options, stream: "fx-ou" }), 3_600).toString()).toBe(gbp(dflt, 3_600).toString());
    const other = ornsteinUhlenbeck({ ...options, stream: "fx-ou/EUR" });
    expect(gbp(other, 3_600).toString()).not.toBe(gbp(dflt, 3_600).toString());
    expect(other.id).not.toBe(dflt.id);
  });

  it("interpolates linearly between grid points", () => {
    const s = ornsteinUhlenbeck(options);
    const a = s.gridValue(10);
    const b = s.gridValue(11);
    expect(s.perNumeraire("GBP", 630).toNumber()).toBeCloseTo((a + b) / 2, 12);
    expect(s.perNumeraire("GBP", 600).toNumber()).toBeCloseTo(a, 12);
  });

  it("starts at the start rate and stays positive", () => {
    const s = ornsteinUhlenbeck({ ...options, start: 0.85, annualVol: 0.5 });
    expect(s.perNumeraire("GBP", 0).toString()).toBe("0.85");
    for (let k = 0; k < 10_000; k++) expect(s.gridValue(k)).toBeGreaterThan(0);
  });

  it("realises roughly the configured annualised volatility", () => {
    const step = 3_600;
    const s = ornsteinUhlenbeck({ pair: USD_GBP, mean: 0.79, theta: 1, annualVol: 0.08, seed: 5, stepSeconds: step });
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
    const s = ornsteinUhlenbeck({ pair: USD_GBP, mean: 0.8, theta: 50, annualVol: 0.02, start: 1.2, seed: 1, stepSeconds: 86_400 });
    expect(s.gridValue(365)).toBeCloseTo(0.8, 1);
  });
});

describe("FX shock", () => {
  it("multiplies the mid by the factor from its start time until its end", () => {
    const s = shock(fixedRate("0.8", USD_GBP), { at: 100, factor: "0.9", until: 200 });
    expect(s.perNumeraire("GBP", 99).toString()).toBe("0.8");
    expect(s.perNumeraire("GBP", 100).toString()).toBe("0.72");
    expect(s.perNumeraire("GBP", 199).toString()).toBe("0.72");
    expect(s.perNumeraire("GBP", 200).toString()).toBe("0.8");
    expect(s.numeraire).toBe("USD");
    expect(s.quotes).toEqual(["GBP"]);
    expect(s.perNumeraire("USD", 150).toString()).toBe("1");
    expect(s.id).toContain("shock");
  });

  it("lasts forever without an end time", () => {
    const s = shock(fixedRate(new Decimal("0.8"), USD_GBP), { at: 0, factor: 1.1 });
    expect(s.perNumeraire("GBP", 1e9).toString()).toBe("0.88");
  });

  it("shocks one currency when named, every quote otherwise", () => {
    const both = combineRates([fixedRate("0.8", USD_GBP), fixedRate("0.92", USD_EUR)]);
    const one = shock(both, { at: 0, factor: "0.5", currency: "EUR" });
    expect(one.perNumeraire("EUR", 1).toString()).toBe("0.46");
    expect(one.perNumeraire("GBP", 1).toString()).toBe("0.8");
    const all = shock(both, { at: 0, factor: "0.5" });
    expect(all.perNumeraire("EUR", 1).toString()).toBe("0.46");
    expect(all.perNumeraire("GBP", 1).toString()).toBe("0.4");
    expect(midFor(all, "GBP", "EUR", 1).toString()).toBe("1.15");
    expect(() => shock(both, { at: 0, factor: 2, currency: "USD" })).toThrow(/cannot shock USD/);
  });
});
