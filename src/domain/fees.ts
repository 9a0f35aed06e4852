/**
 * Corridor fees, in input-token base units, with integer (bigint) math only so that
 * contracts/fees/FeeModule.sol computes the same number to the base unit.
 *
 * The formula, for a schedule S, an amount A >= 0 and a tier:
 *
 *   band       = the first band b in S.bands (ascending by upTo) with A <= b.upTo;
 *                if none, the top level: { fixed: S.fixed, bps: S.bps }
 *   premiumBps = S.fastPremiumBps if tier is fast, else 0
 *   raw        = band.fixed + floor(A * (band.bps + premiumBps) / 10_000) + S.gasPassThrough
 *   clamped    = min(max(raw, S.min), S.max)
 *   fee        = min(clamped, A - 1)   if A >= 1
 *              = 0                     if A == 0   (the gateway rejects zero amounts anyway)
 *
 * floor is integer division (rounding toward zero, as everywhere in money.ts). The last
 * step makes the fee strictly below the amount, so something is always delivered.
 * Limits (checked by the schema and by the contract): every bps in [0, 10_000]; base-unit
 * fields below 2^128; min <= max; at most 8 bands, upTo strictly ascending.
 */
import { z } from "zod";
import { CorridorError, ErrorCode } from "./errors.js";

export const MAX_BPS = 10_000;
export const MAX_BANDS = 8;
export const UINT128_LIMIT = 1n << 128n;

export type FeeTier = "standard" | "fast";
/** The tier's number on chain (CorridorTypes.Tier). */
export const TIER_ID: Record<FeeTier, 0 | 1> = { standard: 0, fast: 1 };

/** Base units: a non-negative integer given as a bigint, a safe integer number, or a decimal string. */
const baseUnits = z
  .union([z.bigint(), z.number().int().nonnegative().safe(), z.string().regex(/^\d+$/, "base units must be a decimal integer string")])
  .transform((v) => BigInt(v))
  .refine((v) => v >= 0n && v < UINT128_LIMIT, { message: "base units must be in [0, 2^128)" });
const bps = z.number().int().min(0).max(MAX_BPS);

export const FeeBandSchema = z.object({
  /** The band applies to amounts up to and including this (base units). */
  upTo: baseUnits,
  bps,
  fixed: baseUnits,
});

export const FeeScheduleSchema = z
  .object({
    fixed: baseUnits,
    bps,
    bands: z.array(FeeBandSchema).max(MAX_BANDS).default([]),
    min: baseUnits,
    max: baseUnits,
    fastPremiumBps: bps.default(0),
    gasPassThrough: baseUnits.default(0n),
  })
  .superRefine((s, ctx) => {
    if (s.min > s.max) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["min"], message: `min ${s.min} is above max ${s.max}` });
    s.bands.forEach((b, i) => {
      const prev = i > 0 ? s.bands[i - 1] : undefined;
      if (prev !== undefined && b.upTo <= prev.upTo) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["bands", i, "upTo"], message: "band upTo values must be strictly ascending" });
      }
    });
  });

/** A schedule as written in a scenario file (amounts as strings or numbers). */
export type FeeScheduleInput = z.input<typeof FeeScheduleSchema>;
/** A validated schedule (amounts as bigint base units). */
export type FeeSchedule = z.output<typeof FeeScheduleSchema>;
export type FeeBand = z.output<typeof FeeBandSchema>;

/** Validates a schedule; throws CORRIDOR_FEE_SCHEDULE_INVALID with the zod issues. */
export function parseFeeSchedule(input: unknown): FeeSchedule {
  const parsed = FeeScheduleSchema.safeParse(input);
  if (!parsed.success) {
    throw new CorridorError(ErrorCode.FeeScheduleInvalid, `invalid fee schedule: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { issues: parsed.error.issues }, parsed.error);
  }
  return parsed.data;
}

/** The fee for `amount` at `tier` (see the formula at the top of this file). */
export function computeFee(schedule: FeeSchedule, amount: bigint, tier: FeeTier): bigint {
  if (amount < 0n) throw new CorridorError(ErrorCode.InvalidAmount, `amount must not be negative, got ${amount}`, { amount });
  if (amount === 0n) return 0n;
  const band = schedule.bands.find((b) => amount <= b.upTo) ?? { fixed: schedule.fixed, bps: schedule.bps };
  const premiumBps = tier === "fast" ? schedule.fastPremiumBps : 0;
  const raw = band.fixed + (amount * BigInt(band.bps + premiumBps)) / BigInt(MAX_BPS) + schedule.gasPassThrough;
  const clamped = raw < schedule.min ? schedule.min : raw > schedule.max ? schedule.max : raw;
  return clamped < amount ? clamped : amount - 1n;
}

/** The schedule as the FeeModule's `setSchedule` argument (field names and types of FeeModule.Schedule). */
export function toContractSchedule(schedule: FeeSchedule): {
  fixedFee: bigint;
  bps: number;
  minFee: bigint;
  maxFee: bigint;
  fastPremiumBps: number;
  gasPassThrough: bigint;
  bands: { upTo: bigint; fixedFee: bigint; bps: number }[];
} {
  return {
    fixedFee: schedule.fixed,
    bps: schedule.bps,
    minFee: schedule.min,
    maxFee: schedule.max,
    fastPremiumBps: schedule.fastPremiumBps,
    gasPassThrough: schedule.gasPassThrough,
    bands: schedule.bands.map((b) => ({ upTo: b.upTo, fixedFee: b.fixed, bps: b.bps })),
  };
}
