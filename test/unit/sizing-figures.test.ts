import { describe, expect, it } from "vitest";
import { loadPolicyRates } from "../../src/data/policy-rates.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { costOfCapital } from "../../src/sizing/capital.js";
import { herstattExposure } from "../../src/sizing/herstatt.js";

const base = {
  name: "t",
  chains: { us: {}, uk: {} },
  liquidity: { us: "1000000", uk: "750000" },
  workload: { transfers: 1, durationSeconds: 3600, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
};

describe("cost of capital", () => {
  it("prices each pool at its currency's policy rate over the arrival window and spreads it over settled value", () => {
    const s = parseScenario(base);
    const rates = loadPolicyRates().rates;
    const home = (n: string) => s.spec.chains[n]!.home;
    const mid = (n: string) => s.spec.currencies[home(n)]!.mid;
    const settled = [{ amountIn: "1000", inputToken: { currency: home("us") } }, { amountIn: "3000", inputToken: { currency: home("us") } }];
    const c = costOfCapital({ spec: s.spec, liquidity: s.liquidity, capital: s.capital, heldSeconds: 3600, settled, meanAllInPct: 0.5 });
    const year = 365 * 86_400;
    const us = (1_000_000 / mid("us")) * rates[home("us")]!.rate * (3600 / year);
    const uk = (750_000 / mid("uk")) * rates[home("uk")]!.rate * (3600 / year);
    expect(c.pools.us!.cost).toBeCloseTo(us, 5);
    expect(c.pools.uk!.cost).toBeCloseTo(uk, 5);
    expect(c.totalCost).toBeCloseTo(us + uk, 5);
    expect(c.perTransfer).toBeCloseTo((us + uk) / 2, 5);
    expect(c.pct).toBeCloseTo(((us + uk) / 4000) * 100, 5);
    expect(c.allInWithCapitalPct).toBeCloseTo(0.5 + c.pct!, 6);
    expect(c.pools.uk!.rateSource).toContain(rates[home("uk")]!.decided);
    expect(c.unpriced).toEqual([]);
  });

  it("takes the scenario's rate per pool, refuses a percentage written as a whole number or an unknown pool", () => {
    const s = parseScenario({ ...base, capital: { rates: { uk: 0.1 } } });
    const c = costOfCapital({ spec: s.spec, liquidity: s.liquidity, capital: s.capital, heldSeconds: 3600, settled: [], meanAllInPct: null });
    expect(c.pools.uk).toMatchObject({ rate: 0.1, rateSource: "the scenario (capital.rates)" });
    expect(c.perTransfer).toBeNull();
    expect(c.pct).toBeNull();
    expect(() => parseScenario({ ...base, capital: { rates: { uk: 3.75 } } })).toThrow(/capital\.rates\.uk: a rate per year as a fraction/);
    expect(() => parseScenario({ ...base, capital: { rates: { mars: 0.01 } } })).toThrow(/capital\.rates\.mars: unknown chain "mars"/);
    expect(() => parseScenario({ ...base, capital: { rate: 0.01 } })).toThrow(/CORRIDOR_SCENARIO_INVALID|capital/);
  });
});

describe("Herstatt exposure", () => {
  it("measures the payer's and the provider's legs of cross-currency transfers per corridor, with the peak outstanding", () => {
    const s = parseScenario(base);
    const usd = s.spec.chains.us!.home;
    const gbp = s.spec.chains.uk!.home;
    const t = (amountIn: string, state: string, stages: Record<string, number>, cross = true) => ({ srcChain: "us", dstChain: "uk", inputToken: { currency: usd }, outputToken: { currency: cross ? gbp : usd }, amountIn, state, stages });
    const r = herstattExposure(s.spec, [
      t("100", "settled", { initiated: 0, settled: 60, finalized: 100 }),
      t("300", "settled", { initiated: 30, settled: 90, finalized: 90 }),
      t("50", "refunded", { initiated: 10, refunded: 610 }),
      // same currency: no FX leg, no Herstatt risk
      t("999", "settled", { initiated: 0, settled: 5000 }, false),
    ]);
    const key = `us:${usd}->uk:${gbp}`;
    expect(Object.keys(r.byCorridor)).toEqual([key]);
    const payer = r.byCorridor[key]!.payer;
    expect(payer.count).toBe(3);
    expect(payer.seconds.max).toBe(600);
    expect(payer.value.max).toBe(300);
    // 100×60 + 300×60 + 50×600 value-seconds = 54,000 = 15 value-hours
    expect(payer.totalValueHours).toBe(15);
    // From 30 to 60: all three open (100 + 300 + 50).
    expect(payer.peakValue).toBe(450);
    const provider = r.byCorridor[key]!.provider;
    expect(provider.count).toBe(2);
    expect(provider.seconds.max).toBe(40);
    expect(provider.totalValueHours).toBeCloseTo((100 * 40) / 3600, 2);
  });
});
