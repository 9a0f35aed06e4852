/**
 * The simulation report: ONE self-contained HTML file (inline CSS, charts as SVG with the
 * ECharts library inline to make them interactive, no external request) for readers who know
 * payments and regulation rather than blockchains.
 *
 * Sections: headline figures, the G20 scorecard with its sources, where the time goes (stage
 * waterfall), the settlement-time distribution, corridors and tiers, the cost breakdown,
 * compliance outcomes, the regulation packs in force and what the issuers did, the conservation check, the scenario's parameters and the command that
 * reproduces the run. Charts are <div class="chart" data-chart="waterfall|latency|cost|compliance|g20">
 * (src/charts: the definitions, rendered here to SVG).
 *
 * Deterministic: the same results give the same bytes (no wall clock is read here; the only
 * wall-clock figure shown is the one results.json records).
 */
import { capitalRiskSection } from "../sizing/report-section.js";
import type { SimulationResults } from "../sim/results.js";
import { HEADLINE_FIGURES, type FigureUnit, type ReplicationRun, type ReplicationsReport } from "../sim/replications.js";
import { g20Scorecard, type G20Targets, type ReferenceCorridorCost, type Scorecard } from "../measure/scorecard.js";
import { endToEndBasis } from "../measure/end-to-end.js";
import { escapeHtml as esc } from "./escape.js";
import { formatDuration, formatInt, formatMoney, formatPct, formatSecondsExact, formatShare, formatUtc } from "./format.js";
import { complianceOutcomes, corridorTierTable, costBreakdown, meanRefundSeconds, stageWaterfall, virtualEndSeconds, type CostRow } from "./measures.js";
import { kpi, page, table, verdict } from "./page.js";
import { listWords, specOfScenario } from "./spec.js";
import { fidelitySection } from "./fidelity.js";
import type { CorridorSpec } from "../spec/spec.js";
import { barChart, countUnit, PALETTE, pctUnit, settlementChart, shareUnit, stackedBarChart, waterfallChart, type BarDatum } from "../charts/definitions.js";
import { chartFigure } from "../charts/render.js";
import { providersSection } from "../liquidity/report.js";

export interface ReportOptions {
  /** The command that reproduces the run, shown verbatim. */
  command: string;
  targets: G20Targets;
  /** A replicated run: its intervals come first, and the rest of the report is its replication 0 (`results`). */
  replications?: ReplicationsReport;
}

export function renderReport(results: SimulationResults, opts: ReportOptions): string {
  const spec = specOfScenario(results.scenario);
  const scenario = { ...results.scenario, spec };
  const scorecard = g20Scorecard(results.transfers, opts.targets, { scenario, endToEnd: endToEndBasis(scenario) });
  const reps = opts.replications;
  const title = `Corridor simulation report: ${results.scenario.name}${reps ? ` (${reps.replications} replications)` : ""}`;
  const body = [
    headerSection(results, spec, reps),
    ...(reps ? [intervalsSection(reps, results)] : []),
    headlineSection(results, scorecard),
    ...(scorecard.endToEnd ? [endToEndSection(scorecard)] : []),
    scorecardSection(scorecard),
    fidelitySection(results),
    timeSection(results),
    latencySection(results),
    corridorSection(results, spec),
    costSection(results, scorecard),
    capitalRiskSection(results),
    complianceSection(results),
    regulationSection(results),
    providersSection(results),
    integritySection(results, spec),
    scenarioSection(results),
    reproduceSection(results, opts.command, spec),
  ].join("\n");
  return page(title, body);
}

// ---------------------------------------------------------------- sections

function headerSection(r: SimulationResults, spec: CorridorSpec, reps: ReplicationsReport | undefined): string {
  const s = r.scenario;
  const start = Math.floor(Date.parse(s.startTime) / 1000);
  const chains = listWords(Object.values(spec.chains).map((c) => `${c.name} chain (${c.profile} profile)`));
  return `<header>
<p class="eyebrow">Corridor simulation report</p>
<h1>${esc(s.name)}</h1>
${s.description ? `<p class="lede">${esc(s.description)}</p>` : ""}
<p class="meta">${reps ? `${esc(formatInt(reps.replications))} replications from seed ${esc(reps.seed)}; the figures after the intervals are replication 0's (seed ${esc(r.seed)})` : `Seed ${esc(r.seed)}`} · ${esc(formatDuration(r.summary.virtualSeconds))} of simulated time from ${esc(Number.isFinite(start) ? formatUtc(start) : s.startTime)} to ${esc(formatUtc(virtualEndSeconds(r)))} · ${esc(chains)}</p>
</header>`;
}

/** A headline figure in its unit, precise enough to tell an interval's ends apart. */
function figureText(unit: FigureUnit, x: number): string {
  if (unit === "seconds") return formatSecondsExact(x);
  if (unit === "share") return `${(x * 100).toFixed(1)}%`;
  if (unit === "pct") return formatPct(x, 3);
  return x.toFixed(1);
}

/** A replicated run's figures, each as its mean with its 95% interval, every replication's figures, and how the interval is computed. */
function intervalsSection(reps: ReplicationsReport, first: SimulationResults): string {
  const lines = HEADLINE_FIGURES.map(({ key, label, unit }) => {
    const i = reps.intervals[key];
    if (!i) return `${label}: no run has this figure`;
    return `${label} ${figureText(unit, i.mean)} (${figureText(unit, i.low)}–${figureText(unit, i.high)}, 95% CI, ${formatInt(i.n)} run${i.n === 1 ? "" : "s"})`;
  });
  const failed = reps.conservation.failed;
  const books =
    failed.length === 0
      ? `The books balance to the smallest unit in all ${formatInt(reps.replications)} replications.`
      : `The books do not balance in replication${failed.length > 1 ? "s" : ""} ${failed.join(", ")} (they balance in ${formatInt(reps.conservation.held)}).`;
  const runs = table(
    [
      { header: "Replication", num: true, cell: (x: ReplicationRun) => esc(x.replication) },
      { header: "Seed", num: true, cell: (x: ReplicationRun) => esc(x.seed) },
      ...HEADLINE_FIGURES.map(({ key, label, unit }) => ({ header: label, num: true, cell: (x: ReplicationRun) => esc(x.figures[key] === null ? "–" : figureText(unit, x.figures[key])) })),
      { header: "Books balance", cell: (x: ReplicationRun) => (x.figures.conservationOk ? '<span class="met">yes</span>' : '<span class="notmet">NO</span>') },
      { header: "Folder", cell: (x: ReplicationRun) => `<code>${esc(x.dir)}</code>` },
    ],
    reps.runs,
  );
  return `<section id="intervals">
<h2>Figures over ${esc(formatInt(reps.replications))} replications</h2>
<p>The scenario was run ${esc(formatInt(reps.replications))} times, each a full run on its own chains that differs from the others only in its seed (the random draws: arrivals, amounts, senders and any modelled exchange-rate path). Each figure is the mean over the runs with its 95% confidence interval.</p>
<ul class="lines">${lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
<p>${esc(books)}</p>
<p class="note">How the interval is computed: ${esc(reps.method)} Replication 0 runs with the scenario's own seed (${esc(reps.seed)}): it is the plain run. Every other replication's seed is derived from that seed and its number alone, so the same command gives the same figures.</p>
<details><summary>Every replication's figures (${esc(formatInt(reps.runs.length))}; replications.json has them too)</summary>
${runs}
</details>
</section>
<section id="replication-0">
<h2>Replication 0 in detail</h2>
<p>Everything below is replication 0 alone (seed ${esc(first.seed)}, the plain run of the scenario): its figures, charts and tables are one run's, not means. Each replication's own report is in its folder (<code>${esc(reps.runs[0]?.dir ?? "")}/report.html</code> and so on).</p>
</section>`;
}

function headlineSection(r: SimulationResults, sc: Scorecard): string {
  const t = r.summary.transfers;
  const dist = r.summary.settlementSeconds;
  const settledShare = t.sent ? t.settled / t.sent : null;
  const headline = [
    `${formatInt(t.sent)} transfers`,
    `${formatShare(settledShare)} settled`,
    `median settlement ${formatDuration(dist.p50)}`,
    `all-in cost ${formatPct(sc.cost.meanPct)} on average`,
  ].join("; ");
  const refundReasons = Object.entries(r.summary.refundsByReason)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${v} ${k.replace(/^denied:/, "denied: ").replace(/_/g, " ").toLowerCase()}`)
    .join(", ");
  const refundTime = meanRefundSeconds(r.transfers);
  const bullets = [
    `${formatInt(t.settled)} of ${formatInt(t.sent)} transfers were paid out; ${formatInt(t.refunded)} were refunded in full${refundReasons ? ` (${esc(refundReasons)})` : ""}${refundTime !== null ? `, on average ${esc(formatDuration(refundTime))} after they were sent` : ""}${t.inFlight ? `; ${formatInt(t.inFlight)} were still in flight when the run ended` : ""}${t.rejectedAtSend ? `; ${formatInt(t.rejectedAtSend)} were rejected before they entered the corridor` : ""}.`,
    `Half of the payouts arrived within ${esc(formatDuration(dist.p50))} of sending, 95% within ${esc(formatDuration(dist.p95))}, 99% within ${esc(formatDuration(dist.p99))}; ${esc(formatShare(sc.speed.share))} of transfers with an outcome settled within one hour.`,
    `Settlement time is measured from chain data: the time of the block that paid the recipient minus the time of the block that took the sender's funds.`,
  ];
  if (r.summary.fastAllowance.settlementsUsingIt > 0) {
    bullets.push(
      `${formatInt(r.summary.fastAllowance.settlementsUsingIt)} Fast transfers were paid before the sending chain reached finality, inside the corridor's Fast allowance (its exposure to a reversal on the sending chain).`,
    );
  }
  return `<section id="headline">
<p class="headline">${esc(headline)}.</p>
<div class="kpis">
${kpi(formatInt(t.sent), "transfers sent")}
${kpi(`${formatInt(t.settled)} (${formatShare(settledShare)})`, "settled")}
${kpi(formatInt(t.refunded), "refunded in full")}
${kpi(formatDuration(dist.p50), "median settlement time")}
${kpi(formatDuration(dist.p95), "95th percentile")}
${kpi(formatShare(sc.speed.share), "settled within one hour")}
${kpi(formatPct(sc.cost.meanPct), "average all-in cost")}
${kpi(r.summary.conservation.ok ? "yes" : "NO", "books balance to the smallest unit")}
</div>
<ul class="lines">${bullets.map((b) => `<li>${b}</li>`).join("")}</ul>
</section>`;
}

function scorecardSection(sc: Scorecard): string {
  const speedBars: BarDatum[] = [];
  if (sc.speed.share !== null) speedBars.push({ label: "This run, all corridors", value: sc.speed.share, color: PALETTE.primary });
  for (const c of sc.corridors) {
    if (c.shareWithinOneHour !== null) speedBars.push({ label: `This run, ${c.corridor}`, value: c.shareWithinOneHour, color: PALETTE.secondary });
  }
  // Each baseline beside the corridor figure that measures the same thing: to the payee's institution (on-chain leg), to the end customer (end to end).
  for (const b of sc.baselines.filter((x) => x.unit === "share" && x.comparableTo === "onChain")) speedBars.push({ label: b.name, value: b.value, display: `about ${formatShare(b.value)}`, color: PALETTE.neutral });
  const e2e = sc.endToEnd;
  if (e2e && e2e.speed.share !== null) speedBars.push({ label: "This run end to end, to the payee's bank account", value: e2e.speed.share, color: PALETTE.primary });
  if (e2e) for (const b of sc.baselines.filter((x) => x.unit === "share" && x.comparableTo === "endToEnd")) speedBars.push({ label: b.name, value: b.value, display: `about ${formatShare(b.value)}`, color: PALETTE.neutral });
  const speedTargets = [...new Set(sc.checks.filter((c) => c.measure === "speed").map((c) => c.threshold))];

  const costBars: BarDatum[] = [];
  if (sc.cost.meanPct !== null) costBars.push({ label: "This run, average all-in cost", value: sc.cost.meanPct, color: PALETTE.primary });
  if (sc.reference) costBars.push({ label: `This run, ${sc.reference.amount} ${sc.reference.numeraire} reference`, value: sc.reference.meanPct, color: PALETTE.secondary });
  if (e2e?.reference) costBars.push({ label: `This run end to end, ${e2e.reference.amount} ${e2e.reference.numeraire} reference`, value: e2e.reference.meanPct, color: PALETTE.primary });
  for (const b of sc.baselines.filter((x) => x.unit === "pct" && (x.comparableTo === "onChain" || e2e !== undefined))) costBars.push({ label: b.name, value: b.value, color: PALETTE.neutral });
  const costMarkers = sc.checks
    .filter((c) => c.measure === "costAverage")
    .map((c) => ({ value: c.threshold, label: `G20 ${c.segmentLabel}: ${formatPct(c.threshold)} average`, color: PALETTE.danger }));

  const chart = barChart({
    name: "g20",
    title: "This run against the G20 targets and published baselines (each beside the figure it measures the same way)",
    panels: [
      {
        title: "Share settled within one hour",
        bars: speedBars,
        max: 1,
        unit: shareUnit,
        markers: speedTargets.map((v) => ({ value: v, label: `G20 target: ${formatShare(v)} within one hour`, color: PALETTE.danger })),
      },
      { title: "Cost, % of the amount sent", bars: costBars, unit: pctUnit(), markers: costMarkers },
    ],
  });

  const rows = table(
    [
      { header: "Segment", cell: (c) => esc(c.segmentLabel) },
      { header: "G20 target", cell: (c) => esc(c.target) },
      { header: "This run", num: true, cell: (c) => esc(c.actual === null ? "–" : c.unit === "share" ? formatShare(c.actual) : formatPct(c.actual)) },
      { header: "Measured as", cell: (c) => esc(c.basis) },
      { header: "Result", cell: (c) => verdict(c.met) },
    ],
    sc.checks,
  );
  const baselines = table(
    [
      { header: "Baseline", cell: (b) => esc(b.name) },
      { header: "Figure", cell: (b) => esc(b.text) },
      { header: "Measures", cell: (b) => esc(b.comparableWords) },
      { header: "Source", cell: (b) => esc(`${b.source} (as of ${b.asOf})`) },
    ],
    sc.baselines,
  );
  return `<section id="g20">
<h2>G20 scorecard: the on-chain leg (wallet to wallet)</h2>
<p>The G20 Roadmap for Enhancing Cross-border Payments sets quantitative targets for cost and speed by 2027 (remittance cost by 2030). The corridor's own leg, from the payer's send on the source chain to the payee's wallet credited on the destination chain, measured the same way${sc.endToEnd ? " (the FSB's end-to-end definition is above)" : ""}:</p>
<ul class="lines">${sc.checks.map((c) => `<li>${esc(c.line)}</li>`).join("")}</ul>
${chartFigure(chart)}
${rows}
<h3>Baselines for comparison</h3>
${baselines}
<p class="source">Targets: ${esc(sc.source)}.</p>
<p class="note">Speed counts refunded transfers as not settled within the hour (the recipient was not paid); of the transfers that settled, ${esc(formatShare(sc.speed.shareOfSettled))} did so within one hour. Cost is the all-in cost against the mid-market rate: the fee plus the FX spread${sc.cost.gasIncluded ? " plus network (gas) charges" : ""}, as a share of the amount sent.${sc.reference ? ` The ${esc(sc.reference.amount)} ${esc(sc.reference.numeraire)} reference is ${esc(sc.reference.basis)}.` : ""}</p>
</section>`;
}

/** The G20 scorecard by the FSB's definitions: bank account to bank account, with both ramps, the transparency target and the assumptions. */
function endToEndSection(sc: Scorecard): string {
  const e = sc.endToEnd!;
  const pctOr = (v: number | null | undefined) => (v === null || v === undefined ? "–" : formatPct(v));
  const shareOr = (v: number | null) => (v === null ? "–" : formatShare(v));
  const checks = table(
    [
      { header: "Segment", cell: (c) => esc(c.segmentLabel) },
      { header: "G20 target", cell: (c) => esc(c.target) },
      { header: "This run, end to end", num: true, cell: (c) => esc(c.actual === null ? "–" : c.unit === "share" ? formatShare(c.actual) : formatPct(c.actual)) },
      { header: "Measured as", cell: (c) => esc(c.basis) },
      { header: "Result", cell: (c) => verdict(c.met) },
    ],
    e.checks,
  );
  const corridors = table(
    [
      { header: "Corridor", cell: (c) => esc(c.corridor) },
      { header: "Outcomes", num: true, cell: (c) => esc(formatInt(c.outcomes)) },
      { header: "Within 1 h", num: true, cell: (c) => esc(shareOr(c.shareWithinOneHour)) },
      { header: "Within 1 business day", num: true, cell: (c) => esc(shareOr(c.shareWithinOneBusinessDay)) },
      { header: "On-ramp (mean)", num: true, cell: (c) => esc(c.meanLegsSeconds ? formatDuration(c.meanLegsSeconds.onRamp) : "–") },
      { header: "On chain (mean)", num: true, cell: (c) => esc(c.meanLegsSeconds ? formatDuration(c.meanLegsSeconds.onChain) : "–") },
      { header: "Off-ramp (mean)", num: true, cell: (c) => esc(c.meanLegsSeconds ? formatDuration(c.meanLegsSeconds.offRamp) : "–") },
      { header: "All-in cost (mean)", num: true, cell: (c) => esc(pctOr(c.meanCostPct)) },
      { header: "200 reference", num: true, cell: (c) => esc(pctOr(c.referenceCostPct)) },
    ],
    e.corridors,
  );
  const baselines = table(
    [
      { header: "Baseline", cell: (b) => esc(b.name) },
      { header: "Figure", cell: (b) => esc(b.unit === "share" ? formatShare(b.value) : formatPct(b.value)) },
      { header: "This run, measured the same way", num: true, cell: (b) => esc(b.measures === "remittanceCost200" ? pctOr(e.reference?.meanPct) : b.measures === "endCustomerWithinOneHour" ? shareOr(e.speed.share) : shareOr(sc.speed.share)) },
      { header: "Measures", cell: (b) => esc(b.comparableWords) },
      { header: "Source", cell: (b) => esc(`${b.source} (as of ${b.asOf})`) },
    ],
    sc.baselines,
  );
  const rails = table(
    [
      { header: "Rail", cell: (r) => esc(r.name) },
      { header: "Customer payments", cell: (r) => esc(r.hours) },
      { header: "Closed on", cell: (r) => esc(e.calendars.find((c) => c.name === r.calendar)?.title ?? r.calendar) },
      { header: "Source", cell: (r) => esc(`${r.source} (as of ${r.asOf})`) },
    ],
    e.rails,
  );
  const calendars = table(
    [
      { header: "Calendar", cell: (c) => esc(c.title) },
      { header: "Covers", cell: (c) => esc(`${c.from} to ${c.to}`) },
      { header: "Source", cell: (c) => esc(`${c.source} (as of ${c.asOf})`) },
    ],
    e.calendars,
  );
  const t = e.transparency;
  return `<section id="g20-end-to-end">
<h2>G20 scorecard end to end (bank account to bank account)</h2>
<p>The FSB measures speed from the payer's instruction to funds available to the payee, and cost all-in. A stablecoin payment between bank accounts has an on-ramp (the payer's bank pays the issuer over a bank rail, which keeps its operating hours, weekends and holidays; the issuer mints), the corridor's on-chain leg, and an off-ramp (the payee redeems; the issuer pays out over the payee's bank rail). ${esc(formatInt(e.counts.outcomes))} transfers with an outcome, from the run's own initiation times and measured on-chain times:</p>
<ul class="lines">${e.lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
${checks}
<p>Credited to the payee's bank: median ${esc(formatDuration(e.speed.p50Seconds))}, 95th percentile ${esc(formatDuration(e.speed.p95Seconds))}, longest ${esc(formatDuration(e.speed.maxSeconds))}.</p>
${corridors}
<h3>Transparency: what the payer is shown before sending</h3>
<ul class="lines">${t.shownUpFront.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
<p>Of ${esc(formatInt(t.quoted))} quoted transfers with an outcome, ${esc(formatInt(t.delivered))} were delivered: ${esc(formatInt(t.onTime))} by the promised time, ${esc(formatInt(t.atCost))} at the promised cost; ${esc(shareOr(t.shareMatched))} of outcomes matched the promise on both (a refund does not). Status tracking: ${esc(t.statusTracking)}.</p>
<h3>Baselines, each beside the figure measured the same way</h3>
${baselines}
<h3>Assumptions the verdicts rest on</h3>
<ul class="lines">${e.assumptions.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
<h3>Bank rails and holiday calendars</h3>
${rails}
${calendars}
</section>`;
}

function timeSection(r: SimulationResults): string {
  const w = stageWaterfall(r.transfers);
  const chart = waterfallChart({
    name: "waterfall",
    title: "Mean time spent in each stage of a settled transfer",
    steps: w.steps.map((s) => ({ label: s.label, value: s.meanSeconds })),
    totalLabel: "From sending to payout (mean)",
  });
  const rows = table(
    [
      { header: "Stage", cell: (s) => esc(s.label) },
      { header: "What happens", cell: (s) => esc(s.explain) },
      { header: "Transfers", num: true, cell: (s) => esc(formatInt(s.transfers)) },
      { header: "Mean, when it applies", num: true, cell: (s) => esc(formatDuration(s.meanSecondsWhenPresent)) },
      { header: "Mean over all settled", num: true, cell: (s) => esc(formatDuration(s.meanSeconds)) },
      { header: "Share of total", num: true, cell: (s) => esc(formatShare(w.totalMeanSeconds > 0 ? s.meanSeconds / w.totalMeanSeconds : null)) },
    ],
    w.steps,
  );
  const longest = [...w.steps].sort((a, b) => b.meanSeconds - a.meanSeconds)[0];
  return `<section id="time">
<h2>Where the time goes</h2>
<p>Each settled transfer passes through these stages in order; the bars show the mean time spent in each, so together they add up to the mean time from sending to payout (${esc(formatDuration(w.totalMeanSeconds))} over ${esc(formatInt(w.settled))} settled transfers).${longest ? ` The largest share is ${esc(longest.label.toLowerCase())}: ${esc(longest.explain)}.` : ""}</p>
${chartFigure(chart)}
${rows}
<p class="note">Stages that only some transfers go through (holds for review) are averaged over all settled transfers in the chart, and over the transfers concerned in the "when it applies" column.</p>
</section>`;
}

function latencySection(r: SimulationResults): string {
  const d = r.summary.settlementSeconds;
  const chart = settlementChart({
    name: "latency",
    title: "Settlement time of settled transfers (number of transfers per time band)",
    seconds: r.transfers.filter((t) => t.state === "settled" && t.settlementSeconds !== null).map((t) => t.settlementSeconds!),
    percentiles: d,
    noun: "transfers",
  });
  const stats = table(
    [
      { header: "Measure", cell: (x: [string, number | undefined]) => esc(x[0]) },
      { header: "Settlement time", num: true, cell: (x) => esc(formatDuration(x[1])) },
    ],
    [
      ["Fastest", d.min],
      ["Median (p50)", d.p50],
      ["Mean", d.mean],
      ["95th percentile (p95)", d.p95],
      ["99th percentile (p99)", d.p99],
      ["Slowest", d.max],
    ],
  );
  return `<section id="latency">
<h2>Settlement time distribution</h2>
<p>How long ${esc(formatInt(d.count))} settled transfers took, from the block that took the sender's funds to the block that paid the recipient. Fast transfers are paid after a few blocks; Standard transfers wait for the sending chain's finality; held transfers wait for a reviewer.</p>
${chartFigure(chart)}
${stats}
</section>`;
}

function corridorSection(r: SimulationResults, spec: CorridorSpec): string {
  const rows = corridorTierTable(r.transfers);
  const example = spec.routes.find((x) => x.mode === "lockRelease") ?? spec.routes[0];
  const word = (c: string) => `${spec.currencies[c]?.word ?? c}s`;
  const explain = example
    ? ` (${esc(example.key)} ${example.input === example.output ? `carries ${esc(word(example.input))} from the ${esc(example.from)} chain to the ${esc(example.to)} chain` : `converts ${esc(word(example.input))} into ${esc(word(example.output))}`})`
    : "";
  return `<section id="corridors">
<h2>Corridors and tiers</h2>
<p>A corridor is a sending chain and currency to a receiving chain and currency${explain}. This run's corridor has ${esc(formatInt(Object.keys(spec.chains).length))} chains (${esc(listWords(Object.keys(spec.chains)))}) and ${esc(formatInt(spec.routes.length))} routes; the table shows those that carried transfers. Fast transfers pay a premium to be paid before the sending chain's finality; Standard transfers wait for it.</p>
${table(
  [
    { header: "Corridor", cell: (x) => esc(x.corridor) },
    { header: "Tier", cell: (x) => esc(x.tier) },
    { header: "Transfers", num: true, cell: (x) => esc(formatInt(x.transfers)) },
    { header: "Settled", num: true, cell: (x) => esc(formatInt(x.settled)) },
    { header: "Refunded", num: true, cell: (x) => esc(formatInt(x.refunded)) },
    { header: "Median", num: true, cell: (x) => esc(formatDuration(x.settlement.p50)) },
    { header: "p95", num: true, cell: (x) => esc(formatDuration(x.settlement.p95)) },
    { header: "p99", num: true, cell: (x) => esc(formatDuration(x.settlement.p99)) },
    { header: "Within 1 hour", num: true, cell: (x) => esc(formatShare(x.shareWithinOneHour)) },
    { header: "All-in cost", num: true, cell: (x) => esc(formatPct(x.meanCostPct)) },
  ],
  rows,
)}
</section>`;
}

function costSection(r: SimulationResults, sc: Scorecard): string {
  const b = costBreakdown(r.transfers);
  const series = [
    { key: "fee", label: "Corridor fee", color: PALETTE.primary },
    { key: "fx", label: "FX spread against mid", color: PALETTE.accent },
    ...(b.gasPresent ? [{ key: "gas", label: "Network (gas) charges", color: PALETTE.series[3] }] : []),
  ];
  const all = [...b.rows, ...(b.rows.length ? [b.overall] : [])];
  const chart = stackedBarChart({
    name: "cost",
    title: "Mean cost of a settled transfer by corridor, % of the amount sent",
    series,
    rows: all.map((row) => ({ label: row.corridor, values: { fee: row.feePct, fx: row.fxPct, ...(b.gasPresent ? { gas: row.gasPct ?? 0 } : {}) }, display: `all-in ${formatPct(row.allInPct)}` })),
    unit: pctUnit(3),
  });
  const cols = [
    { header: "Corridor", cell: (x: CostRow) => esc(x.corridor) },
    { header: "Settled", num: true, cell: (x: CostRow) => esc(formatInt(x.settled)) },
    { header: "Fee", num: true, cell: (x: CostRow) => esc(formatPct(x.feePct, 3)) },
    { header: "FX spread", num: true, cell: (x: CostRow) => esc(formatPct(x.fxPct, 3)) },
    ...(b.gasPresent ? [{ header: "Gas", num: true, cell: (x: CostRow) => esc(formatPct(x.gasPct, 3)) }] : []),
    { header: "All-in", num: true, cell: (x: CostRow) => esc(formatPct(x.allInPct, 3)) },
  ];
  const fees = Object.entries(r.summary.costs.feesByCurrency)
    .map(([ccy, v]) => formatMoney(v, ccy))
    .join(" and ");
  const refGas = sc.reference?.byCorridor.some((c) => c.gasPct !== undefined) ?? false;
  const ref = sc.reference
    ? `<h3>Cost of sending ${esc(sc.reference.amount)} ${esc(sc.reference.numeraire)}</h3>
<p>The G20 remittance target and the World Bank's Remittance Prices Worldwide are stated for a ${esc(sc.reference.amount)} ${esc(sc.reference.numeraire)} payment. Applying this scenario's fee schedule and FX spread to that amount (Standard tier)${refGas ? ", plus this run's mean network (gas) cost per transfer, which does not shrink with the amount" : ""}:</p>
${table(
  [
    { header: "Corridor", cell: (x: ReferenceCorridorCost) => esc(x.corridor) },
    { header: "Amount sent", num: true, cell: (x: ReferenceCorridorCost) => esc(formatMoney(x.amountIn, x.currency)) },
    { header: "Fee", num: true, cell: (x: ReferenceCorridorCost) => esc(formatPct(x.feePct, 3)) },
    { header: "FX spread", num: true, cell: (x: ReferenceCorridorCost) => esc(formatPct(x.fxPct, 3)) },
    ...(refGas ? [{ header: "Gas", num: true, cell: (x: ReferenceCorridorCost) => esc(formatPct(x.gasPct, 3)) }] : []),
    { header: "All-in", num: true, cell: (x: ReferenceCorridorCost) => esc(formatPct(x.pct, 3)) },
  ],
  sc.reference.byCorridor,
)}`
    : "";
  return `<section id="cost">
<h2>What a transfer costs</h2>
<p>The all-in cost compares what the sender paid, valued at the mid-market rate, with what the recipient received: the corridor's fee plus the FX spread${b.gasPresent ? " plus network (gas) charges" : ""}. Same-currency transfers carry no FX spread.</p>
${chartFigure(chart)}
${table(cols, all)}
<p class="note">Fees collected: ${esc(fees || "none")}. The FX spread is measured on the amount converted (after the fee), so fee and spread add up to the all-in cost up to rounding.</p>
${ref}
</section>`;
}

function complianceSection(r: SimulationResults): string {
  const c = complianceOutcomes(r.transfers);
  const pending = c.byReason.some((x) => x.heldPending > 0);
  const series = [
    { key: "denied", label: "Denied at screening", color: PALETTE.danger },
    { key: "heldThenDenied", label: "Held, then denied", color: PALETTE.accent },
    { key: "heldThenApproved", label: "Held, then approved", color: PALETTE.ok },
    ...(pending ? [{ key: "heldPending", label: "Held, awaiting review", color: PALETTE.neutral }] : []),
  ];
  const chart = stackedBarChart({
    name: "compliance",
    title: "Compliance outcomes by reason (transfers)",
    series,
    rows: c.byReason.map((x) => ({
      label: x.label,
      values: { denied: x.denied, heldThenDenied: x.heldThenDenied, heldThenApproved: x.heldThenApproved, ...(pending ? { heldPending: x.heldPending } : {}) },
      display: formatInt(x.total),
    })),
    unit: countUnit,
    labelWidth: 250,
    emptyText: "no compliance decision",
  });
  const s = r.summary.compliance;
  const refunds = Object.entries(r.summary.refundsByReason).sort(([, a], [, b]) => b - a);
  return `<section id="compliance">
<h2>Compliance outcomes</h2>
<p>Every transfer is screened once its source payment is final for its tier: ${esc(formatInt(s.screened))} screened, ${esc(formatInt(s.allowed))} allowed straight through, ${esc(formatInt(s.denied))} denied, ${esc(formatInt(s.held))} held for review (${esc(formatInt(s.reviewsApproved))} then approved, ${esc(formatInt(s.reviewsDenied))} denied). A denied transfer is refunded to the sender in full.</p>
${chartFigure(chart)}
${table(
  [
    { header: "Reason", cell: (x) => esc(x.label) },
    { header: "Code", cell: (x) => `<code>${esc(x.reason)}</code>` },
    { header: "Transfers", num: true, cell: (x) => esc(formatInt(x.total)) },
    { header: "Denied", num: true, cell: (x) => esc(formatInt(x.denied)) },
    { header: "Held, denied", num: true, cell: (x) => esc(formatInt(x.heldThenDenied)) },
    { header: "Held, approved", num: true, cell: (x) => esc(formatInt(x.heldThenApproved)) },
    ...(pending ? [{ header: "Awaiting review", num: true, cell: (x: (typeof c.byReason)[number]) => esc(formatInt(x.heldPending)) }] : []),
  ],
  c.byReason,
)}
${
  refunds.length
    ? `<h3>Refunds by reason</h3>${table(
        [
          { header: "Reason", cell: (x: [string, number]) => `<code>${esc(x[0])}</code>` },
          { header: "Refunds", num: true, cell: (x) => esc(formatInt(x[1])) },
        ],
        refunds,
      )}`
    : ""
}
</section>`;
}

/** The regulation packs in force per coin (src/regulation/packs.ts) and what the issuers did under them. */
function regulationSection(r: SimulationResults): string {
  const reg = r.summary.regulation;
  if (!reg || reg.coins.length === 0) {
    return `<section id="regulation">
<h2>Regulation packs in force</h2>
<p>None: the scenario names no regulation pack, so no issuer rules (reserves, guardrail, holding limits, redemption deadline, lawful orders) were modelled.</p>
</section>`;
  }
  const inForce = reg.coins.map((c) => `<li><strong>${esc(c.currency)}</strong> (issued on ${esc(c.homeChain)}): ${c.packs.map((p) => `${esc(p.id)}, ${esc(p.title)} (${esc(p.status)}, ${esc(p.date)})`).join("; ")}</li>`).join("\n");
  const facts = reg.coins.flatMap((c) => {
    const out: string[] = [];
    const reserves = Object.entries(c.reserves.start).map(([k, v]) => `${esc(k)} ${esc(v)}`).join(", ");
    out.push(`${esc(c.currency)} reserves at the start: ${esc(c.reserves.startTotal)} (${reserves}); at the end ${esc(c.reserves.endTotal)}.`);
    if (c.guardrail) out.push(`${esc(c.currency)} issuance guardrail ${esc(c.guardrail.rule)}${c.guardrail.scale !== 1 ? `, <strong>scaled by ${esc(c.guardrail.scale)} for this run to ${esc(c.guardrail.inForce)}</strong> (a scenario setting, not the rule)` : ""}.`);
    for (const m of c.mints) out.push(`Mint of ${esc(m.amount)} ${esc(c.currency)} to ${m.holder === "individual" ? "an" : "a"} ${esc(m.holder)} at +${esc(m.offsetSeconds)} s: ${esc(m.outcome)}${m.reason ? ` (${esc(m.reason)})` : ""}.`);
    if (c.holdingLimits) out.push(`Holding limits ${esc(c.holdingLimits.individual)} per individual, ${esc(c.holdingLimits.business)} per business: ${esc(c.holdingLimits.refusedMints)} mint(s) refused, ${esc(c.holdingLimits.deniedTransfers)} transfer(s) denied and refunded; ${esc(c.holdingLimits.overLimitAtStart)} holder(s) already above at the start.`);
    if (c.redemptions.requests > 0) {
      const classes = Object.entries(c.redemptions.byClass).map(([k, v]) => `${esc(v!.paid)} from ${esc(k)}`).join(", ");
      out.push(
        `${esc(c.redemptions.requests)} redemption(s) of ${esc(c.redemptions.amount)} ${esc(c.currency)} at par (${classes}): ` +
          (c.redemptions.deadline ? `${esc(c.redemptions.paidOnTime)} paid by the ${esc(c.redemptions.deadline)}, <strong>${esc(c.redemptions.paidLate)} late</strong>.` : "no deadline in force."),
      );
      for (const run of c.redemptions.runs) out.push(`Redemption run (fault ${esc(run.fault + 1)}): ${esc(run.redeemed)} redeemed against ${esc(run.onDemandAtStart)} on demand of ${esc(run.reservesAtStart)} reserves: the liquid share ${run.coveredOnDemand ? "covered it" : "<strong>did not cover it</strong>"}.`);
    }
    for (const o of c.orders) {
      const seized = Object.entries(o.seized).map(([k, v]) => `${esc(v)} on ${esc(k)}`).join(", ");
      const held = Object.entries(o.recoveryBalance).map(([k, v]) => `${esc(v)} on ${esc(k)}`).join(", ");
      out.push(`Lawful order at +${esc(o.offsetSeconds)} s: ${esc(o.target)} frozen on ${esc(o.frozenOn.join(", "))}, ${seized} ${esc(c.currency)} seized; the recovery address holds ${held}; ${esc(o.transfersRefunded)} transfer(s) to it refunded to their senders.`);
    }
    return out;
  });
  for (const x of reg.comparability) {
    facts.push(`${esc(x.regime)}: the ${esc(x.coin)} coin${x.packs.length ? ` (under ${esc(x.packs.join(" + "))})` : ""} is ${x.comparable ? "usable" : "<strong>not usable</strong>"} in ${esc(x.jurisdiction)} under the Act: ${x.comparable ? "its regime is found comparable" : "no comparability finding for its regime"}. ${esc(x.note)}`);
  }
  const issuance = r.summary.conservation.issuance ?? [];
  if (issuance.length) facts.push(`In the balance checks below: ${issuance.map((l) => `${esc(l.currency)} minted ${esc(l.minted)}, redeemed ${esc(l.redeemed)}, seized ${esc(l.seized)}`).join("; ")}.`);
  const rules = reg.coins.flatMap((c) => c.rules.map((x) => ({ ...x, currency: c.currency })));
  return `<section id="regulation">
<h2>Regulation packs in force</h2>
<ul>${inForce}</ul>
<ul>${facts.map((f) => `<li>${f}</li>`).join("\n")}</ul>
<details><summary>The rules and their sources (${esc(formatInt(rules.length))})</summary>
${table(
  [
    { header: "Coin", cell: (x) => esc(x.currency) },
    { header: "Rule", cell: (x) => esc(x.rule) },
    { header: "Value", cell: (x) => esc(JSON.stringify(x.value)) },
    { header: "Source", cell: (x) => `${esc(x.source)} (${esc(x.date)})${x.note ? `. ${esc(x.note)}` : ""}` },
  ],
  rules,
)}
</details>
</section>`;
}

function integritySection(r: SimulationResults, spec: CorridorSpec): string {
  const units = spec.tokens.map((c) => spec.currencies[c]?.word ?? c);
  const smallest = `one millionth of a ${units.length <= 1 ? units.join("") : `${units.slice(0, -1).join(", ")} or ${units[units.length - 1]}`}`;
  const c = r.summary.conservation;
  const bad = c.lines.filter((l) => !l.ok).length + c.burnAndMint.filter((b) => !b.ok).length;
  const moved = c.lines.filter((l) => !l.ok || l.expected !== "0" || l.actual !== "0");
  const ok = (v: boolean) => (v ? '<span class="met">yes</span>' : '<span class="notmet">NO</span>');
  const burnAndMint = c.burnAndMint.length
    ? `<p class="note">Same-currency transfers burn on one chain and mint on the other: burned = minted + refunded + in flight, and total supply across the chains changes by exactly what is in flight.</p>
${table(
  [
    { header: "Currency", cell: (b) => esc(b.currency) },
    { header: "Burned", num: true, cell: (b) => esc(b.burned) },
    { header: "Minted", num: true, cell: (b) => esc(b.minted) },
    { header: "Refunded", num: true, cell: (b) => esc(b.refunded) },
    { header: "In flight", num: true, cell: (b) => esc(b.inFlight) },
    ...(c.burnAndMint.some((b) => b.unbacked !== "0") ? [{ header: "Minted against a reorganised-away send", num: true, cell: (b: (typeof c.burnAndMint)[number]) => esc(b.unbacked) }] : []),
    { header: "Supply change", num: true, cell: (b) => esc(b.supplyChange) },
    { header: "Holds", cell: (b) => ok(b.ok) },
  ],
  c.burnAndMint,
)}`
    : "";
  return `<section id="integrity">
<h2>Do the books balance?</h2>
<p>${
    c.ok
      ? `Yes. For every chain and currency, what senders paid equals what recipients received plus fees, refunds and anything still in flight, to the smallest unit (${esc(smallest)}); nothing was paid out twice.`
      : `<strong>No: ${esc(formatInt(bad))} balance check(s) failed.</strong> The tables below show where the on-chain changes differ from what the transfers imply.`
  }</p>
<details${c.ok ? "" : " open"}><summary>Balance checks (${esc(formatInt(moved.length + c.burnAndMint.length))} with movements; the ${esc(formatInt(c.lines.length - moved.length))} others are zero and match)</summary>
${table(
  [
    { header: "Chain", cell: (l) => esc(l.chain) },
    { header: "Token", cell: (l) => esc(l.token) },
    { header: "Holder", cell: (l) => esc(l.holder) },
    { header: "Expected change", num: true, cell: (l) => esc(l.expected) },
    { header: "On-chain change", num: true, cell: (l) => esc(l.actual) },
    { header: "Matches", cell: (l) => ok(l.ok) },
  ],
  moved,
)}
${burnAndMint}
</details>
</section>`;
}

function scenarioSection(r: SimulationResults): string {
  const json = JSON.stringify(r.scenario, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
  return `<section id="scenario">
<h2>Scenario parameters</h2>
<p>The full scenario as the simulator ran it (defaults filled in). Amounts in fee schedules are in millionths of a currency unit; spreads and fees in basis points (0.01%).</p>
<pre><code>${esc(json)}</code></pre>
</section>`;
}

function reproduceSection(r: SimulationResults, command: string, spec: CorridorSpec): string {
  return `<section id="reproduce">
<h2>Reproduce this report</h2>
<p>Run this command from the Corridor project folder. The same scenario and seed (${esc(r.seed)}) give the same results, apart from the wall-clock time of the run.</p>
<pre><code class="command">${esc(command)}</code></pre>
</section>
<footer>Generated by Corridor from simulated transfers on ${esc(formatInt(Object.keys(spec.chains).length))} simulated chains. Wall-clock time of the run: ${esc(formatDuration(r.summary.wallClock.seconds))}. This file makes no network request; its charts are drawn by the ECharts library it carries.</footer>`;
}
