import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { CHAIN_PROFILES } from "../../src/chains/profiles.js";
import { percentile } from "../../src/domain/stats.js";

/**
 * Calibration against Circle's published CCTP figures (data/chain-profiles.json): on Ethereum,
 * Standard transfers are attested in 13 to 19 minutes (hard finality) and Fast ones in about
 * 20 seconds (soft confirmation). Ethereum finalises by epochs (src/chains/profiles.ts), so a
 * Standard send waits 65 to 96 blocks by where it lands in its epoch: attestation times spread over
 * the published range rather than all being 13:00. Attestation time is the attestation's time minus
 * the send's block time; settlement time (destination block time minus source block time) adds the
 * destination's next block.
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
      // A Fast allowance no transfer can exhaust: only the chains' timing is measured.
      fastAllowance: { us: "1000000", uk: "1000000" },
      workload: {
        // Sends over more than one epoch (32 blocks of 12 s), so they land at every point of one.
        transfers: 40,
        durationSeconds: 900,
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
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const attested = sorted(standard.map((t) => t.stages.attested! - t.stages.initiated!));
    const settled = sorted(standard.map((t) => t.settlementSeconds!));
    const p50 = percentile(attested, 50)!;
    const p95 = percentile(attested, 95)!;
    expect(p50).toBeGreaterThanOrEqual(lo * 60);
    expect(p95).toBeLessThanOrEqual(hi * 60);
    expect(p95).toBeGreaterThan(p50);
    expect(percentile(settled, 95)!).toBeGreaterThan(percentile(settled, 50)!);
    // Every Standard settlement: at least 65 blocks; at most 96 blocks, the attestation and the destination's next block.
    const block = CHAIN_PROFILES.ethereum!.blockTimeSeconds;
    for (const t of standard) {
      expect(t.settlementSeconds!, t.id).toBeGreaterThanOrEqual(65 * block);
      expect(t.settlementSeconds!, t.id).toBeLessThanOrEqual(96 * block + 60);
    }
    // The run states the calibration it measured beside the published figures.
    const row = results.summary.attestationTimes!.find((r) => r.tier === "standard" && r.key.startsWith("us "))!;
    expect(row.published).toEqual([lo * 60, hi * 60]);
    for (const t of fast) {
      expect(t.settlementSeconds!, t.id).toBeGreaterThan(0);
      expect(t.settlementSeconds!, t.id).toBeLessThan(60);
    }
  });
});
