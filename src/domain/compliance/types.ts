/**
 * The off-chain compliance pipeline's vocabulary: what a hook sees (ScreeningContext),
 * what it says (Decision) and what the pipeline records (AuditEntry).
 */
import type { Hex } from "viem";
import { fromBaseUnits, type Currency, type Decimal, type DecimalValue } from "../money.js";

/** A jurisdiction's id in the corridor spec (its `jurisdictions`; the presets are in src/spec/presets.ts). */
export type Jurisdiction = string;

/** Converts whole units from one currency to another at mid (e.g. converterAt(rates, now)). */
export type Converter = (amount: Decimal, from: Currency, to: Currency) => Decimal;

/** An amount in a currency, e.g. a travel-rule threshold. */
export interface Threshold {
  amount: DecimalValue;
  currency: Currency;
  /** The legal source, for the audit trail. */
  basis?: string;
}

/**
 * A jurisdiction's travel rule: at or above the threshold a transfer carries full originator and
 * beneficiary data (IVMS101); below it, nothing, unless `belowThreshold` asks for the names
 * (the UK: originator's and beneficiary's names whatever the amount).
 */
export interface TravelRuleLaw extends Threshold {
  belowThreshold?: { requires: "names"; basis?: string };
}

/** One side's jurisdiction as screening sees it: its id in the spec and its travel rule by law (null: none). */
export interface PartyJurisdiction {
  id: Jurisdiction;
  travelRule: TravelRuleLaw | null;
}

export interface ScreeningContext {
  /** The transfer (message) id. */
  transferId: string;
  sender: string;
  recipient: string;
  /** Base units of `currency` (6 decimals). */
  amount: bigint;
  currency: Currency;
  /** Source chain name (a chain of the corridor spec). */
  sourceChain: string;
  /** Destination chain name. */
  destinationChain: string;
  /**
   * The jurisdictions of both sides: the source chain's (the originator's VASP) and the
   * destination chain's (the beneficiary's VASP), each with its travel rule by law (from the spec).
   * Hooks apply each rule for both sides, the stricter where they differ, and say which decided.
   */
  jurisdictions: { source: PartyJurisdiction; destination: PartyJurisdiction };
  /** The corridor's numeraire: the default unit of limits and manual-review thresholds. */
  numeraire: Currency;
  /** Simulated seconds. */
  now: number;
  /** The IVMS101 payload carried off chain, if any. */
  travelRule?: unknown;
  /** The message's extraHash (on chain), to check against the travel-rule payload. */
  extraHash?: Hex;
  convert: Converter;
  /** Where each currency's reference mid comes from (a data set and its date), for the audit trail; optional. */
  rateSources?: Readonly<Record<Currency, string>>;
}

/** What a hook looked at, recorded in the audit trail (JSON-safe values: bigints as strings). */
export type AuditData = Record<string, unknown>;

/** A deny or hold may name the jurisdiction whose rule decided it (recorded with the decision). */
export type Decision =
  | { outcome: "allow"; data?: AuditData }
  | { outcome: "deny"; reason: string; jurisdiction?: Jurisdiction; details?: Record<string, unknown>; data?: AuditData }
  | { outcome: "hold"; reason: string; jurisdiction?: Jurisdiction; reviewSeconds?: number; details?: Record<string, unknown>; data?: AuditData };

export type Outcome = Decision["outcome"];

export interface ComplianceHook {
  readonly name: string;
  check(ctx: ScreeningContext): Decision | Promise<Decision>;
  /**
   * Optional: told the pipeline's final decision, once, for every hook that ran.
   * Stateful hooks (limits) commit usage here, so a transfer denied by a later hook is not counted.
   */
  observe?(ctx: ScreeningContext, final: Decision): void;
}

export interface AuditEntry {
  /** ctx.now when the hook ran. */
  time: number;
  transferId: string;
  hook: string;
  outcome: Outcome;
  reason?: string;
  data: AuditData;
}

/** Stable reason codes of the built-in hooks. */
export const Reason = {
  SanctionedSender: "SANCTIONED_SENDER",
  SanctionedRecipient: "SANCTIONED_RECIPIENT",
  TravelRuleMissing: "TRAVEL_RULE_MISSING",
  TravelRuleInvalid: "TRAVEL_RULE_INVALID",
  LimitPerTransfer: "LIMIT_PER_TRANSFER",
  LimitDaily: "LIMIT_DAILY",
  NotKyced: "NOT_KYCED",
  ManualReview: "MANUAL_REVIEW",
  HookFailed: "HOOK_FAILED",
} as const;

export const ALLOW: Decision = Object.freeze({ outcome: "allow" });

/** The transfer's amount in whole units of `currency`. */
export function amountIn(ctx: ScreeningContext, currency: Currency): Decimal {
  return ctx.convert(fromBaseUnits(ctx.amount), ctx.currency, currency);
}
