import { Decimal, type Currency, type DecimalValue } from "../../money.js";
import type { ComplianceHook } from "../types.js";
import { ALLOW, Reason, amountIn } from "../types.js";

export const DEFAULT_REVIEW_SECONDS = 15 * 60;
export const DEFAULT_REVIEW_ABOVE = 10_000;

export interface ManualReviewHookOptions {
  /** Hold transfers worth more than this many units of `currency` (at the context's conversion); default 10,000. */
  above?: DecimalValue;
  /** The unit of `above`; default the context's numeraire. */
  currency?: Currency;
  /** Modelled time a reviewer takes; default 15 minutes. */
  reviewSeconds?: number;
  name?: string;
}

/** Holds (MANUAL_REVIEW) a transfer worth more than an amount (in the numeraire by default), for a modelled review time. */
export function manualReviewHook(options: ManualReviewHookOptions = {}): ComplianceHook {
  const above = new Decimal(options.above ?? DEFAULT_REVIEW_ABOVE);
  const reviewSeconds = options.reviewSeconds ?? DEFAULT_REVIEW_SECONDS;
  return {
    name: options.name ?? "manualReview",
    check(ctx) {
      const currency = options.currency ?? ctx.numeraire;
      const value = amountIn(ctx, currency);
      const data = { amount: value.toFixed(2), currency, above: above.toString() };
      if (value.gt(above)) return { outcome: "hold", reason: Reason.ManualReview, reviewSeconds, data };
      return { ...ALLOW, data };
    },
  };
}
