import { describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { openSqliteStore } from "../../src/relayer/sqlite-store.js";
import { checkConservation } from "../../src/measure/conservation.js";
import type { TransferRecord } from "../../src/domain/transfer.js";
import { writeLiveConfig } from "../../src/live/config.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { batchKeys, killEvidence, untilNewBatchInFlight, type KillEvidence } from "../helpers/kill-evidence.js";
import { kill, corridorEvents, sendTransfers, sleep, snapshot, spawnRelayer, startLiveHarness, type LiveHarness } from "../helpers/live.js";

const TRANSFERS = 500;

/** Waits until every transfer settled and every cross-currency one was finalized on its source. */
async function waitDone(h: LiveHarness, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ev = await corridorEvents(h);
    if (ev.sent.length === TRANSFERS && ev.done) {
      // The chains are done; wait for the relayer's own records to catch up before stopping it.
      const st = openSqliteStore(h.config.relayer.store);
      const caughtUp = st.count() === TRANSFERS && [...st.all()].every((r) => r.state === "settled" && (r.message.mode !== 1 || r.finalized));
      st.close();
      if (caughtUp) return ev;
    }
    if (Date.now() > deadline) {
      const st = openSqliteStore(h.config.relayer.store);
      const stuck = [...st.all()].filter((r) => r.state !== "settled" || (r.message.mode === 1 && !r.finalized));
      st.close();
      console.error(`not done: ${ev.sent.length} sent, ${ev.finalized}/${ev.lockRelease} finalized`, JSON.stringify(stuck.slice(0, 5).map((r) => ({ id: r.id, state: r.state, finalized: r.finalized, err: r.lastError, attempts: r.settleAttempts, compliance: r.compliance, stages: r.stages }))));
      return ev;
    }
    await sleep(500);
  }
}

/** Exactly once, and the books: the relayer's records against every on-chain balance change. */
async function expectExactlyOnceAndBalanced(h: LiveHarness, before: Awaited<ReturnType<typeof snapshot>>) {
  const ev = await corridorEvents(h);
  expect(ev.sent.length).toBe(TRANSFERS);
  for (const id of ev.sent) expect(ev.settledCount.get(id), id).toBe(1);
  expect(ev.finalized).toBe(ev.lockRelease);
  // Re-read until the books agree or five seconds pass: a balance read can race the last block on a
  // busy machine; a real discrepancy persists and fails.
  let report: ReturnType<typeof checkConservation> | undefined;
  let records: TransferRecord[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const store = openSqliteStore(h.config.relayer.store);
    records = [...store.all()];
    store.close();
    report = checkConservation(records, before, await snapshot(h));
    if (report.ok) break;
    await sleep(1_000);
  }
  expect(records.length).toBe(TRANSFERS);
  expect(records.every((r) => r.state === "settled")).toBe(true);
  const bad = report!.lines.filter((l) => !l.ok);
  if (bad.length) console.error("conservation lines off:", JSON.stringify(bad, (_k, v) => (typeof v === "bigint" ? v.toString() : v)), JSON.stringify(report!.burnAndMint, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  expect(bad).toEqual([]);
  expect(report!.ok).toBe(true);
}

describe.each(["hardhat", "anvil"] as const)("the relayer daemon against two %s nodes", (kind) => {
  it(`settles ${TRANSFERS} transfers exactly once while killed with SIGKILL at random moments and restarted`, async () => {
    const h = await startLiveHarness(kind);
    let relayer: ChildProcess | undefined;
    try {
      const before = await snapshot(h);
      let stderr = "";
      const watch = (p: ChildProcess) => p.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
      relayer = spawnRelayer(h);
      watch(relayer);
      // Arrivals spread over a few seconds, so that the kills land mid-work.
      const sending = (async () => {
        for (let i = 0; i < TRANSFERS / 50; i++) {
          await sendTransfers(h, 50, i + 1);
          await sleep(300);
        }
      })();
      // Kills alternate: one at a random moment (during startup and recovery, as often as not), the next
      // as soon as the relayer's store shows a batch that this process sent and has not seen confirmed
      // (waiting at most 15 s for one: under load a restart alone can take 10 s). What the dead process left
      // in its store, read before the restart, is the evidence: a kill counts as mid-batch only for batches
      // its own process had sent. Up to 10 more kills are made if fewer than 5 landed mid-batch.
      const KILLS = 10;
      const MID_BATCH = 5;
      const store = h.config.relayer.store;
      const evidence: KillEvidence[] = [];
      const midBatch = () => evidence.filter((e) => e.interrupted.length > 0).length;
      let inherited = new Set<string>();
      let x = 12345;
      const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      while (evidence.length < KILLS || (midBatch() < MID_BATCH && evidence.length < KILLS + 10)) {
        if (evidence.length % 2 === 0) await sleep(400 + rnd() * 1600);
        else await untilNewBatchInFlight(store, inherited, 15_000);
        await kill(relayer, "SIGKILL");
        const e = await killEvidence(store, h.corridor.chains, inherited);
        evidence.push(e);
        inherited = batchKeys(e);
        relayer = spawnRelayer(h);
        watch(relayer);
      }
      await sending;
      const ev = await waitDone(h, 120_000);
      if (!ev.done) {
        const st = openSqliteStore(h.config.relayer.store);
        const stuck = [...st.all()].filter((r) => r.state !== "settled" || (r.message.mode === 1 && !r.finalized));
        st.close();
        console.error(`not done: ${ev.finalized}/${ev.lockRelease} finalized`, stuck.map((r) => ({ state: r.state, finalized: r.finalized, err: r.lastError, stages: r.stages })), stderr);
      }
      const interrupted = evidence.flatMap((e) => e.interrupted);
      console.log(
        `${kind}: ${evidence.length} kills, ${midBatch()} with a batch of its own sent and unconfirmed ` +
          `(${interrupted.length} batches: ${[...new Set(interrupted.map((b) => `${b.chain} ${b.kind}`))].join(", ")}; ${interrupted.reduce((n, b) => n + b.items, 0)} items; ` +
          `${evidence.reduce((n, e) => n + e.unminedTxs, 0)} transactions still unmined), ${evidence.filter((e) => Object.keys(e.transfersByState).length > 0).length} with transfers not yet settled` +
          `${evidence.some((e) => e.error) ? `; store unreadable: ${evidence.find((e) => e.error)!.error}` : ""}`,
      );
      expect(evidence.length).toBeGreaterThanOrEqual(KILLS);
      expect(midBatch()).toBeGreaterThanOrEqual(MID_BATCH);
      await kill(relayer, "SIGTERM");
      await expectExactlyOnceAndBalanced(h, before);
    } finally {
      if (relayer) await kill(relayer, "SIGKILL");
      await h.close();
    }
  }, 300_000);
});

describe("the relayer daemon behind failing JSON-RPC endpoints", () => {
  it(`settles ${TRANSFERS} transfers exactly once with errors and timeouts on over 10% of its calls`, async () => {
    const h = await startLiveHarness("hardhat");
    const proxies = await Promise.all(h.nodes.map((n, i) => startFaultProxy(n.url, { errorRate: 0.1, timeoutRate: 0.03, hangMs: 1_500, seed: 7 + i })));
    let relayer: ChildProcess | undefined;
    try {
      // The relayer's endpoints are the proxies; the test and the operator talk to the nodes directly.
      h.config.chains.us!.url = proxies[0]!.url;
      h.config.chains.uk!.url = proxies[1]!.url;
      writeLiveConfig(h.configFile, h.config);
      const before = await snapshot(h);
      relayer = spawnRelayer(h);
      for (let i = 0; i < TRANSFERS / 100; i++) await sendTransfers(h, 100, i + 1);
      await waitDone(h, 180_000);
      await kill(relayer, "SIGTERM");
      const stats = proxies.reduce((s, p) => ({ requests: s.requests + p.stats.requests, failed: s.failed + p.stats.errors + p.stats.timeouts }), { requests: 0, failed: 0 });
      expect(stats.failed / stats.requests).toBeGreaterThanOrEqual(0.1);
      await expectExactlyOnceAndBalanced(h, before);
    } finally {
      if (relayer) await kill(relayer, "SIGKILL");
      await Promise.all(proxies.map((p) => p.close()));
      await h.close();
    }
  }, 300_000);
});
