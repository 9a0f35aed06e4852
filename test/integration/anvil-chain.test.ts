/**
 * The bounded-history chains of long simulations (src/chains/anvil.ts): an anvil child process that
 * keeps a few block states, with reads at older blocks served through the state journal
 * (src/chains/state-journal.ts) and giving what the chain held at that block; the child stops with
 * the chain. Also which backend `corridor simulate` picks.
 */
import { execSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex, type Hex } from "viem";
import { CHAIN_STATES, startAnvilChain } from "../../src/chains/anvil.js";
import type { Chain } from "../../src/chains/chain.js";
import { testKeyPair } from "../../src/chains/keys.js";
import { TxSender } from "../../src/chains/tx-sender.js";
import { mineBlockAt, mineEmptyBlocks, setAutomine } from "../../src/chains/mining.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { chooseChainBackend } from "../../src/sim/chain-backend.js";

/** A counter: a call with calldata adds one to slot 0; a call without returns slot 0. */
const COUNTER = "0x36600f57600054600052602060" + "00f3" + "5b60005460010160005500";
const COUNTER_AT = "0x00000000000000000000000000000000c0ffee01" as Hex;
const PAYEE = "0x00000000000000000000000000000000000be7e1" as Hex;

describe("anvil chains with bounded history", () => {
  let chain: Chain;
  const sender = testKeyPair("anvil-chain-test", "sender");
  /** Block number → [counter, payee balance] after that block. */
  const expected = new Map<number, [bigint, bigint]>();

  beforeAll(async () => {
    chain = await startAnvilChain("t", { chainId: 31_777, history: 80, genesisTimestamp: 1_700_000_000 });
    await chain.request("hardhat_setCode", [COUNTER_AT, COUNTER]);
    await chain.request("hardhat_setBalance", [sender.address, toHex(10n ** 20n)]);
    await setAutomine(chain, false);
    const tx = new TxSender(chain, sender.privateKey);
    let count = 0n;
    let paid = 0n;
    let ts = 1_700_001_000;
    for (let b = 0; b < 40; b++) {
      // Some blocks change both, some one, some nothing.
      if (b % 3 !== 2) {
        await tx.send({ to: COUNTER_AT, data: "0x01", gas: 100_000n });
        count++;
      }
      if (b % 2 === 0) {
        await tx.send({ to: PAYEE, value: BigInt(b + 1), gas: 21_000n });
        paid += BigInt(b + 1);
      }
      await mineBlockAt(chain, (ts += 12));
      expected.set(Number(await chain.request<string>("eth_blockNumber")), [count, paid]);
    }
    await mineEmptyBlocks(chain, 5, 12);
  }, 60_000);

  afterAll(async () => {
    await chain?.close();
  });

  it("answers reads at every block of the window, far below the states anvil keeps, as they were", async () => {
    const head = Number(await chain.request<string>("eth_blockNumber"));
    let deep = 0;
    for (const [n, [count, paid]] of expected) {
      if (head - n >= CHAIN_STATES) deep++;
      const tag = toHex(n);
      expect(BigInt((await chain.request<Hex>("eth_call", [{ to: COUNTER_AT, data: "0x" }, tag])))).toBe(count);
      expect(BigInt(await chain.request<Hex>("eth_getStorageAt", [COUNTER_AT, "0x0", tag]))).toBe(count);
      expect(BigInt(await chain.request<Hex>("eth_getBalance", [PAYEE, tag]))).toBe(paid);
    }
    expect(deep).toBeGreaterThan(30);
    // Before the contract was put there (genesis), as the chain had it: no code, so an empty answer.
    expect(await chain.request("eth_getCode", [COUNTER_AT, "0x0"])).toBe("0x");
    expect(await chain.request("eth_call", [{ to: COUNTER_AT, data: "0x" }, "0x0"])).toBe("0x");
  });

  it("refuses a read below the journal's window rather than answering from the wrong state", async () => {
    await mineEmptyBlocks(chain, 100, 12);
    const first = Math.min(...expected.keys());
    await expect(chain.request("eth_call", [{ to: COUNTER_AT, data: "0x" }, toHex(first)])).rejects.toThrow(/no longer kept/);
  });

  it("journals automined blocks too (a stretch of automine in the middle)", async () => {
    await setAutomine(chain, true);
    const tx = new TxSender(chain, sender.privateKey);
    await tx.sync();
    for (let i = 0; i < 10; i++) await tx.send({ to: COUNTER_AT, data: "0x01", gas: 100_000n });
    await new Promise((r) => setTimeout(r, 500));
    await setAutomine(chain, false);
    const at = Number(await chain.request<string>("eth_blockNumber"));
    const count = BigInt(await chain.request<Hex>("eth_getStorageAt", [COUNTER_AT, "0x0", "latest"]));
    await tx.send({ to: COUNTER_AT, data: "0x01", gas: 100_000n });
    await mineEmptyBlocks(chain, 20, 12);
    expect(BigInt(await chain.request<Hex>("eth_call", [{ to: COUNTER_AT, data: "0x" }, toHex(at)]))).toBe(count);
    expect(BigInt(await chain.request<Hex>("eth_call", [{ to: COUNTER_AT, data: "0x" }, toHex(at + 1)]))).toBe(count + 1n);
  });

  it("stops the anvil process on close", async () => {
    const other = await startAnvilChain("u", { chainId: 31_778, history: 10 });
    // The bracket keeps the pattern from matching the shell that runs pgrep.
    const running = () => execSync('pgrep -f -- "--chain-id 3177[8]" || true').toString().trim();
    expect(running()).not.toBe("");
    await other.close();
    expect(running()).toBe("");
  });
});

describe("the backend corridor simulate picks", () => {
  const scenario = (transfers: number) =>
    parseScenario({
      name: "pick",
      seed: 1,
      fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000", fastPremiumBps: 10 } },
      fx: { spreadBps: { default: 10 } },
      liquidity: { us: "1000", uk: "1000" },
      workload: { transfers, durationSeconds: 60, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
    });

  it("embedded unless --chains anvil asks for anvil, whatever the length of the run (anvil's per-block cost grows with the state)", () => {
    expect(chooseChainBackend(scenario(10))).toBe("embedded");
    expect(chooseChainBackend(scenario(1_000_000))).toBe("embedded");
    expect(chooseChainBackend(scenario(1_000_000), "anvil")).toBe("anvil");
    expect(chooseChainBackend(scenario(10), "anvil")).toBe("anvil");
    expect(chooseChainBackend(scenario(1_000_000), "embedded")).toBe("embedded");
  });
});
