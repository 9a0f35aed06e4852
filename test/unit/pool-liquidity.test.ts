import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withPoolLiquidity } from "../../src/liquidity/schema.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { scenarioForPoint, scenarioJson } from "../../src/sim/sweep.js";

const baseline = JSON.parse(readFileSync(new URL("../../scenarios/baseline.json", import.meta.url), "utf8")) as Record<string, unknown>;
const micro = (v: string) => {
  const [w, f = ""] = v.split(".");
  return BigInt(w!) * 1_000_000n + BigInt(f.padEnd(6, "0"));
};
const fundedOn = (s: { providers?: { list: { funding: Record<string, string> }[] } }, chain: string) =>
  (s.providers?.list ?? []).reduce((sum, p) => sum + (p.funding[chain] ? micro(p.funding[chain]!) : 0n), 0n);

describe("a pool's liquidity changed under declared providers", () => {
  it("scales the providers' funding on that chain so they still fund exactly the pool", () => {
    for (const amount of ["1", "749", "855.5", "3000001"]) {
      const json = withPoolLiquidity(baseline, { uk: amount });
      const s = parseScenario(json, `baseline with uk=${amount}`);
      expect(fundedOn(s, "uk")).toBe(micro(amount));
      // The other pool and its funding are left alone.
      expect(fundedOn(s, "us")).toBe(fundedOn(parseScenario(baseline), "us"));
      expect(s.providers!.list.every((p) => Object.values(p.funding).every((v) => micro(v) > 0n))).toBe(true);
    }
  });

  it("without the scaling the scenario is refused (the check the helper keeps satisfied)", () => {
    expect(() => parseScenario({ ...baseline, liquidity: { ...(baseline.liquidity as object), uk: "749" } })).toThrow(/providers fund/);
  });

  it("a sweep point that varies a pool is a valid scenario", () => {
    const base = parseScenario(baseline);
    const { scenario } = scenarioForPoint(base, { label: "uk=5000", sets: [{ path: "liquidity.uk", value: "5000" }] } as never);
    expect(scenario.liquidity.uk).toBe("5000");
    expect(fundedOn(scenario, "uk")).toBe(micro("5000"));
    expect(scenarioJson(scenario).providers).toBeDefined();
  });
});
