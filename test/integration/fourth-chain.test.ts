/**
 * Adding a chain and a currency is one entry in a spec: this test declares a fourth chain ("sg",
 * issuing SGD, in a jurisdiction of its own) in the test alone, beside the three preset chains, and
 * runs transfers on every route to and from it through the real simulator (embedded chains, real
 * operator and relayer). Nothing in src/ knows "sg" or SGD.
 */
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";

const homes = { us: "USD", uk: "GBP", eu: "EUR", sg: "SGD" } as const;
const others = ["us", "uk", "eu"] as const;

const scenario = parseScenario({
  name: "fourth-chain",
  seed: 11,
  chains: { us: {}, uk: {}, eu: {}, sg: { chainId: 31_065, home: "SGD", jurisdiction: "SG" } },
  currencies: { SGD: { mid: 1.29, annualVol: 0.05, symbol: "S$", word: "Singapore dollar" } },
  jurisdictions: { SG: { country: "SG", travelRule: { amount: 1500, currency: "SGD" } } },
  fx: { source: "ou", spreadBps: { default: 10, "SGD->USD": 15 } },
  fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000" }, routes: { "sg:SGD->us": { fixed: "0", bps: 20, min: "0", max: "50000000" } } },
  liquidity: { us: "1000000", uk: "1000000", eu: "1000000", sg: "1000000" },
  fastAllowance: { sg: "unlimited" },
  compliance: { hooks: [{ hook: "travelRule" }, { hook: "limits", perTransfer: 50_000, daily: 1_000_000, currency: "SGD" }] },
  workload: {
    transfers: 48,
    durationSeconds: 120,
    senders: 6,
    fastShare: 0.5,
    amount: { medianUsd: 300, sigma: 0.5, minUsd: 10, maxUsd: 2000 },
    // Every route touching sg, both directions: home to home (with FX) and the sender's home token as itself.
    mix: others.flatMap((o) => [
      { from: "sg", to: o, input: "SGD", output: homes[o], weight: 2 },
      { from: o, to: "sg", input: homes[o], output: "SGD", weight: 2 },
      { from: "sg", to: o, input: "SGD", output: "SGD", weight: 1 },
      { from: o, to: "sg", input: homes[o], output: homes[o], weight: 1 },
    ]),
  },
});

describe("a fourth chain and currency declared in a test's spec", () => {
  it("resolves into the spec: its chain, token, FX pair and routes to every other chain", () => {
    const spec = scenario.spec;
    expect(Object.keys(spec.chains)).toEqual(["us", "uk", "eu", "sg"]);
    expect(spec.chains.sg).toMatchObject({ chainId: 31_065, home: "SGD", jurisdiction: "SG" });
    expect(spec.tokens).toEqual(["USD", "GBP", "EUR", "SGD"]);
    expect(spec.currencies.SGD).toMatchObject({ mid: 1.29, symbol: "S$" });
    // 4 chains: 12 ordered pairs, each with 4 same-token routes and one home-to-home route.
    expect(spec.routes).toHaveLength(12 * 5);
    expect(spec.routes.filter((r) => r.from === "sg" || r.to === "sg")).toHaveLength(6 * 5);
  });

  it("settles transfers on every route to and from it, and the books balance for every token on every chain", async () => {
    const r = await simulate({ scenario });
    const t = r.summary.transfers;
    expect(t.sent).toBe(48);
    expect(t.settled + t.refunded).toBe(48);
    expect(r.summary.conservation.ok).toBe(true);
    // The check covers all four tokens on all four chains.
    const covered = new Set(r.summary.conservation.lines.map((l) => `${l.chain}:${l.token}`));
    for (const chain of Object.keys(homes)) for (const token of Object.values(homes)) expect(covered).toContain(`${chain}:${token}`);
    // Every planned direction settled at least once, read from the transfers the chains recorded.
    const settledRoutes = new Set(r.transfers.filter((x) => x.state === "settled").map((x) => `${x.srcChain}:${x.inputToken.currency}->${x.dstChain}:${x.outputToken.currency}`));
    for (const m of scenario.workload.mix) expect(settledRoutes).toContain(`${m.from}:${m.input}->${m.to}:${m.output}`);
  }, 240_000);

  it("is refused with a clear error when the new chain's id clashes or its currency has no rate", () => {
    const base = { name: "x", liquidity: { us: "1", uk: "1", sg: "1" }, workload: { transfers: 1, durationSeconds: 60, mix: [{ from: "us", to: "sg", input: "USD", output: "USD", weight: 1 }] } };
    const clash = () => parseScenario({ ...base, chains: { us: {}, uk: {}, sg: { chainId: 31_001, home: "USD", jurisdiction: "US" } } });
    expect(clash).toThrow(/chains\.sg\.chainId: chain id 31001 is also us's/);
    const noRate = () => parseScenario({ ...base, chains: { us: {}, uk: {}, sg: { chainId: 31_065, home: "SGD", jurisdiction: "US" } } });
    expect(noRate).toThrow(/currencies\.SGD\.mid/);
    const noJurisdiction = () => parseScenario({ ...base, chains: { us: {}, uk: {}, sg: { chainId: 31_065, home: "USD", jurisdiction: "SG" } } });
    expect(noJurisdiction).toThrow(/jurisdictions\.SG/);
  });
});
