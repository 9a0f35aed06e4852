/**
 * The shipped gas prices (data/gas-prices.json): per chain profile, the gas price (a default with
 * the low and high of the cited points), the native token with its price in the numeraire, and for rollups the
 * L1 data fee per transaction, each with its date and source. src/measure/gas.ts prices measured gas
 * with them; every run states the figures it used (results.json `assumptions`, the summary, the report).
 */
import { z } from "zod";
import { dataset, readDataJson } from "./manifest.js";

const Point = z.object({ gwei: z.number().positive(), asOf: z.string().min(4), source: z.string().min(1) }).strict();
const Profile = z
  .object({
    native: z.string().min(1),
    gasPriceGwei: z
      .object({ default: z.number().positive(), low: z.number().positive(), high: z.number().positive(), basis: z.string().min(1), points: z.array(Point) })
      .strict()
      .refine((g) => g.low <= g.default && g.default <= g.high, { message: "expected low <= default <= high" }),
    l1DataFeeUsd: z.object({ value: z.number().nonnegative(), asOf: z.string().min(4), source: z.string().min(1) }).strict().optional(),
    /** Figures used before these, shown beside them for comparison. */
    previousDefault: z.object({ gasPriceGwei: z.number().positive(), nativeUsd: z.number().positive(), note: z.string().min(1) }).strict().optional(),
  })
  .strict();
const Native = z.object({ usd: z.number().positive(), asOf: z.string().min(4), source: z.string().min(1) }).strict();
const GasPricesSchema = z
  .object({ note: z.string().optional(), nativeTokens: z.record(z.string(), Native), profiles: z.record(z.string(), Profile) })
  .strict()
  .superRefine((d, ctx) => {
    for (const [name, p] of Object.entries(d.profiles)) {
      if (!d.nativeTokens[p.native]) ctx.addIssue({ code: "custom", path: ["profiles", name, "native"], message: `no native token "${p.native}" in nativeTokens` });
    }
  });
export type GasPriceData = z.infer<typeof GasPricesSchema>;
export type GasProfileData = z.infer<typeof Profile>;

let cached: GasPriceData | undefined;

/** The shipped gas prices, validated. */
export function gasPriceData(): GasPriceData {
  cached ??= readDataJson(dataset("gas-prices").path, GasPricesSchema, { it: "the gas prices", a: "a gas price file" });
  return cached;
}
