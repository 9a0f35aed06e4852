/**
 * A live corridor of three chains, as a user starts it: `corridor up --chains us,uk,eu` on hardhat
 * nodes (one per chain), then `corridor send` on routes across all three (us→eu cross-currency,
 * eu→uk same-currency, uk→us cross-currency, us→uk same-currency), the relayer and operator of
 * `corridor up` settle them (the eu→uk transfer after a reviewer approves it: the EU's travel rule has
 * no threshold and that send carries no travel-rule data, so the default pipeline holds it; the others
 * send the parties' names with --originator-name/--beneficiary-name, which both sides' rules accept),
 * each recipient holds its payout on its destination chain, `corridor status` and `corridor
 * reconcile` read every chain; then everything stops.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Hex } from "viem";
import { tokenAbi } from "../../src/contracts/gateway.js";
import { fromBaseUnits, toBaseUnits } from "../../src/domain/money.js";
import { testKeyPair } from "../../src/chains/keys.js";
import { loadLiveConfig } from "../../src/live/config.js";
import { ReviewDeskClient } from "../../src/operator/http.js";
import { killGroup, runCorridor, startCorridorUp } from "../helpers/cli.js";
import { nextPort, sleep } from "../helpers/live.js";

const ENV = { ...process.env, CORRIDOR_LOG_LEVEL: "error", NO_COLOR: "1", FORCE_COLOR: "0" };
const run = (args: string[]) => runCorridor(args, { env: ENV, timeoutMs: 30_000 });

const dir = mkdtempSync(join(tmpdir(), "corridor-three-chains-"));
const groups: number[] = [];
afterAll(() => {
  for (const g of groups) killGroup(g);
  rmSync(dir, { recursive: true, force: true });
});

interface Leg {
  from: string;
  to: string;
  currency: "same" | "cross";
  amount: string;
}

const LEGS: Leg[] = [
  { from: "us", to: "eu", currency: "cross", amount: "40.00" },
  { from: "eu", to: "uk", currency: "same", amount: "30.00" },
  { from: "uk", to: "us", currency: "cross", amount: "20.00" },
  { from: "us", to: "uk", currency: "same", amount: "10.00" },
];

describe("corridor up --chains us,uk,eu", () => {
  it("starts three chains and settles transfers on routes across all of them", async () => {
    const [us, uk, eu, operator, metrics] = await Promise.all([nextPort(), nextPort(), nextPort(), nextPort(), nextPort()]);
    const up = await startCorridorUp(
      ["--chains", "us,uk,eu", "--node", "hardhat", "--port", `us=${us}`, "--port", `uk=${uk}`, "--port", `eu=${eu}`, "--operator-port", String(operator), "--metrics-port", String(metrics), "--accounts", "2", "--dir", dir],
      { env: ENV, groups },
    );
    // One column per currency in the tokens table.
    expect(up.stdout).toMatch(/tUSD.*tGBP.*tEUR/);
    const file = join(dir, "live.json");
    const config = loadLiveConfig(file);
    expect(Object.keys(config.chains)).toEqual(["us", "uk", "eu"]);
    expect(Object.values(config.deployment.chains).map((d) => d.home)).toEqual(["USD", "GBP", "EUR"]);
    expect(config.chains.eu!.url).toBe(`http://127.0.0.1:${eu}`);
    expect(Object.keys(config.operator.fx).sort()).toEqual(["EUR", "GBP"]);

    // The sends, one CLI each, all at once (us's two from its two funded accounts).
    const recipients = LEGS.map((_, i) => testKeyPair("three-chains", "recipient", i).address);
    const usKeys = config.accounts.filter((x) => x.chain === "us").map((x) => x.privateKey);
    const send = (leg: Leg, i: number) =>
      run([
        "send",
        ...["--from", leg.from, "--to", leg.to, "--amount", leg.amount, "--currency", leg.currency, "--recipient", recipients[i]!, "--config", file],
        ...(leg.from === "us" && i > 0 ? ["--key", usKeys[1]!] : []),
        ...(i === 1 ? [] : ["--originator-name", "Ada Lovelace", "--beneficiary-name", "Grace Hopper"]),
      ]);
    const sent = (await Promise.all(LEGS.map(send))).map((r, i) => {
      expect(r.status, `${LEGS[i]!.from}->${LEGS[i]!.to}: ${r.stderr}`).toBe(0);
      const id = /Transfer id: (0x[0-9a-f]{64})/.exec(r.stdout)?.[1] as Hex;
      const fee = /fee ([\d.]+) /.exec(r.stdout)?.[1];
      expect(id, r.stdout).toBeDefined();
      expect(fee, r.stdout).toBeDefined();
      return { id, fee: toBaseUnits(fee!) };
    });

    // The EU transfer waits for review (travel rule: no threshold in the EU); a reviewer approves it with the CLI.
    const held = sent[1]!.id;
    const desk = new ReviewDeskClient(config.operator.url, config.operator.reviewers[0]!.token);
    const until = Date.now() + 20_000;
    while (Date.now() < until && !(await desk.list()).some((r) => r.id.toLowerCase() === held)) await sleep(300);
    expect((await desk.list()).map((r) => r.id.toLowerCase()), "the eu->uk transfer is held for review").toContain(held);
    const approved = await run(["review", "approve", held, "--config", file]);
    expect(approved.status, approved.stderr).toBe(0);

    // Each recipient is paid on its destination chain, in the expected currency.
    const homes = { home: Object.fromEntries(Object.entries(config.deployment.chains).map(([n, x]) => [n, x.home])) };
    const balance = (chain: string, currency: string, who: Hex) =>
      createPublicClient({ transport: http(config.chains[chain]!.url) }).readContract({
        address: config.deployment.chains[chain]!.tokens[currency] as Hex,
        abi: tokenAbi(),
        functionName: "balanceOf",
        args: [who],
      }) as Promise<bigint>;
    const outputOf = (leg: Leg) => (leg.currency === "same" ? homes.home[leg.from]! : homes.home[leg.to]!);
    const deadline = Date.now() + 30_000;
    let paid: bigint[] = [];
    while (Date.now() < deadline) {
      paid = await Promise.all(LEGS.map((leg, i) => balance(leg.to, outputOf(leg), recipients[i]!)));
      if (paid.every((p) => p > 0n)) break;
      await sleep(500);
    }
    const mids: Record<string, number> = { USD: 1, ...config.operator.fx };
    for (const [i, leg] of LEGS.entries()) {
      const net = toBaseUnits(leg.amount) - sent[i]!.fee;
      const input = homes.home[leg.from]!;
      const output = outputOf(leg);
      const what = `${leg.from}:${input}->${leg.to}:${output} paid ${fromBaseUnits(paid[i] ?? 0n).toFixed(6)}`;
      if (input === output) expect(paid[i], what).toBe(net);
      else {
        // At the mid less the desk's spread (10 bps by default): within 0.5% of the mid.
        const atMid = (Number(net) * mids[output]!) / mids[input]!;
        expect(Number(paid[i]), what).toBeGreaterThan(atMid * 0.995);
        expect(Number(paid[i]), what).toBeLessThanOrEqual(atMid * 1.0001);
      }
    }

    // `corridor status` reads the transfer from the relayer's store; `corridor reconcile` balances all three chains' books.
    const [status, books] = await Promise.all([run(["status", sent[0]!.id, "--config", file]), run(["reconcile", "--config", file])]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain("us → eu");
    expect(books.status, books.stdout + books.stderr).toBe(0);
    expect(books.stdout).toContain("eu:EUR->uk:EUR");
    expect(books.stdout).toContain("The books balance.");

    // Stop: SIGTERM stops the services and the nodes the command started.
    await new Promise<void>((resolve) => {
      up.child.once("exit", () => resolve());
      up.child.kill("SIGTERM");
    });
    groups.splice(groups.indexOf(up.child.pid!), 1);
  }, 90_000);
});
