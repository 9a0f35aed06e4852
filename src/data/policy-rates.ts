/**
 * Central bank policy rates (data/policy-rates.json): the default cost of capital of a liquidity
 * pool in each currency, with the decision's date and source.
 */
import { z } from "zod";
import { isCalendarDate } from "../domain/clock.js";
import { dataset, readDataJson } from "./manifest.js";

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
  const data = readDataJson(file, FileSchema, { it: "policy rates", a: "a policy rates file" });
  cache.set(file, data);
  return data;
}
