/**
 * The report's "Assumptions and sensitivity" section: how the cost verdicts move with the gas
 * price (each transfer's measured gas priced again), the attestation times against Circle's
 * published figures, and what the run assumed (gas and native-token prices with sources and dates,
 * the FX model and its data, chain timing, attestation latency). Absent for a results.json that
 * records no assumptions (older runs).
 */
import type { SimulationResults } from "../sim/results.js";
import { assumptionLines, attestationTimeLines, gasSensitivityTable } from "../sim/assumptions.js";
import { escapeHtml as esc } from "./escape.js";

export function fidelitySection(r: SimulationResults): string {
  const a = r.assumptions;
  if (!a) return "";
  const g = r.summary.gasSensitivity;
  const t = g && g.rows.length > 0 ? gasSensitivityTable(g) : undefined;
  const sens = t
    ? `<h3>The cost verdicts at other gas prices</h3>
<table><thead><tr>${t.head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead><tbody>
${t.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("\n")}
</tbody></table>
<p class="note">${esc(g!.basis)}. The "run" row is this run's figures; the verdicts above it rest on them.</p>`
    : "";
  const times = r.summary.attestationTimes ?? [];
  return `<section id="assumptions">
<h2>Assumptions and sensitivity</h2>
<p>Every figure in this report rests on the assumptions below, each with its source and date (data/README.md has them all).</p>
${sens}
${times.length ? `<h3>Attestation times against the published ones</h3>\n<ul class="lines">${attestationTimeLines(times).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>` : ""}
<h3>What this run assumed</h3>
<ul class="lines">${assumptionLines(a).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
${Object.entries(a.gas)
  .map(([chain, x]) => `<p class="source">Gas on ${esc(chain)}: ${esc(x.gasPriceBasis)}. ${esc(x.native)} price: ${esc(x.nativeUsdFrom)}.${x.l1DataFeeSource ? ` L1 data fee: ${esc(x.l1DataFeeSource)}.` : ""}</p>`)
  .join("\n")}
${a.fx.data.map((d) => `<p class="source">FX ${esc(d.currency)}: ${esc(d.source)} (${esc(d.file)}, as of ${esc(d.asOf)}).</p>`).join("\n")}
</section>`;
}
