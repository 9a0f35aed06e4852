/**
 * Cost of capital: what the prefunding of a run's liquidity pools costs while it sits in them,
 * priced at a rate per pool (the scenario's `capital.rates`, else the central bank policy rate of
 * the pool's currency, data/policy-rates.json), spread over the transfers that settled, and added to
 * the all-in cost as its own line (summary.capital), so a cheap fee with idle capital behind it does
 * not read as cheap.
 *
 *   cost of a pool = prefunding (in the numeraire, at the scenario's mid) × rate × held / one year
 *
 * `held` is the arrival window (workload.durationSeconds): the corridor is priced as if it carried
 * this traffic continuously, the pools prefunded all the while, and each window's transfers bear
 * that window's cost. Per transfer the cost is spread by value: as a percentage of the amount sent it
 * is the total cost over the settled volume, the same for every transfer, and so added to the mean
 * all-in percentage as it is.
 */
import { z } from "zod";
import { loadPolicyRates } from "../data/policy-rates.js";
import { dataset } from "../data/manifest.js";
import type { CorridorSpec } from "../spec/spec.js";

const YEAR_SECONDS = 365 * 86_400;

/** The scenario's `capital` section: an annual rate per pool (chain name), as a fraction (0.0375 is 3.75%). */
export const CapitalSchema = z
  .object({
    rates: z.record(z.string(), z.number().min(0, "a rate per year, 0 or more").max(1, "a rate per year as a fraction: 0.0375 is 3.75%")).default({}),
  })
  .strict()
  .default({});
export type CapitalInput = z.infer<typeof CapitalSchema>;

export interface PoolCapital {
  currency: string;
  /** Whole units of the pool's currency at the start of the run. */
  prefunding: string;
  prefundingNumeraire: number;
  /** Per year, as a fraction; null when no rate is given or shipped for the currency (the pool is left out of the cost). */
  rate: number | null;
  rateSource: string;
  /** In the numeraire, over the held period. */
  cost: number | null;
}

export interface CapitalCost {
  numeraire: string;
  heldSeconds: number;
  basis: string;
  pools: Record<string, PoolCapital>;
  /** Sum over the priced pools, in the numeraire. */
  totalCost: number;
  settled: number;
  settledVolumeNumeraire: number;
  /** Mean cost of capital per settled transfer, in the numeraire. */
  perTransfer: number | null;
  /** Cost of capital as a percentage of the amount sent (total cost over settled volume). */
  pct: number | null;
  /** The run's mean all-in cost (fee + FX + gas) plus the cost of capital, % of the amount sent. */
  allInWithCapitalPct: number | null;
  /** Pools left out for want of a rate. */
  unpriced: string[];
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** What the run's prefunding cost, from the scenario and its settled transfers. */
export function costOfCapital(input: {
  spec: CorridorSpec;
  liquidity: Record<string, string>;
  capital: CapitalInput;
  heldSeconds: number;
  settled: readonly { amountIn: string; inputToken: { currency: string } }[];
  meanAllInPct: number | null | undefined;
}): CapitalCost {
  const { spec } = input;
  const shipped = loadPolicyRates();
  const file = dataset("policy-rates").file;
  const mid = (cur: string) => spec.currencies[cur]?.mid ?? NaN;
  const pools: Record<string, PoolCapital> = {};
  let total = 0;
  const unpriced: string[] = [];
  for (const name of Object.keys(spec.chains).sort()) {
    const currency = spec.chains[name]!.home;
    const prefunding = input.liquidity[name] ?? "0";
    const prefundingNumeraire = Number(prefunding) / mid(currency);
    const given = input.capital.rates[name];
    const policy = shipped.rates[currency];
    const rate = given ?? policy?.rate ?? null;
    const rateSource = given !== undefined ? "the scenario (capital.rates)" : policy ? `${policy.what}, decided ${policy.decided} (data/${file})` : `no rate: ${currency} has none in data/${file}; give capital.rates.${name}`;
    const cost = rate === null ? null : (prefundingNumeraire * rate * input.heldSeconds) / YEAR_SECONDS;
    if (cost === null) unpriced.push(name);
    else total += cost;
    pools[name] = { currency, prefunding, prefundingNumeraire: r2(prefundingNumeraire), rate, rateSource, cost: cost === null ? null : r6(cost) };
  }
  const volume = input.settled.reduce((s, t) => s + Number(t.amountIn) / mid(t.inputToken.currency), 0);
  const pct = volume > 0 ? (total / volume) * 100 : null;
  return {
    numeraire: spec.numeraire,
    heldSeconds: input.heldSeconds,
    basis: "prefunding × rate × the arrival window / one year, spread over the settled transfers by value",
    pools,
    totalCost: r6(total),
    settled: input.settled.length,
    settledVolumeNumeraire: r2(volume),
    perTransfer: input.settled.length ? r6(total / input.settled.length) : null,
    pct: pct === null ? null : r6(pct),
    allInWithCapitalPct: pct === null || input.meanAllInPct === null || input.meanAllInPct === undefined ? null : r6(input.meanAllInPct + pct),
    unpriced,
  };
}
