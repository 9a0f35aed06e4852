/**
 * `corridor size`, run as users run it: a search over full simulations (each a child process) for
 * the smallest prefunding per pool meeting a target. A tiny scenario (four USD->GBP transfers of
 * about 1,000 USD, so the GBP pool binds and the USD pool does not) keeps it to about ten rounds of
 * two runs; then separate simulations, in this process, check the answer: at the prefunding found
 * the target is met, and with a pool at its "below" amount it is not.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import type { SizeResult } from "../../src/sizing/search.js";
import { measureOf, meets, parseTarget } from "../../src/sizing/target.js";
import { runCorridor } from "../helpers/cli.js";

const SCENARIO = {
  name: "size-tiny",
  seed: 7,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  compliance: { hooks: [] },
  liquidity: { us: "8000", uk: "8000" },
  workload: {
    transfers: 4,
    durationSeconds: 60,
    senders: 2,
    mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }],
    fastShare: 0,
    amount: { medianUsd: 1000, sigma: 0, minUsd: 1, maxUsd: 5000 },
    deadlineSeconds: 300,
  },
};
const TARGET = "share within one hour >= 0.75";

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "corridor-size-"));
  file = join(dir, "tiny.json");
  writeFileSync(file, JSON.stringify(SCENARIO));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The target's figure in a separate simulation of the scenario with these pools. */
async function figureWith(liquidity: Record<string, string>): Promise<number | null> {
  const scenario = parseScenario({ ...SCENARIO, liquidity });
  const r = await simulate({ scenario });
  expect(r.summary.conservation.ok).toBe(true);
  return measureOf(parseTarget(TARGET), r.summary as never, SCENARIO.workload.deadlineSeconds);
}

describe("corridor size", () => {
  it("refuses a bad target or flag before running anything", async () => {
    const bad = await runCorridor(["size", file, "--target", "p95 >= 1 lightyear", "--out", join(dir, "bad")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("error [CORRIDOR_SIZE_TARGET_INVALID]");
    const tol = await runCorridor(["size", file, "--target", TARGET, "--tolerance", "2", "--out", join(dir, "bad")]);
    expect(tol.status).toBe(2);
    expect(tol.stderr).toContain("error [CORRIDOR_USAGE_INVALID]: --tolerance");
    const none = await runCorridor(["size", file, "--out", join(dir, "bad")]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("CORRIDOR_USAGE_MISSING_OPTION");
    expect(existsSync(join(dir, "bad", "size.json"))).toBe(false);
  });

  it("finds the minimum prefunding per pool, prints the curve, and the runs confirm it: met at the minimum, not one step below", async () => {
    const out = join(dir, "size");
    const run = await runCorridor(["size", file, "--target", TARGET, "--tolerance", "0.2", "--jobs", "2", "--out", out], { timeoutMs: 1_500_000 });
    expect(run.status, run.stderr).toBe(0);
    const size = JSON.parse(readFileSync(join(out, "size.json"), "utf8")) as SizeResult;
    const uk = size.pools.uk!;
    const us = size.pools.us!;
    // Four payouts of about 750 GBP: three of them (0.75) need more than two and at most four payouts' worth.
    expect(Number(uk.minimum)).toBeGreaterThan(1400);
    expect(Number(uk.minimum)).toBeLessThan(3100);
    expect(uk.below).not.toBeNull();
    expect(Number(uk.below)).toBeLessThan(Number(uk.minimum));
    expect((Number(uk.minimum) - Number(uk.below)) / Number(uk.minimum)).toBeLessThanOrEqual(0.2);
    // Nothing is paid out in dollars: the smallest pool there is (1 USD) does.
    expect(us.minimum).toBe("1");
    expect(us.below).toBeNull();
    expect(size.answer.meets).toBe(true);
    expect(size.answer.liquidity).toEqual({ uk: uk.minimum, us: us.minimum });
    // Every run of the curve is printed, and the answer.
    for (const p of size.points) expect(run.stdout).toMatch(new RegExp(`\\n\\s*${p.step}\\s+${p.phase}\\s+${p.liquidity.uk}\\s+${p.liquidity.us}\\s`));
    expect(run.stdout).toContain(`uk: ${uk.minimum} GBP (${uk.below} falls short)`);
    expect(run.stdout).toContain("us: 1 USD");
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('data-chart="size-curve"');

    // Separate runs: at the minimum the target is met; with the GBP pool one step below, it is not.
    const at = await figureWith({ uk: uk.minimum, us: us.minimum });
    expect(meets(parseTarget(TARGET), at)).toBe(true);
    expect(at).toBe(size.answer.value);
    const below = await figureWith({ uk: uk.below!, us: us.minimum });
    expect(meets(parseTarget(TARGET), below)).toBe(false);
  }, 1_800_000);
});
