import { Decimal, type DecimalValue } from "../../money.js";
import type { ComplianceHook } from "../types.js";
import { ALLOW, Reason, amountIn } from "../types.js";

export const DEFAULT_REVIEW_SECONDS = 15 * 60;

export interface ManualReviewHookOptions {
  /** Hold transfers worth more than this many USD (at the context's conversion); default 10,000. */
  aboveUsd?: DecimalValue;
  /** Modelled time a reviewer takes; default 15 minutes. */
  reviewSeconds?: number;
  name?: string;
}

/** Holds (MANUAL_REVIEW) a transfer above a USD-equivalent amount, for a modelled review time. */
export function manualReviewHook(options: ManualReviewHookOptions = {}): ComplianceHook {
  const above = new Decimal(options.aboveUsd ?? 10_000);
  const reviewSeconds = options.reviewSeconds ?? DEFAULT_REVIEW_SECONDS;
  return {
    name: options.name ?? "manualReview",
    check(ctx) {
      const usd = amountIn(ctx, "USD");
      const data = { amountUsd: usd.toFixed(2), aboveUsd: above.toString() };
      if (usd.gt(above)) return { outcome: "hold", reason: Reason.ManualReview, reviewSeconds, data };
      return { ...ALLOW, data };
    },
  };
}
