import { describe, expect, it } from "vitest";
import { encodeFunctionData } from "viem";
import { reconcile } from "../../src/live/reconcile.js";
import { startRelayerService } from "../../src/live/runtime.js";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import { GAS, tokenAbi } from "../../src/contracts/gateway.js";
import { silentLogger } from "../../src/logger.js";
import { corridorEvents, sendTransfers, sleep, startLiveHarness } from "../helpers/live.js";

describe("corridor reconcile", () => {
  it("shows the books balance after a run, then names a discrepancy when tokens appear in a gateway unaccounted for", async () => {
    const h = await startLiveHarness("hardhat", { senders: 4 });
    const relayer = await startRelayerService(h.config, { logger: silentLogger, chains: h.corridor.chains, operator: h.operator.operator, metrics: false });
    try {
      await sendTransfers(h, 40, 3);
      for (let i = 0; i < 100 && !(await corridorEvents(h)).done; i++) await sleep(300);
      const r = await reconcile(h.corridor.chains, h.config.deployment as never);
      expect(r.discrepancies).toEqual([]);
      expect(r.ok).toBe(true);
      const totalSent = r.routes.reduce((s, x) => s + x.sent, 0n);
      expect(totalSent).toBeGreaterThan(0n);
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
