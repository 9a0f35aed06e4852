/**
 * The G20 scorecard: how a run's settled and refunded transfers measure up against the
 * G20 / FSB targets for cross-border payments (speed and cost), beside published baselines
 * (Swift gpi, World Bank Remittance Prices Worldwide).
 *
 * Pure: no I/O. The targets come in as an argument (src/report/g20-targets.ts loads and
 * validates data/g20-targets.json with G20TargetsSchema below).
 *
 * Definitions (stated here because a policymaker will ask):
 * - Speed: the share of transfers that reached an outcome (settled or refunded) and were
 *   settled within one hour (settlementSeconds <= 3600: destination block time minus source
 *   block time). A refund counts as "not settled within the hour", since the recipient was not
 *   paid; transfers still in flight are left out. `shareOfSettled` gives the gentler reading.
 * - Cost: the all-in cost of a settled transfer against the mid-market rate, as a percentage
 *   of the amount sent: fee + FX spread (+ rounding), plus gas when a transfer carries
 *   `gas.pct`. Averages are simple means over settled transfers; per corridor likewise.
 * - Reference remittance: the G20 remittance target is set for sending 200 units of the
 *   numeraire (the corridor spec's `numeraire`, in which the targets, as the World Bank RPW, are
 *   stated). Transfers in a run have all sizes, so when the scenario is given, the cost of a
 *   200-unit transfer is derived from its fee schedule and FX spread (Standard tier) for each
 *   corridor in its workload mix, the amount converted into the corridor's input currency at that
 *   currency's mid in the spec (`spec.currencies[c].mid`, units per numeraire unit), plus gas when
 *   transfers carry `gas.usd` (in the numeraire): gas does not depend on the amount, so the
 *   corridor's mean gas per settled transfer is taken as a share of the reference amount.
 *   Without a scenario it is omitted.
 */
import { z } from "zod";
import { computeFee, parseFeeSchedule } from "../domain/fees.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { Decimal, toBaseUnits } from "../domain/money.js";
import type { FeeScheduleInput } from "../domain/fees.js";
import { NUMERAIRE } from "../spec/presets.js";
import { routeKey, type CorridorSpec } from "../spec/spec.js";
import type { TransferOut } from "./transfer-out.js";

/**
 * What the reference remittance cost reads of a scenario: its corridor spec (the numeraire and each
 * currency's mid), its corridors, fee schedules and FX spread.
 */
export interface CostBasis {
  spec: { numeraire: string; currencies: Readonly<Record<string, Pick<CorridorSpec["currencies"][string], "mid">>> };
  workload: { mix: readonly { from: string; to: string; input: string; output: string }[] };
  fx: { spreadBps: Record<string, number> };
  fees: { routes: Record<string, FeeScheduleInput>; default: FeeScheduleInput };
}

// ---------------------------------------------------------------- targets (data/g20-targets.json)

const CostTargetSchema = z
  .object({
    globalAverageMaxPct: z.number().nonnegative(),
    noCorridorAbovePct: z.number().nonnegative().optional(),
    referenceAmountUsd: z.number().positive().optional(),
    by: z.string(),
  })
  .passthrough();

const SpeedTargetSchema = z
  .object({
    shareWithinOneHour: z.number().min(0).max(1),
    restWithin: z.string().optional(),
    scope: z.string().optional(),
    by: z.string(),
  })
  .passthrough();

export const G20TargetsSchema = z
  .object({
    source: z.string().min(1),
    segments: z.record(z.string(), z.object({ cost: CostTargetSchema.nullable(), speed: SpeedTargetSchema.nullable() }).passthrough()),
    baselines: z
      .object({
        swiftGpi: z.string().min(1),
        worldBankRpwQ3_2023: z
          .object({ globalAverageCostPctFor200Usd: z.number(), banksPct: z.number(), digitalPct: z.number(), source: z.string().optional() })
          .passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

export type G20Targets = z.infer<typeof G20TargetsSchema>;

// ---------------------------------------------------------------- scorecard types

export const ONE_HOUR_SECONDS = 3600;
/** The segments the corridor is scored against (wholesale targets are for large-value payments). */
export const SCORED_SEGMENTS = ["retail", "remittances"] as const;

export interface CorridorScore {
  /** A route key (src/spec/spec.ts, routeKey): source chain and input currency to destination chain and output currency. */
  corridor: string;
  /** Transfers that reached an outcome (settled + refunded). */
  outcomes: number;
  settled: number;
  refunded: number;
  withinOneHour: number;
  /** withinOneHour / outcomes; null when no transfer reached an outcome. */
  shareWithinOneHour: number | null;
  /** Mean all-in cost of settled transfers, % of the amount sent (null when none carries a cost). */
  meanCostPct: number | null;
  /** Reference remittance cost for this corridor, when derivable. */
  referenceCostPct?: number;
}

export interface ReferenceCorridorCost {
  corridor: string;
  /** The reference amount in the input currency (whole units). */
  amountIn: string;
  currency: string;
  feePct: number;
  fxPct: number;
  /** Gas for one transfer (the run's mean in the numeraire, which does not depend on the amount) as % of the reference amount. */
  gasPct?: number;
  /** All-in cost against the mid: 1 - (1 - fee)(1 - spread), plus gas when known, in %. */
  pct: number;
}

export interface ReferenceRemittance {
  /** The reference amount, whole units of `numeraire`. */
  amount: number;
  numeraire: string;
  tier: "standard";
  /** Simple mean over corridors (as the World Bank RPW global average). */
  meanPct: number;
  maxPct: number;
  byCorridor: ReferenceCorridorCost[];
  basis: string;
}

export interface TargetCheck {
  segment: string;
  /** "retail payments", "remittances". */
  segmentLabel: string;
  measure: "speed" | "costAverage" | "costPerCorridor";
  /** The target in words, e.g. "75% within one hour by end-2027". */
  target: string;
  comparison: "atLeast" | "atMost";
  /** Shares in [0, 1] for speed; percentages for cost. */
  threshold: number;
  actual: number | null;
  unit: "share" | "pct";
  /** null when there is no data to judge. */
  met: boolean | null;
  /** What `actual` measures, e.g. "average all-in cost of 234 settled transfers". */
  basis: string;
  /** For per-corridor checks: the corridor that decides (lowest speed, highest cost). */
  corridor?: string;
  line: string;
  source: string;
}

export interface Baseline {
  name: string;
  /** The figure in words. */
  text: string;
  /** A comparable number where there is one: a share in [0, 1] or a cost in %. */
  value?: number;
  unit?: "share" | "pct";
  source: string;
}

export interface Scorecard {
  source: string;
  counts: { outcomes: number; settled: number; refunded: number; inFlight: number };
  speed: { withinOneHour: number; outcomes: number; share: number | null; shareOfSettled: number | null };
  cost: { samples: number; meanPct: number | null; meanFeeAndFxPct: number | null; meanGasPct: number | null; gasIncluded: boolean };
  reference?: ReferenceRemittance;
  corridors: CorridorScore[];
  checks: TargetCheck[];
  baselines: Baseline[];
  /** Plain-language lines: one per check, then the baselines. */
  lines: string[];
}

/** A transfer that may carry a gas cost (a field results.json may gain). */
type MaybeGas = TransferOut & { gas?: { pct?: number | null; usd?: number | null } | null };

// ---------------------------------------------------------------- helpers

/** The transfer's route key ("<from>:<input>-><to>:<output>", as the spec's `route.key`). */
export function corridorOf(t: Pick<TransferOut, "srcChain" | "dstChain" | "inputToken" | "outputToken">): string {
  return routeKey(t.srcChain, t.inputToken.currency, t.dstChain, t.outputToken.currency);
}

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const gasPct = (t: TransferOut): number | null => {
  const g = (t as MaybeGas).gas;
  return g && typeof g.pct === "number" && Number.isFinite(g.pct) ? g.pct : null;
};
/** All-in cost of a settled transfer in %, gas included when present; null without a cost. */
export function allInCostPct(t: TransferOut): number | null {
  if (t.state !== "settled" || !t.cost) return null;
  return t.cost.pct + (gasPct(t) ?? 0);
}
const withinOneHour = (t: TransferOut) => t.state === "settled" && t.settlementSeconds !== null && t.settlementSeconds <= ONE_HOUR_SECONDS;

/** 0.82 -> "82%", 0.975 -> "97.5%". */
export function formatShare(share: number): string {
  const v = Math.round(share * 1000) / 10;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)}%`;
}
/** 0.19365 -> "0.19%"; 6.18 -> "6.18%". */
export function formatCostPct(pct: number): string {
  return `${pct.toFixed(2)}%`;
}
const verdict = (met: boolean | null) => (met === null ? "no data" : met ? "met" : "not met");

const SEGMENT_LABEL: Record<string, string> = { retail: "retail payments", remittances: "remittances", wholesale: "wholesale payments" };

/** The source of a baseline sentence such as "... (Swift, 2023)": the last parenthesis holding a year. */
function parentheticalSource(text: string): string | undefined {
  const all = [...text.matchAll(/\(([^()]*\b(?:19|20)\d{2}\b[^()]*)\)/g)];
  return all.length ? all[all.length - 1]![1] : undefined;
}

// ---------------------------------------------------------------- reference remittance

/**
 * The all-in cost of sending `amount` units of the numeraire (Standard tier) on each corridor of
 * the scenario's workload mix, from its fee schedule (route or default) and FX spread. The amount
 * is converted into each corridor's input currency at that currency's mid in the spec. Returns
 * undefined when the mix is empty.
 */
export function referenceRemittanceCost(scenario: CostBasis, amount = 200): ReferenceRemittance | undefined {
  const { numeraire, currencies } = scenario.spec;
  const converted = new Set<string>();
  const seen = new Set<string>();
  const byCorridor: ReferenceCorridorCost[] = [];
  for (const m of scenario.workload.mix) {
    const corridor = routeKey(m.from, m.input, m.to, m.output);
    if (seen.has(corridor)) continue;
    seen.add(corridor);
    const mid = m.input === numeraire ? 1 : currencies[m.input]?.mid;
    if (mid === undefined) throw new CorridorError(ErrorCode.InvalidConfig, `the corridor spec has no mid for ${m.input} (corridor ${corridor})`, { corridor, currency: m.input });
    if (m.input !== numeraire) converted.add(m.input);
    const whole = new Decimal(amount).times(mid);
    const base = toBaseUnits(whole.toDecimalPlaces(2, Decimal.ROUND_HALF_UP));
    // Re-validated: a scenario read back from results.json carries base units as strings, not bigints.
    const schedule = parseFeeSchedule(scenario.fees.routes[`${m.from}:${m.input}->${m.to}`] ?? scenario.fees.default);
    const fee = computeFee(schedule, base, "standard");
    const f = new Decimal(fee.toString()).div(base.toString());
    const spreadBps = m.input === m.output ? 0 : (scenario.fx.spreadBps[`${m.input}->${m.output}`] ?? scenario.fx.spreadBps.default ?? 0);
    const s = new Decimal(spreadBps).div(10_000);
    const all = new Decimal(1).minus(new Decimal(1).minus(f).times(new Decimal(1).minus(s)));
    byCorridor.push({
      corridor,
      amountIn: whole.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2),
      currency: m.input,
      feePct: f.times(100).toNumber(),
      fxPct: s.times(100).toNumber(),
      pct: all.times(100).toNumber(),
    });
  }
  if (byCorridor.length === 0) return undefined;
  const pcts = byCorridor.map((c) => c.pct);
  const rates = [...converted].map((c) => `${c} at ${currencies[c]!.mid} per ${numeraire}`);
  return {
    amount,
    numeraire,
    tier: "standard",
    meanPct: mean(pcts)!,
    maxPct: Math.max(...pcts),
    byCorridor,
    basis: `the scenario's fee schedule and FX spread applied to a ${amount} ${numeraire} transfer (Standard tier${rates.length ? `; ${rates.join(", ")}, the corridor spec's mids` : ""})`,
  };
}

// ---------------------------------------------------------------- the scorecard

export function g20Scorecard(transfers: readonly TransferOut[], targets: G20Targets, opts: { scenario?: CostBasis } = {}): Scorecard {
  const outcomes = transfers.filter((t) => t.state === "settled" || t.state === "refunded");
  const settled = outcomes.filter((t) => t.state === "settled");
  const fast = outcomes.filter(withinOneHour);
  const costs = settled.map(allInCostPct).filter((c): c is number => c !== null);
  const gas = settled.map(gasPct).filter((g): g is number => g !== null);
  const numeraire = opts.scenario?.spec.numeraire ?? NUMERAIRE;
  const baseReference = opts.scenario ? referenceRemittanceCost(opts.scenario, targets.segments.remittances?.cost?.referenceAmountUsd ?? 200) : undefined;
  const reference = baseReference ? withGas(baseReference, settled) : undefined;

  const groups = new Map<string, TransferOut[]>();
  for (const t of outcomes) {
    const key = corridorOf(t);
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const corridors: CorridorScore[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([corridor, ts]) => {
      const s = ts.filter((t) => t.state === "settled");
      const within = ts.filter(withinOneHour).length;
      const ref = reference?.byCorridor.find((c) => c.corridor === corridor);
      return {
        corridor,
        outcomes: ts.length,
        settled: s.length,
        refunded: ts.length - s.length,
        withinOneHour: within,
        shareWithinOneHour: ts.length ? within / ts.length : null,
        meanCostPct: mean(s.map(allInCostPct).filter((c): c is number => c !== null)),
        ...(ref ? { referenceCostPct: ref.pct } : {}),
      };
    });

  const speed = {
    withinOneHour: fast.length,
    outcomes: outcomes.length,
    share: outcomes.length ? fast.length / outcomes.length : null,
    shareOfSettled: settled.length ? fast.length / settled.length : null,
  };
  const cost = {
    samples: costs.length,
    meanPct: mean(costs),
    meanFeeAndFxPct: mean(settled.filter((t) => t.cost).map((t) => t.cost!.pct)),
    meanGasPct: mean(gas),
    gasIncluded: gas.length > 0,
  };
  const costWords = cost.gasIncluded ? "all-in cost (fee, FX spread and gas)" : "all-in cost (fee and FX spread)";

  const checks: TargetCheck[] = [];
  for (const segment of SCORED_SEGMENTS) {
    const seg = targets.segments[segment];
    if (!seg) continue;
    const label = SEGMENT_LABEL[segment] ?? segment;
    const push = (c: Omit<TargetCheck, "segment" | "segmentLabel" | "line" | "source" | "met"> & { lead: string }) => {
      const met = c.actual === null ? null : c.comparison === "atLeast" ? c.actual >= c.threshold : c.actual <= c.threshold;
      const { lead, ...rest } = c;
      checks.push({ ...rest, segment, segmentLabel: label, met, source: targets.source, line: `${lead}; G20 target for ${label}: ${c.target} — ${verdict(met)}` });
    };

    if (seg.speed) {
      const sp = seg.speed;
      const everyCorridor = /corridor/i.test(sp.scope ?? "");
      const target = `${formatShare(sp.shareWithinOneHour)} within one hour${everyCorridor ? " in every corridor" : ""} by ${sp.by}`;
      if (everyCorridor) {
        const scored = corridors.filter((c) => c.shareWithinOneHour !== null);
        const worst = scored.reduce<CorridorScore | undefined>((w, c) => (w === undefined || c.shareWithinOneHour! < w.shareWithinOneHour! ? c : w), undefined);
        push({
          measure: "speed",
          target,
          comparison: "atLeast",
          threshold: sp.shareWithinOneHour,
          actual: worst ? worst.shareWithinOneHour : null,
          unit: "share",
          basis: `share settled within one hour in the slowest of ${scored.length} corridors`,
          ...(worst ? { corridor: worst.corridor } : {}),
          lead: worst ? `${formatShare(worst.shareWithinOneHour!)} settled within one hour in the slowest corridor (${worst.corridor})` : "no transfer reached an outcome",
        });
      } else {
        push({
          measure: "speed",
          target,
          comparison: "atLeast",
          threshold: sp.shareWithinOneHour,
          actual: speed.share,
          unit: "share",
          basis: `share of ${outcomes.length} transfers with an outcome settled within one hour (refunds count as not settled)`,
          lead: speed.share === null ? "no transfer reached an outcome" : `${formatShare(speed.share)} settled within one hour`,
        });
      }
    }

    if (seg.cost) {
      const c = seg.cost;
      const useReference = c.referenceAmountUsd !== undefined && reference !== undefined;
      const refWords = `cost of sending ${reference?.amount ?? c.referenceAmountUsd} ${numeraire}`;
      const avg = useReference ? reference!.meanPct : cost.meanPct;
      push({
        measure: "costAverage",
        target: `average cost at most ${formatCostPct(c.globalAverageMaxPct)}${c.referenceAmountUsd ? ` for ${c.referenceAmountUsd} ${numeraire}` : ""} by ${c.by}`,
        comparison: "atMost",
        threshold: c.globalAverageMaxPct,
        actual: avg,
        unit: "pct",
        basis: useReference ? `average ${refWords} across ${reference!.byCorridor.length} corridors (${reference!.basis})` : `average ${costWords} of ${cost.samples} settled transfers`,
        lead: avg === null ? "no settled transfer carries a cost" : useReference ? `${refWords} ${formatCostPct(avg)} on average` : `average ${costWords} ${formatCostPct(avg)}`,
      });
      if (c.noCorridorAbovePct !== undefined) {
        const per = corridors
          .map((k) => ({ corridor: k.corridor, pct: useReference ? (k.referenceCostPct ?? null) : k.meanCostPct }))
          .filter((k): k is { corridor: string; pct: number } => k.pct !== null);
        const refOnly = useReference ? reference!.byCorridor.filter((r) => !per.some((p) => p.corridor === r.corridor)).map((r) => ({ corridor: r.corridor, pct: r.pct })) : [];
        const all = [...per, ...refOnly];
        const worst = all.reduce<{ corridor: string; pct: number } | undefined>((w, k) => (w === undefined || k.pct > w.pct ? k : w), undefined);
        push({
          measure: "costPerCorridor",
          target: `no corridor above ${formatCostPct(c.noCorridorAbovePct)} by ${c.by}`,
          comparison: "atMost",
          threshold: c.noCorridorAbovePct,
          actual: worst ? worst.pct : null,
          unit: "pct",
          basis: useReference ? `highest ${refWords} among ${all.length} corridors` : `highest average ${costWords} among ${all.length} corridors`,
          ...(worst ? { corridor: worst.corridor } : {}),
          lead: worst ? `most expensive corridor ${worst.corridor} at ${formatCostPct(worst.pct)}${useReference ? ` for ${reference!.amount} ${numeraire}` : ""}` : "no settled transfer carries a cost",
        });
      }
    }
  }

  const baselines = buildBaselines(targets, numeraire);
  return {
    source: targets.source,
    counts: { outcomes: outcomes.length, settled: settled.length, refunded: outcomes.length - settled.length, inFlight: transfers.length - outcomes.length },
    speed,
    cost,
    ...(reference ? { reference } : {}),
    corridors,
    checks,
    baselines,
    lines: [...checks.map((c) => c.line), ...baselines.map((b) => `For comparison, ${b.name}: ${b.text} (${b.source})`)],
  };
}

/** Adds each corridor's mean gas per settled transfer (in the numeraire, as % of the reference amount) to a reference cost. */
function withGas(reference: ReferenceRemittance, settled: readonly TransferOut[]): ReferenceRemittance {
  const usd = (t: TransferOut) => {
    const g = (t as MaybeGas).gas;
    return g && typeof g.usd === "number" && Number.isFinite(g.usd) ? g.usd : null;
  };
  const all = settled.map(usd).filter((u): u is number => u !== null);
  if (all.length === 0) return reference;
  const overall = mean(all)!;
  const byCorridor = reference.byCorridor.map((c) => {
    const mine = settled.filter((t) => corridorOf(t) === c.corridor).map(usd).filter((u): u is number => u !== null);
    const gasPct = ((mine.length ? mean(mine)! : overall) / reference.amount) * 100;
    return { ...c, gasPct, pct: c.pct + gasPct };
  });
  const pcts = byCorridor.map((c) => c.pct);
  return {
    ...reference,
    byCorridor,
    meanPct: mean(pcts)!,
    maxPct: Math.max(...pcts),
    basis: `${reference.basis.replace(/\)$/, "")}; gas at this run's mean gas cost per settled transfer in the corridor)`,
  };
}

/** The published baselines; the World Bank's reference amount is in the numeraire the targets are stated in. */
function buildBaselines(targets: G20Targets, numeraire: string): Baseline[] {
  const out: Baseline[] = [];
  const swift = targets.baselines.swiftGpi;
  const range = swift.match(/(\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)\s*%/);
  const single = swift.match(/(\d+(?:\.\d+)?)\s*%/);
  const swiftShare = range ? (Number(range[1]) + Number(range[2])) / 200 : single ? Number(single[1]) / 100 : undefined;
  out.push({
    name: "Swift gpi",
    text: swift.replace(/\s*\([^()]*\b(?:19|20)\d{2}\b[^()]*\)/, ""),
    ...(swiftShare !== undefined ? { value: swiftShare, unit: "share" as const } : {}),
    source: parentheticalSource(swift) ?? targets.source,
  });
  const wb = targets.baselines.worldBankRpwQ3_2023;
  const quarter = Object.keys(targets.baselines)
    .find((k) => k.startsWith("worldBankRpw"))
    ?.match(/Q(\d)_(\d{4})/);
  const wbSource = wb.source ?? `World Bank, Remittance Prices Worldwide${quarter ? `, Q${quarter[1]} ${quarter[2]}` : ""}`;
  out.push({ name: "World Bank RPW global average", text: `${formatCostPct(wb.globalAverageCostPctFor200Usd)} to send 200 ${numeraire}`, value: wb.globalAverageCostPctFor200Usd, unit: "pct", source: wbSource });
  out.push({ name: "World Bank RPW, banks", text: `${formatCostPct(wb.banksPct)} to send 200 ${numeraire}`, value: wb.banksPct, unit: "pct", source: wbSource });
  out.push({ name: "World Bank RPW, digital services", text: `${formatCostPct(wb.digitalPct)} to send 200 ${numeraire}`, value: wb.digitalPct, unit: "pct", source: wbSource });
  return out;
}
