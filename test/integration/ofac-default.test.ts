import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { loadAddressList } from "../../src/data/sanctions-list.js";

describe("the default compliance configuration", () => {
  it("denies a transfer to an address on the OFAC list and refunds it in full", async () => {
    const scenario = parseScenario({
      name: "ofac-default",
      seed: 11,
      chains: { us: { profile: "local" }, uk: { profile: "local" } },
      liquidity: { us: "500000", uk: "500000" },
      workload: {
        transfers: 30,
        durationSeconds: 30,
        senders: 6,
        sanctionedShare: 1,
        amount: { medianUsd: 200, sigma: 0.2 },
        mix: [
          { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
          { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
        ],
      },
    });
    expect(scenario.compliance.hooks).toBeUndefined(); // the defaults apply
    const results = await simulate({ scenario });
    const ofac = loadAddressList();
    expect(results.transfers).toHaveLength(30);
    for (const t of results.transfers) {
      expect(ofac.has(t.recipient.toLowerCase())).toBe(true);
      expect(t.state).toBe("refunded");
      expect(t.refundReason).toBe("denied:SANCTIONED_RECIPIENT");
      expect(t.compliance?.outcome).toBe("deny");
    }
    // In full: every sender's balance is back where it started, fee included, to the base unit.
    const senders = results.summary.conservation.lines.filter((l) => l.holder === "senders");
    expect(senders.length).toBeGreaterThan(0);
    for (const l of senders) expect(l.actual).toBe("0");
    expect(results.summary.conservation.ok).toBe(true);
  });
});
