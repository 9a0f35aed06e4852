/**
 * Travel rule, applied for both sides: the source jurisdiction's (the originator's VASP) and the
 * destination jurisdiction's (the beneficiary's VASP) rules by law, from the context (the corridor
 * spec: the presets and their legal sources are in src/spec/presets.ts, PRESET_JURISDICTIONS), unless
 * the hook's `thresholds` option replaces a jurisdiction's rule. Each rule asks, for the transfer's
 * value in its threshold's currency (converted at the context's rates, the corridor's mids):
 *   - at or above its threshold: full originator and beneficiary data (valid IVMS101);
 *   - below it: the originator's and beneficiary's names, where the rule says so (the UK), else nothing.
 * The stricter of the two sides' requirements applies (full, then names, then none; the source's on a
 * tie), and the decision names the jurisdiction whose rule decided.
 */
import { Decimal, fromBaseUnits } from "../../money.js";
import { travelRuleHash, validateTravelRule, validateTravelRuleNames } from "../ivms.js";
import type { ComplianceHook, Decision, Jurisdiction, PartyJurisdiction, ScreeningContext, TravelRuleLaw } from "../types.js";
import { ALLOW, Reason, amountIn } from "../types.js";

export interface TravelRuleHookOptions {
  /**
   * Per jurisdiction id, a rule replacing the context's legal one; null: no travel-rule requirement
   * there. A jurisdiction left out uses its rule from the context.
   */
  thresholds?: Record<Jurisdiction, TravelRuleLaw | null>;
  /** When the data is missing: hold (waiting for it) or deny; default hold. */
  onMissing?: "hold" | "deny";
  /** When the data is invalid or does not match the transfer: default deny. */
  onInvalid?: "hold" | "deny";
  /** Modelled wait for a hold; default 1 hour. */
  reviewSeconds?: number;
  name?: string;
}

/** What one side's rule asks of a transfer, strictest last. */
const LEVELS = ["none", "names", "full"] as const;
type Level = (typeof LEVELS)[number];

interface SideRequirement {
  jurisdiction: Jurisdiction;
  side: "source" | "destination";
  level: Level;
  /** For the audit trail: the threshold, the value compared with it, the basis. */
  data: Record<string, unknown>;
}

export function travelRuleHook(options: TravelRuleHookOptions = {}): ComplianceHook {
  const overrides = options.thresholds ?? {};
  const onMissing = options.onMissing ?? "hold";
  const onInvalid = options.onInvalid ?? "deny";
  const reviewSeconds = options.reviewSeconds ?? 3600;

  function requirement(ctx: ScreeningContext, party: PartyJurisdiction, side: SideRequirement["side"]): SideRequirement {
    const law = Object.hasOwn(overrides, party.id) ? (overrides[party.id] ?? null) : party.travelRule;
    if (law === null) return { jurisdiction: party.id, side, level: "none", data: { jurisdiction: party.id, side, required: "none" } };
    const value = amountIn(ctx, law.currency);
    const limit = new Decimal(law.amount);
    const level: Level = value.gte(limit) ? "full" : law.belowThreshold?.requires === "names" ? "names" : "none";
    const basis = level === "names" ? (law.belowThreshold?.basis ?? law.basis) : law.basis;
    const rate = ctx.currency === law.currency ? undefined : value.div(fromBaseUnits(ctx.amount));
    return {
      jurisdiction: party.id,
      side,
      level,
      data: {
        jurisdiction: party.id,
        side,
        threshold: `${limit.toString()} ${law.currency}`,
        valueInThresholdCurrency: value.toFixed(2),
        ...(rate === undefined
          ? {}
          : {
              conversion: {
                rate: `${rate.toSignificantDigits(6).toString()} ${law.currency} per ${ctx.currency}`,
                ...(ctx.rateSources ? { sources: [ctx.currency, law.currency].map((c) => `${c}: ${ctx.rateSources![c] ?? "not from data"}`) } : {}),
              },
            }),
        required: level,
        ...(basis === undefined ? {} : { basis }),
      },
    };
  }

  function fail(how: "hold" | "deny", reason: string, jurisdiction: Jurisdiction, details: Record<string, unknown>, data: Record<string, unknown>): Decision {
    return how === "hold" ? { outcome: "hold", reason, jurisdiction, reviewSeconds, details, data } : { outcome: "deny", reason, jurisdiction, details, data };
  }

  return {
    name: options.name ?? "travelRule",
    check(ctx) {
      const { source, destination } = ctx.jurisdictions;
      const sides = [requirement(ctx, source, "source"), ...(destination.id === source.id ? [] : [requirement(ctx, destination, "destination")])];
      // The stricter side decides; the source's on a tie.
      const decisive = sides.reduce((a, b) => (LEVELS.indexOf(b.level) > LEVELS.indexOf(a.level) ? b : a));
      const data: Record<string, unknown> = {
        amount: fromBaseUnits(ctx.amount).toString(),
        currency: ctx.currency,
        required: decisive.level,
        decidedBy: { jurisdiction: decisive.jurisdiction, side: decisive.side },
        rules: sides.map((s) => s.data),
      };
      if (decisive.level === "none") return { ...ALLOW, data };
      if (ctx.travelRule === undefined) return fail(onMissing, Reason.TravelRuleMissing, decisive.jurisdiction, {}, data);
      const parties = { sender: ctx.sender, recipient: ctx.recipient };
      const validation = decisive.level === "full" ? validateTravelRule(ctx.travelRule, parties) : validateTravelRuleNames(ctx.travelRule, parties);
      if (!validation.ok) return fail(onInvalid, Reason.TravelRuleInvalid, decisive.jurisdiction, { problems: validation.problems }, data);
      const hash = travelRuleHash(ctx.travelRule); // the payload as sent: the schema strips unknown keys
      if (ctx.extraHash !== undefined && ctx.extraHash.toLowerCase() !== hash) {
        return fail(onInvalid, Reason.TravelRuleInvalid, decisive.jurisdiction, { problems: ["extraHash does not match the payload"], expected: hash, actual: ctx.extraHash }, data);
      }
      return { ...ALLOW, data: { ...data, hash } };
    },
  };
}
