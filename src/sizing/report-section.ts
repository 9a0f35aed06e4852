/**
 * The run report's section on money tied up (src/report/html.ts places it after the cost section):
 * the cost of capital of the pools, added to the all-in cost as its own line, and the Herstatt
 * exposure of cross-currency transfers per corridor as a distribution (src/sizing/capital.ts,
 * herstatt.ts). Runs written before these figures existed show nothing.
 */
import type { SimulationResults } from "../sim/results.js";
import { escapeHtml as esc } from "../report/escape.js";
import { formatDuration, formatMoney, formatPct } from "../report/format.js";
import { table } from "../report/page.js";
import type { PoolCapital } from "./capital.js";
import type { LegExposure } from "./herstatt.js";

const pctRate = (r: number | null) => (r === null ? "–" : `${(r * 100).toFixed(3).replace(/0+$/, "").replace(/\.$/, "")}%`);

export function capitalRiskSection(r: SimulationResults): string {
  const cap = r.summary.capital;
  const risk = r.summary.settlementRisk;
  if (!cap && !risk) return "";
  const parts: string[] = ['<section id="capital-risk">', "<h2>Money tied up: cost of capital and settlement risk</h2>"];
  if (cap) {
    const pools = Object.entries(cap.pools);
    const allIn = r.summary.costs.meanAllInPct;
    parts.push(
      `<h3>Cost of capital</h3>
<p>The liquidity pools are prefunded before any transfer arrives, and that money earns nothing while it waits. Priced at a rate per pool (the central bank's policy rate of its currency unless the scenario gives one), for the ${esc(formatDuration(cap.heldSeconds))} of the run's arrivals, it costs ${esc(formatMoney(cap.totalCost, cap.numeraire, 4))}: ${esc(cap.perTransfer === null ? "–" : formatMoney(cap.perTransfer, cap.numeraire, 4))} per settled transfer, ${esc(formatPct(cap.pct, 4))} of the amount sent.</p>
${table(
  [
    { header: "Pool", cell: (x: [string, PoolCapital]) => esc(x[0]) },
    { header: "Prefunding", num: true, cell: (x) => esc(formatMoney(x[1].prefunding, x[1].currency, 0)) },
    { header: `In ${cap.numeraire}`, num: true, cell: (x) => esc(formatMoney(x[1].prefundingNumeraire, undefined, 0)) },
    { header: "Rate per year", num: true, cell: (x) => esc(pctRate(x[1].rate)) },
    { header: `Cost (${cap.numeraire})`, num: true, cell: (x) => esc(x[1].cost === null ? "–" : formatMoney(x[1].cost, undefined, 4)) },
    { header: "Rate from", cell: (x) => esc(x[1].rateSource) },
  ],
  pools,
)}
${table(
  [
    { header: "All-in cost, mean over settled transfers", cell: (x: [string, number | null | undefined]) => esc(x[0]) },
    { header: "% of the amount sent", num: true, cell: (x) => esc(formatPct(x[1] ?? null, 4)) },
  ],
  [
    ["fee + FX spread + gas (the cost section above)", allIn],
    ["cost of capital", cap.pct],
    ["all-in with the cost of capital", cap.allInWithCapitalPct],
  ],
)}
<p class="note">${esc(cap.basis)}. A pool's cost scales with its prefunding: <code>corridor size</code> finds the smallest prefunding that meets a service level.${cap.unpriced.length ? ` Not priced (no rate): ${esc(cap.unpriced.join(", "))}.` : ""}</p>`,
    );
  }
  if (risk) {
    const rows = [...Object.entries(risk.byCorridor), ...(Object.keys(risk.byCorridor).length > 1 ? [["all cross-currency", risk.all] as const] : [])];
    const legRows = rows.flatMap(([k, c]) => [
      [`${k}`, "payer: lock to release", c.payer] as const,
      [`${k}`, "provider: payout to escrow release", c.provider] as const,
    ]);
    const d = (x: number | undefined, f: (v: number) => string) => (x === undefined ? "–" : f(x));
    const money = (v: number) => formatMoney(v, undefined, 0);
    parts.push(
      `<h3>Settlement (Herstatt) risk</h3>
<p>Between the lock of a cross-currency transfer on its source chain and its release on the destination, the payer has given up one currency and not yet received the other; between the payout and the release of the escrow to the source-side pool, the liquidity provider has. Here ${esc(risk.settlement === "lockRelease" ? "the two legs are separate steps (lock, then release)" : risk.settlement)}. Value in ${esc(risk.numeraire)} at the scenario's mid; value-time in ${esc(risk.numeraire)}-hours.</p>
${table(
  [
    { header: "Corridor", cell: (x: (typeof legRows)[number]) => esc(x[0]) },
    { header: "Leg", cell: (x) => esc(x[1]) },
    { header: "Transfers", num: true, cell: (x) => esc(String(x[2].count)) },
    { header: "Exposed p50 / p95 / max", num: true, cell: (x) => esc(`${d(x[2].seconds.p50, formatDuration)} / ${d(x[2].seconds.p95, formatDuration)} / ${d(x[2].seconds.max, formatDuration)}`) },
    { header: "Value p50 / p95 / max", num: true, cell: (x) => esc(`${d(x[2].value.p50, money)} / ${d(x[2].value.p95, money)} / ${d(x[2].value.max, money)}`) },
    { header: "Value-hours p50 / p95 / max", num: true, cell: (x) => esc(`${d(x[2].valueHours.p50, (v) => v.toFixed(2))} / ${d(x[2].valueHours.p95, (v) => v.toFixed(2))} / ${d(x[2].valueHours.max, (v) => v.toFixed(2))}`) },
    { header: "Total value-hours", num: true, cell: (x: { 2: LegExposure }) => esc(x[2].totalValueHours.toFixed(2)) },
    { header: "Peak exposed at once", num: true, cell: (x: { 2: LegExposure }) => esc(money(x[2].peakValue)) },
  ],
  legRows,
)}
<p class="note">${esc(risk.definition)} An atomic payment-versus-payment mode, where neither leg can complete without the other, is not built yet: this run's exposure is what such a mode would remove.</p>`,
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}
