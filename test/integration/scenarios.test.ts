import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { packagePath } from "../../src/paths.js";
import { loadScenario } from "../../src/sim/scenario.js";

const dir = packagePath("scenarios");
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

/** The shipped scenarios (each is run in full by hand: `corridor simulate scenarios/<name>.json`; see README). */
describe("shipped scenarios", () => {
  it("include the named ones", () => {
    expect(files.map((f) => basename(f, ".json"))).toEqual(
      expect.arrayContaining(["baseline", "standard-vs-fast", "sanctions-screening", "fx-shock", "liquidity-crunch", "relayer-outage", "high-volume"]),
    );
  });

  it.each(files)("%s is valid, named after its file and says what it shows", (file) => {
    const s = loadScenario(`${dir}/${file}`);
    expect(s.name).toBe(basename(file, ".json"));
    expect(s.description.length).toBeGreaterThan(120);
    // No scenario leans on defaults for what it is about: the chains are named.
    const raw = JSON.parse(readFileSync(`${dir}/${file}`, "utf8")) as { chains?: unknown };
    expect(raw.chains).toBeDefined();
  });

  it("high-volume is at least 100,000 transfers over a simulated day with a daily profile and a burst", () => {
    const s = loadScenario(`${dir}/high-volume.json`);
    expect(s.workload.transfers).toBeGreaterThanOrEqual(100_000);
    expect(s.workload.durationSeconds).toBe(86_400);
    expect(s.workload.dailyProfile).toHaveLength(24);
    expect(s.workload.bursts.length).toBeGreaterThan(0);
  });

  it("million is the high-volume day's shape at 1,000,000 transfers (issue 14: memory against the run's length)", () => {
    const hv = loadScenario(`${dir}/high-volume.json`);
    const m = loadScenario(`${dir}/million.json`);
    expect(m.workload.transfers).toBe(1_000_000);
    expect(m.seed).toBe(hv.seed);
    expect(m.startTime).toBe(hv.startTime);
    const shape = (s: typeof hv) => ({ duration: s.workload.durationSeconds, profile: s.workload.dailyProfile, bursts: s.workload.bursts, mix: s.workload.mix, amount: s.workload.amount, fast: s.workload.fastShare, chains: s.chains, operator: s.operator, relayer: s.relayer, fees: s.fees, fx: s.fx, compliance: s.compliance });
    expect(shape(m)).toEqual(shape(hv));
  });

  it("the fault scenarios schedule the faults they are named for", () => {
    const kinds = (name: string) => loadScenario(`${dir}/${name}.json`).faults.map((f) => f.kind);
    expect(kinds("fx-shock")).toContain("fxShock");
    expect(kinds("liquidity-crunch")).toContain("liquidityDrain");
    expect(kinds("relayer-outage")).toEqual(expect.arrayContaining(["relayerDown", "rpcErrors"]));
    expect(kinds("chain-halt")).toContain("chainHalt");
    expect(kinds("attester-outage")).toContain("attesterOutage");
  });
});
