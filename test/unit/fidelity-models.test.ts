import { describe, expect, it } from "vitest";
import { atDepth, CHAIN_PROFILES, finalBlockAt, withEpochPhase } from "../../src/chains/profiles.js";
import { loadFxSeries } from "../../src/data/fx-series.js";
import { gasPriceData } from "../../src/data/gas-prices.js";
import { dailyPointTime, dailyReplay, fittedAnnualVol } from "../../src/domain/fx/daily-replay.js";
import { createRandom } from "../../src/domain/random.js";
import { gasAssumptionFor, gasUsd } from "../../src/measure/gas.js";
import { repriced } from "../../src/measure/gas-sensitivity.js";
import type { TransferOut } from "../../src/measure/transfer-out.js";

describe("Ethereum finality by epochs", () => {
  const eth = withEpochPhase(CHAIN_PROFILES.ethereum!, () => 5);
  it("makes a send wait 65 to 96 confirmations by where it lands in its epoch", () => {
    const waits = new Set<number>();
    for (let block = 1000; block < 1032; block++) {
      let head = block;
      while (!atDepth(eth, "standard", block, head)) head++;
      waits.add(head - block + 1);
      expect(finalBlockAt(eth, head)).toBeGreaterThanOrEqual(block);
      expect(finalBlockAt(eth, head - 1)).toBeLessThan(block);
    }
    expect(Math.min(...waits)).toBe(65);
    expect(Math.max(...waits)).toBe(96);
    expect(waits.size).toBe(32);
  });
  it("keeps Fast at its confirmations and a profile without epochs at its depth", () => {
    expect(atDepth(eth, "fast", 100, 101)).toBe(true);
    expect(atDepth(eth, "fast", 100, 100)).toBe(false);
    const local = CHAIN_PROFILES.local!;
    expect(finalBlockAt(local, 50)).toBe(50);
  });
});

describe("historical FX at its real pace", () => {
  const series = loadFxSeries("fx-gbp-per-usd-daily.csv");
  const from = dailyPointTime("2026-06-01");
  const replay = (seed: number) => dailyReplay(series, { replayFrom: from, simStart: 0, rng: createRandom(seed) });
  it("passes through each published day and is the same path for the same seed", () => {
    const r = replay(7);
    const jun2 = series.points.find((p) => p.date === "2026-06-02")!.rate;
    expect(r.perNumeraire("GBP", dailyPointTime("2026-06-02") - from).toNumber()).toBeCloseTo(jun2, 8);
    expect(replay(7).perNumeraire("GBP", 12_345).toString()).toBe(r.perNumeraire("GBP", 12_345).toString());
    expect(replay(8).perNumeraire("GBP", 12_345).toString()).not.toBe(r.perNumeraire("GBP", 12_345).toString());
  });
  it("moves over ten minutes like ten minutes at the fitted volatility, not like months", () => {
    const vol = fittedAnnualVol(series);
    expect(vol).toBeGreaterThan(0.03);
    expect(vol).toBeLessThan(0.2);
    // Ten-minute log moves over many seeds: their spread is the volatility scaled to ten minutes.
    const moves: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const r = replay(seed);
      moves.push(Math.log(r.perNumeraire("GBP", 4 * 3600 + 600).toNumber() / r.perNumeraire("GBP", 4 * 3600).toNumber()));
    }
    const sd = Math.sqrt(moves.reduce((a, m) => a + m * m, 0) / moves.length);
    const expected = vol * Math.sqrt(600 / (365.25 * 86_400));
    expect(sd).toBeGreaterThan(expected * 0.6);
    expect(sd).toBeLessThan(expected * 1.4);
    expect(Math.max(...moves.map(Math.abs))).toBeLessThan(0.01);
  });
});

describe("gas prices from dated data", () => {
  it("gives every profile a default inside its cited range, with the native token's dated price", () => {
    const data = gasPriceData();
    for (const name of Object.keys(CHAIN_PROFILES)) {
      const a = gasAssumptionFor({ profile: name });
      expect(a.gasPriceRange[0]).toBeLessThanOrEqual(a.gasPriceGwei);
      expect(a.gasPriceGwei).toBeLessThanOrEqual(a.gasPriceRange[1]);
      expect(a.nativeUsdAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(data.profiles[name]).toBeDefined();
    }
    expect(gasAssumptionFor({ profile: "ethereum", gasPriceGwei: 7 })).toMatchObject({ gasPriceGwei: 7, gasPriceFrom: "scenario" });
  });
  it("prices a transfer again at another gas price from its recorded units and transactions", () => {
    const gas = { units: 300_000, usd: 0, pct: 0, src: { units: 100_000, txs: 1 }, dst: { units: 200_000, txs: 0.5 }, amountUsd: 100 };
    const t = { srcChain: "a", dstChain: "b", gas } as unknown as TransferOut;
    const [again] = repriced([t], { a: { gasPriceGwei: 1, nativeUsd: 2000 }, b: { gasPriceGwei: 2, nativeUsd: 2000, l1DataFeeUsd: 0.01 } });
    const usd = gasUsd(gas.src, gas.dst, { src: { gasPriceGwei: 1, nativeUsd: 2000 }, dst: { gasPriceGwei: 2, nativeUsd: 2000, l1DataFeeUsd: 0.01 } });
    expect(usd).toBeCloseTo(100_000 * 1e-9 * 2000 + 200_000 * 2e-9 * 2000 + 0.005, 9);
    expect(again!.gas!.pct).toBeCloseTo((usd / 100) * 100, 5);
  });
});
