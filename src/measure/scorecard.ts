/**
 * The G20 scorecard: how a run's settled and refunded transfers measure up against the
 * G20 / FSB targets for cross-border payments (speed and cost), beside published baselines
 * (Swift, World Bank Remittance Prices Worldwide), each labelled with what it measures; and, given the
 * scenario's ramps (src/measure/end-to-end.ts), the same targets end to end, bank account to bank
 * account, with the transparency target. The on-chain leg's checks stay, labelled as that leg.
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
import { QUOTE_COST_TOLERANCE_PCT, QUOTE_STEP_SECONDS, RAMP_DEFAULTS, rampCostPct, RailClock, transferEndToEnd, type EndToEndBasis, type Ramp, type TransferEndToEnd } from "./end-to-end.js";

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

/** What a baseline measures, and so which corridor figure it is drawn beside. */
export const BASELINE_MEASURES = ["bankCreditedWithinOneHour", "endCustomerWithinOneHour", "remittanceCost200"] as const;
export type BaselineMeasure = (typeof BASELINE_MEASURES)[number];
/** The corridor figure each kind of baseline measures the same thing as. */
export const BASELINE_COMPARABLE: Record<BaselineMeasure, { leg: "onChain" | "endToEnd"; words: string }> = {
  bankCreditedWithinOneHour: { leg: "onChain", words: "funds at the payee's institution: beside the corridor's on-chain leg (the payee's wallet credited)" },
  endCustomerWithinOneHour: { leg: "endToEnd", words: "funds available to the end customer: beside the corridor end to end (the payee's bank account credited)" },
  remittanceCost200: { leg: "endToEnd", words: "all-in price of sending the 200-unit reference remittance: beside the corridor's reference cost end to end (ramp fees included)" },
};

export const G20TargetsSchema = z
  .object({
    source: z.string().min(1),
    segments: z.record(z.string(), z.object({ cost: CostTargetSchema.nullable(), speed: SpeedTargetSchema.nullable() }).passthrough()),
    /** Published figures drawn beside the run, each labelled with what it measures (bank-credited vs end customer, cost of the reference remittance). */
    baselines: z.array(
      z
        .object({
          name: z.string().min(1),
          measures: z.enum(BASELINE_MEASURES),
          value: z.number().nonnegative(),
          unit: z.enum(["share", "pct"]),
          text: z.string().min(1),
          source: z.string().min(1),
          asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected a date YYYY-MM-DD" }),
        })
        .strict(),
    ),
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
  measure: "speed" | "speedRest" | "costAverage" | "costPerCorridor";
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
  /** A share in [0, 1] or a cost in %. */
  value: number;
  unit: "share" | "pct";
  source: string;
  asOf: string;
  measures: BaselineMeasure;
  /** The corridor leg measured the same way, and in words. */
  comparableTo: "onChain" | "endToEnd";
  comparableWords: string;
}

export interface Scorecard {
  source: string;
  counts: { outcomes: number; settled: number; refunded: number; inFlight: number };
  speed: { withinOneHour: number; outcomes: number; share: number | null; shareOfSettled: number | null };
  cost: { samples: number; meanPct: number | null; meanFeeAndFxPct: number | null; meanGasPct: number | null; gasIncluded: boolean };
  reference?: ReferenceRemittance;
  /** The scorecard end to end (bank account to bank account), when the scenario's ramps are known. */
  endToEnd?: EndToEndScore;
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

export function g20Scorecard(transfers: readonly TransferOut[], targets: G20Targets, opts: { scenario?: CostBasis; endToEnd?: EndToEndBasis } = {}): Scorecard {
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

  const e2e = opts.endToEnd ? endToEndScore(transfers, targets, opts.endToEnd, { ...(reference ? { reference } : {}), numeraire }) : undefined;
  const onChainRest = e2e?.onChainRest;

  const checks: TargetCheck[] = [];
  for (const segment of SCORED_SEGMENTS) {
    const seg = targets.segments[segment];
    if (!seg) continue;
    const label = SEGMENT_LABEL[segment] ?? segment;
    const push = checkPusher(checks, segment, label, targets.source, "");

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

    if (seg.speed?.restWithin && onChainRest) {
      push({
        measure: "speedRest",
        target: `the rest within ${seg.speed.restWithin} by ${seg.speed.by}`,
        comparison: "atLeast",
        threshold: 1,
        actual: onChainRest.share,
        unit: "share",
        basis: `share of ${onChainRest.outcomes} transfers with an outcome settled on chain within one business day of the payee's bank calendar (${ONE_BUSINESS_DAY_WORDS})`,
        lead: onChainRest.share === null ? "no transfer reached an outcome" : `${formatShare(onChainRest.share)} settled within one business day`,
      });
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

  const baselines = buildBaselines(targets);
  return {
    source: targets.source,
    counts: { outcomes: outcomes.length, settled: settled.length, refunded: outcomes.length - settled.length, inFlight: transfers.length - outcomes.length },
    speed,
    cost,
    ...(reference ? { reference } : {}),
    ...(e2e ? { endToEnd: e2e.score } : {}),
    corridors,
    checks,
    baselines,
    lines: [...checks.map((c) => c.line), ...baselines.map((b) => `For comparison, ${b.name}: ${b.text} (${b.source}; measures ${b.comparableWords})`)],
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

/** The published baselines, each with the corridor leg it measures the same thing as. */
function buildBaselines(targets: G20Targets): Baseline[] {
  return targets.baselines.map((b) => ({
    name: b.name,
    text: b.text,
    value: b.value,
    unit: b.unit,
    source: b.source,
    asOf: b.asOf,
    measures: b.measures,
    comparableTo: BASELINE_COMPARABLE[b.measures].leg,
    comparableWords: BASELINE_COMPARABLE[b.measures].words,
  }));
}

// ---------------------------------------------------------------- end to end (bank account to bank account)

export const ONE_BUSINESS_DAY_WORDS = "by the same local time on the payee's next business day; from the start of the next business day when sent on a weekend or holiday";

export interface EndToEndCorridor {
  corridor: string;
  outcomes: number;
  delivered: number;
  withinOneHour: number;
  shareWithinOneHour: number | null;
  withinOneBusinessDay: number;
  shareWithinOneBusinessDay: number | null;
  meanCostPct: number | null;
  /** The 200-unit reference cost with the ramps' fees. */
  referenceCostPct?: number;
  /** Mean seconds of each leg over delivered transfers. */
  meanLegsSeconds: { onRamp: number; onChain: number; offRamp: number } | null;
}

export interface EndToEndScore {
  /** Every assumption the verdicts rest on, in words (the ramps, the rails' hours and calendars, the quote). */
  assumptions: string[];
  ramps: Ramp[];
  rails: { rail: string; name: string; hours: string; calendar: string; source: string; asOf: string }[];
  calendars: { name: string; title: string; from: string; to: string; source: string; asOf: string }[];
  /** Days the run met outside the shipped calendars' years (holidays unknown there). */
  uncoveredDays: string[];
  counts: { outcomes: number; delivered: number; notModelled: number };
  speed: {
    withinOneHour: number;
    withinOneBusinessDay: number;
    outcomes: number;
    share: number | null;
    shareWithinOneBusinessDay: number | null;
    p50Seconds: number | null;
    p95Seconds: number | null;
    maxSeconds: number | null;
  };
  cost: { samples: number; meanPct: number | null };
  reference?: { amount: number; numeraire: string; meanPct: number; maxPct: number; byCorridor: { corridor: string; pct: number; rampPct: number }[] };
  corridors: EndToEndCorridor[];
  checks: TargetCheck[];
  transparency: {
    /** What the payer is shown before sending. */
    shownUpFront: string[];
    quoted: number;
    delivered: number;
    onTime: number;
    atCost: number;
    matched: number;
    /** matched / outcomes (a refund is an outcome that did not match its promise). */
    shareMatched: number | null;
    statusTracking: string;
    quoteBasis: string;
  };
  lines: string[];
}

const quantile = (sorted: readonly number[], q: number): number | null => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : null);
const hours = (r: { alwaysOpen?: boolean | undefined; open?: string | undefined; openDayOffset?: number | undefined; close?: string | undefined; timeZone: string }) =>
  r.alwaysOpen ? "around the clock, every day" : `${r.open}${r.openDayOffset === -1 ? " (the evening before)" : ""} to ${r.close} ${r.timeZone}, business days`;

function endToEndScore(
  transfers: readonly TransferOut[],
  targets: G20Targets,
  basis: EndToEndBasis,
  ctx: { reference?: ReferenceRemittance; numeraire: string },
): { score: EndToEndScore; onChainRest: { share: number | null; outcomes: number } } {
  const clock = new RailClock(basis.rails);
  const outcomes = transfers.filter((t) => t.state === "settled" || t.state === "refunded");
  // The ramps of the currencies this run sent or paid out.
  const used = new Set(transfers.flatMap((t) => [t.inputToken.currency, t.outputToken.currency]));
  basis = { ...basis, ramps: basis.ramps.filter((r) => used.has(r.currency)) };
  const rows: TransferEndToEnd[] = [];
  let notModelled = 0;
  let onChainWithinDay = 0;
  let onChainScored = 0;
  for (const t of outcomes) {
    const r = transferEndToEnd(t, basis, clock, corridorOf(t), allInCostPct(t));
    if (!r) {
      notModelled++;
      continue;
    }
    rows.push(r);
    onChainScored++;
    const off = basis.ramps.find((x) => x.currency === t.outputToken.currency)!.offRamp;
    if (t.state === "settled" && t.stages.settled !== undefined && t.stages.settled <= clock.oneBusinessDayAfter(off.rail, r.initiated)) onChainWithinDay++;
  }
  const delivered = rows.filter((r) => r.delivered);
  const totals = delivered.map((r) => r.totalSeconds!).sort((a, b) => a - b);
  const costs = delivered.map((r) => r.costPct).filter((c): c is number => c !== null);
  const within = rows.filter((r) => r.withinOneHour).length;
  const withinDay = rows.filter((r) => r.withinOneBusinessDay).length;
  const speed = {
    withinOneHour: within,
    withinOneBusinessDay: withinDay,
    outcomes: rows.length,
    share: rows.length ? within / rows.length : null,
    shareWithinOneBusinessDay: rows.length ? withinDay / rows.length : null,
    p50Seconds: quantile(totals, 0.5),
    p95Seconds: quantile(totals, 0.95),
    maxSeconds: totals.length ? totals[totals.length - 1]! : null,
  };
  const cost = { samples: costs.length, meanPct: mean(costs) };

  // The reference remittance end to end: the on-chain reference plus each corridor's ramp fees.
  let reference: EndToEndScore["reference"];
  if (ctx.reference) {
    const byCorridor: { corridor: string; pct: number; rampPct: number }[] = [];
    for (const c of ctx.reference.byCorridor) {
      const [from, to] = c.corridor.split("->");
      const input = from!.split(":")[1]!;
      const output = to!.split(":")[1]!;
      const amountIn = new Decimal(c.amountIn);
      // The amount paid out, about: the reference amount at the mids less the on-chain cost.
      const mids = (cur: string) => basis.mids[cur] ?? 1;
      const amountOut = amountIn.div(mids(input)).times(mids(output)).times(1 - c.pct / 100);
      const ramp = rampCostPct(basis, input, output, amountIn, amountOut);
      if (ramp === null) continue;
      byCorridor.push({ corridor: c.corridor, pct: c.pct + ramp, rampPct: ramp });
    }
    if (byCorridor.length) {
      const pcts = byCorridor.map((c) => c.pct);
      reference = { amount: ctx.reference.amount, numeraire: ctx.reference.numeraire, meanPct: mean(pcts)!, maxPct: Math.max(...pcts), byCorridor };
    }
  }

  const groups = new Map<string, TransferEndToEnd[]>();
  for (const r of rows) {
    const g = groups.get(r.corridor);
    if (g) g.push(r);
    else groups.set(r.corridor, [r]);
  }
  const corridors: EndToEndCorridor[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([corridor, rs]) => {
      const d = rs.filter((r) => r.delivered);
      const w = rs.filter((r) => r.withinOneHour).length;
      const wd = rs.filter((r) => r.withinOneBusinessDay).length;
      const ref = reference?.byCorridor.find((c) => c.corridor === corridor);
      return {
        corridor,
        outcomes: rs.length,
        delivered: d.length,
        withinOneHour: w,
        shareWithinOneHour: rs.length ? w / rs.length : null,
        withinOneBusinessDay: wd,
        shareWithinOneBusinessDay: rs.length ? wd / rs.length : null,
        meanCostPct: mean(d.map((r) => r.costPct).filter((c): c is number => c !== null)),
        ...(ref ? { referenceCostPct: ref.pct } : {}),
        meanLegsSeconds: d.length ? { onRamp: mean(d.map((r) => r.onRampSeconds))!, onChain: mean(d.map((r) => r.onChainSeconds!))!, offRamp: mean(d.map((r) => r.offRampSeconds!))! } : null,
      };
    });

  // The targets, measured end to end.
  const checks: TargetCheck[] = [];
  for (const segment of SCORED_SEGMENTS) {
    const seg = targets.segments[segment];
    if (!seg) continue;
    const label = SEGMENT_LABEL[segment] ?? segment;
    const push = checkPusher(checks, segment, label, targets.source, "End to end: ");
    if (seg.speed) {
      const sp = seg.speed;
      const everyCorridor = /corridor/i.test(sp.scope ?? "");
      const scored = corridors.filter((c) => c.shareWithinOneHour !== null);
      const worst = scored.reduce<EndToEndCorridor | undefined>((w, c) => (w === undefined || c.shareWithinOneHour! < w.shareWithinOneHour! ? c : w), undefined);
      const actual = everyCorridor ? (worst?.shareWithinOneHour ?? null) : speed.share;
      push({
        measure: "speed",
        target: `${formatShare(sp.shareWithinOneHour)} within one hour${everyCorridor ? " in every corridor" : ""} by ${sp.by}`,
        comparison: "atLeast",
        threshold: sp.shareWithinOneHour,
        actual,
        unit: "share",
        basis: everyCorridor
          ? `share credited to the payee's bank account within one hour of the payer's instruction in the slowest of ${scored.length} corridors`
          : `share of ${rows.length} transfers with an outcome credited to the payee's bank account within one hour of the payer's instruction (refunds count as not credited)`,
        ...(everyCorridor && worst ? { corridor: worst.corridor } : {}),
        lead: actual === null ? "no transfer reached an outcome" : `${formatShare(actual)} credited to the payee's bank within one hour${everyCorridor && worst ? ` in the slowest corridor (${worst.corridor})` : ""}`,
      });
      if (sp.restWithin) {
        push({
          measure: "speedRest",
          target: `the rest within ${sp.restWithin} by ${sp.by}`,
          comparison: "atLeast",
          threshold: 1,
          actual: speed.shareWithinOneBusinessDay,
          unit: "share",
          basis: `share of ${rows.length} transfers with an outcome credited to the payee's bank within one business day (${ONE_BUSINESS_DAY_WORDS})`,
          lead: speed.shareWithinOneBusinessDay === null ? "no transfer reached an outcome" : `${formatShare(speed.shareWithinOneBusinessDay)} credited to the payee's bank within one business day`,
        });
      }
    }
    if (seg.cost) {
      const c = seg.cost;
      const useReference = c.referenceAmountUsd !== undefined && reference !== undefined;
      const avg = useReference ? reference!.meanPct : cost.meanPct;
      const words = useReference ? `cost of sending ${reference!.amount} ${ctx.numeraire} bank account to bank account` : `all-in cost bank account to bank account (fee, FX margin${transfers.some((t) => gasPct(t) !== null) ? ", gas" : ""}, ramp fees)`;
      push({
        measure: "costAverage",
        target: `average cost at most ${formatCostPct(c.globalAverageMaxPct)}${c.referenceAmountUsd ? ` for ${c.referenceAmountUsd} ${ctx.numeraire}` : ""} by ${c.by}`,
        comparison: "atMost",
        threshold: c.globalAverageMaxPct,
        actual: avg,
        unit: "pct",
        basis: useReference ? `average ${words} across ${reference!.byCorridor.length} corridors (the on-chain reference plus the ramps' fees)` : `average ${words} of ${cost.samples} settled transfers`,
        lead: avg === null ? "no settled transfer carries a cost" : `${words} ${formatCostPct(avg)} on average`,
      });
      if (c.noCorridorAbovePct !== undefined) {
        const per = useReference ? reference!.byCorridor.map((r) => ({ corridor: r.corridor, pct: r.pct })) : corridors.filter((k) => k.meanCostPct !== null).map((k) => ({ corridor: k.corridor, pct: k.meanCostPct! }));
        const worst = per.reduce<{ corridor: string; pct: number } | undefined>((w, k) => (w === undefined || k.pct > w.pct ? k : w), undefined);
        push({
          measure: "costPerCorridor",
          target: `no corridor above ${formatCostPct(c.noCorridorAbovePct)} by ${c.by}`,
          comparison: "atMost",
          threshold: c.noCorridorAbovePct,
          actual: worst ? worst.pct : null,
          unit: "pct",
          basis: `highest ${words} among ${per.length} corridors`,
          ...(worst ? { corridor: worst.corridor } : {}),
          lead: worst ? `most expensive corridor ${worst.corridor} at ${formatCostPct(worst.pct)} bank account to bank account` : "no settled transfer carries a cost",
        });
      }
    }
  }

  // Transparency: what was promised before sending, and whether the outcome matched.
  const onTime = delivered.filter((r) => r.onTime === true).length;
  const atCost = delivered.filter((r) => r.atCost === true).length;
  const matched = delivered.filter((r) => r.onTime === true && r.atCost === true).length;
  const transparency: EndToEndScore["transparency"] = {
    shownUpFront: [
      "total cost: the corridor fee, the FX margin against the mid and the ramps' fees, as an amount and a % of the amount sent (the operator's signed quote, src/operator/quoter.ts)",
      "expected delivery: the time the payee's bank account is credited, from the rails' hours and holidays, the issuers' mint and redemption times and the chains' expected confirmation times",
      "status tracking: every stage of the transfer with its time (`corridor status <id>`, the SDK's status call, results.json `stages`)",
    ],
    quoted: rows.length,
    delivered: delivered.length,
    onTime,
    atCost,
    matched,
    shareMatched: rows.length ? matched / rows.length : null,
    statusTracking: "yes: every transfer's stages (initiated, confirmed, screened, attested, submitted, settled or refunded) with their times, by id",
    quoteBasis: `delivery time: the end-to-end model with the expected on-chain time (${basis.expectedBasis}); cost: the fee charged plus the quoted FX margin plus the ramps' fees, met when the outcome costs at most ${QUOTE_COST_TOLERANCE_PCT} percentage points more (gas is shown apart and not in the promise)`,
  };

  const usedRails = [...new Set(basis.ramps.flatMap((r) => [r.onRamp.rail, r.offRamp.rail]))];
  const rails = usedRails.map((name) => {
    const r = basis.rails.rails[name]!;
    return { rail: name, name: r.name, hours: hours(r), calendar: r.calendar, source: r.source, asOf: r.asOf };
  });
  const calendars = [...new Set(rails.map((r) => r.calendar))].map((name) => {
    const c = basis.rails.calendars[name]!;
    return { name, title: c.name, from: c.from, to: c.to, source: c.source, asOf: c.asOf };
  });
  const uncoveredDays = clock.uncoveredDays();
  const legWords = (r: Ramp) =>
    `${r.currency}: on-ramp over ${r.onRamp.railName}, mint ${r.onRamp.seconds} s after the fiat lands, fee ${r.onRamp.feeBps} bps + ${r.onRamp.fixedFee} ${r.currency}${r.onRamp.given.length ? ` (scenario: ${r.onRamp.given.join(", ")})` : " (defaults)"}; off-ramp: payout over ${r.offRamp.railName} ${r.offRamp.seconds} s after the redemption request, at the rail's next opening, fee ${r.offRamp.feeBps} bps + ${r.offRamp.fixedFee} ${r.currency}${r.offRamp.given.length ? ` (scenario: ${r.offRamp.given.join(", ")})` : " (defaults)"}`;
  const assumptions = [
    "Speed end to end: from the payer's instruction at their bank (the transfer's initiation time in the run) to the payee's bank account credited; the on-chain leg keeps its measured length and starts when the coins are minted (the chains run around the clock).",
    ...basis.ramps.map(legWords),
    ...RAMP_DEFAULTS.basis.map((b) => `Default: ${b}.`),
    ...rails.map((r) => `${r.name}: customer payments ${r.hours}; closed on ${basis.rails.calendars[r.calendar]!.name} (${r.source}; as of ${r.asOf}).`),
    `One business day: ${ONE_BUSINESS_DAY_WORDS}, in the payee's rail's calendar and time zone.`,
    `The quote: ${transparency.quoteBasis}; delivery times in ${QUOTE_STEP_SECONDS / 60}-minute steps.`,
    ...(uncoveredDays.length ? [`The run met ${uncoveredDays.length} business days outside the shipped calendars' years (${uncoveredDays[0]} to ${uncoveredDays[uncoveredDays.length - 1]}): only weekends are closed on them.`] : []),
    ...(notModelled ? [`${notModelled} transfers have a currency without ramps and are left out of the end-to-end figures.`] : []),
  ];
  const lines = [
    ...checks.map((c) => c.line),
    transparency.shareMatched === null
      ? "Transparency: no transfer reached an outcome"
      : `Transparency: every payer was shown the total cost and the expected delivery time before sending and can track each stage; ${formatShare(transparency.shareMatched)} of outcomes matched the promise (${onTime} of ${delivered.length} delivered on time, ${atCost} at the promised cost, ${rows.length - delivered.length} refunded)`,
  ];
  return {
    score: {
      assumptions,
      ramps: basis.ramps,
      rails,
      calendars,
      uncoveredDays,
      counts: { outcomes: rows.length, delivered: delivered.length, notModelled },
      speed,
      cost,
      ...(reference ? { reference } : {}),
      corridors,
      checks,
      transparency,
      lines,
    },
    onChainRest: { share: onChainScored ? onChainWithinDay / onChainScored : null, outcomes: onChainScored },
  };
}

/** Adds a target check to `checks`: met or not (null: nothing to measure), and its line ("<prefix><lead>; G20 target for <segment>: <target> — <verdict>"). */
function checkPusher(checks: TargetCheck[], segment: TargetCheck["segment"], label: string, source: TargetCheck["source"], prefix: string) {
  return (c: Omit<TargetCheck, "segment" | "segmentLabel" | "line" | "source" | "met"> & { lead: string }) => {
    const met = c.actual === null ? null : c.comparison === "atLeast" ? c.actual >= c.threshold : c.actual <= c.threshold;
    const { lead, ...rest } = c;
    checks.push({ ...rest, segment, segmentLabel: label, met, source, line: `${prefix}${lead}; G20 target for ${label}: ${c.target} — ${verdict(met)}` });
  };
}
