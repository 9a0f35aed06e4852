/**
 * The off-chain compliance pipeline's vocabulary: what a hook sees (ScreeningContext),
 * what it says (Decision) and what the pipeline records (AuditEntry).
 */
import type { Hex } from "viem";
import { fromBaseUnits, type Currency, type Decimal, type FiatCurrency } from "../money.js";

export type Jurisdiction = "US" | "UK";

/** Converts whole units between USD, GBP and EUR (for thresholds), e.g. from makeConverter. */
export type Converter = (amount: Decimal, from: FiatCurrency, to: FiatCurrency) => Decimal;

export interface ScreeningContext {
  /** The transfer (message) id. */
  transferId: string;
  sender: string;
  recipient: string;
  /** Base units of `currency` (6 decimals). */
  amount: bigint;
  currency: Currency;
  /** Source chain name, e.g. "us". */
  sourceChain: string;
  /** Jurisdiction of the source (the originator's VASP). */
  jurisdiction: Jurisdiction;
  /** Simulated seconds. */
  now: number;
  /** The IVMS101 payload carried off chain, if any. */
  travelRule?: unknown;
  /** The message's extraHash (on chain), to check against the travel-rule payload. */
  extraHash?: Hex;
  convert: Converter;
}

/** What a hook looked at, recorded in the audit trail (JSON-safe values: bigints as strings). */
export type AuditData = Record<string, unknown>;

export type Decision =
  | { outcome: "allow"; data?: AuditData }
  | { outcome: "deny"; reason: string; details?: Record<string, unknown>; data?: AuditData }
  | { outcome: "hold"; reason: string; reviewSeconds?: number; details?: Record<string, unknown>; data?: AuditData };

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
export function amountIn(ctx: ScreeningContext, currency: FiatCurrency): Decimal {
  return ctx.convert(fromBaseUnits(ctx.amount), ctx.currency, currency);
}
