/**
 * Several relayer daemons at once, for availability: three `corridor relayer` processes, each with
 * its own key and SQLite store, sharing one operator, against two hardhat nodes. Each instance sends
 * the jobs whose id falls to it at once and backs the others up after a takeover delay. One instance
 * is killed (SIGKILL, not restarted) a third of the way through; the other two carry its share.
 * Checked on chain: every transfer settled exactly once, no refund, every cross-currency escrow
 * finalized once, the books balance; measured: the share of work wasted racing ("already processed"
 * items, and relayer transactions that achieved nothing) and how long the killed instance's
 * transfers took.
 */
import { describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { toHex, type Hex } from "viem";
import { testKeyPair } from "../../src/chains/keys.js";
import { getBlock } from "../../src/chains/mining.js";
import { fundNative } from "../../src/contracts/deploy.js";
import { decodeGatewayLogs, decodeRevert } from "../../src/contracts/gateway.js";
import { writeLiveConfig, type LiveConfig } from "../../src/live/config.js";
import { reconcile } from "../../src/live/reconcile.js";
import { openSqliteStore } from "../../src/relayer/sqlite-store.js";
import { checkConservation } from "../../src/measure/conservation.js";
import type { TransferRecord } from "../../src/domain/transfer.js";
import { kill, sendTransfers, sleep, snapshot, spawnRelayer, startLiveHarness, type LiveHarness } from "../helpers/live.js";

const INSTANCES = 3;
const TRANSFERS = 300;
const TAKEOVER_SECONDS = 5;
/** Instance 0 is killed once this many transfers were sent. */
const KILL_AFTER = 100;

type RawLog = { address: Hex; topics: Hex[]; data: Hex; blockNumber: Hex; transactionHash: Hex; logIndex: Hex };

/** Everything the gateways logged since the deployment, and every transaction each relayer key sent. */
async function chainFacts(h: LiveHarness, relayers: Hex[]) {
  const sent = new Map<Hex, { chain: string; block: number; lockRelease: boolean }>();
  const settled = new Map<Hex, { count: number; chain: string; block: number; tx: Hex }>();
  const refunded = new Map<Hex, number>();
  const finalized = new Map<Hex, number>();
  const failed = { settle: 0, refund: 0, finalize: 0, alreadyProcessed: { settle: 0, refund: 0, finalize: 0 } };
  /** Transactions with at least one effect (a settlement, refund, finalization or allowance credit). */
  const effective = new Set<Hex>();
  const blockTime = new Map<string, number>();
  const relayerTxs = relayers.map(() => ({ total: 0, wasted: 0, byFn: {} as Record<string, number> }));
  const txFrom = new Map<Hex, number>();
  for (const [name, chain] of Object.entries(h.corridor.chains)) {
    const d = h.config.deployment.chains[name]!;
    const logs = await chain.request<RawLog[]>("eth_getLogs", [{ address: d.gateway, fromBlock: toHex(d.startBlock), toBlock: "latest" }]);
    for (const ev of decodeGatewayLogs(logs)) {
      const at = { chain: name, block: Number(ev.log.blockNumber) };
      switch (ev.name) {
        case "TransferSent":
          sent.set(ev.id, { ...at, lockRelease: ev.message.mode === 1 });
          break;
        case "TransferSettled": {
          const prev = settled.get(ev.id);
          settled.set(ev.id, { ...at, tx: ev.log.transactionHash, count: (prev?.count ?? 0) + 1 });
          effective.add(ev.log.transactionHash);
          break;
        }
        case "TransferRefunded":
          refunded.set(ev.id, (refunded.get(ev.id) ?? 0) + 1);
          effective.add(ev.log.transactionHash);
          break;
        case "TransferFinalized":
          finalized.set(ev.id, (finalized.get(ev.id) ?? 0) + 1);
          effective.add(ev.log.transactionHash);
          break;
        case "FastAllowanceCredited":
          effective.add(ev.log.transactionHash);
          break;
        case "SettleFailed":
        case "RefundFailed":
        case "FinalizeFailed": {
          const kind = ev.name === "SettleFailed" ? "settle" : ev.name === "RefundFailed" ? "refund" : "finalize";
          failed[kind]++;
          if (decodeRevert(ev.reason)?.errorName === "MessageAlreadyProcessed") failed.alreadyProcessed[kind]++;
          break;
        }
      }
    }
    // Every block since the deployment: the relayers' transactions, including any that logged nothing.
    const head = (await getBlock(chain)).number;
    const lower = relayers.map((a) => a.toLowerCase());
    for (let b = d.startBlock; b <= head; b++) {
      const block = await chain.request<{ timestamp: Hex; transactions: { hash: Hex; from: Hex; input: Hex }[] }>("eth_getBlockByNumber", [toHex(b), true]);
      blockTime.set(`${name}:${b}`, Number(block.timestamp));
      for (const tx of block.transactions) {
        const i = lower.indexOf(tx.from.toLowerCase());
        if (i < 0) continue;
        txFrom.set(tx.hash, i);
        const r = relayerTxs[i]!;
        r.total++;
        const fn = tx.input.slice(0, 10);
        r.byFn[fn] = (r.byFn[fn] ?? 0) + 1;
      }
    }
  }
  for (const [hash, i] of txFrom) if (!effective.has(hash)) relayerTxs[i]!.wasted++;
  return { sent, settled, refunded, finalized, failed, relayerTxs, txFrom, blockTime };
}

/** Transfer records as the chains alone tell them (sends, settlements, refunds, finalizations): what the books are checked against. */
async function recordsFromChains(h: LiveHarness): Promise<TransferRecord[]> {
  const records = new Map<Hex, TransferRecord>();
  const later: ReturnType<typeof decodeGatewayLogs>[number][] = [];
  const chainName = new Map(Object.entries(h.config.deployment.chains).map(([n, d]) => [BigInt(d.chainId), n]));
  const currency = (chain: string, token: Hex) => Object.entries(h.config.deployment.chains[chain]!.tokens).find(([, a]) => a.toLowerCase() === token.toLowerCase())![0];
  for (const [name, chain] of Object.entries(h.corridor.chains)) {
    const d = h.config.deployment.chains[name]!;
    const logs = await chain.request<RawLog[]>("eth_getLogs", [{ address: d.gateway, fromBlock: toHex(d.startBlock), toBlock: "latest" }]);
    for (const ev of decodeGatewayLogs(logs)) {
      if (ev.name !== "TransferSent") {
        later.push(ev);
        continue;
      }
      const dst = chainName.get(ev.message.dstChainId)!;
      records.set(ev.id, {
        id: ev.id,
        message: ev.message,
        srcChain: name,
        dstChain: dst,
        inputCurrency: currency(name, ev.message.inputToken),
        outputCurrency: currency(dst, ev.message.outputToken),
        state: "initiated",
        stages: {},
        srcBlock: Number(ev.log.blockNumber),
        srcTxHash: ev.log.transactionHash,
        settleAttempts: 0,
      } as TransferRecord);
    }
  }
  for (const ev of later) {
    const r = "id" in ev ? records.get(ev.id as Hex) : undefined;
    if (!r) continue;
    if (ev.name === "TransferSettled") {
      r.state = "settled";
      r.amountOut = ev.amountOut;
      r.rate = ev.rate;
    } else if (ev.name === "TransferRefunded") r.state = "refunded";
    else if (ev.name === "TransferFinalized") r.finalized = true;
  }
  return [...records.values()];
}

/** Sends, settlements and finalizations since the deployment, from the logs alone (cheap enough to poll). */
async function progress(h: LiveHarness) {
  const sent = new Set<Hex>();
  const settled = new Set<Hex>();
  let lockRelease = 0;
  let finalized = 0;
  for (const [name, chain] of Object.entries(h.corridor.chains)) {
    const d = h.config.deployment.chains[name]!;
    const logs = await chain.request<RawLog[]>("eth_getLogs", [{ address: d.gateway, fromBlock: toHex(d.startBlock), toBlock: "latest" }]);
    for (const ev of decodeGatewayLogs(logs)) {
      if (ev.name === "TransferSent") {
        sent.add(ev.id);
        if (ev.message.mode === 1) lockRelease++;
      } else if (ev.name === "TransferSettled") settled.add(ev.id);
      else if (ev.name === "TransferFinalized") finalized++;
    }
  }
  return { sent: sent.size, settled: settled.size, lockRelease, finalized, done: sent.size === TRANSFERS && [...sent].every((id) => settled.has(id)) && finalized === lockRelease };
}

/** How many transfers a relayer's store does not show settled (and finalized, for lock-and-release). */
function storeBehind(file: string): number {
  const st = openSqliteStore(file);
  try {
    const records = [...st.all()];
    return TRANSFERS - records.filter((r) => r.state === "settled" && (r.message.mode !== 1 || r.finalized)).length;
  } finally {
    st.close();
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

describe("several relayer daemons at once", () => {
  it(`settle ${TRANSFERS} transfers exactly once between ${INSTANCES} instances, waste little racing, and take over a killed one's share`, async () => {
    const h = await startLiveHarness("hardhat", { senders: 10 });
    const procs: (ChildProcess | undefined)[] = [];
    let stderr = "";
    try {
      const keys = Array.from({ length: INSTANCES }, (_, i) => testKeyPair("multi-relayer", "relayer", i));
      for (const c of Object.values(h.corridor.chains)) await fundNative(c, keys.map((k) => k.address));
      const files = keys.map((k, i) => {
        const config: LiveConfig = {
          ...h.config,
          relayer: { ...h.config.relayer, privateKey: k.privateKey, store: join(h.dir, `relayer-${i}.db`), instance: { index: i, count: INSTANCES, takeoverSeconds: TAKEOVER_SECONDS } },
        };
        const file = join(h.dir, `relayer-${i}.json`);
        writeLiveConfig(file, config);
        return file;
      });
      const before = await snapshot(h);
      for (const file of files) {
        const p = spawnRelayer(h, file);
        p.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
        procs.push(p);
      }

      // Arrivals over several seconds; instance 0 dies (SIGKILL, not restarted) a third of the way in.
      let killedAt: Record<string, number> | undefined;
      for (let sentSoFar = 0; sentSoFar < TRANSFERS; sentSoFar += 50) {
        if (sentSoFar === KILL_AFTER) {
          // Mid-work: once it has sent a few batches of its own.
          const txCount = async () => {
            let n = 0;
            for (const c of Object.values(h.corridor.chains)) n += Number(await c.request<Hex>("eth_getTransactionCount", [keys[0]!.address, "latest"]));
            return n;
          };
          for (let i = 0; i < 120 && (await txCount()) < 4; i++) await sleep(500);
          await kill(procs[0]!, "SIGKILL");
          killedAt = {};
          for (const [n, c] of Object.entries(h.corridor.chains)) killedAt[n] = (await getBlock(c)).number;
        }
        await sendTransfers(h, 50, sentSoFar / 50 + 1);
        await sleep(300);
      }
      expect(killedAt).toBeDefined();

      // Wait for the chains, then (a while) for the survivors' records.
      const deadline = Date.now() + 180_000;
      for (let p = await progress(h); !p.done; p = await progress(h)) {
        if (Date.now() > deadline) {
          console.error(`not done: ${p.sent} sent, ${p.settled} settled, ${p.finalized}/${p.lockRelease} finalized`, stderr);
          break;
        }
        await sleep(1_000);
      }
      const survivors = [1, 2].map((i) => join(h.dir, `relayer-${i}.db`));
      for (let i = 0; i < 20 && survivors.some((f) => storeBehind(f) > 0); i++) await sleep(1_000);
      const behind = survivors.map(storeBehind);
      // Each survivor's own records agree with the chains, including settlements another instance made
      // before this one read the send (kept until the send arrives, or looked up after "already processed").
      expect(behind).toEqual([0, 0]);
      const facts = await chainFacts(h, keys.map((k) => k.address));

      // Exactly once, on chain: one settlement per transfer, no refund, one finalization per escrow.
      expect(facts.sent.size).toBe(TRANSFERS);
      for (const id of facts.sent.keys()) expect(facts.settled.get(id)?.count, id).toBe(1);
      expect(facts.refunded.size).toBe(0);
      for (const [id, s] of facts.sent) if (s.lockRelease) expect(facts.finalized.get(id), id).toBe(1);
      expect([...facts.finalized.values()].every((n) => n === 1)).toBe(true);

      // The books: every balance change against the transfers as the chains tell them, and the chains' own books.
      const records = await recordsFromChains(h);
      expect(records.every((r) => r.state === "settled")).toBe(true);
      let report = checkConservation(records, before, await snapshot(h));
      for (let i = 0; i < 5 && !report.ok; i++) {
        await sleep(1_000);
        report = checkConservation(records, before, await snapshot(h));
      }
      expect(report.lines.filter((l) => !l.ok)).toEqual([]);
      expect(report.ok).toBe(true);
      const books = await reconcile(h.corridor.chains, h.config.deployment as never);
      expect(books.discrepancies).toEqual([]);

      // Waste: items that lost a race ("already processed"), and relayer transactions that achieved nothing.
      const settleItems = facts.settled.size + facts.failed.settle;
      const finalizeItems = facts.finalized.size + facts.failed.finalize;
      const ap = facts.failed.alreadyProcessed;
      const settleWaste = ap.settle / settleItems;
      const itemWaste = (ap.settle + ap.finalize + ap.refund) / (settleItems + finalizeItems + facts.failed.refund);
      const txTotal = facts.relayerTxs.reduce((s, r) => s + r.total, 0);
      const txWasted = facts.relayerTxs.reduce((s, r) => s + r.wasted, 0);
      expect(settleWaste).toBeLessThan(0.2);
      expect(itemWaste).toBeLessThan(0.2);
      expect(txWasted / txTotal).toBeLessThan(0.2);

      // Load shared: every instance sent transactions (the killed one until it died).
      for (const r of facts.relayerTxs) expect(r.total).toBeGreaterThan(0);

      // Takeover: the killed instance's share (id mod 3 = 0) of the transfers sent after it died was
      // settled by the others, first by the next instance, after about the takeover delay.
      const latency = (id: Hex) => {
        const s = facts.sent.get(id)!;
        const d = facts.settled.get(id)!;
        return facts.blockTime.get(`${d.chain}:${d.block}`)! - facts.blockTime.get(`${s.chain}:${s.block}`)!;
      };
      const afterKill = [...facts.sent.entries()].filter(([, s]) => s.block > killedAt![s.chain]!).map(([id]) => id);
      const orphaned = afterKill.filter((id) => BigInt(id) % BigInt(INSTANCES) === 0n);
      const owned = afterKill.filter((id) => BigInt(id) % BigInt(INSTANCES) !== 0n);
      expect(orphaned.length).toBeGreaterThan(20);
      const settledBy = (id: Hex) => facts.txFrom.get(facts.settled.get(id)!.tx);
      for (const id of orphaned) expect(settledBy(id), id).not.toBe(0);
      const byNext = orphaned.filter((id) => settledBy(id) === 1).length;
      expect(byNext / orphaned.length).toBeGreaterThan(0.8);
      const orphanedLatency = orphaned.map(latency);
      const ownedLatency = owned.map(latency);
      expect(quantile(orphanedLatency, 0.5)).toBeGreaterThanOrEqual(TAKEOVER_SECONDS - 1);
      expect(Math.max(...orphanedLatency)).toBeLessThan(TAKEOVER_SECONDS * 2 + 10);

      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      console.log(
        [
          `multi-relayer: ${INSTANCES} instances (takeover ${TAKEOVER_SECONDS} s; instance 0 SIGKILLed after ${KILL_AFTER} of ${TRANSFERS} transfers), ${TRANSFERS} transfers, each settled exactly once, ${facts.finalized.size} escrows finalized once, books balance`,
          `  settlement items ${settleItems}, "already processed" ${ap.settle} (${pct(settleWaste)}); all items (settle + finalize) ${settleItems + finalizeItems}, already processed ${ap.settle + ap.finalize + ap.refund} (${pct(itemWaste)})`,
          `  relayer transactions ${txTotal}, with no effect ${txWasted} (${pct(txWasted / txTotal)}); per instance: ${facts.relayerTxs.map((r, i) => `#${i} ${r.total} (${r.wasted} no effect)`).join(", ")}`,
          `  survivors' stores behind the chains by ${behind.join(" and ")} transfers`,
          `  takeover: ${orphaned.length} transfers of the killed instance's share sent after it died settled in p50 ${quantile(orphanedLatency, 0.5)} s, max ${Math.max(...orphanedLatency)} s (${byNext} by the next instance); the others' ${owned.length} in p50 ${quantile(ownedLatency, 0.5)} s, max ${Math.max(...ownedLatency)} s`,
        ].join("\n"),
      );
    } finally {
      for (const p of procs) if (p) await kill(p, "SIGTERM");
      await h.close();
    }
  }, 360_000);
});
