import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeEventLog, type Hex } from "viem";
import { bootCorridor } from "../../src/corridor/boot.js";
import { gatewayAbi } from "../../src/contracts/gateway.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";

/**
 * scenarios/reorg.json, shortened: the US chain (Ethereum-like: Fast after 2 blocks, Standard after
 * 65) makes 15 blocks on a branch that loses. Half of the corridor sends on it are double-spent by
 * their senders; the other half are mined again on the winning branch.
 */
const base = JSON.parse(readFileSync(new URL("../../scenarios/reorg.json", import.meta.url), "utf8"));
const scenario = parseScenario({
  ...base,
  seed: 303,
  workload: { ...base.workload, transfers: 160, durationSeconds: 720 },
  faults: [{ kind: "reorg", chain: "us", at: 240, durationSeconds: 180, doubleSpendShare: 0.5 }],
});

describe("a reorganisation of the source chain (virtual time, embedded chains)", () => {
  it("drops vanished sends, carries re-mined ones through once, and shows the Fast allowance's exposure; Standard never pays a vanished send", async () => {
    const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
    const corridor = await bootCorridor({ seed: scenario.seed, initialDate: new Date((t0 - 86_400) * 1000) });
    try {
      const results = await simulate({ scenario, corridor });
      const fault = results.summary.faults![0]!;
      const a = fault.affected;
      // The fault happened as specified, and some of each kind of outcome occurred.
      expect(a.orphanedBlocks).toBe(15);
      expect(a.doubleSpentSends as number).toBeGreaterThan(0);
      expect(a.droppedTransfers as number).toBeGreaterThan(0);
      expect(a.exposedTransfers as number).toBeGreaterThan(0);
      expect(a.reappearedAndSettled as number).toBeGreaterThan(0);

      console.log(`reorg: ${fault.summary}; reappeared and settled once: ${a.reappearedAndSettled}; ${results.summary.transfers.sent} transfers in all`);
      // The books balance to the base unit with the exposure accounted as minted or paid against nothing.
      expect(results.summary.conservation.lines.filter((l) => !l.ok)).toEqual([]);
      expect(results.summary.conservation.ok).toBe(true);

      const dropped = results.transfers.filter((t) => t.state === "dropped");
      const exposed = results.transfers.filter((t) => t.sourceReorged);
      expect(dropped.length).toBe(a.droppedTransfers);
      expect(exposed.length).toBe(a.exposedTransfers);
      expect(results.summary.transfers.inFlight).toBe(0);

      // Standard transfers wait for finality: none that vanished was ever paid.
      expect(exposed.filter((t) => t.tier === "standard")).toEqual([]);
      expect(a.exposedStandardTransfers).toBe(0);
      // Every exposed payout was a Fast settlement before source finality, drawn on the Fast allowance.
      for (const t of exposed) {
        expect(t.tier).toBe("fast");
        expect(t.fastAllowanceUsed).not.toBeNull();
        expect(toBaseUnits(t.fastAllowanceUsed!)).toBeGreaterThan(0n);
      }

      // The chains agree: a vanished send is not on the US gateway; an exposed one was consumed on the UK gateway.
      const us = corridor.chains.us!;
      const uk = corridor.chains.uk!;
      const usGw = corridor.deployment.chains.us!.gateway;
      const ukGw = corridor.deployment.chains.uk!.gateway;
      const outbound = (id: Hex) => us.client.readContract({ address: usGw, abi: gatewayAbi(), functionName: "outbound", args: [id] }) as Promise<Hex>;
      const consumed = (id: Hex) => uk.client.readContract({ address: ukGw, abi: gatewayAbi(), functionName: "consumed", args: [id] }) as Promise<boolean>;
      for (const t of [...dropped, ...exposed]) expect(BigInt(await outbound(t.id))).toBe(0n);
      for (const t of dropped) expect(await consumed(t.id)).toBe(false);
      for (const t of exposed) expect(await consumed(t.id)).toBe(true);

      // The exposure stays on the UK gateway's Fast allowance: never credited back, since its source never became final.
      const byToken = new Map<Hex, bigint>();
      for (const t of exposed) byToken.set(t.outputToken.address, (byToken.get(t.outputToken.address) ?? 0n) + toBaseUnits(t.fastAllowanceUsed!));
      for (const [token, sum] of byToken) {
        const outstanding = (await uk.client.readContract({ address: ukGw, abi: gatewayAbi(), functionName: "fastOutstanding", args: [token] })) as bigint;
        expect(outstanding).toBeGreaterThanOrEqual(sum);
      }

      // Exactly once, from the chains' own events: no id settled twice on either chain, and every settled record's id settled once.
      const settledIds = new Map<string, number>();
      for (const [chain, gw] of [
        [us, usGw],
        [uk, ukGw],
      ] as const) {
        const logs = await chain.request<{ topics: Hex[]; data: Hex }[]>("eth_getLogs", [{ address: gw, fromBlock: "0x0", toBlock: "latest" }]);
        for (const l of logs) {
          try {
            const ev = decodeEventLog({ abi: gatewayAbi(), topics: l.topics as [Hex, ...Hex[]], data: l.data }) as unknown as { eventName: string; args: { id: Hex } };
            if (ev.eventName === "TransferSettled") settledIds.set(ev.args.id, (settledIds.get(ev.args.id) ?? 0) + 1);
          } catch {
            // a token event
          }
        }
      }
      expect([...settledIds.values()].every((n) => n === 1)).toBe(true);
      for (const t of results.transfers.filter((t) => t.state === "settled")) expect(settledIds.get(t.id), t.id).toBe(1);
    } finally {
      await corridor.close();
    }
  });

  it("refuses a reorg as deep as the chain's finality", () => {
    expect(() => parseScenario({ ...base, faults: [{ kind: "reorg", chain: "us", at: 60, durationSeconds: 65 * 12 }] })).toThrow(/finality/);
  });
});
