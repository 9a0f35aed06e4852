import { describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { parseScenario, type ScenarioInput } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import { bootCorridor } from "../../src/corridor/boot.js";
import { tokenAbi } from "../../src/contracts/gateway.js";
import { toBaseUnits } from "../../src/domain/money.js";

const small: ScenarioInput = {
  name: "round-trip",
  seed: 7,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "500000", uk: "500000" },
  workload: {
    transfers: 40,
    durationSeconds: 60,
    senders: 8,
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
      { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
      { from: "uk", to: "us", input: "GBP", output: "GBP", weight: 1 },
    ],
  },
};

describe("a round trip across two embedded chains", () => {
  it("settles every transfer in both directions and every recipient holds exactly what was paid", async () => {
    const scenario = parseScenario(small);
    const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
    const corridor = await bootCorridor({ seed: scenario.seed, initialDate: new Date((t0 - 86_400) * 1000) });
    try {
      const results = await simulate({ scenario, corridor });
      expect(results.summary.transfers.sent).toBe(40);
      expect(results.transfers.every((t) => t.state === "settled")).toBe(true);
      expect(results.summary.conservation.ok).toBe(true);
      expect(new Set(results.transfers.map((t) => `${t.inputToken.currency}->${t.outputToken.currency}`))).toEqual(
        new Set(["USD->GBP", "GBP->USD", "USD->USD", "GBP->GBP"]),
      );

      // Independently of the conservation module: read each recipient's balance on its destination chain.
      const expected = new Map<string, bigint>();
      for (const t of results.transfers) {
        const key = `${t.dstChain}|${t.outputToken.address}|${t.recipient}`;
        expected.set(key, (expected.get(key) ?? 0n) + toBaseUnits(t.amountOut!));
      }
      for (const [key, amount] of expected) {
        const [chain, token, holder] = key.split("|") as [string, Hex, Hex];
        const balance = await corridor.chains[chain]!.client.readContract({ address: token, abi: tokenAbi(), functionName: "balanceOf", args: [holder] });
        expect(balance, key).toBe(amount);
      }
      // Cross-currency payouts use the attested rate, rounded down to the base unit.
      for (const t of results.transfers.filter((t) => t.mode === "lockRelease")) {
        const expectedOut = (toBaseUnits(t.amountIn) * toBaseUnits(t.rate!, 18)) / 10n ** 18n;
        expect(toBaseUnits(t.amountOut!)).toBe(expectedOut);
      }
      // Settlement time is measured from block timestamps: destination after source.
      for (const t of results.transfers) expect(t.settlementSeconds).toBeGreaterThan(0);
    } finally {
      await corridor.close();
    }
  });

  it("gives identical results for the same scenario and seed, apart from wall-clock fields", async () => {
    const scenario = parseScenario({ ...small, workload: { ...small.workload, transfers: 12 } });
    const strip = (r: Awaited<ReturnType<typeof simulate>>) => ({ ...r, summary: { ...r.summary, wallClock: null } });
    const a = await simulate({ scenario });
    const b = await simulate({ scenario });
    expect(JSON.stringify(strip(b), (_k, v) => (typeof v === "bigint" ? v.toString() : v))).toBe(
      JSON.stringify(strip(a), (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
  });
});
