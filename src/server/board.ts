/**
 * The dashboard's model: every transfer the demo sent, followed from its send to its outcome,
 * and the figures the page shows (counters, settlement times, costs, compliance decisions,
 * the G20 scorecard). No I/O: the live corridor feeds it receipts, relayer records and
 * operator decisions, and asks it for a snapshot once a second.
 *
 * Timing: a transfer's settlement time is measured from chain data (destination block time
 * minus source block time), as everywhere in Corridor; "in flight for N s" is wall time since
 * the demo sent it.
 *
 * Compressed time: a demo may run a realistic chain profile faster than life (`timeScale`, e.g. 60:
 * Ethereum's 12 s blocks every 200 ms). Every duration the board reports (settlement times, their
 * percentiles and chart, "in flight for", the G20 one-hour check) and the timeline's clock are then in
 * corridor time: wall time × timeScale. Chain block times have a resolution of one wall second, so
 * corridor times come in steps of `timeScale` seconds.
 *
 * Chains, currencies, their symbols and words are the corridor spec's (src/spec/): the board
 * follows every route of the spec that carries traffic, and the page reads the display names from
 * the state it is sent.
 */
import type { Hex } from "viem";
import { z } from "zod";
import { hex32 } from "../domain/message.js";
import { fromBaseUnits } from "../domain/money.js";
import { allInCost, fixed18ToRate, fxCost } from "../domain/fx/quote.js";
import { distribution } from "../domain/stats.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { TransferGas } from "../measure/gas.js";
import { toTransferOut, type TransferOut } from "../measure/transfer-out.js";
import { g20Scorecard, type G20Targets } from "../measure/scorecard.js";
import { routeKey, symbolOf, type CorridorSpec } from "../spec/spec.js";
import { SettingsSchema, type Settings } from "./controls.js";
import { dashboardCharts, type DashboardCharts, type Timeline } from "./charts.js";

/** A chain of the corridor spec. */
export type ChainName = string;

/** A transfer as the compliance feed names it (a relayer record or the operator's screening input). */
export type FeedTransfer = Pick<TransferRecord, "id" | "message" | "srcChain" | "dstChain" | "inputCurrency">;
/** A currency of the corridor spec. */
export type Currency = string;

/** What the load generator sent. */
export interface SentTransfer {
  hash: Hex;
  from: ChainName;
  to: ChainName;
  input: Currency;
  output: Currency;
  tier: "standard" | "fast";
  /** Input-currency base units. */
  amount: bigint;
  recipient: Hex;
  /** Sent by the "sanctioned address" button. */
  sanctioned: boolean;
  /** Wall-clock unix seconds. */
  sentAt: number;
}

export const OutcomeSchema = z.enum(["inFlight", "settled", "refunded", "rejected"]);
export type Outcome = z.infer<typeof OutcomeSchema>;

const num = z.number();
const numOrNull = z.number().nullable();
const str = z.string();

const StepSchema = z.object({
  label: str,
  done: z.boolean(),
  /** This step went wrong (a denial, a refund). */
  bad: z.boolean().optional(),
  /** The step the transfer is at now. */
  current: z.boolean().optional(),
});
export type Step = z.infer<typeof StepSchema>;

/** One row of the live transfers table. */
const TransferViewSchema = z.object({
  seq: num,
  id: hex32.nullable(),
  from: str,
  to: str,
  currencyIn: str,
  currencyOut: str,
  /** Whole units. */
  amountIn: num,
  amountOut: numOrNull,
  tier: z.enum(["standard", "fast"]),
  sanctioned: z.boolean(),
  outcome: OutcomeSchema,
  steps: z.array(StepSchema),
  /** Plain-language status: "Paid out", "Waiting for pound liquidity", "Refunded in full". */
  status: str,
  /** Compliance reason code or refund reason, when there is one. */
  reason: str.nullable(),
  reasonText: str.nullable(),
  /** Destination minus source block time (settled), or source refund minus send block time (refunded); corridor seconds. */
  seconds: numOrNull,
  /** Corridor seconds since the demo sent it (wall × timeScale). */
  age: num,
  feePct: numOrNull,
  fxPct: numOrNull,
  gasPct: numOrNull,
  gasUsd: numOrNull,
  costPct: numOrNull,
});
export type TransferView = z.infer<typeof TransferViewSchema>;

const ComplianceEntrySchema = z.object({
  at: num,
  seq: numOrNull,
  id: hex32,
  direction: str,
  amount: num,
  currency: str,
  outcome: z.enum(["deny", "hold", "approved", "denied"]),
  reason: str,
  reasonText: str,
  hook: str.nullable(),
});
export type ComplianceEntry = z.infer<typeof ComplianceEntrySchema>;

const LogEntrySchema = z.object({ at: num, text: str, kind: z.enum(["control", "action", "info", "warning"]) });
export type LogEntry = z.infer<typeof LogEntrySchema>;

const LiquidityViewSchema = z.object({
  chain: str,
  currency: str,
  available: num,
  initial: num,
  /** Settlements queued on this side until liquidity returns. */
  parked: num,
});
export type LiquidityView = z.infer<typeof LiquidityViewSchema>;

const FastAllowanceViewSchema = z.object({ chain: str, currency: str, capacity: num, outstanding: num });
export type FastAllowanceView = z.infer<typeof FastAllowanceViewSchema>;

/** One route of the spec that carried traffic: its transfers so far. */
const CorridorViewSchema = z.object({
  /** The route key, "<from>:<input>-><to>:<output>". */
  key: str,
  from: str,
  to: str,
  input: str,
  output: str,
  sent: num,
  settled: num,
  refunded: num,
  rejected: num,
  inFlight: num,
  /** Median settlement time of its settled transfers (chain time), seconds. */
  p50: numOrNull,
  /** Mean all-in cost of its settled transfers, % of the amount sent. */
  meanCostPct: numOrNull,
});
export type CorridorView = z.infer<typeof CorridorViewSchema>;

/** The corridor's chains and currencies, as the page names them. */
const CorridorInfoSchema = z.object({
  numeraire: str,
  chains: z.array(z.object({ name: str, home: str, jurisdiction: str, country: str })),
  currencies: z.record(z.object({ symbol: str, word: str })),
  /** The stablecoins every chain carries. */
  tokens: z.array(str),
});
export type CorridorInfo = z.infer<typeof CorridorInfoSchema>;

const G20ViewSchema = z.object({
  shareWithinOneHour: numOrNull,
  meanCostPct: numOrNull,
  outcomes: num,
  checks: z.array(
    z.object({ segment: str, measure: str, target: str, actual: numOrNull, unit: z.enum(["share", "pct"]), threshold: num, met: z.boolean().nullable() }),
  ),
  baselines: z.array(z.object({ name: str, text: str, source: str })),
  source: str,
});
export type G20View = z.infer<typeof G20ViewSchema>;

/** The chain profile the demo runs and how much faster than life it shows it. */
export const TimingViewSchema = z.object({
  /** The profile's name (src/chains/profiles.ts), or "mixed" when the chains run different ones. */
  profile: str,
  /** Corridor seconds per wall second (1: real time). */
  timeScale: num,
  /** In words, e.g. "Profile: Ethereum-like (12 s blocks, …) shown at 60× speed: 1 minute on screen = 1 hour of corridor time". */
  text: str,
});
export type TimingView = z.infer<typeof TimingViewSchema>;

/** What GET /api/state answers and each server-sent event carries. */
export const DashboardStateSchema = z.object({
  now: num,
  startedAt: num,
  timing: TimingViewSchema,
  settings: SettingsSchema,
  relayer: z.object({ up: z.boolean(), backAt: numOrNull }),
  corridor: CorridorInfoSchema,
  /**
   * Each currency's mid against the numeraire (units per one numeraire unit) now and without a
   * shock; a shock moves one currency (or all, `currency` null) by `factor`.
   */
  fx: z.object({
    numeraire: str,
    mids: z.record(num),
    baseMids: z.record(num),
    shock: z.object({ factor: num, until: num, currency: str.nullable() }).nullable(),
    spreadBps: num,
    convertedOffMid: num,
    belowMinimumRefunds: num,
  }),
  drain: z.object({ chain: str, until: num }).nullable(),
  travelRule: str,
  counters: z.object({ sent: num, settled: num, refunded: num, inFlight: num, rejected: num, held: num }),
  /** In-flight transfers by the step they are at. */
  pipeline: z.array(z.object({ label: str, count: num })),
  recent: z.array(TransferViewSchema),
  settlement: z.object({ count: num, mean: numOrNull, p50: numOrNull, p95: numOrNull, max: numOrNull, last: numOrNull }),
  cost: z.object({
    samples: num,
    meanFeePct: numOrNull,
    meanFxPct: numOrNull,
    meanGasPct: numOrNull,
    meanAllInPct: numOrNull,
    meanGasUsd: numOrNull,
    latest: TransferViewSchema.nullable(),
  }),
  compliance: z.object({ screened: num, allowed: num, denied: num, held: num, reviewed: num, recent: z.array(ComplianceEntrySchema) }),
  /** Every route that carried traffic, in the spec's order. */
  corridors: z.array(CorridorViewSchema),
  liquidity: z.array(LiquidityViewSchema),
  fastAllowance: z.array(FastAllowanceViewSchema),
  /** Fast and Standard wait for the same depth on these chains (final at one block): the allowance is never drawn. */
  fastFinalAtOnce: z.boolean(),
  g20: G20ViewSchema.nullable(),
  log: z.array(LogEntrySchema),
  /** The charts the page draws (src/server/charts.ts; made by our chart definitions, typed there, not checked again here). */
  charts: z.custom<DashboardCharts>((v) => typeof v === "object" && v !== null),
});
export type DashboardState = z.infer<typeof DashboardStateSchema>;

/** Stable reason codes in words. */
export const REASON_TEXT: Record<string, string> = {
  SANCTIONED_RECIPIENT: "the recipient's address is on the US Treasury's OFAC sanctions list",
  SANCTIONED_SENDER: "the sender's address is on the US Treasury's OFAC sanctions list",
  TRAVEL_RULE_MISSING: "above the travel-rule threshold without the sender's and recipient's details",
  TRAVEL_RULE_INVALID: "the travel-rule details are incomplete or do not match the payment",
  LIMIT_PER_TRANSFER: "above the per-payment limit",
  LIMIT_DAILY: "over the sender's daily limit",
  MANUAL_REVIEW: "a large payment, checked by a compliance officer",
  NOT_KYCED: "a party has not been identified (KYC)",
  HOOK_FAILED: "a compliance check could not run",
  belowMinimum: "the exchange rate moved beyond the sender's limit",
  expired: "not delivered before its deadline",
  denied: "denied by compliance screening",
  other: "could not be delivered",
};

export function reasonText(code: string | null | undefined): string | null {
  if (!code) return null;
  const key = code.startsWith("denied:") ? code.slice("denied:".length) : code;
  return REASON_TEXT[key] ?? key.replace(/_/g, " ").toLowerCase();
}

const RECENT = 14;
const FEED = 12;
const LOG = 10;
const TIMELINE = 180;
/** Distributions, costs and the scorecard cover at most this many of the latest finished transfers (a demo left running for days stays small). */
const MAX_FINISHED = 20_000;

interface Tracked {
  seq: number;
  sent: SentTransfer;
  id?: Hex;
  record?: TransferRecord;
  rejected?: string;
  outcome: Outcome;
  gas?: TransferGas | null;
  view?: TransferView;
}

const whole = (v: bigint) => Number(fromBaseUnits(v).toFixed(6));
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export class TransferBoard {
  private seq = 0;
  private readonly byHash = new Map<Hex, Tracked>();
  private readonly byId = new Map<Hex, Tracked>();
  /** Sent, not yet settled, refunded or rejected. */
  private readonly open = new Set<Tracked>();
  private readonly recent: Tracked[] = [];
  private readonly settledSeconds: number[] = [];
  private readonly costs: { fee: number; fx: number | null; gas: number | null; gasUsd: number | null; all: number }[] = [];
  private readonly finished: TransferOut[] = [];
  private readonly feed: ComplianceEntry[] = [];
  private readonly logEntries: LogEntry[] = [];
  private readonly counts = { sent: 0, settled: 0, refunded: 0, rejected: 0 };
  private readonly compliance = { screened: 0, allowed: 0, denied: 0, held: 0, reviewed: 0 };
  private readonly timeline: Timeline = { t: [], inFlight: [], parked: [], mids: {}, relayerUp: [] };
  /** Per route key: counts, settlement seconds and costs (the latest MAX_FINISHED of each). */
  private readonly routes = new Map<string, { sent: number; settled: number; refunded: number; rejected: number; seconds: number[]; costs: number[] }>();
  private lastSettled: Tracked | null = null;
  /** Cross-currency settlements at a mid away from the normal rate (during an FX shock), and refunds for a rate past the sender's minimum. */
  private readonly fxCounts = { convertedOffMid: 0, belowMinimumRefunds: 0 };
  private g20Cache: { at: number; view: G20View | null } = { at: -Infinity, view: null };

  /** Corridor seconds per wall second. */
  private readonly scale: number;

  constructor(
    private readonly opts: {
      targets: G20Targets | null;
      startedAt: number;
      /** The corridor: its routes, and each currency's mid without a shock. */
      spec: CorridorSpec;
      /** Corridor seconds per wall second (default 1): every duration reported is wall × timeScale. */
      timeScale?: number;
    },
  ) {
    this.scale = opts.timeScale ?? 1;
  }

  /** A wall duration in corridor seconds. */
  private corridorSeconds(wall: number): number {
    return wall * this.scale;
  }

  /** A wall clock time on the corridor's clock (which started with the demo and runs `timeScale` times faster). */
  corridorTime(wall: number): number {
    return this.opts.startedAt + (wall - this.opts.startedAt) * this.scale;
  }

  private route(key: string) {
    let r = this.routes.get(key);
    if (!r) this.routes.set(key, (r = { sent: 0, settled: 0, refunded: 0, rejected: 0, seconds: [], costs: [] }));
    return r;
  }

  private keyOf(s: SentTransfer): string {
    return routeKey(s.from, s.input, s.to, s.output);
  }

  /** A currency's symbol ("$"), or its code: from the spec. */
  private symbol(c: Currency): string {
    return symbolOf(this.opts.spec, c);
  }

  private word(c: Currency): string {
    return this.opts.spec.currencies[c]?.word ?? c;
  }

  // ---------------------------------------------------------------- inputs

  addSend(sent: SentTransfer): void {
    const t: Tracked = { seq: ++this.seq, sent, outcome: "inFlight" };
    this.byHash.set(sent.hash, t);
    this.open.add(t);
    this.recent.unshift(t);
    if (this.recent.length > RECENT * 4) this.recent.length = RECENT * 4;
    this.counts.sent++;
    this.route(this.keyOf(sent)).sent++;
  }

  /** A send the chain refused (reverted) or that never reached it. */
  rejectSend(hash: Hex, reason: string): void {
    const t = this.byHash.get(hash);
    if (!t || t.outcome !== "inFlight") return;
    t.rejected = reason;
    t.outcome = "rejected";
    this.counts.rejected++;
    this.route(this.keyOf(t.sent)).rejected++;
    this.close(t);
  }

  /** A finished transfer leaves the indexes (the recent list keeps what the table shows). */
  private close(t: Tracked): void {
    this.open.delete(t);
    this.byHash.delete(t.sent.hash);
    if (t.id) this.byId.delete(t.id);
  }

  private finish(t: Tracked, out: TransferOut): void {
    this.finished.push(out);
    if (this.finished.length > MAX_FINISHED) this.finished.splice(0, this.finished.length - MAX_FINISHED);
    this.close(t);
  }

  /** The send's receipt: the transfer's message id. */
  sendMined(hash: Hex, id: Hex): void {
    const t = this.byHash.get(hash);
    if (!t) return;
    t.id = id;
    this.byId.set(id, t);
  }

  /** Transfers still open, with what the corridor should look up for each. */
  openTransfers(): { hash: Hex; id?: Hex }[] {
    return [...this.open].map((t) => ({ hash: t.sent.hash, id: t.id }));
  }

  /** The relayer's record of a transfer (read from its store). */
  update(record: TransferRecord, gas: (r: TransferRecord) => TransferGas | null): void {
    const t = this.byId.get(record.id);
    if (!t || t.outcome !== "inFlight") return;
    t.record = record;
    if (record.state === "settled") {
      t.outcome = "settled";
      t.gas = gas(record);
      this.counts.settled++;
      const seconds = this.corridorSeconds(record.stages.settled! - record.stages.initiated!);
      this.settledSeconds.push(seconds);
      if (this.settledSeconds.length > MAX_FINISHED) this.settledSeconds.shift();
      const c = costOf(record, t.gas);
      if (c) this.costs.push(c);
      if (this.costs.length > MAX_FINISHED) this.costs.shift();
      const route = this.route(this.keyOf(t.sent));
      route.settled++;
      route.seconds.push(seconds);
      if (route.seconds.length > MAX_FINISHED) route.seconds.shift();
      if (c) route.costs.push(c.all);
      if (route.costs.length > MAX_FINISHED) route.costs.shift();
      this.lastSettled = t;
      const currencies = this.opts.spec.currencies;
      const [midIn, midOut] = [currencies[record.inputCurrency]?.mid, currencies[record.outputCurrency]?.mid];
      if (record.mid !== undefined && record.inputCurrency !== record.outputCurrency && midIn !== undefined && midOut !== undefined) {
        const mid = fixed18ToRate(record.mid).toNumber();
        // The normal rate: output units per input unit at the spec's mids.
        const normal = midOut / midIn;
        if (Math.abs(mid / normal - 1) > 0.001) this.fxCounts.convertedOffMid++;
      }
      this.finish(t, transferOut(t, record, t.gas, this.scale));
    } else if (record.state === "refunded") {
      t.outcome = "refunded";
      t.gas = gas(record);
      this.counts.refunded++;
      this.route(this.keyOf(t.sent)).refunded++;
      if (record.refundReason === "belowMinimum") this.fxCounts.belowMinimumRefunds++;
      this.finish(t, transferOut(t, record, t.gas, this.scale));
    }
  }

  /** The operator's screening decision (every transfer passes here once, again after a restart). */
  screened(record: FeedTransfer, decision: { outcome: "allow" | "deny" | "hold"; reason?: string; hook?: string }, now: number): void {
    this.compliance.screened++;
    if (decision.outcome === "allow") {
      this.compliance.allowed++;
      return;
    }
    if (decision.outcome === "deny") this.compliance.denied++;
    else this.compliance.held++;
    this.pushFeed(record, decision.outcome, decision.reason ?? "UNKNOWN", decision.hook ?? null, now);
  }

  /** A compliance officer's decision on a held transfer. */
  reviewed(record: FeedTransfer, approved: boolean, held: { reason?: string; hook?: string }, now: number): void {
    this.compliance.reviewed++;
    this.pushFeed(record, approved ? "approved" : "denied", held.reason ?? "MANUAL_REVIEW", held.hook ?? null, now);
  }

  log(text: string, kind: LogEntry["kind"], now: number): void {
    this.logEntries.unshift({ at: now, text, kind });
    if (this.logEntries.length > LOG) this.logEntries.length = LOG;
  }

  /** A point of the timeline; `mids` per currency against the numeraire. */
  sample(now: number, values: { parked: number; mids: Record<Currency, number>; relayerUp: boolean }): void {
    const tl = this.timeline;
    tl.t.push(Math.round(this.corridorTime(now)));
    tl.inFlight.push(this.open.size);
    tl.parked.push(values.parked);
    for (const [c, v] of Object.entries(values.mids)) {
      // A currency first seen now: its earlier points at this value, so every series has one point per sample.
      const series = (tl.mids[c] ??= tl.t.slice(0, -1).map(() => v));
      series.push(v);
    }
    tl.relayerUp.push(values.relayerUp ? 1 : 0);
    if (tl.t.length > TIMELINE) {
      for (const k of ["t", "inFlight", "parked", "relayerUp"] as const) tl[k].shift();
      for (const series of Object.values(tl.mids)) series.shift();
    }
  }

  /** Every route of the spec that carried traffic, in the spec's order. */
  corridorViews(): CorridorView[] {
    const inFlight = new Map<string, number>();
    for (const t of this.open) {
      const k = this.keyOf(t.sent);
      inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
    }
    const order = new Map(this.opts.spec.routes.map((r, i) => [r.key, i]));
    return [...this.routes.entries()]
      .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b))
      .map(([key, r]) => {
        const [src = "", dst = ""] = key.split("->");
        const [from = "", input = ""] = src.split(":");
        const [to = "", output = ""] = dst.split(":");
        return {
          key,
          from,
          to,
          input,
          output,
          sent: r.sent,
          settled: r.settled,
          refunded: r.refunded,
          rejected: r.rejected,
          inFlight: inFlight.get(key) ?? 0,
          p50: distribution(r.seconds).p50 ?? null,
          meanCostPct: mean(r.costs),
        };
      });
  }

  // ---------------------------------------------------------------- outputs

  get inFlight(): number {
    return this.open.size;
  }

  /** Transfers the corridor finished, as results.json would show them (for the scorecard). */
  finishedTransfers(): readonly TransferOut[] {
    return this.finished;
  }

  snapshot(
    ctx: Omit<DashboardState, "counters" | "pipeline" | "recent" | "settlement" | "cost" | "compliance" | "g20" | "charts" | "log" | "startedAt" | "fx" | "corridor" | "corridors"> & {
      fx: Omit<DashboardState["fx"], "convertedOffMid" | "belowMinimumRefunds">;
    },
  ): DashboardState {
    const now = ctx.now;
    const views = this.recent.slice(0, RECENT).map((t) => this.view(t, now, ctx));
    const open = [...this.open];
    const pipeline = PIPELINE.map((label) => ({ label, count: 0 }));
    let held = 0;
    for (const t of open) {
      const at = pipelineStep(t);
      if (at === "Under review") held++;
      const p = pipeline.find((x) => x.label === at);
      if (p) p.count++;
    }
    const d = distribution(this.settledSeconds);
    const withFx = this.costs.filter((c) => c.fx !== null).map((c) => c.fx!);
    const withGas = this.costs.filter((c) => c.gas !== null);
    const state: Omit<DashboardState, "charts"> = {
      ...ctx,
      fx: { ...ctx.fx, ...this.fxCounts },
      corridor: corridorInfo(this.opts.spec),
      corridors: this.corridorViews(),
      startedAt: this.opts.startedAt,
      counters: { ...this.counts, inFlight: this.open.size, held },
      pipeline,
      recent: views,
      settlement: {
        count: d.count,
        mean: d.mean ?? null,
        p50: d.p50 ?? null,
        p95: d.p95 ?? null,
        max: d.max ?? null,
        last: this.lastSettled?.record ? this.corridorSeconds(this.lastSettled.record.stages.settled! - this.lastSettled.record.stages.initiated!) : null,
      },
      cost: {
        samples: this.costs.length,
        meanFeePct: mean(this.costs.map((c) => c.fee)),
        meanFxPct: mean(withFx),
        meanGasPct: mean(withGas.map((c) => c.gas!)),
        meanGasUsd: mean(withGas.filter((c) => c.gasUsd !== null).map((c) => c.gasUsd!)),
        meanAllInPct: mean(this.costs.map((c) => c.all)),
        latest: this.lastSettled ? this.view(this.lastSettled, now, ctx) : null,
      },
      compliance: { ...this.compliance, recent: this.feed.slice(0, FEED) },
      g20: this.g20(now),
      log: [...this.logEntries],
    };
    return { ...state, charts: dashboardCharts(state, this.settledSeconds, this.timeline) };
  }

  // ---------------------------------------------------------------- internals

  private pushFeed(record: FeedTransfer, outcome: ComplianceEntry["outcome"], reason: string, hook: string | null, now: number): void {
    const t = this.byId.get(record.id);
    const input = record.inputCurrency;
    this.feed.unshift({
      at: now,
      seq: t?.seq ?? null,
      id: record.id,
      direction: `${record.srcChain.toUpperCase()} → ${record.dstChain.toUpperCase()}`,
      amount: whole(record.message.amount),
      currency: input,
      outcome,
      reason,
      reasonText: reasonText(reason) ?? reason,
      hook,
    });
    if (this.feed.length > FEED * 4) this.feed.length = FEED * 4;
  }

  private g20(now: number): G20View | null {
    if (!this.opts.targets) return null;
    if (now - this.g20Cache.at < 2 && this.g20Cache.view) return this.g20Cache.view;
    const sc = g20Scorecard(this.finished, this.opts.targets);
    const view: G20View = {
      shareWithinOneHour: sc.speed.share,
      meanCostPct: sc.cost.meanPct,
      outcomes: sc.counts.outcomes,
      checks: sc.checks.map((c) => ({ segment: c.segmentLabel, measure: c.measure, target: c.target, actual: c.actual, unit: c.unit, threshold: c.threshold, met: c.met })),
      baselines: sc.baselines.map((b) => ({ name: b.name, text: b.text, source: b.source })),
      source: sc.source,
    };
    this.g20Cache = { at: now, view };
    return view;
  }

  private view(t: Tracked, now: number, ctx: { liquidity: LiquidityView[] }): TransferView {
    const s = t.sent;
    const r = t.record;
    const m = r?.message;
    const cost = r && t.outcome === "settled" ? costOf(r, t.gas ?? null) : null;
    let reason: string | null = null;
    if (t.outcome === "rejected") reason = "REJECTED";
    else if (r?.compliance && r.compliance.outcome !== "allow") reason = r.compliance.reason ?? null;
    if (reason === null && t.outcome === "refunded") reason = r?.refundReason ?? "other";
    const wall =
      r && t.outcome === "settled" ? r.stages.settled! - r.stages.initiated! : r && t.outcome === "refunded" && r.stages.refunded !== undefined ? r.stages.refunded - r.stages.initiated! : null;
    const seconds = wall === null ? null : this.corridorSeconds(wall);
    return {
      seq: t.seq,
      id: t.id ?? null,
      from: s.from,
      to: s.to,
      currencyIn: s.input,
      currencyOut: s.output,
      amountIn: whole(s.amount),
      amountOut: r?.amountOut !== undefined ? whole(r.amountOut) : null,
      tier: s.tier,
      sanctioned: s.sanctioned,
      outcome: t.outcome,
      steps: steps(t),
      status: status(t, ctx.liquidity, (c) => this.symbol(c), (c) => this.word(c)),
      reason,
      reasonText: t.outcome === "rejected" ? t.rejected ?? "the chain refused the payment" : reasonText(reason),
      seconds,
      age: Math.max(0, round(this.corridorSeconds(now - s.sentAt), 1)),
      feePct: m ? round(pct(m.fee, m.amount), 4) : null,
      fxPct: cost?.fx ?? null,
      gasPct: cost?.gas ?? null,
      gasUsd: cost?.gasUsd ?? null,
      costPct: cost?.all ?? null,
    };
  }
}

const PIPELINE = ["Sending", "Sent", "Confirmed", "Screened", "Under review", "Signed", "Waiting for liquidity", "Relaying", "Refunding"] as const;

function pct(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : (Number(part) / Number(whole)) * 100;
}

/** Fee, FX margin against the mid and gas of a settled transfer, % of the amount sent; the all-in figure the G20 scorecard uses. */
function costOf(r: TransferRecord, gas: TransferGas | null): { fee: number; fx: number | null; gas: number | null; gasUsd: number | null; all: number } | null {
  if (r.rate === undefined || r.mid === undefined) return null;
  const m = r.message;
  const mid = fixed18ToRate(r.mid);
  const fx = r.inputCurrency === r.outputCurrency ? null : fxCost(m.amount - m.fee, fixed18ToRate(r.rate), mid).bps.toNumber() / 100;
  const all = allInCost(m.amount, m.fee, r.rate, mid).bps.toNumber() / 100;
  return { fee: pct(m.fee, m.amount), fx, gas: gas?.pct ?? null, gasUsd: gas?.usd ?? null, all: all + (gas?.pct ?? 0) };
}

function pipelineStep(t: Tracked): (typeof PIPELINE)[number] {
  const r = t.record;
  if (!t.id) return "Sending";
  if (!r) return "Sent";
  switch (r.state) {
    case "initiated":
      return "Sent";
    case "confirmed":
      return "Confirmed";
    case "screened":
      return "Screened";
    case "held":
      return "Under review";
    case "attested":
      return r.lastError === "InsufficientLiquidity" ? "Waiting for liquidity" : "Signed";
    case "submitted":
      return "Relaying";
    case "refund_attested":
      return "Refunding";
    default:
      return "Relaying";
  }
}

/** How far along the settle path a record is: Sent 0, Confirmed 1, Screened 2 (also while held), Signed 4, Relayed 5, Paid 6. */
const RANK: Partial<Record<TransferRecord["state"], number>> = { initiated: 0, confirmed: 1, screened: 2, held: 2, attested: 4, submitted: 5, settled: 6 };

/** The track shown for a transfer: where it has been, where it is, and what went wrong. */
function steps(t: Tracked): Step[] {
  const r = t.record;
  if (t.outcome === "rejected") return [{ label: "Refused", done: true, bad: true }];
  const held = r !== undefined && (r.stages.held !== undefined || r.state === "held");
  if (r && (r.state === "refund_attested" || r.state === "refunded")) {
    const denied = r.compliance?.outcome === "deny" || r.compliance?.reviewed === "denied";
    const out: Step[] = [
      { label: "Sent", done: true },
      { label: "Confirmed", done: true },
      { label: denied && !held ? "Denied" : "Screened", done: true, bad: denied && !held },
    ];
    if (held) out.push({ label: denied ? "Denied" : "Reviewed", done: true, bad: denied });
    if (!denied) out.push({ label: "Not delivered", done: true, bad: true });
    out.push({ label: "Refunded", done: r.state === "refunded", bad: true, current: r.state === "refund_attested" });
    return out;
  }
  const rank = !t.id ? -1 : !r ? 0 : (RANK[r.state] ?? 0);
  const track: [string, number][] = [["Sent", 0], ["Confirmed", 1], ["Screened", 2], ...(held ? ([["Reviewed", 3]] as [string, number][]) : []), ["Signed", 4], ["Relayed", 5], ["Paid", 6]];
  let current = false;
  return track.map(([label, k]) => {
    const step: Step = { label, done: rank >= k };
    if (!step.done && !current && t.outcome === "inFlight") step.current = current = true;
    return step;
  });
}

function status(t: Tracked, liquidity: LiquidityView[], symbol: (c: Currency) => string, word: (c: Currency) => string): string {
  const r = t.record;
  const s = t.sent;
  if (t.outcome === "rejected") return "Refused at sending";
  if (t.outcome === "settled") return "Paid out";
  if (t.outcome === "refunded") return "Refunded in full";
  if (!t.id) return `Sending on the ${s.from.toUpperCase()} chain`;
  if (!r) return "Sent, waiting for the relayer";
  switch (r.state) {
    case "initiated":
      return "Sent, waiting for confirmation";
    case "confirmed":
      return "Confirmed, going to screening";
    case "screened":
      return "Screening";
    case "held":
      return "Held for compliance review";
    case "attested": {
      if (r.lastError === "InsufficientLiquidity") {
        const side = liquidity.find((l) => l.chain === s.to);
        return `Waiting for ${word(s.output)} liquidity${side ? ` (${symbol(s.output)}${Math.round(side.available).toLocaleString("en-US")} available)` : ""}`;
      }
      return "Signed by the operator";
    }
    case "submitted":
      return `Delivering on the ${s.to.toUpperCase()} chain`;
    case "refund_attested":
      return "Refund signed, returning funds";
    default:
      return r.state;
  }
}

/**
 * A finished transfer as results.json shows it (what the G20 scorecard reads), its durations in
 * corridor seconds (wall × `scale`) so that the one-hour check reads corridor time.
 */
function transferOut(t: Tracked, r: TransferRecord, gas: TransferGas | null | undefined, scale: number): TransferOut {
  const out = toTransferOut(r, t.seq, gas ?? null);
  if (scale === 1) return out;
  return {
    ...out,
    settlementSeconds: out.settlementSeconds === null ? null : out.settlementSeconds * scale,
    liquidityWaitSeconds: out.liquidityWaitSeconds === null ? null : out.liquidityWaitSeconds * scale,
  };
}

/** The corridor's chains and currencies as the page shows them (from the spec). */
export function corridorInfo(spec: CorridorSpec): CorridorInfo {
  return {
    numeraire: spec.numeraire,
    chains: Object.values(spec.chains).map((c) => ({ name: c.name, home: c.home, jurisdiction: c.jurisdiction, country: spec.jurisdictions[c.jurisdiction]?.country ?? "" })),
    currencies: Object.fromEntries(Object.values(spec.currencies).map((c) => [c.code, { symbol: c.symbol, word: c.word }])),
    tokens: [...spec.tokens],
  };
}
