import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { expandGrid, parseVary, pointSlug, scenarioForPoint, setPath } from "../../src/sim/sweep.js";
import { CorridorError } from "../../src/domain/errors.js";

const base = parseScenario({
  name: "sweep-base",
  seed: 9,
  fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000", fastPremiumBps: 10 } },
  fx: { spreadBps: { default: 10, "USD->GBP": 15 } },
  liquidity: { us: "1000", uk: "1000" },
  workload: { transfers: 10, durationSeconds: 60, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
});

const usageError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CorridorError);
    expect((e as CorridorError).code).toBe("CORRIDOR_USAGE_INVALID");
    return (e as CorridorError).message;
  }
  throw new Error("expected a usage error");
};

describe("--vary parsing", () => {
  it("maps the shorthands onto scenario paths", () => {
    expect(parseVary("fee.bps=0,5,10")).toMatchObject({ name: "fee.bps", path: "fees.default.bps", raw: ["0", "5", "10"], values: [0, 5, 10] });
    expect(parseVary("tier=fast,standard")).toMatchObject({ path: "workload.fastShare", values: [1, 0] });
    expect(parseVary("tier=0.25")).toMatchObject({ values: [0.25] });
    expect(parseVary("fx.spreadBps=0,25")).toMatchObject({ path: "fx.spreadBps", values: [{ default: 0 }, { default: 25 }] });
    expect(parseVary("workload.transfers=100,1000")).toMatchObject({ path: "workload.transfers", values: [100, 1000] });
    expect(parseVary("compliance.onChain.sanctions=false,true")).toMatchObject({ values: [false, true] });
    expect(parseVary("fx.source=fixed,ou")).toMatchObject({ values: ["fixed", "ou"] });
  });

  it("rejects malformed options with a message that says what was expected", () => {
    expect(usageError(() => parseVary("fee.bps"))).toMatch(/expected <path>=<value>/);
    expect(usageError(() => parseVary("fee.bps="))).toMatch(/comma-separated values/);
    expect(usageError(() => parseVary("fee.bps=1,,2"))).toMatch(/none empty/);
    expect(usageError(() => parseVary("tier=slow"))).toMatch(/tier=slow: expected fast, standard or a share/);
    expect(usageError(() => parseVary("fx.spreadBps=wide"))).toMatch(/basis points, got "wide"/);
    expect(usageError(() => parseVary("fee.bps=5,5"))).toMatch(/repeated/);
    expect(usageError(() => parseVary("9lives=1"))).toMatch(/not a dotted path/);
  });
});

describe("grid expansion", () => {
  it("crosses every value of every --vary, the first one outermost", () => {
    const grid = expandGrid([parseVary("fee.bps=0,5,10"), parseVary("tier=fast,standard")]);
    expect(grid.map((p) => p.label)).toEqual([
      "fee.bps=0 tier=fast",
      "fee.bps=0 tier=standard",
      "fee.bps=5 tier=fast",
      "fee.bps=5 tier=standard",
      "fee.bps=10 tier=fast",
      "fee.bps=10 tier=standard",
    ]);
    expect(grid[3]!.params).toEqual({ "fee.bps": 5, tier: "standard" });
    expect(grid[3]!.sets).toEqual([
      { path: "fees.default.bps", value: 5 },
      { path: "workload.fastShare", value: 0 },
    ]);
    expect(expandGrid([])).toHaveLength(1);
    expect(pointSlug(grid[3]!, 3)).toBe("04-fee.bps=5_tier=standard");
  });

  it("refuses the same parameter twice", () => {
    expect(usageError(() => expandGrid([parseVary("tier=fast"), parseVary("tier=standard")]))).toMatch(/given twice/);
    expect(usageError(() => expandGrid([parseVary("tier=fast"), parseVary("workload.fastShare=0.5")]))).toMatch(/same scenario path workload.fastShare/);
  });

  it("writes each point's values into a valid scenario and leaves the rest as it was", () => {
    const varies = [parseVary("fee.bps=20"), parseVary("tier=fast"), parseVary("fx.spreadBps=0"), parseVary("workload.amount.medianUsd=900")];
    const [point] = expandGrid(varies);
    const { json, scenario } = scenarioForPoint(base, point!, varies);
    expect(scenario.fees.default.bps).toBe(20);
    expect(scenario.fees.default.fixed).toBe(100_000n);
    expect(scenario.fees.default.fastPremiumBps).toBe(10);
    expect(scenario.workload.fastShare).toBe(1);
    expect(scenario.fx.spreadBps).toEqual({ default: 0 });
    expect(scenario.workload.amount.medianUsd).toBe(900);
    expect(scenario.workload.transfers).toBe(10);
    expect(scenario.seed).toBe(9);
    // Plain JSON, ready to be written to a scenario file.
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect((json.fees as { default: { fixed: string } }).default.fixed).toBe("100000");
  });

  it("names unknown paths and invalid values", () => {
    const check = (arg: string) => {
      const v = [parseVary(arg)];
      return usageError(() => scenarioForPoint(base, expandGrid(v)[0]!, v));
    };
    expect(check("workload.colour=1")).toMatch(/--vary workload.colour: unknown path workload.colour/);
    expect(check("nothing.here=1")).toMatch(/unknown path nothing.here: the scenario has no "nothing" \(it has name, description, seed/);
    expect(check("fee.bps=20000")).toMatch(/fees\.default\.bps: .*10000 \(found 20000\)/);
    expect(check("workload.transfers=0")).toMatch(/workload\.transfers: .*\(found 0\)/);
    expect(check("fx.source=magic")).toMatch(/fx\.source: .*\(found "magic"\)/);
    expect(() => setPath({ a: 1 }, "a.b", 2)).toThrow(/unknown path a.b/);
  });
});
