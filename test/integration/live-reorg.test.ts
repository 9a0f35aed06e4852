import { describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import type { Hex } from "viem";
import { gatewayAbi } from "../../src/contracts/gateway.js";
import type { AttesterQuorum } from "../../src/operator/quorum.js";
import { openSqliteStore } from "../../src/relayer/sqlite-store.js";
import { checkConservation } from "../../src/measure/conservation.js";
import { rawOf, type RpcTx } from "../../src/sim/faults.js";
import { corridorEvents, kill, sendTransfers, sleep, snapshot, spawnRelayer, startLiveHarness } from "../helpers/live.js";

/**
 * The relayer daemon against a JSON-RPC node that reorganises: six sends from the US chain are
 * seen by the relayer (the attesters are offline, so nothing is signed yet), then the node reverts
 * to a snapshot taken before them (a 6-block reorg). Three of the sends are mined again on the new
 * branch (the same signed transactions), three never are. The relayer must drop the three, carry
 * the three through once, and never settle a vanished one.
 */
describe.each(["hardhat", "anvil"] as const)("the relayer daemon when the source chain reorganises (%s node)", (kind) => {
  it("drops the sends that vanished and settles the re-mined ones exactly once", async () => {
    const h = await startLiveHarness(kind, { senders: 6 });
    let relayer: ChildProcess | undefined;
    const us = h.corridor.chains.us!;
    const uk = h.corridor.chains.uk!;
    // Fault injection, not a mock: the operator's attesters go offline, so it can sign nothing for now.
    const attesters = (h.operator.operator as unknown as { opts: { attesters: AttesterQuorum } }).opts.attesters;
    try {
      const before = await snapshot(h);
      relayer = spawnRelayer(h);
      for (const a of attesters.addresses) attesters.setOnline(a, false);
      const snap = await us.request<Hex>("evm_snapshot");
      const hashes = await sendTransfers(h, 6, 77, { from: "us" });
      const txs = await Promise.all(hashes.map((hash) => us.request<RpcTx>("eth_getTransactionByHash", [hash])));
      // Wait until the relayer has recorded all six.
      const ids = async () => {
        const st = openSqliteStore(h.config.relayer.store);
        const recs = [...st.all()];
        st.close();
        return recs;
      };
      for (let i = 0; i < 100 && (await ids()).length < 6; i++) await sleep(200);
      const seen = await ids();
      expect(seen).toHaveLength(6);
      const idOfTx = new Map(seen.map((r) => [r.srcTxHash, r.id]));

      // The reorganisation: back to before the sends; senders 0–2's transactions are mined again, 3–5's are not.
      expect(await us.request<boolean>("evm_revert", [snap])).toBe(true);
      for (const tx of txs.slice(0, 3)) await us.request("eth_sendRawTransaction", [rawOf(tx, us.chainId)]);
      const again = txs.slice(0, 3).map((t) => idOfTx.get(t.hash)!);
      const vanished = txs.slice(3).map((t) => idOfTx.get(t.hash)!);
      // Blocks keep coming, so the relayer sees the new branch grow past its old head.
      for (let i = 0; i < 8; i++) await us.request("evm_mine");
      for (const a of attesters.addresses) attesters.setOnline(a, true);

      // Wait for the chains (every send on the winning branch settled and finalized) and the relayer's records.
      const deadline = Date.now() + 90_000;
      let recs = await ids();
      for (;;) {
        const ev = await corridorEvents(h);
        recs = await ids();
        const dropped = recs.filter((r) => r.state === "dropped").length;
        const settled = recs.filter((r) => r.state === "settled" && (r.message.mode !== 1 || r.finalized)).length;
        if ((ev.done && dropped === 3 && settled === 3) || Date.now() > deadline) break;
        await sleep(500);
      }
      await kill(relayer, "SIGTERM");
      relayer = undefined;

      const ev = await corridorEvents(h);
      expect(ev.sent.sort()).toEqual([...again].sort());
      for (const id of again) expect(ev.settledCount.get(id), id).toBe(1);
      const byId = new Map(recs.map((r) => [r.id, r]));
      for (const id of again) expect(byId.get(id)?.state, id).toBe("settled");
      for (const id of vanished) {
        expect(byId.get(id)?.state, id).toBe("dropped");
        expect(ev.settledCount.get(id), id).toBeUndefined();
        expect(await uk.client.readContract({ address: h.corridor.deployment.chains.uk!.gateway, abi: gatewayAbi(), functionName: "consumed", args: [id] })).toBe(false);
      }
      // The books: the relayer's records (dropped ones moved nothing) against every balance change.
      const report = checkConservation(recs, before, await snapshot(h));
      expect(report.lines.filter((l) => !l.ok)).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      for (const a of attesters.addresses) attesters.setOnline(a, true);
      if (relayer) await kill(relayer, "SIGKILL");
      await h.close();
    }
  }, 180_000);
});
