/**
 * What the dashboard may change while the corridor runs, as validated at the HTTP edge
 * (POST /api/controls). Settings are kept until changed again; actions are one-off events
 * that end by themselves after `seconds`. Chains and currencies are the running corridor's
 * (its spec): `controlsBodyFor(spec)` checks them.
 */
import { z } from "zod";
import { ChainNameSchema, CurrencyCodeSchema, chainNames, type CorridorSpec } from "../spec/spec.js";

/** Settings a policymaker can turn, with the bounds the page's sliders use. */
export const SETTING_BOUNDS = {
  feeBps: { min: 0, max: 300 },
  spreadBps: { min: 0, max: 300 },
  travelRuleThresholdUsd: { min: 0, max: 10_000 },
  arrivalPerMinute: { min: 0, max: 600 },
} as const;

export const ACTIONS = ["sanctionedTransfer", "fxShock", "relayerOutage", "drainLiquidity"] as const;
export type Action = (typeof ACTIONS)[number];

const b = SETTING_BOUNDS;

export const ControlsBodySchema = z
  .object({
    /** Corridor fee in basis points of the amount (the FeeModule schedule on every chain). */
    feeBps: z.number().int().min(b.feeBps.min).max(b.feeBps.max).optional(),
    /** Share of transfers sent on the Fast tier, 0..1. */
    fastShare: z.number().min(0).max(1).optional(),
    /** The operator's FX margin against the mid, basis points. */
    spreadBps: z.number().int().min(b.spreadBps.min).max(b.spreadBps.max).optional(),
    /**
     * Travel-rule threshold in units of the corridor's numeraire (spec.numeraire; the key keeps its
     * name) for every jurisdiction; null restores each jurisdiction's legal threshold from the spec.
     */
    travelRuleThresholdUsd: z.number().min(b.travelRuleThresholdUsd.min).max(b.travelRuleThresholdUsd.max).nullable().optional(),
    /** Mean arrivals per minute (a Poisson process); 0 pauses the load. */
    arrivalPerMinute: z.number().min(b.arrivalPerMinute.min).max(b.arrivalPerMinute.max).optional(),
    action: z.enum(ACTIONS).optional(),
    /** How long an action lasts (FX shock, relayer outage, liquidity drain); default 60. */
    seconds: z.number().int().min(5).max(600).optional(),
    /** FX shock: multiplier on the units of a currency per numeraire unit, e.g. 0.9 for a 10% fall of the numeraire; default 0.9. */
    factor: z.number().min(0.5).max(1.5).optional(),
    /** FX shock: the currency whose rate against the numeraire moves; default every stablecoin's currency but the numeraire. */
    currency: CurrencyCodeSchema.optional(),
    /** Liquidity drain: which chain of the corridor; default the first whose home currency is not the numeraire. */
    chain: ChainNameSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).some((k) => k !== "seconds" && k !== "factor" && k !== "chain" && k !== "currency"), {
    message: "give at least one setting (feeBps, fastShare, spreadBps, travelRuleThresholdUsd, arrivalPerMinute) or an action",
  })
  .refine((v) => v.action !== undefined || (v.seconds === undefined && v.factor === undefined && v.chain === undefined && v.currency === undefined), {
    message: "seconds, factor, currency and chain go with an action",
  });

export type ControlsBody = z.infer<typeof ControlsBodySchema>;

/** The controls of a corridor: a chain must be one of its chains, a shocked currency one of its stablecoins' other than the numeraire. */
export function controlsBodyFor(spec: CorridorSpec) {
  const names = chainNames(spec);
  // The stablecoins' currencies other than the numeraire (a unit of account such as a threshold's is not shocked).
  const quotes = spec.tokens.filter((c) => c !== spec.numeraire);
  return ControlsBodySchema.superRefine((v, ctx) => {
    if (v.chain !== undefined && !names.includes(v.chain)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["chain"], message: `unknown chain "${v.chain}"; this corridor has ${names.join(", ")}` });
    }
    if (v.currency !== undefined && !quotes.includes(v.currency)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["currency"], message: `expected one of ${quotes.join(", ")} (priced against ${spec.numeraire})` });
    }
  });
}

/** The settings in force. */
export const SettingsSchema = z.object({
  feeBps: z.number(),
  fastShare: z.number(),
  spreadBps: z.number(),
  /** In units of the numeraire for every jurisdiction; null: each jurisdiction's own threshold (the spec's). */
  travelRuleThresholdUsd: z.number().nullable(),
  arrivalPerMinute: z.number(),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** The answer to POST /api/controls: the settings now in force and what was done. */
export const ControlsAnswerSchema = z.object({ ok: z.literal(true), settings: SettingsSchema, done: z.array(z.string()) });

export const DEFAULT_SETTINGS: Settings = {
  feeBps: 10,
  fastShare: 0.3,
  spreadBps: 10,
  travelRuleThresholdUsd: null,
  arrivalPerMinute: 30,
};
