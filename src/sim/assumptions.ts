/**
 * What a run assumed, stated beside its figures (results.json `assumptions`, the summary and the
 * report): each chain's gas and native-token price with source and date, the FX model and its data,
 * each chain's timing profile (block time, confirmations, finality model) and the attestation
 * latency model. Also the run's attestation times against the published ones (`attestationTimes`),
 * the figure Circle publishes for CCTP, so a reader sees the timing model's calibration.
 */
import { CHAIN_PROFILES, type ChainProfile } from "../chains/profiles.js";
import { loadFxSeries } from "../data/fx-series.js";
import { datasetAt } from "../data/manifest.js";
import { dataFile } from "../data/fx-series.js";
import { fittedAnnualVol } from "../domain/fx/daily-replay.js";
import { percentile } from "../domain/stats.js";
import { gasAssumptionFor, type GasAssumption } from "../measure/gas.js";
import type { TransferOut } from "../measure/transfer-out.js";
import type { GasSensitivity } from "../measure/gas-sensitivity.js";
import type { Scenario } from "./scenario.js";

export interface ChainTiming {
  profile: string;
  blockTimeSeconds: number;
  fastConfirmations: number | null;
  standardConfirmations: number;
  /** How Standard finality is modelled, in words. */
  finality: string;
  publishedStandardMinutes: [number, number] | null;
  publishedFastSeconds: number | null;
}

export interface RunAssumptions {
  gas: Record<string, GasAssumption>;
  fx: { source: string; description: string; data: { currency: string; file: string; source: string; asOf: string; annualVol?: number }[] };
  chains: Record<string, ChainTiming>;
  attestation: { screeningSeconds: number; medianSeconds: number; spread: number; description: string };
}

export interface AttestationTimes {
  /** "<source chain> <tier>". */
  key: string;
  profile: string;
  tier: string;
  transfers: number;
  /** Seconds from the send's block to the attestation, transfers not held for review. */
  p50: number | null;
  p95: number | null;
  /** Circle's published figure for the profile and tier, seconds: [low, high] (Fast: one figure twice). */
  published: [number, number] | null;
}

export function chainTiming(profileName: string, p: ChainProfile = CHAIN_PROFILES[profileName]!): ChainTiming {
  const e = p.finalityEpochBlocks;
  return {
    profile: profileName,
    blockTimeSeconds: p.blockTimeSeconds,
    fastConfirmations: p.fastConfirmations,
    standardConfirmations: p.standardConfirmations,
    finality: e
      ? `epochs of ${e} blocks: a block is final once the checkpoint after it has ${2 * e - 1} blocks on top, ${2 * e + 1} to ${3 * e} confirmations (${((2 * e + 1) * p.blockTimeSeconds) / 60} to ${((3 * e) * p.blockTimeSeconds) / 60} min) by where the send lands; epoch start drawn from the seed${p.epochPhase !== undefined ? ` (block ${p.epochPhase} mod ${e})` : ""}`
      : `${p.standardConfirmations} confirmations`,
    publishedStandardMinutes: p.publishedStandardMinutes,
    publishedFastSeconds: p.publishedFastSeconds,
  };
}

export function runAssumptions(scenario: Scenario, profiles: Record<string, ChainProfile>): RunAssumptions {
  const names = Object.keys(scenario.spec.chains).sort();
  const { fx, spec, operator } = scenario;
  const quotes = Object.values(spec.currencies).filter((c) => c.code !== spec.numeraire);
  const data: RunAssumptions["fx"]["data"] = [];
  let description: string;
  if (fx.source === "fixed") description = `fixed mids: ${quotes.map((c) => `${c.mid} ${c.code} per ${spec.numeraire}`).join(", ")}`;
  else if (fx.source === "ou") description = `Ornstein-Uhlenbeck around the mids, seeded: ${quotes.map((c) => `${c.code} mid ${c.mid}, ${(c.annualVol * 100).toFixed(1)}% a year, mean reversion ${c.meanReversionPerYear} a year`).join("; ")}`;
  else if (fx.pace === "real") description = `historical daily rates at their real pace from ${fx.replayFrom ?? scenario.startTime}, a seeded Brownian bridge between days at each series' fitted volatility`;
  else description = `historical monthly averages ${fx.window.from} to ${fx.window.to} squeezed onto the run (compressed: months pass in the run's minutes; a stress test)`;
  for (const c of quotes) {
    const file = fx.source === "historical" ? (fx.pace === "real" ? c.dailySeries : c.series) : c.series;
    if (!file) continue;
    const shipped = datasetAt(dataFile(file));
    const series = loadFxSeries(file);
    data.push({
      currency: c.code,
      file: shipped ? `data/${shipped.file}` : file,
      source: shipped?.source ?? c.source ?? "a series supplied for this run",
      asOf: shipped?.asOf ?? series.points[series.points.length - 1]!.date,
      ...(fx.source === "historical" && fx.pace === "real" ? { annualVol: Math.round(fittedAnnualVol(series) * 10_000) / 10_000 } : {}),
    });
  }
  return {
    gas: Object.fromEntries(names.map((n) => [n, gasAssumptionFor(scenario.chains[n]!)])),
    fx: { source: fx.source, description, data },
    chains: Object.fromEntries(names.map((n) => [n, chainTiming(scenario.spec.chains[n]!.profile, profiles[n])])),
    attestation: {
      screeningSeconds: operator.screeningSeconds,
      medianSeconds: operator.attestationSeconds,
      spread: operator.attestationSpread,
      description:
        operator.attestationSpread > 0
          ? `lognormal per transfer, median ${operator.attestationSeconds} s, σ ${operator.attestationSpread} (p95 ${(operator.attestationSeconds * Math.exp(1.645 * operator.attestationSpread)).toFixed(1)} s), drawn from the seed`
          : `${operator.attestationSeconds} s for every transfer`,
    },
  };
}

/** Attestation time (attested minus sent) per source chain and tier, transfers not held for review, against Circle's published figures. */
export function attestationTimes(transfers: readonly TransferOut[], scenario: Scenario): AttestationTimes[] {
  const groups = new Map<string, number[]>();
  for (const t of transfers) {
    const s = t.stages;
    if (s.attested === undefined || s.initiated === undefined || s.held !== undefined) continue;
    const key = `${t.srcChain} ${t.tier}`;
    const g = groups.get(key) ?? [];
    g.push(s.attested - s.initiated);
    groups.set(key, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, xs]) => {
      const [chain, tier] = key.split(" ") as [string, string];
      const profile = scenario.spec.chains[chain]!.profile;
      const p = CHAIN_PROFILES[profile];
      const fastPublished = p?.publishedFastSeconds ?? null;
      const std = p?.publishedStandardMinutes ?? null;
      const published: [number, number] | null = tier === "fast" && fastPublished !== null ? [fastPublished, fastPublished] : std ? [std[0] * 60, std[1] * 60] : null;
      const sorted = [...xs].sort((a, b) => a - b);
      return { key, profile, tier, transfers: xs.length, p50: percentile(sorted, 50) ?? null, p95: percentile(sorted, 95) ?? null, published };
    });
}

const mins = (s: number | null) => (s === null ? "-" : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${Math.round(s)} s`);

/** Plain-text lines stating the run's assumptions (the summary and the report print them). */
export function assumptionLines(a: RunAssumptions): string[] {
  const out: string[] = [];
  for (const [chain, g] of Object.entries(a.gas)) {
    const asOf = g.nativeUsdAsOf ? ` (${g.nativeUsdAsOf})` : " (set by the scenario)";
    const l1 = g.l1DataFeeUsd !== undefined ? ` + L1 data fee ${g.l1DataFeeUsd} per transaction (${g.l1DataFeeAsOf})` : "";
    const from = g.gasPriceFrom === "scenario" ? "set by the scenario" : `${g.gasPriceFrom}: cited points ${g.gasPriceRange[0]} to ${g.gasPriceRange[1]} gwei`;
    out.push(`Gas on ${chain} (${g.profile}): ${g.gasPriceGwei} gwei [${from}], ${g.native} at ${g.nativeUsd}${asOf}${l1}`);
  }
  out.push(`FX: ${a.fx.description}`);
  for (const d of a.fx.data) out.push(`  ${d.currency}: ${d.file}, as of ${d.asOf}${d.annualVol !== undefined ? `, fitted volatility ${(d.annualVol * 100).toFixed(1)}% a year` : ""}`);
  for (const [chain, c] of Object.entries(a.chains)) {
    const pub = c.publishedStandardMinutes ? `; Circle publishes Standard ${c.publishedStandardMinutes[0] === c.publishedStandardMinutes[1] ? `${Math.round(c.publishedStandardMinutes[0] * 60)} s` : `${c.publishedStandardMinutes[0]}-${c.publishedStandardMinutes[1]} min`}${c.publishedFastSeconds ? `, Fast ${c.publishedFastSeconds} s` : ""}` : "";
    out.push(`Chain ${chain}: profile ${c.profile}, ${c.blockTimeSeconds} s blocks, Fast ${c.fastConfirmations ?? "-"} confirmations, Standard ${c.finality}${pub}`);
  }
  out.push(`Attestation: screening ${a.attestation.screeningSeconds} s, then ${a.attestation.description}`);
  return out;
}

/** Lines for the attestation times against the published ones. */
export function attestationTimeLines(rows: readonly AttestationTimes[]): string[] {
  return rows.map((r) => {
    const within = r.published && r.p50 !== null && r.p95 !== null && r.published[0] !== r.published[1] ? (r.p50 >= r.published[0] && r.p95 <= r.published[1] ? " — within the published range" : " — outside the published range") : "";
    const pub = r.published ? (r.published[0] === r.published[1] ? `published about ${mins(r.published[0])}` : `published ${mins(r.published[0])} to ${mins(r.published[1])}`) : "nothing published";
    return `${r.key} (${r.profile}): p50 ${mins(r.p50)}, p95 ${mins(r.p95)} over ${r.transfers} transfers not held for review; ${pub}${within}`;
  });
}

/** The gas sensitivity as table rows: level, gas price, gas %, all-in %, then each cost check's verdict. */
export function gasSensitivityTable(g: GasSensitivity): { head: string[]; rows: string[][] } {
  const first = g.rows[0];
  const checkName = (c: GasSensitivity["rows"][number]["checks"][number]) => `${c.segmentLabel} ${c.measure === "costAverage" ? "average" : "per corridor"} (${c.target.replace(/ by .*$/, "")})`;
  const head = ["gas level", "prices", "gas", "all-in", ...(first ? first.checks.map(checkName) : [])];
  const pct = (x: number | null) => (x === null ? "-" : `${x.toFixed(2)}%`);
  const rows = g.rows.map((r) => [r.level, r.label, pct(r.meanGasPct), pct(r.meanAllInPct), ...r.checks.map((c) => (c.met === null ? "no data" : c.met ? "met" : "not met"))]);
  return { head, rows };
}
