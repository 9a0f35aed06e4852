/**
 * How the G20 cost verdicts move with gas: the run's settled transfers priced again at other gas
 * prices, from each transfer's recorded gas units and transactions on each chain (no re-run), and
 * the scorecard's cost checks at each level. Levels: every chain at the low, the default and the
 * high of its profile's cited gas prices (data/gas-prices.json), and the previous undated default
 * where a profile has one. A chain whose price the scenario set keeps it in the "run" row only.
 */
import { gasPriceData } from "../data/gas-prices.js";
import { gasUsd, type GasAssumption, type GasPrice } from "./gas.js";
import { g20Scorecard, type CostBasis, type G20Targets, type TargetCheck } from "./scorecard.js";
import type { TransferOut } from "./transfer-out.js";

export interface GasSensitivityRow {
  /** "low", "run", "high", "previous default". */
  level: string;
  /** What the level is, in words, e.g. "0.045 gwei, ETH at 2921". */
  label: string;
  prices: Record<string, GasPrice>;
  meanGasPct: number | null;
  meanAllInPct: number | null;
  checks: Pick<TargetCheck, "segmentLabel" | "measure" | "target" | "actual" | "met" | "corridor">[];
}

export interface GasSensitivity {
  basis: string;
  rows: GasSensitivityRow[];
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** The transfers with their gas priced at `prices` (by chain name); transfers without recorded units keep theirs. */
export function repriced(transfers: readonly TransferOut[], prices: Record<string, GasPrice>): TransferOut[] {
  return transfers.map((t) => {
    const g = t.gas;
    const src = prices[t.srcChain];
    const dst = prices[t.dstChain];
    if (!g?.src || !g.dst || !g.amountUsd || !src || !dst) return t;
    const usd = gasUsd(g.src, g.dst, { src, dst });
    return { ...t, gas: { ...g, usd: round(usd, 6), pct: round((usd / g.amountUsd) * 100, 6) } };
  });
}

export function gasSensitivity(transfers: readonly TransferOut[], chains: Record<string, GasAssumption>, targets: G20Targets, scenario?: CostBasis): GasSensitivity {
  const data = gasPriceData();
  const names = Object.keys(chains).sort();
  const at = (pick: (a: GasAssumption) => GasPrice): Record<string, GasPrice> => Object.fromEntries(names.map((n) => [n, pick(chains[n]!)]));
  const withGwei = (a: GasAssumption, gwei: number): GasPrice => ({ ...a, gasPriceGwei: gwei });
  const levels: { level: string; prices: Record<string, GasPrice> }[] = [
    { level: "low", prices: at((a) => (a.gasPriceFrom === "scenario" ? a : withGwei(a, a.gasPriceRange[0]))) },
    { level: "run", prices: at((a) => a) },
    { level: "high", prices: at((a) => (a.gasPriceFrom === "scenario" ? a : withGwei(a, a.gasPriceRange[1]))) },
  ];
  if (names.some((n) => data.profiles[chains[n]!.profile]?.previousDefault)) {
    levels.push({
      level: "previous default",
      prices: at((a) => {
        const prev = data.profiles[a.profile]?.previousDefault;
        return prev ? { ...a, gasPriceGwei: prev.gasPriceGwei, nativeUsd: prev.nativeUsd } : a;
      }),
    });
  }
  const describe = (prices: Record<string, GasPrice>) =>
    [...new Set(names.map((n) => `${prices[n]!.gasPriceGwei} gwei, ${chains[n]!.native} at ${prices[n]!.nativeUsd}${prices[n]!.l1DataFeeUsd ? ` + ${prices[n]!.l1DataFeeUsd} L1 data fee per tx` : ""}`))].join("; ");
  const rows = levels.map(({ level, prices }) => {
    const sc = g20Scorecard(repriced(transfers, prices), targets, scenario ? { scenario } : {});
    return {
      level,
      label: describe(prices),
      prices,
      meanGasPct: sc.cost.meanGasPct,
      meanAllInPct: sc.cost.meanPct,
      checks: sc.checks
        .filter((c) => c.measure !== "speed")
        .map((c) => ({ segmentLabel: c.segmentLabel, measure: c.measure, target: c.target, actual: c.actual, met: c.met, ...(c.corridor ? { corridor: c.corridor } : {}) })),
    };
  });
  return {
    basis: "each settled transfer's measured gas units and transactions on each chain, priced again at the level's gas price (data/gas-prices.json: low and high of the cited points; previous default for comparison); fee and FX unchanged",
    rows,
  };
}
