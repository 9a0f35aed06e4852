/**
 * The travel rule of both sides on real chains: a 200 USD transfer without travel-rule data, below
 * the US threshold (USD 3,000), is refused US->UK and UK->US alike, because the UK asks for the names
 * below its threshold, and the decision names the UK; between the US and a jurisdiction without a
 * travel rule, it settles.
 */
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";

describe("compliance rules of the sender's and the recipient's jurisdictions", () => {
  it("refuses US->UK and UK->US transfers without the names the UK requires, and settles those between the US and a jurisdiction without a travel rule", async () => {
    const scenario = parseScenario({
      name: "both-sides",
      seed: 5,
      chains: { us: { profile: "local" }, uk: { profile: "local" }, xx: { profile: "local", chainId: 31_099, home: "USD", jurisdiction: "XX" } },
      jurisdictions: { XX: { country: "SG", travelRule: null } },
      liquidity: { us: "500000", uk: "500000", xx: "500000" },
      compliance: { hooks: [{ hook: "travelRule", onMissing: "deny" }] },
      workload: {
        transfers: 24,
        durationSeconds: 30,
        senders: 4,
        travelRuleDataShare: 0,
        amount: { medianUsd: 200, sigma: 0 },
        mix: [
          { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
          { from: "us", to: "xx", input: "USD", output: "USD", weight: 1 },
        ],
      },
    });
    const results = await simulate({ scenario });
    const by = (from: string, to: string) => results.transfers.filter((t) => t.srcChain === from && t.dstChain === to);
    for (const [from, to] of [["us", "uk"], ["uk", "us"]] as const) {
      expect(by(from, to).length).toBeGreaterThan(0);
      for (const t of by(from, to)) {
        expect(t).toMatchObject({ state: "refunded", refundReason: "denied:TRAVEL_RULE_MISSING", compliance: { outcome: "deny", hook: "travelRule", jurisdiction: "UK" } });
      }
    }
    expect(by("us", "xx").length).toBeGreaterThan(0);
    for (const t of by("us", "xx")) expect(t).toMatchObject({ state: "settled", compliance: { outcome: "allow" } });
    // The audit trail says which side's rule asked for what.
    const usToUk = results.audit.find((e) => e.transferId === by("us", "uk")[0]!.id && e.hook === "travelRule")!;
    expect(usToUk.data).toMatchObject({
      required: "names",
      decidedBy: { jurisdiction: "UK", side: "destination" },
      rules: [
        { jurisdiction: "US", required: "none", threshold: "3000 USD" },
        { jurisdiction: "UK", required: "names", threshold: "1000 EUR", basis: expect.stringMatching(/MLR 2017 Part 7A/) },
      ],
    });
    expect(results.summary.conservation.ok).toBe(true);
  });
});
