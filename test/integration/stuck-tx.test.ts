/**
 * A stuck batch transaction, for real: the relayer daemon's loop (in this process, so its counters
 * can be read) against two hardhat nodes. The destination ("uk") mines a block every 250 ms with
 * automine off, and the moment the relayer sends its first settlement batch the base fee jumps to
 * 20 gwei, above what that transaction offers: it sits in the pool while blocks go by. The relayer
 * must replace it (same nonce, higher fees), notice when another transaction took its nonce, and
 * after a restart pick its batch up from the store rather than send it again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { decodeFunctionData, keccak256, parseTransaction, toHex, type Hex } from "viem";
import type { Chain } from "../../src/chains/chain.js";
import { getBlock } from "../../src/chains/mining.js";
import { getReceipt, TxSender, DEFAULT_MAX_FEE_CAP } from "../../src/chains/tx-sender.js";
import { decodeGatewayLogs, decodeRevert, gatewayAbi } from "../../src/contracts/gateway.js";
import type { LiveConfig } from "../../src/live/config.js";
import { connectChains, startRelayerService } from "../../src/live/runtime.js";
import { openSqliteStore } from "../../src/relayer/sqlite-store.js";
import { createLogger, silentLogger } from "../../src/logger.js";
import { sendTransfers, sleep, startLiveHarness, type LiveHarness } from "../helpers/live.js";

const GWEI = 10n ** 9n;
const SPIKE = 20n * GWEI;
const TRANSFERS = 20;

interface SentRaw {
  hash: Hex;
  nonce: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  fn: string;
  at: number;
}

let h: LiveHarness;
let uk: Chain;
const miner = { spike: false, stopped: false, running: Promise.resolve() };

beforeAll(async () => {
  h = await startLiveHarness("hardhat", { senders: 4 });
  uk = h.corridor.chains.uk!;
  await uk.request("evm_setAutomine", [false]);
  miner.running = (async () => {
    while (!miner.stopped) {
      if (miner.spike) await uk.request("hardhat_setNextBlockBaseFeePerGas", [toHex(SPIKE)]);
      await uk.request("evm_mine", []);
      await sleep(250);
    }
  })();
}, 180_000);

afterAll(async () => {
  miner.stopped = true;
  await miner.running;
  await h?.close();
});

/** A quiet start for each case: no spike, a 1 gwei base fee, and a deployment view that starts at the current heads. */
async function freshCase(): Promise<{ config: LiveConfig; from: Record<string, number> }> {
  miner.spike = false;
  await uk.request("hardhat_setNextBlockBaseFeePerGas", [toHex(GWEI)]);
  await uk.request("evm_mine", []);
  const from: Record<string, number> = {};
  for (const [n, c] of Object.entries(h.corridor.chains)) from[n] = (await getBlock(c)).number + 1;
  const chains = Object.fromEntries(Object.entries(h.config.deployment.chains).map(([n, d]) => [n, { ...d, startBlock: from[n]! }]));
  return { config: { ...h.config, deployment: { chains } }, from };
}

/**
 * The relayer service in this process, its "uk" connection wrapped to record every raw transaction
 * it sends; the first settlement batch it sends raises the base fee before it reaches the node.
 */
async function startRelayer(config: LiveConfig, store: string, sent: SentRaw[], spikeOnFirstBatch = true) {
  const cfg: LiveConfig = { ...config, relayer: { ...config.relayer, store } };
  const chains = await connectChains(cfg);
  const real = chains.uk!;
  const spied: Chain = {
    ...real,
    request: async <T,>(method: string, params: readonly unknown[] = []): Promise<T> => {
      if (method === "eth_sendRawTransaction") {
        const raw = params[0] as Hex;
        const tx = parseTransaction(raw);
        const fn = tx.data && tx.data !== "0x" ? decodeFunctionData({ abi: gatewayAbi(), data: tx.data }).functionName : "";
        sent.push({ hash: keccak256(raw), nonce: tx.nonce!, maxFeePerGas: tx.maxFeePerGas!, maxPriorityFeePerGas: tx.maxPriorityFeePerGas!, fn, at: Date.now() });
        if (fn === "settleBatch" && spikeOnFirstBatch && !miner.spike) {
          miner.spike = true;
          await real.request("hardhat_setNextBlockBaseFeePerGas", [toHex(SPIKE)]);
        }
      }
      return real.request<T>(method, params);
    },
  };
  const service = await startRelayerService(cfg, { logger: process.env.CORRIDOR_TEST_LOG ? createLogger({ level: process.env.CORRIDOR_TEST_LOG, pretty: false }) : silentLogger, chains: { ...chains, uk: spied }, operator: h.operator.operator, metrics: false });
  return {
    relayer: service.relayer,
    stop: async () => {
      await service.stop();
      await Promise.all(Object.values(chains).map((c) => c.close()));
    },
  };
}

/** What the chains show for the transfers sent since `from`: settlements per id, finalizations, "already processed" failures. */
async function outcome(from: Record<string, number>) {
  const sent: Hex[] = [];
  const settled = new Map<Hex, number>();
  const settledIn = new Map<Hex, Hex>();
  let lockRelease = 0;
  let finalized = 0;
  let alreadyProcessed = 0;
  for (const [name, chain] of Object.entries(h.corridor.chains)) {
    const logs = await chain.request<{ address: Hex; topics: Hex[]; data: Hex; blockNumber: Hex; transactionHash: Hex; logIndex: Hex }[]>("eth_getLogs", [
      { address: h.config.deployment.chains[name]!.gateway, fromBlock: toHex(from[name]!), toBlock: "latest" },
    ]);
    for (const ev of decodeGatewayLogs(logs)) {
      if (ev.name === "TransferSent") {
        sent.push(ev.id);
        if (ev.message.mode === 1) lockRelease++;
      } else if (ev.name === "TransferSettled") {
        settled.set(ev.id, (settled.get(ev.id) ?? 0) + 1);
        settledIn.set(ev.id, ev.log.transactionHash);
      } else if (ev.name === "TransferFinalized") finalized++;
      else if ((ev.name === "SettleFailed" || ev.name === "RefundFailed" || ev.name === "FinalizeFailed") && decodeRevert(ev.reason)?.errorName === "MessageAlreadyProcessed") alreadyProcessed++;
    }
  }
  const done = sent.length === TRANSFERS && sent.every((id) => settled.has(id)) && finalized === lockRelease;
  return { sent, settled, settledIn, finalized, lockRelease, alreadyProcessed, done };
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const nonceOf = async (hash: Hex) => Number((await uk.request<{ nonce: Hex }>("eth_getTransactionByHash", [hash])).nonce);
const gwei = (wei: bigint) => (Number(wei) / 1e9).toFixed(3);

describe("a settlement batch stuck below the base fee", () => {
  it("is replaced with the same nonce and higher fees; the replacement is mined and every transfer settles once", async () => {
    const { config, from } = await freshCase();
    const sent: SentRaw[] = [];
    const r = await startRelayer(config, join(h.dir, "stuck-a.db"), sent);
    try {
      await sendTransfers(h, TRANSFERS, 11, { from: "us" });
      const first = await until("the first settlement batch", 60_000, async () => sent.find((s) => s.fn === "settleBatch"));
      // Blocks go by without it.
      const startBlock = (await getBlock(uk)).number;
      await until("three blocks", 10_000, async () => (await getBlock(uk)).number >= startBlock + 3);
      expect(await getReceipt(uk, first.hash)).toBeNull();
      expect(first.maxFeePerGas).toBeLessThan(SPIKE);

      const replacement = await until("its replacement", 60_000, async () => sent.find((s) => s.nonce === first.nonce && s.hash !== first.hash));
      const ev = await until("every transfer settled and finalized", 90_000, async () => {
        const o = await outcome(from);
        return o.done && o;
      });

      // The replacement: same nonce, each fee at least 10% higher, max fee within the cap; it was mined and the original never.
      expect(replacement.maxFeePerGas * 100n).toBeGreaterThanOrEqual(first.maxFeePerGas * 110n);
      expect(replacement.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(first.maxPriorityFeePerGas * 110n);
      expect(replacement.maxFeePerGas).toBeLessThanOrEqual(DEFAULT_MAX_FEE_CAP);
      expect(replacement.maxFeePerGas).toBeGreaterThan(SPIKE);
      const mined = sent.filter((s) => s.nonce === first.nonce);
      const receipts = await Promise.all(mined.map((s) => getReceipt(uk, s.hash)));
      expect(receipts.filter((x) => x !== null)).toHaveLength(1);
      expect(receipts[0]).toBeNull();
      expect(await uk.request("eth_getTransactionByHash", [first.hash])).toBeNull(); // gone from the pool: replaced
      const minedHash = mined[receipts.findIndex((x) => x !== null)]!.hash;
      expect(receipts.find((x) => x !== null)!.status).toBe("success");

      // Every transfer settled exactly once, those of the stuck batch by the replacement; nothing was sent twice.
      for (const id of ev.sent) expect(ev.settled.get(id), id).toBe(1);
      expect([...ev.settledIn.values()]).toContain(minedHash);
      expect(ev.alreadyProcessed).toBe(0);
      expect(r.relayer.delivery.replacements).toBeGreaterThanOrEqual(1);
      expect(r.relayer.delivery.nonceLost).toBe(0);
      console.log(
        `stuck-tx: base fee raised to ${gwei(SPIKE)} gwei; batch at nonce ${first.nonce} offered max ${gwei(first.maxFeePerGas)} / tip ${gwei(first.maxPriorityFeePerGas)} gwei; ` +
          `replaced after ${((replacement.at - first.at) / 1000).toFixed(1)} s at max ${gwei(replacement.maxFeePerGas)} / tip ${gwei(replacement.maxPriorityFeePerGas)} gwei ` +
          `(x${(Number(replacement.maxFeePerGas) / Number(first.maxFeePerGas)).toFixed(1)}, x${(Number(replacement.maxPriorityFeePerGas) / Number(first.maxPriorityFeePerGas)).toFixed(3)}); ` +
          `${TRANSFERS} transfers settled once each, ${r.relayer.delivery.replacements} replacements`,
      );
    } finally {
      await r.stop();
    }
    // The batches in flight were all seen mined: none left in the store.
    const store = openSqliteStore(join(h.dir, "stuck-a.db"));
    expect([...store.inflight("uk"), ...store.inflight("us")]).toEqual([]);
    store.close();
  }, 240_000);

  it("falls back to a fresh nonce when another transaction from the same key takes the stuck batch's nonce", async () => {
    const { config, from } = await freshCase();
    const sent: SentRaw[] = [];
    const r = await startRelayer(config, join(h.dir, "stuck-b.db"), sent);
    try {
      await sendTransfers(h, TRANSFERS, 12, { from: "us" });
      const first = await until("the first settlement batch", 60_000, async () => sent.find((s) => s.fn === "settleBatch"));
      // Someone else holding the relayer key (another process, an operator by hand) uses that nonce first.
      const other = new TxSender(uk, h.config.relayer.privateKey as Hex);
      const signed = await other.sign({ to: other.address, gas: 21_000n, value: 0n }, { nonce: first.nonce, fees: { maxFeePerGas: 4n * SPIKE, maxPriorityFeePerGas: 2n * GWEI } });
      await other.broadcast(signed);
      await until("the other transaction mined", 10_000, async () => getReceipt(uk, signed.hash));

      const ev = await until("every transfer settled and finalized", 90_000, async () => {
        const o = await outcome(from);
        return o.done && o;
      });
      for (const id of ev.sent) expect(ev.settled.get(id), id).toBe(1);
      expect(ev.alreadyProcessed).toBe(0);
      expect(await getReceipt(uk, first.hash)).toBeNull();
      // (How the relayer learnt it, delivery.nonceLost or a refused replacement, depends on timing; the outcome does not.)
      // The stuck batch's transfers went out again under a later nonce.
      const settledBy = new Set(ev.settledIn.values());
      for (const hash of settledBy) expect(await nonceOf(hash)).not.toBe(first.nonce);
    } finally {
      await r.stop();
    }
  }, 240_000);

  it("after a restart, picks the stuck batch up from the store and replaces it under its nonce instead of sending it again", async () => {
    const { config, from } = await freshCase();
    const store = join(h.dir, "stuck-c.db");
    const sentA: SentRaw[] = [];
    const a = await startRelayer(config, store, sentA);
    let first: SentRaw;
    try {
      await sendTransfers(h, TRANSFERS, 13, { from: "us" });
      first = await until("the first settlement batch", 60_000, async () => sentA.find((s) => s.fn === "settleBatch"));
      await sleep(500);
    } finally {
      await a.stop();
    }
    expect(sentA.filter((s) => s.nonce === first.nonce)).toHaveLength(1); // stopped before it could replace
    const saved = openSqliteStore(store);
    const pending = saved.inflight("uk");
    saved.close();
    const stuck = pending.find((b) => b.nonce === first.nonce)!;
    expect(stuck).toBeDefined();
    expect(stuck.kind).toBe("settle");
    expect(stuck.hashes).toEqual([first.hash]);
    expect(stuck.fees.maxFeePerGas).toBe(first.maxFeePerGas);
    expect(stuck.ids.length).toBeGreaterThan(0);

    const sentB: SentRaw[] = [];
    const b = await startRelayer(config, store, sentB);
    try {
      const ev = await until("every transfer settled and finalized", 90_000, async () => {
        const o = await outcome(from);
        return o.done && o;
      });
      for (const id of ev.sent) expect(ev.settled.get(id), id).toBe(1);
      expect(ev.alreadyProcessed).toBe(0);
      // The restarted relayer sent the stuck batch again under its nonce, at a higher fee, and that is what settled its transfers.
      const again = sentB.filter((s) => s.nonce === first.nonce);
      expect(again.length).toBeGreaterThanOrEqual(1);
      expect(again[0]!.fn).toBe("settleBatch");
      expect(again[0]!.maxFeePerGas * 100n).toBeGreaterThanOrEqual(first.maxFeePerGas * 110n);
      for (const id of stuck.ids) expect(await nonceOf(ev.settledIn.get(id)!)).toBe(first.nonce);
      expect(b.relayer.delivery.replacements).toBeGreaterThanOrEqual(1);
    } finally {
      await b.stop();
    }
    const after = openSqliteStore(store);
    expect([...after.inflight("uk"), ...after.inflight("us")]).toEqual([]);
    after.close();
  }, 240_000);

  it("fills a nonce gap below a batch in flight that no node holds, so the batch can be mined", async () => {
    const { config } = await freshCase();
    const store = join(h.dir, "stuck-d.db");
    const relayerAddress = new TxSender(uk, h.config.relayer.privateKey as Hex).address;
    const next = Number(await uk.request<Hex>("eth_getTransactionCount", [relayerAddress, "latest"]));
    // What a store could hold after its node lost the transactions: a batch (empty) one nonce above the chain's count.
    const seeded = openSqliteStore(store);
    const now = Math.floor(Date.now() / 1000);
    seeded.saveInflight({
      chain: "uk",
      kind: "settle",
      hashes: [`0x${"ab".repeat(32)}`],
      nonce: next + 1,
      fees: { maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: 1_000_000n },
      to: h.config.deployment.chains.uk!.gateway as Hex,
      gas: 200_000n,
      ids: [],
      jobs: [],
      firstSentAt: now - 60,
      sentAt: now - 60,
    });
    seeded.close();
    const sent: SentRaw[] = [];
    const r = await startRelayer(config, store, sent, false);
    try {
      await until("the batch mined", 60_000, async () => Number(await uk.request<Hex>("eth_getTransactionCount", [relayerAddress, "latest"])) >= next + 2);
      const filler = sent.find((x) => x.nonce === next)!;
      expect(filler.fn).toBe("");
      const fillerTx = await uk.request<{ to: Hex; value: Hex }>("eth_getTransactionByHash", [filler.hash]);
      expect(fillerTx.to.toLowerCase()).toBe(relayerAddress.toLowerCase());
      expect(BigInt(fillerTx.value)).toBe(0n);
      const batch = sent.filter((x) => x.nonce === next + 1);
      expect(batch.map((x) => x.fn)).toContain("settleBatch");
      expect(r.relayer.delivery.noncesFilled).toBe(1);
      await until("the batch forgotten", 10_000, async () => {
        const st = openSqliteStore(store);
        const left = st.inflight("uk").length;
        st.close();
        return left === 0;
      });
    } finally {
      await r.stop();
    }
  }, 120_000);
});
