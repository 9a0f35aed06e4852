/**
 * A live corridor whose second chain is declared in a spec file alone: `corridor up --spec` on hardhat
 * nodes with "us" (a preset) and "sg" (SGD, its own chain id and jurisdiction, known to no source
 * file), then `corridor send` both ways across it, cross-currency; each recipient is paid on its
 * destination chain at about the spec's mid; the daemons read the chain and currency back from
 * live.json (its spec is rebuilt from it). A spec file with a clashing chain id is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Hex } from "viem";
import { tokenAbi } from "../../src/contracts/gateway.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { testKeyPair } from "../../src/chains/keys.js";
import { loadLiveConfig } from "../../src/live/config.js";
import { killGroup, runCorridor, startCorridorUp } from "../helpers/cli.js";
import { nextPort, sleep } from "../helpers/live.js";

const ENV = { ...process.env, CORRIDOR_LOG_LEVEL: "error", NO_COLOR: "1", FORCE_COLOR: "0" };
const run = (args: string[]) => runCorridor(args, { env: ENV, timeoutMs: 30_000 });
const dir = mkdtempSync(join(tmpdir(), "corridor-live-spec-"));
const groups: number[] = [];
afterAll(() => {
  for (const g of groups) killGroup(g);
  rmSync(dir, { recursive: true, force: true });
});

const SGD_PER_USD = 1.29;
const spec = {
  chains: { us: {}, sg: { chainId: 31_065, home: "SGD", jurisdiction: "SG" } },
  currencies: { SGD: { mid: SGD_PER_USD, symbol: "S$", word: "Singapore dollar" } },
  // No travel-rule threshold reached by these amounts, so nothing is held.
  jurisdictions: { SG: { country: "SG", travelRule: { amount: 1500, currency: "SGD" } } },
};

describe("corridor up --spec", () => {
  it("starts a chain the spec file declares and settles transfers to and from it", async () => {
    const specFile = join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const ports = [await nextPort(), await nextPort(), await nextPort(), await nextPort()];
    const up = await startCorridorUp(
      ["--spec", specFile, "--node", "hardhat", "--port", `us=${ports[0]}`, "--port", `sg=${ports[1]}`, "--operator-port", String(ports[2]), "--metrics-port", String(ports[3]), "--accounts", "1", "--dir", join(dir, "up")],
      { env: ENV, groups },
    );
    expect(up.stdout).toMatch(/tUSD.*tSGD/);
    const file = join(dir, "up", "live.json");
    const config = loadLiveConfig(file);
    expect(config.deployment.chains.sg).toMatchObject({ chainId: 31_065, home: "SGD" });
    expect(config.currencies?.SGD).toMatchObject({ mid: SGD_PER_USD });
    expect(config.jurisdictions?.SG).toMatchObject({ country: "SG" });

    const legs = [
      { from: "us", to: "sg", input: "USD", output: "SGD", amount: "50.00" },
      { from: "sg", to: "us", input: "SGD", output: "USD", amount: "60.00" },
    ];
    const recipients = legs.map((_, i) => testKeyPair("live-spec", "recipient", i).address);
    const sent = await Promise.all(
      legs.map((l, i) => run(["send", "--from", l.from, "--to", l.to, "--amount", l.amount, "--currency", "cross", "--recipient", recipients[i]!, "--config", file])),
    );
    const fees = sent.map((r, i) => {
      expect(r.status, `${legs[i]!.from}->${legs[i]!.to}: ${r.stderr}`).toBe(0);
      return toBaseUnits(/fee ([\d.]+) /.exec(r.stdout)![1]!);
    });
    const balance = (chain: string, currency: string, who: Hex) =>
      createPublicClient({ transport: http(config.chains[chain]!.url) }).readContract({ address: config.deployment.chains[chain]!.tokens[currency] as Hex, abi: tokenAbi(), functionName: "balanceOf", args: [who] }) as Promise<bigint>;
    let paid: bigint[] = [];
    for (const deadline = Date.now() + 40_000; Date.now() < deadline; await sleep(500)) {
      paid = await Promise.all(legs.map((l, i) => balance(l.to, l.output, recipients[i]!)));
      if (paid.every((p) => p > 0n)) break;
    }
    const mid = { USD: 1, SGD: SGD_PER_USD } as Record<string, number>;
    for (const [i, l] of legs.entries()) {
      const atMid = (Number(toBaseUnits(l.amount) - fees[i]!) * mid[l.output]!) / mid[l.input]!;
      expect(Number(paid[i]), `${l.from}->${l.to}`).toBeGreaterThan(atMid * 0.995);
      expect(Number(paid[i]), `${l.from}->${l.to}`).toBeLessThanOrEqual(atMid * 1.0001);
    }
  }, 120_000);

  it("refuses a spec file whose chain ids clash, naming the field", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ chains: { us: {}, sg: { chainId: 31_001, home: "SGD", jurisdiction: "SG" } }, currencies: { SGD: { mid: 1.3 } }, jurisdictions: { SG: { country: "SG" } } }));
    const r = await run(["up", "--spec", bad, "--dir", join(dir, "bad-up")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CORRIDOR_SPEC_INVALID.*chains\.sg\.chainId/s);
  });
});
