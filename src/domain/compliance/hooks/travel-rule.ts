/**
 * Travel rule: at or above a threshold per jurisdiction, a transfer must carry originator and
 * beneficiary data (IVMS101). Defaults: US USD 3,000 (FinCEN 31 CFR 1010.410(f)); UK EUR 1,000
 * (MLR 2017 reg. 64I, Wire Transfer Regulation), with EUR from the context's converter or a fixed
 * `eurPerUsd` (an assumption; see convert.ts).
 */
import { Decimal, fromBaseUnits, type DecimalValue, type FiatCurrency } from "../../money.js";
import { travelRuleHash, validateTravelRule } from "../ivms.js";
import type { ComplianceHook, Decision, Jurisdiction, ScreeningContext } from "../types.js";
import { ALLOW, Reason, amountIn } from "../types.js";

export interface Threshold {
  amount: DecimalValue;
  currency: FiatCurrency;
}

export const DEFAULT_TRAVEL_RULE_THRESHOLDS: Record<Jurisdiction, Threshold> = {
  US: { amount: 3000, currency: "USD" },
  UK: { amount: 1000, currency: "EUR" },
};

export interface TravelRuleHookOptions {
  /** Per jurisdiction; a jurisdiction left out has no travel-rule requirement. Default both above. */
  thresholds?: Partial<Record<Jurisdiction, Threshold>>;
  /** When the data is missing: hold (waiting for it) or deny; default hold. */
  onMissing?: "hold" | "deny";
  /** When the data is invalid or does not match the transfer: default deny. */
  onInvalid?: "hold" | "deny";
  /** Modelled wait for a hold; default 1 hour. */
  reviewSeconds?: number;
  /** Fixed EUR per USD for EUR thresholds, overriding the context's converter. */
  eurPerUsd?: DecimalValue;
  name?: string;
}

export function travelRuleHook(options: TravelRuleHookOptions = {}): ComplianceHook {
  const thresholds = options.thresholds ?? DEFAULT_TRAVEL_RULE_THRESHOLDS;
  const onMissing = options.onMissing ?? "hold";
  const onInvalid = options.onInvalid ?? "deny";
  const reviewSeconds = options.reviewSeconds ?? 3600;
  const eurPerUsd = options.eurPerUsd === undefined ? undefined : new Decimal(options.eurPerUsd);

  function valueIn(ctx: ScreeningContext, currency: FiatCurrency): Decimal {
    if (currency === "EUR" && eurPerUsd !== undefined) return amountIn(ctx, "USD").times(eurPerUsd);
    return amountIn(ctx, currency);
  }

  function fail(how: "hold" | "deny", reason: string, details: Record<string, unknown>, data: Record<string, unknown>): Decision {
    return how === "hold" ? { outcome: "hold", reason, reviewSeconds, details, data } : { outcome: "deny", reason, details, data };
  }

  return {
    name: options.name ?? "travelRule",
    check(ctx) {
      const threshold = thresholds[ctx.jurisdiction];
      if (threshold === undefined) return { ...ALLOW, data: { jurisdiction: ctx.jurisdiction, required: false } };
      const value = valueIn(ctx, threshold.currency);
      const limit = new Decimal(threshold.amount);
      const data: Record<string, unknown> = {
        jurisdiction: ctx.jurisdiction,
        amount: fromBaseUnits(ctx.amount).toString(),
        currency: ctx.currency,
        valueInThresholdCurrency: value.toFixed(2),
        threshold: `${limit.toString()} ${threshold.currency}`,
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
