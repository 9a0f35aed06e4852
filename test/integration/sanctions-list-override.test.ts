/**
 * A newer sanctions list, swapped in from a file the way `corridor simulate --sanctions-list` does
 * (withSanctionsList), screens a real run on two embedded chains: a transfer to an address that is
 * only on the new list is refused and its sender refunded in full, as the chains show; the run
 * records the list's date; `corridor data --scenario` shows that file and date.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { getAddress, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { bootCorridor } from "../../src/corridor/boot.js";
import { gatewayAbi, OUTBOUND_REFUNDED, tokenAbi } from "../../src/contracts/gateway.js";
import { withSanctionsList } from "../../src/data/run-data.js";
import { loadSanctionsList } from "../../src/data/sanctions-list.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { packagePath } from "../../src/paths.js";
import { parseScenario, type ScenarioInput } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";

/** On no shipped list. */
const NEWLY_LISTED = getAddress("0x5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e0001");

const input: ScenarioInput = {
  name: "newer-list",
  seed: 23,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "500000", uk: "500000" },
  workload: {
    transfers: 16,
    durationSeconds: 30,
    senders: 4,
    sanctionedShare: 0.5,
    amount: { medianUsd: 200, sigma: 0.2 },
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
    ],
  },
};

const run = (args: string[]) => promisify(execFile)(process.execPath, [packagePath("bin", "corridor.mjs"), ...args], { encoding: "utf8" });

describe("a newer sanctions list from a file", () => {
  it("screens a real run: a transfer to an address only on the new list is refused and its sender refunded, on chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "newer-list-"));
    const file = join(dir, "sdn-newer.csv");
    writeFileSync(file, `# as of 2026-02-01\naddress,asset\n${NEWLY_LISTED},USDC\n`);
    expect(loadSanctionsList().addresses.has(NEWLY_LISTED.toLowerCase())).toBe(false);

    const scenario = withSanctionsList(parseScenario(input), file);
    const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
    const corridor = await bootCorridor({ seed: scenario.seed, initialDate: new Date((t0 - 86_400) * 1000) });
    try {
      const results = await simulate({ scenario, corridor });
      expect(results.data?.[0]).toMatchObject({ file, asOf: "2026-02-01", asOfFrom: "file", rows: 1, addresses: 1, use: "sanctions list (every transfer)" });

      const listed = results.transfers.filter((t) => t.recipient.toLowerCase() === NEWLY_LISTED.toLowerCase());
      const others = results.transfers.filter((t) => !listed.includes(t));
      expect(listed.length).toBeGreaterThan(0);
      expect(others.length).toBeGreaterThan(0);
      for (const t of listed) expect(t).toMatchObject({ state: "refunded", refundReason: "denied:SANCTIONED_RECIPIENT", compliance: { outcome: "deny", hook: "sanctions" } });
      for (const t of others) expect(t.state).toBe("settled");

      // The chains: the listed address holds nothing of any token on any chain...
      for (const [name, d] of Object.entries(corridor.deployment.chains)) {
        for (const token of Object.values(d.tokens)) {
          const balance = await corridor.chains[name]!.client.readContract({ address: token, abi: tokenAbi(), functionName: "balanceOf", args: [NEWLY_LISTED] });
          expect(balance, `${name} ${token}`).toBe(0n);
        }
      }
      // ...and each refused transfer was refunded on its source gateway, in full, to its own sender.
      for (const t of listed) {
        const src = corridor.deployment.chains[t.srcChain]!;
        const client = corridor.chains[t.srcChain]!.client;
        expect(await client.readContract({ address: src.gateway, abi: gatewayAbi(), functionName: "outbound", args: [t.id] })).toBe(OUTBOUND_REFUNDED);
        const [refund] = await client.getContractEvents({ address: src.gateway, abi: gatewayAbi(), eventName: "TransferRefunded", args: { id: t.id }, fromBlock: 0n });
        const args = (refund as unknown as { args: { sender: Hex; amount: bigint } }).args;
        expect(getAddress(args.sender)).toBe(getAddress(t.sender));
        expect(args.amount).toBe(toBaseUnits(t.amountIn));
      }
      // The books balance to the base unit.
      expect(results.summary.conservation.ok).toBe(true);
      // The audit trail names the list that refused them, with its date.
      const denials = results.audit.filter((e) => e.hook === "sanctions" && e.outcome === "deny");
      expect(denials).toHaveLength(listed.length);
      for (const e of denials) expect(e.data).toMatchObject({ list: { file, asOf: "2026-02-01", size: 1 } });
    } finally {
      await corridor.close();
    }
  });

  it("is what `corridor data --scenario` lists, with its date, and `corridor data` lists every shipped data set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "newer-list-"));
    writeFileSync(join(dir, "sdn-2026-03-04.txt"), `${NEWLY_LISTED}\n`);
    const scenarioFile = join(dir, "scenario.json");
    writeFileSync(scenarioFile, JSON.stringify({ ...input, compliance: { hooks: [{ hook: "sanctions", listFile: "sdn-2026-03-04.txt" }, { hook: "travelRule" }] } }));

    const sets = JSON.parse((await run(["data", "--scenario", scenarioFile, "--json"])).stdout) as { file: string; asOf: string; asOfFrom?: string; name?: string }[];
    expect(sets[0]).toMatchObject({ file: join(dir, "sdn-2026-03-04.txt"), asOf: "2026-03-04", asOfFrom: "file name", rows: 1 });
    expect(sets.map((s) => s.name)).toEqual([undefined, "fx-gbp-per-usd", "fx-eur-per-usd", "g20-targets", "chain-profiles", "bank-rails", "gas-prices", "policy-rates"]);
    // the flag replaces the scenario's list, with the date given
    const flagged = JSON.parse((await run(["data", "--scenario", scenarioFile, "--sanctions-list", join(dir, "sdn-2026-03-04.txt"), "--sanctions-as-of", "2026-03-05", "--json"])).stdout) as { asOf: string; asOfFrom: string }[];
    expect(flagged[0]).toMatchObject({ asOf: "2026-03-05", asOfFrom: "given" });

    const table = (await run(["data"])).stdout;
    for (const name of ["ofac-sdn", "ofac-sdn-2024-09-27", "fx-gbp-per-usd", "fx-eur-per-usd", "g20-targets", "bank-rails", "chain-profiles", "gas-prices", "policy-rates"]) expect(table).toContain(name);
    expect(table).toMatch(/ofac-sdn\s+data\/ofac-sdn-evm-addresses-2025-11-19\.csv\s+2025-11-19\s+89/);

    // An undated list is refused with a code, exit status 2.
    writeFileSync(join(dir, "undated.txt"), `${NEWLY_LISTED}\n`);
    const refused = await run(["data", "--sanctions-list", join(dir, "undated.txt")]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/CORRIDOR_DATA_DATE_INVALID.*no as-of date/);
  });
});
