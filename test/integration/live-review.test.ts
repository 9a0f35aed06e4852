import { describe, expect, it } from "vitest";
import { execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import type { Hex } from "viem";
import { TxSender } from "../../src/chains/tx-sender.js";
import { encodeSend, gatewayAbi, GAS } from "../../src/contracts/gateway.js";
import { NO_QUOTE, TIER, ZERO_HASH } from "../../src/domain/message.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { ReviewDeskClient } from "../../src/operator/http.js";
import { packagePath } from "../../src/paths.js";
import { writeLiveConfig } from "../../src/live/config.js";
import { join } from "node:path";
import { corridorEvents, kill, sleep, spawnRelayer, startLiveHarness, type LiveHarness } from "../helpers/live.js";

const REFUNDED: Hex = `0x${"0".repeat(63)}1`;

/** Sends `amount` USD from the first US sender to a UK recipient, same currency (burn and mint); returns the new ids. */
async function sendUsd(h: LiveHarness, amounts: string[]): Promise<Hex[]> {
  const before = new Set((await corridorEvents(h)).sent);
  const src = h.config.deployment.chains.us!;
  const dst = h.config.deployment.chains.uk!;
  const sender = new TxSender(h.corridor.chains.us!, h.senders.us[0]!.privateKey);
  for (const [i, amount] of amounts.entries()) {
    await sender.send({
      to: src.gateway as Hex,
      gas: GAS.send,
      data: encodeSend({
        inputToken: src.tokens.USD as Hex,
        dstChainId: BigInt(dst.chainId),
        outputToken: dst.tokens.USD as Hex,
        recipient: h.recipients[i]!,
        amount: toBaseUnits(amount),
        maxFee: 0n,
        minAmountOut: 0n,
        deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
        tier: TIER.standard,
        extraHash: ZERO_HASH,
        quote: NO_QUOTE,
      }),
    });
  }
  for (;;) {
    const ids = (await corridorEvents(h)).sent.filter((id) => !before.has(id));
    if (ids.length === amounts.length) return ids;
    await sleep(200);
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe.each(["hardhat", "anvil"] as const)("the review desk on a live corridor (%s nodes, default compliance pipeline)", (kind) => {
  it("resumes transfers held before a relayer restart: the approved one settles once, the denied one is refunded in full, and who decided is recorded", async () => {
    const h = await startLiveHarness(kind);
    let relayer: ChildProcess | undefined;
    try {
      relayer = spawnRelayer(h);
      // Above the manual-review threshold (10,000 USD), below the per-transfer limit: held for a person.
      const [approveId, denyId] = await sendUsd(h, ["12000", "11000"]);
      const reviewer = h.config.operator.reviewers[0]!;
      const desk = new ReviewDeskClient(h.config.operator.url, reviewer.token);
      await until("both transfers held for review", async () => {
        const pending = (await desk.list()).map((r) => r.id.toLowerCase());
        return pending.includes(approveId!.toLowerCase()) && pending.includes(denyId!.toLowerCase()) ? true : undefined;
      });

      // The relayer dies while they wait; a new one must pick them up.
      await kill(relayer, "SIGKILL");
      relayer = spawnRelayer(h);
      await sleep(1_000);

      // A person decides: one with the CLI, one with the desk's client.
      // (Not spawnSync: the operator answers from this process.)
      const cli = await promisify(execFile)(process.execPath, [packagePath("bin", "corridor.mjs"), "review", "approve", approveId!, "--config", h.configFile], { encoding: "utf8" });
      expect(cli.stdout).toContain(`by ${reviewer.name}`);
      await desk.decide(denyId!, "deny");
      // Deciding again, or with the relayer's token, is refused.
      await expect(desk.decide(denyId!, "approve")).rejects.toMatchObject({ code: "CORRIDOR_REVIEW_ALREADY_DECIDED" });
      await expect(new ReviewDeskClient(h.config.operator.url, h.config.relayer.operatorToken).decide(approveId!, "deny")).rejects.toMatchObject({ code: "CORRIDOR_HTTP_UNAUTHORIZED" });

      // On the chains: the approved one settled exactly once, the denied one refunded and never settled.
      const ev = await until("the approved transfer settled", async () => {
        const e = await corridorEvents(h);
        return e.settledCount.get(approveId!) === 1 ? e : undefined;
      });
      const us = h.corridor.chains.us!;
      const uk = h.corridor.chains.uk!;
      const outbound = (id: Hex) => us.client.readContract({ address: h.config.deployment.chains.us!.gateway as Hex, abi: gatewayAbi(), functionName: "outbound", args: [id] }) as Promise<Hex>;
      await until("the denied transfer refunded", async () => ((await outbound(denyId!)) === REFUNDED ? true : undefined));
      expect(ev.settledCount.get(denyId!)).toBeUndefined();
      expect(await uk.client.readContract({ address: h.config.deployment.chains.uk!.gateway as Hex, abi: gatewayAbi(), functionName: "consumed", args: [denyId!] })).toBe(false);

      // Who decided, and when, is on the record and in the audit trail.
      const decided = await desk.list("all");
      const a = decided.find((r) => r.id.toLowerCase() === approveId!.toLowerCase())!;
      const d = decided.find((r) => r.id.toLowerCase() === denyId!.toLowerCase())!;
      expect(a.review).toMatchObject({ state: "approved", by: reviewer.name });
      expect(d.review).toMatchObject({ state: "denied", by: reviewer.name });
      // `corridor status` finds a transfer from the gateways when the relayer's store does not know it.
      const blind = join(h.dir, "blind.json");
      writeLiveConfig(blind, { ...h.config, relayer: { ...h.config.relayer, store: join(h.dir, "empty-relayer.db") } });
      const status = await promisify(execFile)(process.execPath, [packagePath("bin", "corridor.mjs"), "status", denyId!, "--config", blind], { encoding: "utf8" });
      expect(status.stdout).toContain("refunded (from the chains");
      expect(h.operator.operator.store.auditFor(approveId!).some((e) => e.hook === "review" && e.outcome === "allow" && (e.data as { by?: string }).by === reviewer.name)).toBe(true);
    } finally {
      if (relayer) await kill(relayer, "SIGKILL");
      await h.close();
    }
  }, 180_000);
});
