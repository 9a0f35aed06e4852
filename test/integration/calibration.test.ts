import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { CHAIN_PROFILES } from "../../src/chains/profiles.js";

/**
 * Calibration against Circle's published CCTP figures (data/chain-profiles.json): on Ethereum,
 * Standard transfers are attested in 13 to 19 minutes (hard finality) and Fast ones in about
 * 20 seconds (soft confirmation). Settlement time here is destination block time minus source
 * block time, so it includes the modelled screening and attestation and the next block.
 */
describe("calibration against CCTP on Ethereum", () => {
  it("settles Standard transfers in 13 to 19 simulated minutes and Fast ones in under a minute", async () => {
    const scenario = parseScenario({
      name: "calibration",
      seed: 3,
      chains: { us: { profile: "ethereum" }, uk: { profile: "ethereum" } },
      // Nothing held for review: only the chains' timing is measured.
      compliance: { hooks: [] },
      liquidity: { us: "1000000", uk: "1000000" },
      workload: {
        transfers: 30,
        durationSeconds: 120,
        senders: 6,
        fastShare: 0.5,
        mix: [
          { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
          { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
        ],
      },
    });
    const results = await simulate({ scenario });
    expect(results.summary.conservation.ok).toBe(true);
    const standard = results.transfers.filter((t) => t.tier === "standard");
    const fast = results.transfers.filter((t) => t.tier === "fast");
    expect(standard.length).toBeGreaterThan(5);
    expect(fast.length).toBeGreaterThan(5);
    expect(results.transfers.every((t) => t.state === "settled")).toBe(true);

    const [lo, hi] = CHAIN_PROFILES.ethereum!.publishedStandardMinutes!;
    expect([lo, hi]).toEqual([13, 19]);
    for (const t of standard) {
      expect(t.settlementSeconds!, t.id).toBeGreaterThanOrEqual(lo * 60);
      expect(t.settlementSeconds!, t.id).toBeLessThanOrEqual(hi * 60);
    }
    for (const t of fast) {
      expect(t.settlementSeconds!, t.id).toBeGreaterThan(0);
      expect(t.settlementSeconds!, t.id).toBeLessThan(60);
    }
  });
});
