import { providersSummaryLines } from "../liquidity/report.js";
import type { SimulationResults } from "../sim/results.js";
import { HEADLINE_FIGURES, type FigureUnit, type ReplicationsReport } from "../sim/replications.js";
import { specOfScenario } from "../report/spec.js";
import { duration, table } from "./table.js";
import { assumptionLines, attestationTimeLines, gasSensitivityTable } from "../sim/assumptions.js";

/** The readable summary `corridor simulate` prints. */
export function formatSummary(r: SimulationResults): string {
  const s = r.summary;
  const t = s.transfers;
  const out: string[] = [];
  out.push(`Scenario ${r.scenario.name} (seed ${r.seed}): ${duration(s.virtualSeconds)} simulated in ${duration(s.wallClock.seconds)}`);
  // The lists screened against, with their dates (results.json has every data set the run used).
  for (const d of r.data ?? []) {
    if (d.addresses !== undefined) out.push(`${d.use[0]!.toUpperCase()}${d.use.slice(1)}: ${d.file}, as of ${d.asOf} (${d.addresses} addresses)`);
  }
  out.push("");
  const reorged = t.dropped > 0 || t.sourceReorged > 0;
  out.push(
    table(
      ["sent", "settled", "refunded", "in flight", ...(reorged ? ["dropped (reorg)", "paid, then reorged away"] : []), "rejected at send", "p50", "p95", "p99"],
      [
        [
          t.sent,
          t.settled,
          t.refunded,
          t.inFlight,
          ...(reorged ? [t.dropped, t.sourceReorged] : []),
          t.rejectedAtSend,
          duration(s.settlementSeconds.p50),
          duration(s.settlementSeconds.p95),
          duration(s.settlementSeconds.p99),
        ],
      ],
    ),
  );
  const pct = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? "-" : `${x.toFixed(d)}%`);
  const share = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);
  if (s.withinOneHour && s.throughput) {
    out.push(
      `Within one hour: ${share(s.withinOneHour.share)} of the transfers with an outcome settled within an hour. ` +
        `Throughput: ${s.throughput.settledPerHour ?? "-"} settled per hour over ${duration(s.throughput.spanSeconds)}` +
        (s.throughput.peakHour ? ` (busiest hour: ${s.throughput.peakHour.settled})` : ""),
    );
  }
  out.push("");
  out.push("Settlement time by corridor and tier (destination block time minus source block time)");
  out.push(
    table(
      ["corridor", "tier", "transfers", "settled", "refunded", "p50", "p95", "p99", "per hour", "within 1 h", "all-in cost"],
      Object.entries(s.byCorridor)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, c]) => {
          const [corridor, tier] = k.split(" ");
          return [
            corridor!,
            tier!,
            c.count,
            c.settled,
            c.refunded,
            duration(c.settlementSeconds.p50),
            duration(c.settlementSeconds.p95),
            duration(c.settlementSeconds.p99),
            c.settledPerHour === null || c.settledPerHour === undefined ? "-" : c.settledPerHour.toFixed(1),
            share(c.withinOneHourShare),
            pct(c.meanAllInPct),
          ];
        }),
    ),
  );
  out.push("");
  const c = s.costs;
  out.push(
    `Costs (settled transfers): fees ${Object.entries(c.feesByCurrency).map(([k, v]) => `${v} ${k}`).join(" + ") || "none"}; ` +
      `mean fee ${pct(c.meanFeePct)}, mean FX spread against the mid ${c.meanFxBps === null ? "-" : `${c.meanFxBps.toFixed(2)} bps`}, fee + FX ${pct(c.meanTotalPct)}` +
      (c.meanGasPct !== undefined ? `, gas ${pct(c.meanGasPct)} (${c.gasUsd ?? 0} ${specOfScenario(r.scenario).numeraire} in all), all-in ${pct(c.meanAllInPct)}` : ""),
  );
  const cp = s.compliance;
  out.push(
    `Compliance: ${cp.screened} screened, ${cp.allowed} allowed, ${cp.denied} denied, ${cp.held} held (reviews: ${cp.reviewsApproved} approved, ${cp.reviewsDenied} denied)`,
  );
  if (Object.keys(cp.byReason).length > 0) {
    out.push(table(["reason", "transfers"], Object.entries(cp.byReason).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v])));
  }
  const pools = Object.entries(s.liquidity.byChain ?? {});
  if (pools.length > 0) {
    out.push(
      "Liquidity pools: " +
        pools.map(([chain, p]) => `${chain} ${p.currency} ${fmtUnits(p.start)} at the start, lowest ${fmtUnits(p.min)} at +${duration(p.minAtOffsetSeconds)}, ${fmtUnits(p.end)} at the end`).join("; "),
    );
  }
  if (s.liquidity.waited > 0) out.push(`Liquidity: ${s.liquidity.waited} transfers waited for liquidity (mean ${duration(s.liquidity.meanWaitSeconds ?? 0)}, max ${duration(s.liquidity.maxWaitSeconds ?? 0)})`);
  if (s.fastAllowance.settlementsUsingIt > 0) {
    out.push(`Fast allowance: ${s.fastAllowance.settlementsUsingIt} settlements paid before source finality (${Object.entries(s.fastAllowance.totalUsed).map(([k, v]) => `${v} ${k}`).join(", ")})`);
  }
  if (t.rejectedAtSend > 0 && t.rejectedAtSendByReason) {
    out.push("Sends that reverted (never in flight): " + Object.entries(t.rejectedAtSendByReason).map(([k, v]) => `${k} ${v}`).join(", "));
  }
  if (Object.keys(s.refundsByReason).length > 0) {
    out.push("");
    out.push("Refunds by reason: " + Object.entries(s.refundsByReason).map(([k, v]) => `${k} ${v}`).join(", "));
  }
  if (s.faults && s.faults.length > 0) {
    out.push("");
    out.push("Faults (times after the start of the run)");
    for (const f of s.faults) out.push(`  ${f.index + 1}. ${f.kind}${f.start ? "" : " (never started: the run ended first)"}: ${f.summary}`);
  }
  if (s.regulation) {
    out.push("");
    out.push("Regulation packs in force: " + s.regulation.coins.map((c) => `${c.currency} ${c.packs.map((p) => p.id).join(" + ")}`).join("; "));
    for (const c of s.regulation.coins) {
      for (const m of c.mints) out.push(`  ${c.currency} mint of ${m.amount} to ${m.holder === "individual" ? "an" : "a"} ${m.holder} at +${m.offsetSeconds} s: ${m.outcome}${m.reason ? ` (${m.reason})` : ""}`);
      if (c.redemptions.requests > 0) out.push(`  ${c.currency} redemptions: ${c.redemptions.requests} of ${c.redemptions.amount} at par` + (c.redemptions.deadline ? `, ${c.redemptions.paidOnTime} by the deadline, ${c.redemptions.paidLate} late` : ""));
      if (c.holdingLimits) out.push(`  ${c.currency} holding limits: ${c.holdingLimits.refusedMints} mints refused, ${c.holdingLimits.deniedTransfers} transfers denied`);
      for (const o of c.orders) out.push(`  ${c.currency} lawful order at +${o.offsetSeconds} s: ${o.target} frozen, seized ${Object.entries(o.seized).map(([k, v]) => `${v} on ${k}`).join(", ")}, ${o.transfersRefunded} transfers to it refunded`);
    }
  }
  out.push(...providersSummaryLines(r));
  if (s.g20) {
    out.push("");
    out.push("G20 targets for cross-border payments (FSB, 2021): the on-chain leg (wallet to wallet)");
    for (const line of s.g20.lines.slice(0, s.g20.checks.length)) out.push(`  ${line}`);
    out.push(...endToEndLines(s.g20));
  }
  out.push(...fidelitySection(r));
  out.push("");
  out.push(`Conservation check (to the base unit): ${s.conservation.ok ? "HOLDS" : "FAILS"}`);
  out.push(
    table(
      ["chain", "token", "holder", "expected change", "on-chain change", "ok"],
      s.conservation.lines.filter((l) => l.expected !== "0" || l.actual !== "0").map((l) => [l.chain, l.token, l.holder, l.expected, l.actual, l.ok ? "yes" : "NO"]),
    ),
  );
  if (s.conservation.burnAndMint.length > 0) {
    out.push("");
    out.push("Same-currency transfers: burned = minted + refunded + in flight, and total supply across chains fell by exactly what is in flight");
    const reorg = s.conservation.burnAndMint.some((b) => b.unbacked !== "0");
    out.push(
      table(
        ["currency", "burned", "minted", "refunded", "in flight", ...(reorg ? ["unbacked (reorg)"] : []), "supply change", "ok"],
        s.conservation.burnAndMint.map((b) => [b.currency, b.burned, b.minted, b.refunded, b.inFlight, ...(reorg ? [b.unbacked] : []), b.supplyChange, b.ok ? "yes" : "NO"]),
      ),
    );
  }
  if (s.conservation.issuance && s.conservation.issuance.length > 0) {
    out.push("");
    out.push("Issuers (inside the lines above): " + s.conservation.issuance.map((l) => `${l.currency} minted ${l.minted}, redeemed ${l.redeemed}, seized ${l.seized}`).join("; "));
  }
  return out.join("\n");
}

/** Whole units with thousands separators and at most two decimals. */
function fmtUnits(x: number): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** A headline figure in its unit: "14 min 02 s", "97.5%", "0.214%", "3.4". */
function figure(unit: FigureUnit, x: number): string {
  if (unit === "seconds") return duration(x);
  if (unit === "share") return `${(x * 100).toFixed(1)}%`;
  if (unit === "pct") return `${x.toFixed(3)}%`;
  return x.toFixed(1);
}

/** What `corridor simulate --replications` prints: each headline figure's mean and 95% interval, and conservation in every replication. */
export function formatReplications(r: ReplicationsReport): string {
  const out: string[] = [];
  out.push(`Scenario ${r.scenario} (seed ${r.seed}): ${r.replications} replications in ${duration(r.wallSeconds)}`);
  out.push("");
  out.push(
    table(
      ["figure", "mean", "95% interval", "sd", "runs"],
      HEADLINE_FIGURES.map(({ key, label, unit }) => {
        const i = r.intervals[key];
        return i ? [label, figure(unit, i.mean), `${figure(unit, i.low)} to ${figure(unit, i.high)}`, figure(unit, i.sd), i.n] : [label, "-", "-", "-", 0];
      }),
    ),
  );
  out.push("");
  out.push(`Interval: ${r.method}`);
  out.push("");
  const failed = r.conservation.failed;
  out.push(
    `Conservation check (to the base unit): ${failed.length === 0 ? `HOLDS in all ${r.replications} replications` : `FAILS in replication${failed.length > 1 ? "s" : ""} ${failed.join(", ")} (holds in ${r.conservation.held})`}`,
  );
  return out.join("\n");
}

/** The end-to-end G20 scorecard (bank account to bank account) and its baselines, for the summary. */
function endToEndLines(g20: NonNullable<SimulationResults["summary"]["g20"]>): string[] {
  const e = g20.endToEnd;
  if (!e) return [];
  return [
    "",
    "G20 targets end to end (bank account to bank account: on-ramp, on chain, off-ramp; assumptions in report.html)",
    ...e.lines.map((l) => `  ${l}`),
    ...g20.baselines.map((b) => `  For comparison, ${b.name}: ${b.text} (${b.source}); measures ${b.comparableWords}`),
  ];
}

/** The run's assumptions, the cost verdicts at other gas prices and the attestation times against the published ones. */
function fidelitySection(r: SimulationResults): string[] {
  const out: string[] = [];
  const s = r.summary;
  if (s.gasSensitivity && s.gasSensitivity.rows.length > 0) {
    out.push("");
    out.push("The cost verdicts at other gas prices (each transfer's measured gas priced again; fee and FX unchanged)");
    const t = gasSensitivityTable(s.gasSensitivity);
    out.push(table(t.head, t.rows));
  }
  if (s.attestationTimes && s.attestationTimes.length > 0) {
    out.push("");
    out.push("Attestation time (send's block to attestation) against Circle's published CCTP figures");
    for (const line of attestationTimeLines(s.attestationTimes)) out.push(`  ${line}`);
  }
  if (r.assumptions) {
    out.push("");
    out.push("Assumptions of this run (sources and dates: results.json assumptions, data/README.md)");
    for (const line of assumptionLines(r.assumptions)) out.push(`  ${line}`);
  }
  return out;
}
