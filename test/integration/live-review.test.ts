import { describe, expect, it } from "vitest";
import { execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import type { Hex } from "viem";
import { gatewayAbi, OUTBOUND_REFUNDED } from "../../src/contracts/gateway.js";
import { RemoteOperator, ReviewDeskClient } from "../../src/operator/http.js";
import { packagePath } from "../../src/paths.js";
import { writeLiveConfig } from "../../src/live/config.js";
import { join } from "node:path";
import { corridorEvents, kill, sendUsd, sleep, spawnRelayer, startLiveHarness } from "../helpers/live.js";


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
      const [approveId, denyId] = (await sendUsd(h, ["12000", "11000"])).map((s) => s.id);
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
      await until("the denied transfer refunded", async () => ((await outbound(denyId!)) === OUTBOUND_REFUNDED ? true : undefined));
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

describe("screening once per transfer, on a live corridor (hardhat node, default compliance pipeline)", () => {
  it("asking for the same transfer's attestation again and again does not fill its sender's daily limit", async () => {
    const h = await startLiveHarness("hardhat");
    try {
      // The relayer's own client (its token), as a hostile relayer would use it. 2,900 USD: below the travel rule's
      // US threshold and manual review; 30 screenings of it would be 87,000 USD against the 50,000 USD daily limit.
      const api = new RemoteOperator(h.config.operator.url, h.config.relayer.operatorToken);
      const [a] = await sendUsd(h, ["2900"]);
      const ask = () => api.attestation(a!.id, a!.message);
      const first = await until("the first transfer confirmed", async () => {
        const r = await ask();
        return r.kind === "pending" ? undefined : r;
      });
      expect(first.kind).toBe("settle");
      const again = [...(await Promise.all(Array.from({ length: 15 }, ask)))];
      for (let i = 0; i < 15; i++) again.push(await ask());
      // The same answer every time, with the same signatures.
      for (const r of again) expect(r).toEqual(first);
      // Screened once: one entry per hook in the audit trail.
      const limitsEntries = h.operator.operator.store.auditFor(a!.id).filter((e) => e.hook === "limits");
      expect(limitsEntries).toHaveLength(1);

      // The same sender's next transfer is still within its limit.
      const [b] = await sendUsd(h, ["2900"]);
      const next = await until("the second transfer confirmed", async () => {
        const r = await api.attestation(b!.id, b!.message);
        return r.kind === "pending" ? undefined : r;
      });
      expect(next.kind).toBe("settle");
    } finally {
      await h.close();
    }
  }, 120_000);
});
