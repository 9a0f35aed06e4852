/**
 * A simulation's results: the scenario and seed, the summary (counts, distributions, per corridor and
 * tier, refunds, faults, the G20 scorecard, conservation) and every transfer, built from the
 * measurements in src/measure/.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Hex } from "viem";
import type { Deployment } from "../contracts/deploy.js";
import { toBaseUnits } from "../domain/money.js";
import { distribution, type Distribution } from "../domain/stats.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { ConservationReport } from "../measure/conservation.js";
import type { Scenario } from "./scenario.js";
import type { DataSetUse } from "../data/run-data.js";
import type { GasSensitivity } from "../measure/gas-sensitivity.js";
import type { AttestationTimes, RunAssumptions } from "./assumptions.js";
import type { TransferGas } from "../measure/gas.js";
import type { FaultReport } from "./faults.js";
import type { RegulationReport } from "../regulation/issuer.js";
import type { ProvidersReport } from "../liquidity/providers.js";
import { g20Scorecard, type G20Targets, type Scorecard } from "../measure/scorecard.js";
import { endToEndBasis } from "../measure/end-to-end.js";
import { round, toTransferOut, units, type TransferOut } from "../measure/transfer-out.js";
import { sizingFigures, type CapitalCost, type HerstattReport } from "../sizing/figures.js";

/** Aggregates of one corridor and tier (a route key and tier, e.g. "<from>:<input>-><to>:<output> fast"). */
export interface CorridorSummary {
  count: number;
  settled: number;
  refunded: number;
  inFlight: number;
  settlementSeconds: Distribution;
  /** Settled transfers per hour over the run's span (first send to last settlement). */
  settledPerHour: number | null;
  /** Share of transfers with an outcome that settled within one hour. */
  withinOneHourShare: number | null;
  compliance: { allowed: number; denied: number; held: number };
  /** Means over settled transfers, % of the amount sent: fee + FX, gas, and both. */
  meanCostPct: number | null;
  meanGasPct: number | null;
  meanAllInPct: number | null;
  liquidityWaited: number;
  fastAllowanceUsed: string;
}

/** Samples over virtual time (every `stepSeconds`), for charts. */
export interface Timeline {
  stepSeconds: number;
  /** Seconds after the start of the run. */
  t: number[];
  /** Each gateway's liquidity in its home currency (whole units). */
  liquidity: Record<string, number[]>;
  /** Fast allowance outstanding (paid before source finality, not yet credited back), per destination chain, whole units summed over tokens. */
  fastOutstanding: Record<string, number[]>;
  /** Settlements parked for liquidity, per destination chain. */
  parked: Record<string, number[]>;
  /** Transfers sent and not yet settled or refunded. */
  open: number[];
}

/**
 * What `corridor simulate` writes to results.json. Fields marked optional were added later
 * (gas, throughput, faults, G20, timeline): every run fills them; files written by earlier
 * versions, and test fixtures, may lack them.
 */
export interface SimulationResults {
  scenario: Scenario;
  seed: number;
  /** The data sets the run used: each sanctions list with its as-of date, the FX series, the targets (src/data/run-data.ts). */
  data?: DataSetUse[];
  /** What the run assumed: gas and native-token prices with sources and dates, FX model, chain timing, attestation (src/sim/assumptions.ts). */
  assumptions?: RunAssumptions;
  summary: {
    transfers: {
      planned: number;
      sent: number;
      settled: number;
      refunded: number;
      inFlight: number;
      /** Sends a reorganisation of their source chain removed before they settled (nothing moved). */
      dropped: number;
      /** Settled, then their send was reorganised away on the source: paid with nothing behind it. */
      sourceReorged: number;
      rejectedAtSend: number;
      /** Sends that reverted, by reason ("quote expired before inclusion", …). */
      rejectedAtSendByReason?: Record<string, number>;
    };
    settlementSeconds: Distribution;
    /** Transfers with an outcome that settled within one hour (destination minus source block time). */
    withinOneHour?: { count: number; share: number | null };
    throughput?: { spanSeconds: number; settledPerHour: number | null; peakHour: { startOffsetSeconds: number; settled: number } | null };
    byCorridor: Record<string, CorridorSummary>;
    refundsByReason: Record<string, number>;
    costs: {
      feesByCurrency: Record<string, string>;
      /** Means over settled transfers. */
      meanFeePct: number | null;
      meanFxBps: number | null;
      /** Fee + FX spread against the mid, % of the amount. */
      meanTotalPct: number | null;
      /** Gas at the chains' gas prices, % of the amount. */
      meanGasPct?: number | null;
      /** Fee + FX + gas: the all-in cost the G20 scorecard uses. */
      meanAllInPct?: number | null;
      gasUsd?: number;
    };
    compliance: { screened: number; allowed: number; denied: number; held: number; reviewsApproved: number; reviewsDenied: number; byReason: Record<string, number> };
    liquidity: {
      waited: number;
      meanWaitSeconds: number | null;
      maxWaitSeconds: number | null;
      /** Each gateway's home-currency pool over the run (from the timeline). */
      byChain?: Record<string, { currency: string; start: number; min: number; minAtOffsetSeconds: number; end: number }>;
    };
    fastAllowance: { settlementsUsingIt: number; totalUsed: Record<string, string>; peakOutstanding?: Record<string, number> };
    /** The scenario's faults: when each started and ended and what it affected. */
    faults?: FaultReport[];
    /** The G20 scorecard (data/g20-targets.json): speed and all-in cost against the targets. */
    g20?: Scorecard | null;
    /** The cost verdicts at other gas prices, from each transfer's measured gas (src/measure/gas-sensitivity.ts). */
    gasSensitivity?: GasSensitivity;
    /** Attestation time per source chain and tier against Circle's published figures (src/sim/assumptions.ts). */
    attestationTimes?: AttestationTimes[];
    volume: Record<string, string>;
    virtualSeconds: number;
    relayer: { batches: number; meanBatchSize: number; alreadySettled: number };
    conservation: {
      ok: boolean;
      lines: { chain: string; token: string; holder: string; expected: string; actual: string; ok: boolean }[];
      burnAndMint: { currency: string; burned: string; minted: string; refunded: string; inFlight: string; unbacked: string; supplyChange: string; ok: boolean }[];
      /** What the coins' issuers minted, redeemed and seized (src/regulation/), all inside the lines above. */
      issuance?: { currency: string; minted: string; redeemed: string; seized: string }[];
    };
    /** The regulation packs in force per coin and what the issuers did (src/regulation/); absent when no coin has packs. */
    regulation?: RegulationReport;
    /** The liquidity providers (src/liquidity/): positions and claims across chains, rebalancing, netting, and their books checked against the chains; absent without providers. */
    providers?: ProvidersReport;
    /** Cost of capital of the pools' prefunding, as its own line beside the all-in cost (src/sizing/capital.ts). */
    capital?: CapitalCost;
    /** Herstatt exposure of cross-currency transfers, per corridor (src/sizing/herstatt.ts). */
    settlementRisk?: HerstattReport;
    /** Wall-clock fields: the only ones that differ between runs of the same scenario and seed. */
    wallClock: { seconds: number };
  };
  deployment: Deployment;
  timeline?: Timeline;
  transfers: TransferOut[];
}


const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const ONE_HOUR = 3600;

export function buildResults(input: {
  scenario: Scenario;
  records: TransferRecord[];
  /** The planned transfer's index of each send, by its transaction hash. */
  indexBySendTx: ReadonlyMap<Hex, number>;
  rejected: readonly { reason: string }[];
  conservation: ConservationReport;
  virtual: { start: number; end: number };
  wallSeconds: number;
  relayerStats: { batches: number; batchItems: number; alreadySettled: number };
  deployment: Deployment;
  /** Gas of each transfer (src/sim/gas.ts); none when not measured. */
  gas?: (r: TransferRecord) => TransferGas | null;
  timeline?: Timeline;
  /** Fault reports are built from the finished transfers. */
  faults?: (transfers: readonly TransferOut[]) => FaultReport[];
  /** Targets for the G20 scorecard; null leaves it out. */
  g20Targets?: G20Targets | null;
  /** The issuers' report, built from the finished transfers; absent when no coin has packs. */
  regulation?: (transfers: readonly TransferOut[]) => RegulationReport;
  providers?: ProvidersReport;
}): SimulationResults {
  const { records } = input;
  const transfers: TransferOut[] = records
    .map((r) => toTransferOut(r, input.indexBySendTx.get(r.srcTxHash) ?? null, input.gas?.(r) ?? null))
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));

  const settled = transfers.filter((t) => t.state === "settled");
  const refunded = transfers.filter((t) => t.state === "refunded");
  const within = (t: TransferOut) => t.state === "settled" && t.settlementSeconds !== null && t.settlementSeconds <= ONE_HOUR;
  const gasPct = (t: TransferOut) => t.gas?.pct ?? 0;

  // Throughput over the run's span: the first send to the last settlement.
  let spanStart = Infinity;
  let spanEnd = -Infinity;
  for (const t of transfers) if (t.stages.initiated !== undefined && t.stages.initiated < spanStart) spanStart = t.stages.initiated;
  for (const t of settled) if (t.stages.settled! > spanEnd) spanEnd = t.stages.settled!;
  const span = Number.isFinite(spanStart) && spanEnd > spanStart ? spanEnd - spanStart : 0;
  const perHour = (n: number) => (span > 0 ? round((n * ONE_HOUR) / span, 3) : null);
  const hourly = new Map<number, number>();
  for (const t of settled) {
    const h = Math.floor((t.stages.settled! - spanStart) / ONE_HOUR);
    hourly.set(h, (hourly.get(h) ?? 0) + 1);
  }
  let peakHour: { startOffsetSeconds: number; settled: number } | null = null;
  for (const [h, n] of hourly) if (!peakHour || n > peakHour.settled) peakHour = { startOffsetSeconds: Number.isFinite(spanStart) ? spanStart - input.virtual.start + h * ONE_HOUR : 0, settled: n };

  // Per corridor and tier, in one pass.
  const groups = new Map<string, TransferOut[]>();
  for (const t of transfers) {
    const key = `${t.srcChain}:${t.inputToken.currency}->${t.dstChain}:${t.outputToken.currency} ${t.tier}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const byCorridor: Record<string, CorridorSummary> = {};
  for (const key of [...groups.keys()].sort()) {
    const ts = groups.get(key)!;
    const s = ts.filter((t) => t.state === "settled");
    const outcomes = ts.filter((t) => t.state === "settled" || t.state === "refunded").length;
    const withCost = s.filter((t) => t.cost);
    const fastUsed = ts.reduce((sum, t) => sum + (t.fastAllowanceUsed ? toBase(t.fastAllowanceUsed) : 0n), 0n);
    byCorridor[key] = {
      count: ts.length,
      settled: s.length,
      refunded: ts.filter((t) => t.state === "refunded").length,
      inFlight: ts.length - outcomes - ts.filter((t) => t.state === "dropped").length,
      settlementSeconds: distribution(s.map((t) => t.settlementSeconds!)),
      settledPerHour: perHour(s.length),
      withinOneHourShare: outcomes ? round(s.filter(within).length / outcomes, 6) : null,
      compliance: {
        allowed: ts.filter((t) => t.compliance?.outcome === "allow").length,
        denied: ts.filter((t) => t.compliance?.outcome === "deny").length,
        held: ts.filter((t) => t.compliance?.outcome === "hold").length,
      },
      meanCostPct: roundOrNull(mean(withCost.map((t) => t.cost!.pct)), 6),
      meanGasPct: roundOrNull(mean(s.filter((t) => t.gas).map(gasPct)), 6),
      meanAllInPct: roundOrNull(mean(withCost.map((t) => t.cost!.pct + gasPct(t))), 6),
      liquidityWaited: ts.filter((t) => (t.liquidityWaitSeconds ?? 0) > 0).length,
      fastAllowanceUsed: units(fastUsed),
    };
  }
  const refundsByReason: Record<string, number> = {};
  for (const t of refunded) refundsByReason[t.refundReason!] = (refundsByReason[t.refundReason!] ?? 0) + 1;
  const volume: Record<string, bigint> = {};
  for (const r of records) volume[r.inputCurrency] = (volume[r.inputCurrency] ?? 0n) + r.message.amount;
  const c = input.conservation;
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
  const timeline = input.timeline ?? { stepSeconds: 0, t: [], liquidity: {}, fastOutstanding: {}, parked: {}, open: [] };
  const byChain: SimulationResults["summary"]["liquidity"]["byChain"] = {};
  for (const [chain, series] of Object.entries(timeline.liquidity)) {
    if (series.length === 0) continue;
    let k = 0;
    for (let i = 1; i < series.length; i++) if (series[i]! < series[k]!) k = i;
    byChain[chain] = { currency: input.deployment.chains[chain]?.home ?? "?", start: series[0]!, min: series[k]!, minAtOffsetSeconds: timeline.t[k]!, end: series[series.length - 1]! };
  }
  const withCost = settled.filter((t) => t.cost);
  const withGas = settled.filter((t) => t.gas);
  const outcomes = settled.length + refunded.length;
  const withinCount = settled.filter(within).length;
  const results: SimulationResults = {
    scenario: input.scenario,
    seed: input.scenario.seed,
    summary: {
      transfers: {
        planned: input.scenario.workload.transfers,
        sent: records.length,
        settled: settled.length,
        refunded: refunded.length,
        inFlight: records.length - settled.length - refunded.length - transfers.filter((t) => t.state === "dropped").length,
        dropped: transfers.filter((t) => t.state === "dropped").length,
        sourceReorged: transfers.filter((t) => t.sourceReorged).length,
        rejectedAtSend: input.rejected.length,
        rejectedAtSendByReason: input.rejected.reduce<Record<string, number>>((m, r) => ((m[r.reason] = (m[r.reason] ?? 0) + 1), m), {}),
      },
      settlementSeconds: distribution(settled.map((t) => t.settlementSeconds!)),
      withinOneHour: { count: withinCount, share: outcomes ? round(withinCount / outcomes, 6) : null },
      throughput: { spanSeconds: span, settledPerHour: perHour(settled.length), peakHour },
      byCorridor,
      refundsByReason,
      costs: {
        feesByCurrency: Object.fromEntries(Object.entries(fees).map(([k, v]) => [k, units(v)])),
        meanFeePct: mean(settled.map((t) => t.feePct)),
        meanFxBps: mean(settled.filter((t) => t.fxCost && t.mode === "lockRelease").map((t) => t.fxCost!.bps)),
        meanTotalPct: mean(withCost.map((t) => t.cost!.pct)),
        meanGasPct: roundOrNull(mean(withGas.map(gasPct)), 6),
        meanAllInPct: roundOrNull(mean(withCost.map((t) => t.cost!.pct + gasPct(t))), 6),
        gasUsd: round(transfers.reduce((sum, t) => sum + (t.gas?.usd ?? 0), 0), 2),
      },
      compliance,
      liquidity: {
        waited: waits.length,
        meanWaitSeconds: mean(waits),
        maxWaitSeconds: waits.length ? waits.reduce((a, b) => (b > a ? b : a), -Infinity) : null,
        byChain,
      },
      fastAllowance: {
        settlementsUsingIt: records.filter((r) => r.fastAllowanceUsed).length,
        totalUsed: Object.fromEntries(Object.entries(fastUsed).map(([k, v]) => [k, units(v)])),
        peakOutstanding: Object.fromEntries(Object.entries(timeline.fastOutstanding).map(([k, v]) => [k, v.reduce((a, b) => (b > a ? b : a), 0)])),
      },
      faults: input.faults?.(transfers) ?? [],
      g20: null,
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
          unbacked: units(s.unbacked),
          supplyChange: units(s.supplyChange),
          ok: s.ok,
        })),
        issuance: c.issuance.map((l) => ({ currency: l.currency, minted: units(l.minted), redeemed: units(l.redeemed), seized: units(l.seized) })),
      },
      ...(input.regulation ? { regulation: input.regulation(transfers) } : {}),
      ...(input.providers ? { providers: input.providers } : {}),
      wallClock: { seconds: input.wallSeconds },
    },
    deployment: input.deployment,
    timeline,
    transfers,
  };
  if (input.g20Targets) results.summary.g20 = g20Scorecard(transfers, input.g20Targets, { scenario: input.scenario, endToEnd: endToEndBasis(input.scenario) });
  Object.assign(results.summary, sizingFigures(input.scenario, transfers, results.summary.costs.meanAllInPct));
  return results;
}

const toBase = (whole: string): bigint => toBaseUnits(whole);
const roundOrNull = (x: number | null, digits: number) => (x === null ? null : round(x, digits));

/** JSON with bigints as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

const bigintReplacer = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/**
 * Writes a JSON object whose array field `listKey` (its last key) may be huge: everything else
 * indented as `toJson` does, the array one element per line, written in chunks. Same data as
 * `toJson(value)`, and never one string of hundreds of megabytes.
 */
export function writeJsonWithList(file: string, value: Record<string, unknown>, listKey: string): void {
  const { [listKey]: list, ...head } = value;
  const headText = JSON.stringify(head, bigintReplacer, 2);
  // "{ ...head" without its closing brace, then the list.
  const open = headText === "{}" ? "{\n" : headText.slice(0, -2) + ",\n";
  writeChunked(file, `${open}  ${JSON.stringify(listKey)}: `, (list ?? []) as unknown[], "    ", "  ", "\n}\n");
}

/** Writes a JSON array, one element per line, in chunks. */
export function writeJsonArray(file: string, items: readonly unknown[]): void {
  writeChunked(file, "", items, "  ", "", "\n");
}

function writeChunked(file: string, prefix: string, items: readonly unknown[], indent: string, closeIndent: string, suffix: string): void {
  const fd = openSync(file, "w");
  try {
    let buf = `${prefix}[`;
    items.forEach((item, i) => {
      buf += `${i === 0 ? "\n" : ",\n"}${indent}${JSON.stringify(item, bigintReplacer)}`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = "";
      }
    });
    buf += (items.length ? `\n${closeIndent}]` : "]") + suffix;
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/** results.json: the summary and scenario first, then one transfer per line. */
export function writeResultsJson(file: string, results: SimulationResults): void {
  writeJsonWithList(file, results as unknown as Record<string, unknown>, "transfers");
}

