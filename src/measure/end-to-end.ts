/**
 * The end-to-end leg of the G20 scorecard, by the FSB's definitions: speed from the payer's
 * instruction at their bank to funds available in the payee's bank account, and the all-in cost of
 * that whole journey. A stablecoin payment between bank accounts has three legs:
 *
 *   on-ramp   the payer's bank pays the coin's issuer over a bank rail (which waits for the rail's
 *             operating hours: weekends and the holidays of its calendar), then the issuer mints;
 *   on-chain  the corridor itself, as the simulation measured it (initiated to settled);
 *   off-ramp  the payee redeems the coins; the issuer pays out over the payee's bank rail (again
 *             waiting for its hours).
 *
 * Each transfer's end-to-end time is computed deterministically from its seeded initiation time
 * (the run's simulated calendar date) and its measured on-chain time: ramps never change what
 * happened on the chains, they place it between two bank payments. The chains run around the
 * clock, so the on-chain leg is taken to start when the coins are minted and to last as long as it
 * did in the run (ASSUMPTION, stated in the report).
 *
 * Transparency (the FSB's third target): before sending, the payer is shown a quote: the total
 * cost (fee, FX margin against the mid, ramp fees) and the time by which the payee's bank is
 * credited, computed with the same model from what is known before sending (the rails' calendars,
 * the issuers' published times, the chains' expected confirmation times). Each outcome is compared
 * with its promise.
 *
 * Pure apart from loading data/bank-rails.json (rails' hours and holiday calendars, with sources).
 */
import { z } from "zod";
import { CHAIN_PROFILES, confirmationsFor } from "../chains/profiles.js";
import { isCalendarDate } from "../domain/clock.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { Decimal } from "../domain/money.js";
import { packagePath } from "../paths.js";
import { PRESET_RAMP_RAILS } from "../spec/presets.js";
import { readDataJson } from "../data/manifest.js";
import type { TransferOut } from "./transfer-out.js";

// ---------------------------------------------------------------- data/bank-rails.json

export const DEFAULT_BANK_RAILS_FILE = packagePath("data", "bank-rails.json");

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected a local time HH:MM" });
const date = z.string().refine(isCalendarDate, { message: "expected a calendar date YYYY-MM-DD" });

const RailSchema = z
  .object({
    name: z.string().min(1),
    timeZone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, { message: "expected an IANA time zone" }),
    calendar: z.string().min(1),
    alwaysOpen: z.boolean().optional(),
    open: hhmm.optional(),
    openDayOffset: z.union([z.literal(-1), z.literal(0)]).optional(),
    close: hhmm.optional(),
    source: z.string().min(1),
    asOf: date,
  })
  .strict()
  .refine((r) => r.alwaysOpen === true || (r.open !== undefined && r.close !== undefined), { message: "a rail is alwaysOpen or has open and close times" });

const CalendarSchema = z.object({ name: z.string().min(1), holidays: z.array(date), from: date, to: date, source: z.string().min(1), asOf: date }).strict();

export const BankRailsSchema = z
  .object({ note: z.string().optional(), rails: z.record(z.string(), RailSchema), calendars: z.record(z.string(), CalendarSchema) })
  .strict()
  .superRefine((d, ctx) => {
    for (const [name, r] of Object.entries(d.rails)) {
      if (!(r.calendar in d.calendars)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["rails", name, "calendar"], message: `no calendar "${r.calendar}" (known: ${Object.keys(d.calendars).join(", ")})` });
    }
  });
export type BankRails = z.infer<typeof BankRailsSchema>;
export type Rail = BankRails["rails"][string];

const railsCache = new Map<string, BankRails>();

/** Reads and validates a rails file (default: the shipped one); CORRIDOR_DATA_INVALID otherwise. */
export function loadBankRails(file: string = DEFAULT_BANK_RAILS_FILE): BankRails {
  const hit = railsCache.get(file);
  if (hit) return hit;
  const data = readDataJson(file, BankRailsSchema, { it: "bank rails", a: "a bank rails file" });
  railsCache.set(file, data);
  return data;
}

// ---------------------------------------------------------------- the scenario's `ramps` section

const MAX_RAMP_SECONDS = 7 * 86_400;
const legFields = {
  /** A rail of data/bank-rails.json (fedwire, chaps, t2, fednow, faster-payments). */
  rail: z.string().min(1).optional(),
  /** The issuer's fee, bps of the amount. */
  feeBps: z.number().min(0).max(10_000).optional(),
  /** A fixed fee per payment in whole units of the currency (the banks' charges for the rail payment, say). */
  fixedFee: z.number().min(0).max(1_000_000).optional(),
};
export const RampsSchema = z
  .record(
    z.string().regex(/^[A-Z]{3}$/, { message: "expected a currency code of three capital letters" }),
    z
      .object({
        onRamp: z.object({ ...legFields, /** Seconds from the fiat landing at the issuer to the coins minted. */ mintSeconds: z.number().min(0).max(MAX_RAMP_SECONDS).optional() }).strict().optional(),
        offRamp: z.object({ ...legFields, /** Seconds from the redemption request to the issuer's payout being sent on the rail (when it is open). */ redeemSeconds: z.number().min(0).max(MAX_RAMP_SECONDS).optional() }).strict().optional(),
      })
      .strict(),
  )
  .default({});
export type RampsInput = z.infer<typeof RampsSchema>;

/**
 * Defaults for any currency whose ramp the scenario does not give (every one printed in the report
 * as an assumption, beside what the scenario gave).
 */
export const RAMP_DEFAULTS = {
  mintSeconds: 600,
  redeemSeconds: 3600,
  feeBps: 0,
  fixedFee: 0,
  basis: [
    "issuer mint 10 minutes after the fiat lands (ASSUMPTION; Bridge, 'Processing windows & cutoff times': crypto is typically sent within minutes of fiat landing)",
    "issuer redemption: the payout sent on the payee's rail 60 minutes after the request, at the rail's next opening if it is closed (ASSUMPTION; Bridge: a domestic wire payout arrives about an hour after sending)",
    "issuer fees 0 (Circle Mint mints and redeems 1:1 on a free account) and no bank charges for the two rail payments (ASSUMPTION: the payer's and payee's banks' own wire charges are not modelled; give ramps.<currency>.*.fixedFee to add them)",
  ],
} as const;

/** The moment the corridor quotes a delivery time to: expected times are rounded up to it (ASSUMPTION: quotes in 5-minute steps). */
export const QUOTE_STEP_SECONDS = 300;
/** Cost tolerance of the promise, percentage points (the rounding of amounts to base units). */
export const QUOTE_COST_TOLERANCE_PCT = 0.01;

export interface RampLeg {
  rail: string;
  railName: string;
  seconds: number;
  feeBps: number;
  fixedFee: number;
  /** Fields the scenario gave; the rest are defaults. */
  given: string[];
}
export interface Ramp {
  currency: string;
  onRamp: RampLeg;
  offRamp: RampLeg;
}

/** The issues of a scenario's `ramps` against its currencies and the shipped rails (for the scenario's superRefine). */
export function rampIssues(ramps: RampsInput, currencies: readonly string[], rails: BankRails = loadBankRails()): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const [cur, r] of Object.entries(ramps)) {
    if (!currencies.includes(cur)) out.push({ path: ["ramps", cur], message: `${cur} is not a currency of this corridor (${currencies.join(", ")})` });
    for (const leg of ["onRamp", "offRamp"] as const) {
      const rail = r[leg]?.rail;
      if (rail !== undefined && !(rail in rails.rails)) out.push({ path: ["ramps", cur, leg, "rail"], message: `unknown rail "${rail}"; expected one of ${Object.keys(rails.rails).join(", ")}` });
    }
    if (!(cur in PRESET_RAMP_RAILS) && (r.onRamp?.rail === undefined || r.offRamp?.rail === undefined)) {
      out.push({ path: ["ramps", cur], message: `no preset rails for ${cur}: give onRamp.rail and offRamp.rail` });
    }
  }
  return out;
}

/** Each currency's ramps: the scenario's, else the preset rails with RAMP_DEFAULTS; currencies without rails are left out. */
export function resolveRamps(ramps: RampsInput | undefined, currencies: readonly string[], rails: BankRails = loadBankRails()): Ramp[] {
  const out: Ramp[] = [];
  for (const cur of currencies) {
    const given = ramps?.[cur];
    const preset = PRESET_RAMP_RAILS[cur];
    const leg = (kind: "onRamp" | "offRamp"): RampLeg | undefined => {
      const g = (given?.[kind] ?? {}) as Record<string, unknown>;
      const rail = (g.rail as string | undefined) ?? preset?.[kind];
      if (rail === undefined || !(rail in rails.rails)) return undefined;
      const secondsKey = kind === "onRamp" ? "mintSeconds" : "redeemSeconds";
      return {
        rail,
        railName: rails.rails[rail]!.name,
        seconds: (g[secondsKey] as number | undefined) ?? RAMP_DEFAULTS[secondsKey],
        feeBps: (g.feeBps as number | undefined) ?? RAMP_DEFAULTS.feeBps,
        fixedFee: (g.fixedFee as number | undefined) ?? RAMP_DEFAULTS.fixedFee,
        given: Object.keys(g).sort(),
      };
    };
    const on = leg("onRamp");
    const off = leg("offRamp");
    if (on && off) out.push({ currency: cur, onRamp: on, offRamp: off });
  }
  return out;
}

// ---------------------------------------------------------------- calendars and time zones

const DAY = 86_400;
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formatters.set(tz, f);
  }
  return f;
}
/** Local wall-clock fields of unix time `t` in `tz`. */
function local(t: number, tz: string): { y: number; m: number; d: number; H: number; M: number; S: number } {
  const p: Record<string, number> = {};
  for (const x of formatter(tz).formatToParts(new Date(t * 1000))) if (x.type !== "literal") p[x.type] = Number(x.value);
  return { y: p.year!, m: p.month!, d: p.day!, H: p.hour! % 24, M: p.minute!, S: p.second! };
}
/** The zone's offset from UTC at `t`, seconds, cached per UTC hour (these zones change offset on the hour). */
const offsets = new Map<string, Map<number, number>>();
function offsetAt(t: number, tz: string): number {
  const hour = Math.floor(t / 3600);
  let zone = offsets.get(tz);
  if (!zone) offsets.set(tz, (zone = new Map()));
  let o = zone.get(hour);
  if (o === undefined) {
    const l = local(hour * 3600, tz);
    o = Date.UTC(l.y, l.m - 1, l.d, l.H, l.M, l.S) / 1000 - hour * 3600;
    if (zone.size > 100_000) zone.clear();
    zone.set(hour, o);
  }
  return o;
}
/** Local date of `t` in `tz`, as whole days since 1970-01-01. */
export const localDay = (t: number, tz: string): number => Math.floor((t + offsetAt(t, tz)) / DAY);
/** Unix time of local day `day` at `seconds` after local midnight in `tz` (DST resolved by the zone's offset then). */
export function utcOfLocal(day: number, seconds: number, tz: string): number {
  const naive = day * DAY + seconds;
  let t = naive - offsetAt(naive, tz);
  const again = naive - offsetAt(t, tz);
  if (again !== t) t = again;
  return t;
}
const isoDay = (day: number) => new Date(day * DAY * 1000).toISOString().slice(0, 10);
const hm = (s: string) => Number(s.slice(0, 2)) * 3600 + Number(s.slice(3, 5)) * 60;

/** Business days of one holiday calendar: Monday to Friday, not a holiday; notes days it does not cover. */
export class BusinessCalendar {
  private readonly holidays: Set<string>;
  /** Days asked about outside the calendar's years (their holidays are unknown: weekends only). */
  readonly uncovered = new Set<string>();
  constructor(readonly name: string, private readonly cal: BankRails["calendars"][string]) {
    this.holidays = new Set(cal.holidays);
  }
  private readonly known = new Map<number, boolean>();
  isBusinessDay(day: number): boolean {
    let b = this.known.get(day);
    if (b === undefined) {
      b = this.compute(day);
      this.known.set(day, b);
    }
    return b;
  }
  private compute(day: number): boolean {
    const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
    if (weekday === 0 || weekday === 6) return false;
    const iso = isoDay(day);
    if (iso < this.cal.from || iso > this.cal.to) this.uncovered.add(iso);
    return !this.holidays.has(iso);
  }
  nextBusinessDay(day: number): number {
    let d = day + 1;
    while (!this.isBusinessDay(d)) d++;
    return d;
  }
}

/** The rails and calendars of one scoring, with the uncovered days they met. */
export class RailClock {
  private readonly calendars = new Map<string, BusinessCalendar>();
  constructor(readonly data: BankRails) {}
  calendar(name: string): BusinessCalendar {
    let c = this.calendars.get(name);
    if (!c) {
      c = new BusinessCalendar(name, this.data.calendars[name]!);
      this.calendars.set(name, c);
    }
    return c;
  }
  rail(name: string): Rail {
    const r = this.data.rails[name];
    if (!r) throw new CorridorError(ErrorCode.InvalidConfig, `unknown rail "${name}"`, { rail: name });
    return r;
  }
  /** The earliest time at or after `t` the rail accepts a customer payment. */
  nextOpen(railName: string, t: number): number {
    const r = this.rail(railName);
    if (r.alwaysOpen) return t;
    const cal = this.calendar(r.calendar);
    const day0 = localDay(t, r.timeZone);
    for (let d = day0 - 1; d <= day0 + 30; d++) {
      if (!cal.isBusinessDay(d)) continue;
      const start = utcOfLocal(d + (r.openDayOffset ?? 0), hm(r.open!), r.timeZone);
      const end = utcOfLocal(d, hm(r.close!), r.timeZone);
      if (t < end) return Math.max(t, start);
    }
    throw new CorridorError(ErrorCode.InvalidConfig, `rail ${railName} has no opening within 30 days of ${new Date(t * 1000).toISOString()}`, { rail: railName });
  }
  /**
   * "Within one business day" of `t` in a rail's calendar and time zone: the same local time on the
   * next business day (from the start of the next business day when `t` falls on a weekend or holiday).
   */
  oneBusinessDayAfter(railName: string, t: number): number {
    const r = this.rail(railName);
    const cal = this.calendar(r.calendar);
    let day = localDay(t, r.timeZone);
    let start = t;
    if (!cal.isBusinessDay(day)) {
      day = cal.nextBusinessDay(day);
      start = utcOfLocal(day, 0, r.timeZone);
    }
    const sinceMidnight = start - utcOfLocal(day, 0, r.timeZone);
    return utcOfLocal(cal.nextBusinessDay(day), sinceMidnight, r.timeZone);
  }
  uncoveredDays(): string[] {
    return [...new Set([...this.calendars.values()].flatMap((c) => [...c.uncovered]))].sort();
  }
}

// ---------------------------------------------------------------- the basis of one scoring

/** What the end-to-end scoring reads of a scenario. */
export interface EndToEndScenario {
  chains: Readonly<Record<string, { profile: string }>>;
  operator: { screeningSeconds: number; attestationSeconds: number };
  fx: { spreadBps: Record<string, number> };
  spec: { numeraire: string; currencies: Readonly<Record<string, { mid: number | string }>> };
  ramps?: RampsInput | undefined;
}

export interface EndToEndBasis {
  ramps: Ramp[];
  rails: BankRails;
  /** The on-chain time the corridor quotes for a transfer before it is sent, seconds. */
  expectedOnChainSeconds: (t: Pick<TransferOut, "srcChain" | "dstChain" | "tier">) => number;
  /** The FX margin quoted for a direction, bps. */
  spreadBps: (input: string, output: string) => number;
  /** How the expected on-chain time is computed, in words. */
  expectedBasis: string;
  /** Each currency's mid in the spec, units per numeraire unit (to size reference payouts). */
  mids: Record<string, number>;
}

/** The end-to-end basis of a scenario (results.json's `scenario` will do): its ramps resolved, the shipped rails. */
export function endToEndBasis(s: EndToEndScenario, rails: BankRails = loadBankRails()): EndToEndBasis {
  const profile = (chain: string) => CHAIN_PROFILES[s.chains[chain]?.profile ?? ""] ?? CHAIN_PROFILES.local!;
  return {
    ramps: resolveRamps(s.ramps, Object.keys(s.spec.currencies), rails),
    rails,
    expectedOnChainSeconds: (t) => {
      const src = profile(t.srcChain);
      const dst = profile(t.dstChain);
      const tier = t.tier === "fast" ? "fast" : "standard";
      return confirmationsFor(src, tier) * src.blockTimeSeconds + s.operator.screeningSeconds + s.operator.attestationSeconds + dst.blockTimeSeconds;
    },
    spreadBps: (input, output) => (input === output ? 0 : (s.fx.spreadBps[`${input}->${output}`] ?? s.fx.spreadBps.default ?? 0)),
    mids: Object.fromEntries(Object.entries(s.spec.currencies).map(([c, v]) => [c, c === s.spec.numeraire ? 1 : Number(v.mid)])),
    expectedBasis: `the source chain's confirmations for the tier times its block time, plus the operator's screening (${s.operator.screeningSeconds} s) and attestation (${s.operator.attestationSeconds} s) and one destination block, rounded up to ${QUOTE_STEP_SECONDS / 60} minutes`,
  };
}

// ---------------------------------------------------------------- one transfer end to end

export interface TransferEndToEnd {
  corridor: string;
  /** Settled: the payee's bank credited; refunded: never delivered. */
  delivered: boolean;
  initiated: number;
  onRampSeconds: number;
  onChainSeconds: number | null;
  offRampSeconds: number | null;
  totalSeconds: number | null;
  /** The payee's bank credited within one hour of the instruction / within one business day (payee's calendar). */
  withinOneHour: boolean;
  withinOneBusinessDay: boolean;
  /** All-in cost (fee, FX margin, gas when known) with the ramps' fees, % of the amount sent (settled transfers with a cost). */
  costPct: number | null;
  promise: { deliveredBy: number; seconds: number; costPct: number };
  /** Delivered by the promised time / at no more than the promised cost (null when not delivered). */
  onTime: boolean | null;
  atCost: boolean | null;
}

/** Time of the three legs from `t0` with an on-chain leg of `onChain` seconds: [minted, on chain done, payee credited]. */
function legs(clock: RailClock, ramp: { on: RampLeg; off: RampLeg }, t0: number, onChain: number): [number, number, number] {
  const minted = clock.nextOpen(ramp.on.rail, t0) + ramp.on.seconds;
  const arrived = minted + onChain;
  const credited = clock.nextOpen(ramp.off.rail, arrived + ramp.off.seconds);
  return [minted, arrived, credited];
}

const rampFeePct = (leg: RampLeg, amount: Decimal): Decimal =>
  new Decimal(leg.feeBps).div(100).plus(amount.gt(0) ? new Decimal(String(leg.fixedFee)).div(amount).times(100) : new Decimal(0));

/** One transfer end to end; undefined when its currencies have no ramps or it has no outcome. */
export function transferEndToEnd(t: TransferOut, basis: EndToEndBasis, clock: RailClock, corridor: string, allInPct: number | null): TransferEndToEnd | undefined {
  if (t.state !== "settled" && t.state !== "refunded") return undefined;
  const on = basis.ramps.find((r) => r.currency === t.inputToken.currency)?.onRamp;
  const off = basis.ramps.find((r) => r.currency === t.outputToken.currency)?.offRamp;
  const t0 = t.stages.initiated;
  if (!on || !off || t0 === undefined) return undefined;
  const amountIn = new Decimal(t.amountIn);
  const amountOut = t.amountOut === null ? null : new Decimal(t.amountOut);
  // Ramp fees on the way in (amount sent) and out (amount paid out, or what the quote said it would be).
  const quotedOut = amountIn.minus(t.fee).times(t.rate ?? 1);
  const onFee = rampFeePct(on, amountIn);
  const offFee = rampFeePct(off, amountOut ?? quotedOut);

  const expected = Math.ceil(basis.expectedOnChainSeconds(t) / QUOTE_STEP_SECONDS) * QUOTE_STEP_SECONDS;
  const [, , promisedAt] = legs(clock, { on, off }, t0, expected);
  const promisedCost = new Decimal(t.feePct).plus(new Decimal(basis.spreadBps(t.inputToken.currency, t.outputToken.currency)).div(100)).plus(onFee).plus(offFee);
  const promise = { deliveredBy: promisedAt, seconds: promisedAt - t0, costPct: promisedCost.toNumber() };

  const oneDay = clock.oneBusinessDayAfter(off.rail, t0);
  const minted = clock.nextOpen(on.rail, t0) + on.seconds;
  if (t.state !== "settled" || t.settlementSeconds === null) {
    return { corridor, delivered: false, initiated: t0, onRampSeconds: minted - t0, onChainSeconds: null, offRampSeconds: null, totalSeconds: null, withinOneHour: false, withinOneBusinessDay: false, costPct: null, promise, onTime: null, atCost: null };
  }
  const [, arrived, credited] = legs(clock, { on, off }, t0, t.settlementSeconds);
  const total = credited - t0;
  // All-in (gas included, as the on-chain scorecard) for the targets; fee and FX margin for the promise, which quoted them.
  const cost = allInPct === null ? null : new Decimal(allInPct).plus(onFee).plus(offFee);
  const quotedPart = t.cost ? new Decimal(t.cost.pct).plus(onFee).plus(offFee) : null;
  return {
    corridor,
    delivered: true,
    initiated: t0,
    onRampSeconds: minted - t0,
    onChainSeconds: t.settlementSeconds,
    offRampSeconds: credited - arrived,
    totalSeconds: total,
    withinOneHour: total <= 3600,
    withinOneBusinessDay: credited <= oneDay,
    costPct: cost ? cost.toNumber() : null,
    promise,
    onTime: credited <= promisedAt,
    atCost: quotedPart ? quotedPart.lte(promisedCost.plus(QUOTE_COST_TOLERANCE_PCT)) : null,
  };
}

/** The added cost of the ramps for a reference payment of `amountIn` (input currency) paying out about `amountOut`, in %. */
export function rampCostPct(basis: EndToEndBasis, input: string, output: string, amountIn: Decimal, amountOut: Decimal): number | null {
  const on = basis.ramps.find((r) => r.currency === input)?.onRamp;
  const off = basis.ramps.find((r) => r.currency === output)?.offRamp;
  if (!on || !off) return null;
  return rampFeePct(on, amountIn).plus(rampFeePct(off, amountOut)).toNumber();
}
