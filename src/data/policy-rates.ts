/**
 * Central bank policy rates (data/policy-rates.json): the default cost of capital of a liquidity
 * pool in each currency, with the decision's date and source.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { isCalendarDate } from "../domain/clock.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";
import { dataset } from "./manifest.js";

const RateSchema = z
  .object({
    /** Per year, as a fraction (0.0375 is 3.75%). */
    rate: z.number().min(0).max(1),
    what: z.string().min(1),
    low: z.number().min(0).max(1).optional(),
    high: z.number().min(0).max(1).optional(),
    decided: z.string().refine(isCalendarDate, { message: "expected a calendar date YYYY-MM-DD" }),
    source: z.string().min(1),
  })
  .strict();
export type PolicyRate = z.infer<typeof RateSchema>;

const FileSchema = z
  .object({
    note: z.string().optional(),
    asOf: z.string().refine(isCalendarDate, { message: "expected a calendar date YYYY-MM-DD" }),
    rates: z.record(z.string().regex(/^[A-Z]{3}$/), RateSchema),
  })
  .strict();
export type PolicyRates = z.infer<typeof FileSchema>;

const cache = new Map<string, PolicyRates>();

/** The policy rates file (default: the shipped one), checked. */
export function loadPolicyRates(file: string = dataset("policy-rates").path): PolicyRates {
  const hit = cache.get(file);
  if (hit) return hit;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new CorridorError(ErrorCode.DataInvalid, `cannot read policy rates ${file}: ${(cause as Error).message}`, { file }, cause);
  }
  const r = FileSchema.safeParse(json);
  if (!r.success) {
    throw new CorridorError(ErrorCode.DataInvalid, `${file}: not a policy rates file: ${r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`, { file });
  }
  cache.set(file, r.data);
  return r.data;
}
