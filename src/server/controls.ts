/**
 * What the dashboard may change while the corridor runs, as validated at the HTTP edge
 * (POST /api/controls). Settings are kept until changed again; actions are one-off events
 * that end by themselves after `seconds`.
 */
import { z } from "zod";

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
    /** Corridor fee in basis points of the amount (the FeeModule schedule on both chains). */
    feeBps: z.number().int().min(b.feeBps.min).max(b.feeBps.max).optional(),
    /** Share of transfers sent on the Fast tier, 0..1. */
    fastShare: z.number().min(0).max(1).optional(),
    /** The operator's FX margin against the mid, basis points. */
    spreadBps: z.number().int().min(b.spreadBps.min).max(b.spreadBps.max).optional(),
    /** Travel-rule threshold in USD for both jurisdictions; null restores the legal defaults (US USD 3,000, UK EUR 1,000). */
    travelRuleThresholdUsd: z.number().min(b.travelRuleThresholdUsd.min).max(b.travelRuleThresholdUsd.max).nullable().optional(),
    /** Mean arrivals per minute (a Poisson process); 0 pauses the load. */
    arrivalPerMinute: z.number().min(b.arrivalPerMinute.min).max(b.arrivalPerMinute.max).optional(),
    action: z.enum(ACTIONS).optional(),
    /** How long an action lasts (FX shock, relayer outage, liquidity drain); default 60. */
    seconds: z.number().int().min(5).max(600).optional(),
    /** FX shock: multiplier on GBP per USD, e.g. 0.9 for a 10% fall of the dollar; default 0.9. */
    factor: z.number().min(0.5).max(1.5).optional(),
    /** Liquidity drain: which side; default "uk" (pounds paid out in the UK). */
    chain: z.enum(["us", "uk"]).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).some((k) => k !== "seconds" && k !== "factor" && k !== "chain"), {
    message: "give at least one setting (feeBps, fastShare, spreadBps, travelRuleThresholdUsd, arrivalPerMinute) or an action",
  })
  .refine((v) => v.action !== undefined || (v.seconds === undefined && v.factor === undefined && v.chain === undefined), {
    message: "seconds, factor and chain go with an action",
  });

export type ControlsBody = z.infer<typeof ControlsBodySchema>;

/** The settings in force. */
export interface Settings {
  feeBps: number;
  fastShare: number;
  spreadBps: number;
  /** null: the jurisdictions' own thresholds (US USD 3,000, UK EUR 1,000). */
  travelRuleThresholdUsd: number | null;
  arrivalPerMinute: number;
}

export const DEFAULT_SETTINGS: Settings = {
  feeBps: 10,
  fastShare: 0.3,
  spreadBps: 10,
  travelRuleThresholdUsd: null,
  arrivalPerMinute: 30,
};
