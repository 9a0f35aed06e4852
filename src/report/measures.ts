/**
 * What the report shows, computed from results.json: where the time goes (stage waterfall),
 * how settlement times spread (histogram), what a transfer costs (fee, FX spread, gas) and what
 * compliance did. Pure functions over TransferOut; the HTML layer only lays them out.
 */
import { distribution, type Distribution } from "../domain/stats.js";
import type { TransferOut } from "../measure/transfer-out.js";
import { allInCostPct, corridorOf, ONE_HOUR_SECONDS } from "../measure/scorecard.js";

/** Groups items by key, keeping first-seen order within each group. */
function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return groups;
}

// ---------------------------------------------------------------- stage waterfall

/** The lifecycle stages in order, as recorded in transfer.stages (unix seconds). */
export const STAGE_ORDER = ["initiated", "confirmed", "screened", "held", "reviewed", "attested", "submitted", "settled"] as const;

/** Stage steps of the waterfall: the interval that ends at a stage is attributed to the step of that stage. */
export const STAGE_STEPS = [
  { key: "finality", ends: ["confirmed"], label: "Source-chain finality", explain: "waiting until the payment on the sending chain cannot be reversed (confirmations for its tier)" },
  { key: "screening", ends: ["screened"], label: "Compliance screening", explain: "sanctions, travel-rule and limit checks by the operator" },
  { key: "review", ends: ["held", "reviewed"], label: "Held for manual review", explain: "transfers put on hold (missing travel-rule data, large amounts) until a reviewer decides" },
  { key: "attestation", ends: ["attested"], label: "Attestation", explain: "the operator's signers (m of n) approve the payout" },
  { key: "relay", ends: ["submitted"], label: "Relay to destination", explain: "the relayer carries the signed instruction to the receiving chain" },
  { key: "payout", ends: ["settled"], label: "Payout on destination", explain: "the receiving chain includes the payout in a block" },
] as const;

export interface WaterfallStep {
  key: string;
  label: string;
  explain: string;
  /** Settled transfers that went through this step. */
  transfers: number;
  /** Mean seconds over all settled transfers (0 for those that skipped it), so the steps add up to the mean settlement time. */
  meanSeconds: number;
  /** Mean seconds over the transfers that went through it. */
  meanSecondsWhenPresent: number;
}

export interface Waterfall {
  settled: number;
  steps: WaterfallStep[];
  /** Sum of the steps: the mean time from initiation to payout. */
  totalMeanSeconds: number;
}

/** Mean seconds per stage over settled transfers; steps nobody went through (no holds) are left out. */
export function stageWaterfall(transfers: readonly TransferOut[]): Waterfall {
  const settled = transfers.filter((t) => t.state === "settled" && t.stages.initiated !== undefined && t.stages.settled !== undefined);
  const sums = new Map<string, { total: number; n: number }>();
  for (const t of settled) {
    const present = STAGE_ORDER.filter((s) => t.stages[s] !== undefined);
    const perStep = new Map<string, number>();
    for (let i = 1; i < present.length; i++) {
      const stage = present[i]!;
      const step = STAGE_STEPS.find((s) => (s.ends as readonly string[]).includes(stage));
      if (!step) continue;
      perStep.set(step.key, (perStep.get(step.key) ?? 0) + (t.stages[stage]! - t.stages[present[i - 1]!]!));
    }
    for (const [key, secs] of perStep) {
      const s = sums.get(key) ?? { total: 0, n: 0 };
      s.total += secs;
      s.n++;
      sums.set(key, s);
    }
  }
  const steps: WaterfallStep[] = STAGE_STEPS.filter((s) => sums.has(s.key)).map((s) => {
    const { total, n } = sums.get(s.key)!;
    return { key: s.key, label: s.label, explain: s.explain, transfers: n, meanSeconds: total / settled.length, meanSecondsWhenPresent: total / n };
  });
  return { settled: settled.length, steps, totalMeanSeconds: steps.reduce((a, s) => a + s.meanSeconds, 0) };
}

/** Mean seconds from initiation to refund, for refunded transfers (null when none). */
export function meanRefundSeconds(transfers: readonly TransferOut[]): number | null {
  const xs = transfers
    .filter((t) => t.state === "refunded" && t.stages.initiated !== undefined && t.stages.refunded !== undefined)
    .map((t) => t.stages.refunded! - t.stages.initiated!);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

// ---------------------------------------------------------------- settlement-time distribution

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Bin widths a reader can follow: seconds, then minutes, then hours. */
const BIN_WIDTHS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800];

/** Equal-width bins from 0 covering every value, at most `maxBins` of them, with a round width. */
export function histogramBins(values: readonly number[], maxBins = 24): Bin[] {
  if (values.length === 0) return [];
  const max = values.reduce((m, v) => (v > m ? v : m), 0);
  const width = BIN_WIDTHS.find((w) => Math.floor(max / w) + 1 <= maxBins) ?? Math.ceil((max + 1) / maxBins);
  const n = Math.floor(max / width) + 1;
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const v of values) bins[Math.min(n - 1, Math.max(0, Math.floor(v / width)))]!.count++;
  return bins;
}

// ---------------------------------------------------------------- corridors and tiers

export interface CorridorTierRow {
  corridor: string;
  tier: string;
  transfers: number;
  settled: number;
  refunded: number;
  inFlight: number;
  settlement: Distribution;
  shareWithinOneHour: number | null;
  meanCostPct: number | null;
}

export function corridorTierTable(transfers: readonly TransferOut[]): CorridorTierRow[] {
  return [...groupBy(transfers, (t) => `${corridorOf(t)} ${t.tier}`).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, ts]) => {
      const [corridor = key, tier = ""] = key.split(" ");
      const settled = ts.filter((t) => t.state === "settled");
      const refunded = ts.filter((t) => t.state === "refunded").length;
      const outcomes = settled.length + refunded;
      const costs = settled.map(allInCostPct).filter((c): c is number => c !== null);
      return {
        corridor,
        tier,
        transfers: ts.length,
        settled: settled.length,
        refunded,
        inFlight: ts.length - outcomes,
        settlement: distribution(settled.map((t) => t.settlementSeconds).filter((s): s is number => s !== null)),
        shareWithinOneHour: outcomes ? settled.filter((t) => t.settlementSeconds !== null && t.settlementSeconds <= ONE_HOUR_SECONDS).length / outcomes : null,
        meanCostPct: costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : null,
      };
    });
}

// ---------------------------------------------------------------- cost breakdown

export interface CostRow {
  corridor: string;
  settled: number;
  /** Means over settled transfers, % of the amount sent. */
  feePct: number;
  fxPct: number;
  gasPct: number | null;
  allInPct: number | null;
}

export interface CostBreakdown {
  rows: CostRow[];
  overall: CostRow;
  gasPresent: boolean;
}

const gasOf = (t: TransferOut): number | null => {
  const g = (t as TransferOut & { gas?: { pct?: number | null } | null }).gas;
  return g && typeof g.pct === "number" && Number.isFinite(g.pct) ? g.pct : null;
};

function costRow(corridor: string, ts: readonly TransferOut[]): CostRow {
  const settled = ts.filter((t) => t.state === "settled");
  const m = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const gas = settled.map(gasOf).filter((g): g is number => g !== null);
  const all = settled.map(allInCostPct).filter((c): c is number => c !== null);
  return {
    corridor,
    settled: settled.length,
    feePct: m(settled.map((t) => t.feePct)),
    // fxCost.bps is measured on the converted amount (after the fee): close to, not exactly, % of the amount sent.
    fxPct: m(settled.map((t) => (t.fxCost ? t.fxCost.bps / 100 : 0))),
    gasPct: gas.length ? m(settled.map((t) => gasOf(t) ?? 0)) : null,
    allInPct: all.length ? m(all) : null,
  };
}

/** Mean fee, FX spread and gas by corridor (settled transfers). */
export function costBreakdown(transfers: readonly TransferOut[]): CostBreakdown {
  const groups = groupBy(
    transfers.filter((t) => t.state === "settled"),
    corridorOf,
  );
  const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([c, ts]) => costRow(c, ts));
  const overall = costRow("All corridors", transfers);
  return { rows, overall, gasPresent: rows.some((r) => r.gasPct !== null) };
}

// ---------------------------------------------------------------- compliance

export const COMPLIANCE_REASON_LABELS: Record<string, string> = {
  SANCTIONED_RECIPIENT: "Recipient on a sanctions list",
  SANCTIONED_SENDER: "Sender on a sanctions list",
  TRAVEL_RULE_MISSING: "Travel-rule data missing",
  TRAVEL_RULE_INVALID: "Travel-rule data invalid",
  LIMIT_PER_TRANSFER: "Above the per-transfer limit",
  LIMIT_DAILY: "Above the daily limit",
  MANUAL_REVIEW: "Large amount: manual review",
  NOT_KYCED: "Party not on the KYC allowlist",
  HOOK_FAILED: "Screening service failed",
  UNKNOWN: "Reason not recorded",
};

export interface ComplianceReasonRow {
  reason: string;
  label: string;
  total: number;
  denied: number;
  heldThenApproved: number;
  heldThenDenied: number;
  heldPending: number;
}

export interface ComplianceOutcomes {
  screened: number;
  allowed: number;
  byReason: ComplianceReasonRow[];
}

/** Screening outcomes by reason: denied outright, or held and then approved or denied on review. */
export function complianceOutcomes(transfers: readonly TransferOut[]): ComplianceOutcomes {
  const rows = new Map<string, ComplianceReasonRow>();
  let screened = 0;
  let allowed = 0;
  for (const t of transfers) {
    const c = t.compliance;
    if (!c) continue;
    screened++;
    if (c.outcome === "allow") {
      allowed++;
      continue;
    }
    const reason = c.reason ?? "UNKNOWN";
    const row = rows.get(reason) ?? { reason, label: COMPLIANCE_REASON_LABELS[reason] ?? reason, total: 0, denied: 0, heldThenApproved: 0, heldThenDenied: 0, heldPending: 0 };
    row.total++;
    if (c.outcome === "deny") row.denied++;
    else if (c.reviewed === "approved") row.heldThenApproved++;
    else if (c.reviewed === "denied") row.heldThenDenied++;
    else row.heldPending++;
    rows.set(reason, row);
  }
  return { screened, allowed, byReason: [...rows.values()].sort((a, b) => b.total - a.total || a.reason.localeCompare(b.reason)) };
}

/** The run's virtual end, unix seconds: the scenario start plus the simulated duration, or the last recorded stage if later. */
export function virtualEndSeconds(results: { scenario: { startTime: string }; summary: { virtualSeconds: number }; transfers: readonly TransferOut[] }): number {
  const start = Math.floor(Date.parse(results.scenario.startTime) / 1000);
  const fromStart = Number.isFinite(start) ? start + Math.round(results.summary.virtualSeconds) : 0;
  let lastStage = 0;
  for (const t of results.transfers) for (const v of Object.values(t.stages)) if (v > lastStage) lastStage = v;
  return Math.max(fromStart, lastStage);
}
