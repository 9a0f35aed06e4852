/**
 * Travel rule: at or above a threshold set by the source's jurisdiction, a transfer must carry
 * originator and beneficiary data (IVMS101). The threshold is the context's
 * `travelRuleThreshold` (the jurisdiction's legal figure, from the corridor spec: the presets and
 * their legal sources are in src/spec/presets.ts, PRESET_JURISDICTIONS), unless the hook's
 * `thresholds` option gives one for that jurisdiction. A threshold in another currency than the
 * transfer's is compared at the context's conversion (the corridor's mids).
 */
import { Decimal, fromBaseUnits } from "../../money.js";
import { travelRuleHash, validateTravelRule } from "../ivms.js";
import type { ComplianceHook, Decision, Jurisdiction, ScreeningContext, Threshold } from "../types.js";
import { ALLOW, Reason, amountIn } from "../types.js";

export interface TravelRuleHookOptions {
  /**
   * Per jurisdiction id, a threshold overriding the context's legal one; null: no travel-rule
   * requirement there. A jurisdiction left out uses ctx.travelRuleThreshold.
   */
  thresholds?: Record<Jurisdiction, Threshold | null>;
  /** When the data is missing: hold (waiting for it) or deny; default hold. */
  onMissing?: "hold" | "deny";
  /** When the data is invalid or does not match the transfer: default deny. */
  onInvalid?: "hold" | "deny";
  /** Modelled wait for a hold; default 1 hour. */
  reviewSeconds?: number;
  name?: string;
}

export function travelRuleHook(options: TravelRuleHookOptions = {}): ComplianceHook {
  const overrides = options.thresholds ?? {};
  const onMissing = options.onMissing ?? "hold";
  const onInvalid = options.onInvalid ?? "deny";
  const reviewSeconds = options.reviewSeconds ?? 3600;

  function thresholdFor(ctx: ScreeningContext): Threshold | null {
    return Object.hasOwn(overrides, ctx.jurisdiction) ? (overrides[ctx.jurisdiction] ?? null) : ctx.travelRuleThreshold;
  }

  function fail(how: "hold" | "deny", reason: string, details: Record<string, unknown>, data: Record<string, unknown>): Decision {
    return how === "hold" ? { outcome: "hold", reason, reviewSeconds, details, data } : { outcome: "deny", reason, details, data };
  }

  return {
    name: options.name ?? "travelRule",
    check(ctx) {
      const threshold = thresholdFor(ctx);
      if (threshold === null) return { ...ALLOW, data: { jurisdiction: ctx.jurisdiction, required: false } };
      const value = amountIn(ctx, threshold.currency);
      const limit = new Decimal(threshold.amount);
      const data: Record<string, unknown> = {
        jurisdiction: ctx.jurisdiction,
        amount: fromBaseUnits(ctx.amount).toString(),
        currency: ctx.currency,
        valueInThresholdCurrency: value.toFixed(2),
        threshold: `${limit.toString()} ${threshold.currency}`,
        ...(threshold.basis === undefined ? {} : { basis: threshold.basis }),
        required: value.gte(limit),
      };
      if (value.lt(limit)) return { ...ALLOW, data };
      if (ctx.travelRule === undefined) return fail(onMissing, Reason.TravelRuleMissing, {}, data);
      const validation = validateTravelRule(ctx.travelRule, { sender: ctx.sender, recipient: ctx.recipient });
      if (!validation.ok) return fail(onInvalid, Reason.TravelRuleInvalid, { problems: validation.problems }, data);
      const hash = travelRuleHash(ctx.travelRule); // the payload as sent: the schema strips unknown keys
      if (ctx.extraHash !== undefined && ctx.extraHash.toLowerCase() !== hash) {
        return fail(onInvalid, Reason.TravelRuleInvalid, { problems: ["extraHash does not match the payload"], expected: hash, actual: ctx.extraHash }, data);
      }
      return { ...ALLOW, data: { ...data, hash } };
    },
  };
}
