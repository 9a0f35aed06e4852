/** The sizing figures every run's summary carries: the cost of capital and the Herstatt exposure (results.json summary.capital, summary.settlementRisk). */
import type { Scenario } from "../sim/scenario.js";
import type { TransferOut } from "../measure/transfer-out.js";
import { costOfCapital, type CapitalCost } from "./capital.js";
import { herstattExposure, type HerstattReport } from "./herstatt.js";

export type { CapitalCost, HerstattReport };

export function sizingFigures(scenario: Scenario, transfers: readonly TransferOut[], meanAllInPct: number | null | undefined): { capital: CapitalCost; settlementRisk: HerstattReport } {
  return {
    capital: costOfCapital({
      spec: scenario.spec,
      liquidity: scenario.liquidity,
      capital: scenario.capital,
      heldSeconds: scenario.workload.durationSeconds,
      settled: transfers.filter((t) => t.state === "settled"),
      meanAllInPct,
    }),
    settlementRisk: herstattExposure(scenario.spec, transfers),
  };
}
