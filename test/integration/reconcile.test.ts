import { describe, expect, it } from "vitest";
import { encodeFunctionData } from "viem";
import { reconcile } from "../../src/live/reconcile.js";
import { startRelayerService } from "../../src/live/runtime.js";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import { GAS, tokenAbi } from "../../src/contracts/gateway.js";
import { silentLogger } from "../../src/logger.js";
import { corridorEvents, sendTransfers, sleep, startLiveHarness } from "../helpers/live.js";

describe("corridor reconcile", () => {
  it("shows the books balance after a run in which every transfer settled, then names a discrepancy when tokens appear in a gateway unaccounted for", async () => {
    const h = await startLiveHarness("hardhat", { senders: 4 });
    const relayer = await startRelayerService(h.config, { logger: silentLogger, chains: h.corridor.chains, operator: h.operator.operator, metrics: false });
    try {
      const SENT = 40;
      await sendTransfers(h, SENT, 3);
      for (let i = 0; i < 100 && !(await corridorEvents(h)).done; i++) await sleep(300);
      // The corridor did its work before the books are read: every send is on chain, each settled
      // exactly once on its destination, and every escrow finalized (from the chains' events).
      const ev = await corridorEvents(h);
      expect(ev.sent.length).toBe(SENT);
      expect(ev.sent.filter((id) => ev.settledCount.get(id) !== 1)).toEqual([]);
      expect(ev.lockRelease).toBeGreaterThan(0);
      expect(ev.finalized).toBe(ev.lockRelease);

      const r = await reconcile(h.corridor.chains, h.config.deployment as never);
      expect(r.discrepancies).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.settlements.checked).toBe(SENT);
      const total = (k: "sent" | "settled" | "refunded" | "inFlight") => r.routes.reduce((s, x) => s + x[k], 0n);
      expect(total("sent")).toBeGreaterThan(0n);
      expect(total("settled")).toBe(total("sent"));
      expect(total("inFlight")).toBe(0n);
      expect(r.routes.length).toBeGreaterThanOrEqual(3); // both directions, cross- and same-currency
      expect(r.routes.every((x) => x.sent === x.settled + x.refunded + x.inFlight)).toBe(true);

      // A sender pushes tokens straight into the US gateway, outside any transfer: its holdings no longer match its books.
      const d = h.config.deployment.chains.us!;
      const s = new TxSender(h.corridor.chains.us!, h.senders.us[0]!.privateKey);
      await waitForReceipt(h.corridor.chains.us!, await s.send({ to: d.tokens.USD as `0x${string}`, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "transfer", args: [d.gateway as `0x${string}`, 1_000_000n] }) }));
      const bad = await reconcile(h.corridor.chains, h.config.deployment as never);
      expect(bad.ok).toBe(false);
      expect(bad.discrepancies.map((x) => x.kind)).toContain("TOKEN_BOOKS");
      expect(bad.discrepancies.find((x) => x.kind === "TOKEN_BOOKS")!.detail).toMatch(/us USD: gateway balance = escrow \+ liquidity/);
    } finally {
      await relayer.stop();
      await h.close();
    }
  }, 120_000);
});
