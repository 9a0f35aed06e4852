/** The shipped three-chain scenario: every route between USD, GBP and EUR chains settles, both ways, and the books balance for every token on every chain. */
import { describe, expect, it } from "vitest";
import { packagePath } from "../../src/paths.js";
import { loadScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";

describe("scenarios/three-chains.json", () => {
  const scenario = loadScenario(packagePath("scenarios", "three-chains.json"));

  it("plans every ordered pair of its three chains, cross-currency and same-currency", () => {
    const pairs = new Set(scenario.workload.mix.map((m) => `${m.from}->${m.to}`));
    expect(pairs.size).toBe(6);
    expect(new Set(scenario.workload.mix.map((m) => m.input)).size).toBe(3);
  });

  it("settles on every route it plans and conserves every token on every chain to the base unit", async () => {
    const r = await simulate({ scenario });
    expect(r.summary.conservation.ok).toBe(true);
    const covered = new Set(r.summary.conservation.lines.map((l) => `${l.chain}:${l.token}`));
    expect(covered.size).toBe(9);
    const settled = new Set(r.transfers.filter((x) => x.state === "settled").map((x) => `${x.srcChain}:${x.inputToken.currency}->${x.dstChain}:${x.outputToken.currency}`));
    for (const m of scenario.workload.mix) expect(settled).toContain(`${m.from}:${m.input}->${m.to}:${m.output}`);
    // The report's scorecard has a row per corridor that carried traffic.
    expect(Object.keys(r.summary.byCorridor).length).toBeGreaterThanOrEqual(12);
  }, 300_000);
});
