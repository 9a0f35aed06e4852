import type { Hex } from "viem";
import type { Deployment } from "../contracts/deploy.js";
import { Decimal, fromBaseUnits } from "../domain/money.js";
import { allInCost, fxCost, fixed18ToRate } from "../domain/fx/quote.js";
import { modeName, tierName } from "../domain/message.js";
import { distribution, type Distribution } from "../domain/stats.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { ConservationReport } from "./conservation.js";
import type { Scenario } from "./scenario.js";
import type { PlannedTransfer } from "./workload.js";

/** One transfer as results.json shows it. Amounts are decimal strings of whole units. */
export interface TransferOut {
  id: Hex;
  index: number | null;
  sender: Hex;
  recipient: Hex;
  srcChain: string;
  dstChain: string;
  inputToken: { currency: string; address: Hex };
  outputToken: { currency: string; address: Hex };
  tier: string;
  mode: string;
  amountIn: string;
  fee: string;
  amountOut: string | null;
  /** Fee as a percentage of the amount sent. */
  feePct: number;
  /** Rate paid (output per input) and the mid at that moment; FX cost against the mid in output currency and bps. */
  rate: string | null;
  mid: string | null;
  fxCost: { amount: string; bps: number } | null;
  /** All-in cost against the mid (fee + FX spread + rounding), in output currency and as a percentage. */
  cost: { amount: string; pct: number } | null;
  state: string;
  refundReason: string | null;
  compliance: { outcome: string; reason?: string; hook?: string; reviewed?: string } | null;
  liquidityWaitSeconds: number | null;
  fastAllowanceUsed: string | null;
  /** Unix seconds of each stage that happened. */
  stages: Record<string, number>;
  /** Destination block time minus source block time, seconds (settled transfers). */
  settlementSeconds: number | null;
  srcTxHash: Hex;
  dstTxHash: Hex | null;
}

export interface SimulationResults {
  scenario: Scenario;
  seed: number;
  summary: {
    transfers: { planned: number; sent: number; settled: number; refunded: number; inFlight: number; rejectedAtSend: number };
    settlementSeconds: Distribution;
    byCorridor: Record<string, { count: number; settled: number; refunded: number; settlementSeconds: Distribution }>;
    refundsByReason: Record<string, number>;
    costs: {
      feesByCurrency: Record<string, string>;
      /** Means over settled transfers. */
      meanFeePct: number | null;
      meanFxBps: number | null;
      meanTotalPct: number | null;
    };
    compliance: { screened: number; allowed: number; denied: number; held: number; reviewsApproved: number; reviewsDenied: number; byReason: Record<string, number> };
    liquidity: { waited: number; meanWaitSeconds: number | null; maxWaitSeconds: number | null };
    fastAllowance: { settlementsUsingIt: number; totalUsed: Record<string, string> };
    volume: Record<string, string>;
    virtualSeconds: number;
    relayer: { batches: number; meanBatchSize: number; alreadySettled: number };
    conservation: {
      ok: boolean;
      lines: { chain: string; token: string; holder: string; expected: string; actual: string; ok: boolean }[];
      burnAndMint: { currency: string; burned: string; minted: string; refunded: string; inFlight: string; supplyChange: string; ok: boolean }[];
    };
    /** Wall-clock fields: the only ones that differ between runs of the same scenario and seed. */
    wallClock: { seconds: number };
  };
  deployment: Deployment;
  transfers: TransferOut[];
}

const units = (v: bigint) => fromBaseUnits(v).toFixed();
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const pct = (part: bigint, whole: bigint) => (whole === 0n ? 0 : round(new Decimal(part.toString()).div(whole.toString()).times(100).toNumber(), 6));

export function buildResults(input: {
  scenario: Scenario;
  records: TransferRecord[];
  planBySendTx: Map<Hex, PlannedTransfer>;
  rejected: { plan: PlannedTransfer; reason: string }[];
  conservation: ConservationReport;
  virtual: { start: number; end: number };
  wallSeconds: number;
  relayerStats: { batches: number; batchItems: number; alreadySettled: number };
  deployment: Deployment;
}): SimulationResults {
  const { records } = input;
  const transfers: TransferOut[] = records
    .map((r) => {
      const plan = input.planBySendTx.get(r.srcTxHash);
      const m = r.message;
      const mid = r.mid === undefined ? null : fixed18ToRate(r.mid);
      const fx = r.state === "settled" && r.rate !== undefined && mid ? fxCost(m.amount - m.fee, fixed18ToRate(r.rate), mid) : null;
      const all = r.state === "settled" && r.rate !== undefined && mid ? allInCost(m.amount, m.fee, r.rate, mid) : null;
      const settlementSeconds = r.state === "settled" && r.stages.settled !== undefined && r.stages.initiated !== undefined ? r.stages.settled - r.stages.initiated : null;
      return {
        id: r.id,
        index: plan?.index ?? null,
        sender: m.sender,
        recipient: m.recipient,
        srcChain: r.srcChain,
        dstChain: r.dstChain,
        inputToken: { currency: r.inputCurrency, address: m.inputToken },
        outputToken: { currency: r.outputCurrency, address: m.outputToken },
        tier: tierName(m.tier),
        mode: modeName(m.mode),
        amountIn: units(m.amount),
        fee: units(m.fee),
        amountOut: r.amountOut === undefined ? null : units(r.amountOut),
        feePct: pct(m.fee, m.amount),
        rate: r.rate === undefined ? null : fromBaseUnits(r.rate, 18).toFixed(),
        mid: mid ? mid.toFixed() : null,
        fxCost: fx ? { amount: units(fx.cost), bps: round(fx.bps.toNumber(), 4) } : null,
        cost: all ? { amount: units(all.cost), pct: round(all.bps.toNumber() / 100, 6) } : null,
        state: r.state,
        refundReason: r.state === "refunded" ? (r.refundReason ?? "other") : null,
        compliance: r.compliance ?? null,
        liquidityWaitSeconds: r.liquidityWaitSeconds ?? null,
        fastAllowanceUsed: r.fastAllowanceUsed === undefined ? null : units(r.fastAllowanceUsed),
        stages: Object.fromEntries(Object.entries(r.stages).filter(([, v]) => v !== undefined)) as Record<string, number>,
        settlementSeconds,
        srcTxHash: r.srcTxHash,
        dstTxHash: r.dstTxHash ?? null,
      };
    })
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));

  const settled = transfers.filter((t) => t.state === "settled");
  const refunded = transfers.filter((t) => t.state === "refunded");
  const byCorridor: SimulationResults["summary"]["byCorridor"] = {};
  for (const t of transfers) {
    const key = `${t.srcChain}:${t.inputToken.currency}->${t.dstChain}:${t.outputToken.currency} ${t.tier}`;
    const c = (byCorridor[key] ??= { count: 0, settled: 0, refunded: 0, settlementSeconds: { count: 0 } });
    c.count++;
    if (t.state === "settled") c.settled++;
    if (t.state === "refunded") c.refunded++;
  }
  for (const [key, c] of Object.entries(byCorridor)) {
    c.settlementSeconds = distribution(
      settled.filter((t) => `${t.srcChain}:${t.inputToken.currency}->${t.dstChain}:${t.outputToken.currency} ${t.tier}` === key).map((t) => t.settlementSeconds!),
    );
  }
  const refundsByReason: Record<string, number> = {};
  for (const t of refunded) refundsByReason[t.refundReason!] = (refundsByReason[t.refundReason!] ?? 0) + 1;
  const volume: Record<string, bigint> = {};
  for (const r of records) volume[r.inputCurrency] = (volume[r.inputCurrency] ?? 0n) + r.message.amount;
  const c = input.conservation;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const fees: Record<string, bigint> = {};
  for (const r of records) if (r.state === "settled") fees[r.inputCurrency] = (fees[r.inputCurrency] ?? 0n) + r.message.fee;
  const compliance = { screened: 0, allowed: 0, denied: 0, held: 0, reviewsApproved: 0, reviewsDenied: 0, byReason: {} as Record<string, number> };
  for (const t of transfers) {
    if (!t.compliance) continue;
    compliance.screened++;
    if (t.compliance.outcome === "allow") compliance.allowed++;
    else {
      if (t.compliance.outcome === "deny") compliance.denied++;
      else compliance.held++;
      const key = t.compliance.reason ?? "UNKNOWN";
      compliance.byReason[key] = (compliance.byReason[key] ?? 0) + 1;
    }
    if (t.compliance.reviewed === "approved") compliance.reviewsApproved++;
    if (t.compliance.reviewed === "denied") compliance.reviewsDenied++;
  }
  const waits = transfers.filter((t) => t.liquidityWaitSeconds !== null).map((t) => t.liquidityWaitSeconds!);
  const fastUsed: Record<string, bigint> = {};
  for (const r of records) if (r.fastAllowanceUsed) fastUsed[r.outputCurrency] = (fastUsed[r.outputCurrency] ?? 0n) + r.fastAllowanceUsed;
  return {
    scenario: input.scenario,
    seed: input.scenario.seed,
    summary: {
      transfers: {
        planned: input.scenario.workload.transfers,
        sent: records.length,
        settled: settled.length,
        refunded: refunded.length,
        inFlight: records.length - settled.length - refunded.length,
        rejectedAtSend: input.rejected.length,
      },
      settlementSeconds: distribution(settled.map((t) => t.settlementSeconds!)),
      byCorridor,
      refundsByReason,
      costs: {
        feesByCurrency: Object.fromEntries(Object.entries(fees).map(([k, v]) => [k, units(v)])),
        meanFeePct: mean(settled.map((t) => t.feePct)),
        meanFxBps: mean(settled.filter((t) => t.fxCost && t.mode === "lockRelease").map((t) => t.fxCost!.bps)),
        meanTotalPct: mean(settled.filter((t) => t.cost).map((t) => t.cost!.pct)),
      },
      compliance,
      liquidity: { waited: waits.length, meanWaitSeconds: mean(waits), maxWaitSeconds: waits.length ? Math.max(...waits) : null },
      fastAllowance: {
        settlementsUsingIt: records.filter((r) => r.fastAllowanceUsed).length,
        totalUsed: Object.fromEntries(Object.entries(fastUsed).map(([k, v]) => [k, units(v)])),
      },
      volume: Object.fromEntries(Object.entries(volume).map(([k, v]) => [k, units(v)])),
      virtualSeconds: input.virtual.end - input.virtual.start,
      relayer: {
        batches: input.relayerStats.batches,
        meanBatchSize: input.relayerStats.batches ? input.relayerStats.batchItems / input.relayerStats.batches : 0,
        alreadySettled: input.relayerStats.alreadySettled,
      },
      conservation: {
        ok: c.ok,
        lines: c.lines.map((l) => ({ ...l, expected: units(l.expected), actual: units(l.actual) })),
        burnAndMint: c.burnAndMint.map((s) => ({
          currency: s.currency,
          burned: units(s.burned),
          minted: units(s.minted),
          refunded: units(s.refunded),
          inFlight: units(s.inFlight),
          supplyChange: units(s.supplyChange),
          ok: s.ok,
        })),
      },
      wallClock: { seconds: input.wallSeconds },
    },
    deployment: input.deployment,
    transfers,
  };
}

/** JSON with bigints as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
