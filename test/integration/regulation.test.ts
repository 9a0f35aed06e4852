/**
 * The regulation packs' effects on real chains (the shipped scenarios scenarios/genius.json,
 * boe-2026.json, fca.json and boe-2025-proposal.json, run in full): what the chains say was minted,
 * burned, frozen, seized, paid and refunded, against what the report claims.
 */
import { describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { encodeFunctionData, keccak256, toHex, type Hex } from "viem";
import { testKeyPair } from "../../src/chains/keys.js";
import { TxSender } from "../../src/chains/tx-sender.js";
import { sendAll } from "../../src/contracts/deploy.js";
import { GAS } from "../../src/contracts/gateway.js";
import { checkConservation } from "../../src/measure/conservation.js";
import { snapshotLedger } from "../../src/measure/ledger.js";
import type { Chain } from "../../src/chains/chain.js";
import { getBlock } from "../../src/chains/mining.js";
import { bootCorridor, type BootedCorridor } from "../../src/corridor/boot.js";
import { gatewayAbi, tokenAbi } from "../../src/contracts/gateway.js";
import { fromBaseUnits, toBaseUnits } from "../../src/domain/money.js";
import { packagePath } from "../../src/paths.js";
import { endOfNextBusinessDay } from "../../src/regulation/calendar.js";
import { loadScenario, type Scenario } from "../../src/sim/scenario.js";
import { simulate } from "../../src/sim/simulate.js";
import type { SimulationResults } from "../../src/sim/results.js";

/** Runs a shipped scenario on chains the test keeps open, and hands them to `check`. */
async function run(name: string, check: (r: SimulationResults, c: BootedCorridor, s: Scenario) => Promise<void>): Promise<void> {
  const scenario = loadScenario(packagePath(`scenarios/${name}.json`));
  const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
  const corridor = await bootCorridor({ seed: scenario.seed, spec: scenario.spec, initialDate: new Date((t0 - 86_400) * 1000) });
  try {
    const results = await simulate({ scenario, corridor });
    expect(results.summary.conservation.lines.filter((l) => !l.ok)).toEqual([]);
    expect(results.summary.conservation.ok).toBe(true);
    await check(results, corridor, scenario);
  } finally {
    await corridor.close();
  }
}

const read = async <T>(chain: Chain, address: Hex, functionName: string, args: unknown[] = [], abi = tokenAbi()): Promise<T> =>
  (await chain.client.readContract({ address, abi, functionName, args })) as T;

/** The issuer's Minted or Burned events on a token, with their block times. */
async function issuerEvents(chain: Chain, token: Hex, issuer: Hex, eventName: "Minted" | "Burned"): Promise<{ to: Hex; amount: bigint; ts: number }[]> {
  const logs = (await chain.client.getContractEvents({ address: token, abi: tokenAbi(), eventName, fromBlock: 0n })) as unknown as { blockNumber: bigint; args: { minter?: Hex; burner?: Hex; to?: Hex; from?: Hex; amount: bigint } }[];
  const out: { to: Hex; amount: bigint; ts: number }[] = [];
  for (const l of logs) {
    const by = (l.args.minter ?? l.args.burner)!;
    if (by.toLowerCase() !== issuer.toLowerCase()) continue;
    out.push({ to: (l.args.to ?? l.args.from)!, amount: l.args.amount, ts: (await getBlock(chain, Number(l.blockNumber))).timestamp });
  }
  return out;
}

const STATUS_REFUNDED = 2;
const coin = (r: SimulationResults, currency: string) => r.summary.regulation!.coins.find((c) => c.currency === currency)!;

describe("conservation with issuers", () => {
  it("fails on a mint no issuer flow accounts for, and holds once the mint is among the flows", async () => {
    const corridor = await bootCorridor({ seed: "unaccounted-mint" });
    try {
      const name = Object.keys(corridor.chains)[0]!;
      const chain = corridor.chains[name]!;
      const d = corridor.deployment.chains[name]!;
      const token = d.tokens[d.home]! as Hex;
      const holder = testKeyPair("unaccounted-mint", "holder").address;
      const parties = { senders: { [name]: [holder] }, recipients: [] };
      const before = await snapshotLedger(corridor.chains, corridor.deployment, parties);
      const issuer = new TxSender(chain, corridor.keys.deployer);
      const call = (functionName: string, args: unknown[]) => ({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName, args } as never) });
      await sendAll(issuer, [call("grantRole", [keccak256(toHex("MINTER_ROLE")), issuer.address]), call("mint", [holder, 1_000_000n])], "mint");
      const after = await snapshotLedger(corridor.chains, corridor.deployment, parties);

      const unaccounted = checkConservation([], before, after);
      expect(unaccounted.ok).toBe(false);
      expect(unaccounted.lines.filter((l) => !l.ok).map((l) => [l.chain, l.holder, l.expected, l.actual])).toEqual([
        [name, "senders", 0n, 1_000_000n],
        [name, "totalSupply", 0n, 1_000_000n],
      ]);
      const flows = [
        { chain: name, currency: d.home, group: "totalSupply" as const, amount: 1_000_000n, what: "mint" as const },
        { chain: name, currency: d.home, group: "senders" as const, amount: 1_000_000n, what: "mint" as const },
      ];
      const accounted = checkConservation([], before, after, flows);
      expect(accounted.ok).toBe(true);
      expect(accounted.issuance).toEqual([{ currency: d.home, minted: 1_000_000n, redeemed: 0n, seized: 0n }]);
    } finally {
      await corridor.close();
    }
  });
});

describe("regulation packs on real chains", () => {
  it("genius: a lawful order freezes the recipient on every chain, seizes its balance to the recovery address, and transfers to it are refunded to their senders", async () => {
    await run("genius", async (r, corridor) => {
      const usd = coin(r, "USD");
      expect(usd.packs.map((p) => p.id)).toEqual(["genius"]);
      expect(coin(r, "GBP").packs.map((p) => p.id)).toEqual(["boe-2026", "fca"]);
      const order = usd.orders[0]!;
      let seized = 0n;
      for (const [name, chain] of Object.entries(corridor.chains)) {
        const token = corridor.deployment.chains[name]!.tokens.USD! as Hex;
        expect(await read<boolean>(chain, token, "frozen", [order.target])).toBe(true);
        expect(await read<bigint>(chain, token, "balanceOf", [order.target])).toBe(0n);
        const recovered = await read<bigint>(chain, token, "balanceOf", [order.recovery]);
        expect(recovered).toBe(toBaseUnits(order.seized[name]!));
        seized += recovered;
      }
      expect(seized).toBeGreaterThan(0n);
      expect(r.summary.conservation.issuance).toEqual([{ currency: "USD", minted: "0", redeemed: "0", seized: fromBaseUnits(seized).toFixed() }]);

      // Every dollar transfer to the target initiated after the order: refunded on its source, never consumed on its destination.
      const orderedAt = Math.floor(Date.parse(r.scenario.startTime) / 1000) + order.offsetSeconds;
      const late = r.transfers.filter((t) => t.recipient.toLowerCase() === order.target.toLowerCase() && t.outputToken.currency === "USD" && t.stages.initiated! > orderedAt + 1);
      expect(late.length).toBeGreaterThan(0);
      for (const t of late) {
        expect(t.state).toBe("refunded");
        const src = corridor.chains[t.srcChain]!;
        const dst = corridor.chains[t.dstChain]!;
        expect(await read<number>(src, corridor.deployment.chains[t.srcChain]!.gateway, "statusOf", [t.id], gatewayAbi())).toBe(STATUS_REFUNDED);
        expect(await read<boolean>(dst, corridor.deployment.chains[t.dstChain]!.gateway, "consumed", [t.id], gatewayAbi())).toBe(false);
      }
      expect(order.transfersRefunded).toBeGreaterThanOrEqual(late.length);
      // The foreign coin is stated as not usable under the Act (no comparability finding).
      expect(r.summary.regulation!.comparability).toEqual([expect.objectContaining({ regime: "genius", coin: "GBP", comparable: false })]);
    });
  });

  it("boe-2026: the (scaled) issuance guardrail refuses a mint beyond it; reserves 70/30 pay a run from deposits first, the rest from gilts the next business day", async () => {
    await run("boe-2026", async (r, corridor, s) => {
      const gbp = coin(r, "GBP");
      expect(gbp.guardrail).toEqual({ rule: "40000000000", scale: 0.000002, inForce: "80000" });
      expect(gbp.mints.map((m) => m.outcome)).toEqual(["minted", "refused"]);
      expect(gbp.mints[1]!.reason).toMatch(/guardrail/);
      const uk = corridor.chains.uk!;
      const token = corridor.deployment.chains.uk!.tokens.GBP! as Hex;
      const issuer = privateKeyToAccount(corridor.keys.deployer).address;
      // On chain: one mint by the issuer (the refused one never happened), and supply within the cap.
      const mints = (await issuerEvents(uk, token, issuer, "Minted")).filter((m) => m.ts >= Date.parse(s.startTime) / 1000);
      expect(mints.map((m) => m.amount)).toEqual([toBaseUnits("40000")]);
      let supply = 0n;
      for (const [name, chain] of Object.entries(corridor.chains)) supply += await read<bigint>(chain, corridor.deployment.chains[name]!.tokens.GBP! as Hex, "totalSupply");
      expect(supply).toBeLessThanOrEqual(toBaseUnits("80000"));

      // The run: burns (payments) at once up to the deposits, the rest at noon the next business day.
      const burns = await issuerEvents(uk, token, issuer, "Burned");
      const redeemed = burns.reduce((a, b) => a + b.amount, 0n);
      expect(fromBaseUnits(redeemed).toFixed()).toBe(gbp.redemptions.amount);
      const start = Date.parse(s.startTime) / 1000;
      const atOnce = burns.filter((b) => b.ts < start + 3600).reduce((a, b) => a + b.amount, 0n);
      const nextDay = burns.filter((b) => b.ts === Date.parse("2026-07-02T12:00:00Z") / 1000).reduce((a, b) => a + b.amount, 0n);
      expect(atOnce).toBe(toBaseUnits(gbp.redemptions.byClass.centralBankDeposit!.paid));
      expect(nextDay).toBe(toBaseUnits(gbp.redemptions.byClass.govDebt!.paid));
      expect(atOnce + nextDay).toBe(redeemed);
      expect(gbp.redemptions.runs[0]!.coveredOnDemand).toBe(false);
      expect(gbp.redemptions.deadline).toBeNull();
      // The 30% on demand at the start of the run is exactly what was paid at once.
      expect(toBaseUnits(gbp.redemptions.runs[0]!.onDemandAtStart)).toBe(atOnce);
    });
  });

  it("fca: redemptions paid by the end of the next business day are on time on chain, those whose gilt sale settles later are reported late", async () => {
    await run("fca", async (r, corridor) => {
      const gbp = coin(r, "GBP");
      expect(gbp.redemptions.deadline).toBe("end of the next business day");
      const uk = corridor.chains.uk!;
      const token = corridor.deployment.chains.uk!.tokens.GBP! as Hex;
      const issuer = privateKeyToAccount(corridor.keys.deployer).address;
      const burns = await issuerEvents(uk, token, issuer, "Burned");
      // Requests on Thursday 2 July 2026: the deadline is the end of Friday 3 July (UTC).
      const deadline = endOfNextBusinessDay(Date.parse("2026-07-02T15:01:10Z") / 1000);
      expect(deadline).toBe(Date.parse("2026-07-03T23:59:59Z") / 1000);
      const onTime = burns.filter((b) => b.ts <= deadline).reduce((a, b) => a + b.amount, 0n);
      const late = burns.filter((b) => b.ts > deadline).reduce((a, b) => a + b.amount, 0n);
      expect(onTime).toBe(toBaseUnits(gbp.redemptions.paidOnTime));
      expect(late).toBe(toBaseUnits(gbp.redemptions.paidLate));
      expect(late).toBeGreaterThan(0n);
      // Late ones were paid on Monday 6 July (the weekend is not a business day).
      expect(burns.filter((b) => b.ts > deadline).every((b) => b.ts === Date.parse("2026-07-06T12:00:00Z") / 1000)).toBe(true);
      expect(r.summary.conservation.issuance).toEqual([{ currency: "GBP", minted: "60000", redeemed: gbp.redemptions.amount, seized: "0" }]);
    });
  });

  it("boe-2025-proposal: holding limits refuse mints beyond them and deny transfers that would take a recipient beyond £20,000; their senders are refunded", async () => {
    await run("boe-2025-proposal", async (r, corridor) => {
      const gbp = coin(r, "GBP");
      expect(gbp.mints.map((m) => m.outcome)).toEqual(["refused", "minted", "minted", "refused"]);
      const uk = corridor.chains.uk!;
      const token = corridor.deployment.chains.uk!.tokens.GBP! as Hex;
      const limit = toBaseUnits("20000");
      const recipients = [...new Set(r.transfers.map((t) => t.recipient))];
      for (const a of recipients) expect(await read<bigint>(uk, token, "balanceOf", [a])).toBeLessThanOrEqual(limit);
      const denied = r.transfers.filter((t) => t.refundReason === "denied:HOLDING_LIMIT");
      expect(denied.length).toBe(gbp.holdingLimits!.deniedTransfers);
      expect(denied.length).toBeGreaterThan(0);
      for (const t of denied) {
        expect(await read<number>(corridor.chains.us!, corridor.deployment.chains.us!.gateway, "statusOf", [t.id], gatewayAbi())).toBe(STATUS_REFUNDED);
        expect(await read<boolean>(uk, corridor.deployment.chains.uk!.gateway, "consumed", [t.id], gatewayAbi())).toBe(false);
      }
      // Settled payouts brought some recipient close to the limit: the limit, not a lack of traffic, stopped the rest.
      const held = await Promise.all(recipients.map((a) => read<bigint>(uk, token, "balanceOf", [a])));
      expect(held.some((h) => h > limit / 2n)).toBe(true);
      // The individual holds its funding plus the one mint made; the business its 5,000,000.
      expect(await read<bigint>(uk, token, "balanceOf", [gbp.mints[1]!.to])).toBe(toBaseUnits("15100"));
      expect(await read<bigint>(uk, token, "balanceOf", [gbp.mints[2]!.to])).toBe(toBaseUnits("5000000"));
    });
  });
});
