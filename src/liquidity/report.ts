/**
 * The providers' part of the report (src/report/html.ts) and of the command line's summary
 * (src/cli/summary.ts): each provider's position and claims across chains, its utilisation and
 * return, the rebalancing moves, netting per window, and the providers' books against the chains.
 */
import type { SimulationResults } from "../sim/results.js";
import { escapeHtml as esc } from "../report/escape.js";
import { formatInt, formatMoney, formatPct, formatShare } from "../report/format.js";
import { table } from "../report/page.js";
import type { ProvidersReport } from "./providers.js";

type Row = { provider: string; chain: string } & ProvidersReport["providers"][number]["byChain"][string];

function rows(p: ProvidersReport): Row[] {
  return p.providers.flatMap((x) => Object.entries(x.byChain).map(([chain, c]) => ({ provider: x.name, chain, ...c })));
}

function policyText(p: ProvidersReport): string {
  const r = p.rebalancing;
  if (!r) return "No rebalancing: claims stay in the pools where the escrow released them.";
  const when = r.policy === "threshold" ? `when a pool falls below ${formatShare(r.threshold!)} of its funding` : r.policy === "scheduled" ? `every ${formatInt(r.everySeconds!)} s` : `at the end of each ${formatInt(p.netting.windowSeconds)} s netting window`;
  return `Rebalancing ${when}, through the issuers (redeem where a provider has a surplus, mint where it is short, ${formatInt(r.delaySeconds)} s apart), at ${r.costBps} bps + ${formatMoney(r.costFixed)} ${p.numeraire} a move; imbalances under ${formatMoney(r.minAmount)} ${p.numeraire} are left.`;
}

/** The report's section; empty when the run declared no providers. */
export function providersSection(r: SimulationResults): string {
  const p = r.summary.providers;
  if (!p) return "";
  const n = p.netting;
  const bad = p.check.lines.filter((l) => !l.ok);
  const ok = (v: boolean) => (v ? '<span class="met">yes</span>' : '<span class="notmet">NO</span>');
  return `<section id="providers">
<h2>Liquidity providers: positions, claims and netting</h2>
<p>${esc(formatInt(p.providers.length))} providers fund the pools (${p.shareRule === "proRata" ? "each settlement is paid by every provider in proportion to its part of the pool" : "each settlement is paid by the providers in the order listed"}). A provider that pays out on one chain is owed, on the sending chain, what the sender's escrow releases there. ${esc(policyText(p))}</p>
${table(
  [
    { header: "Provider", cell: (x: Row) => esc(x.provider) },
    { header: "Chain", cell: (x) => esc(x.chain) },
    { header: "Funded", num: true, cell: (x) => esc(formatMoney(x.funded, x.currency)) },
    { header: "In the pool now", num: true, cell: (x) => esc(formatMoney(x.inPool, x.currency)) },
    { header: "Paid out", num: true, cell: (x) => esc(formatMoney(x.paidOut, x.currency)) },
    { header: "Claims released here", num: true, cell: (x) => esc(formatMoney(x.claimsReleased, x.currency)) },
    { header: "Claims in flight", num: true, cell: (x) => esc(formatMoney(x.claimsInFlight, x.currency)) },
    { header: "Held outside", num: true, cell: (x) => esc(formatMoney(x.held, x.currency)) },
    { header: "Utilisation", num: true, cell: (x) => esc(formatPct(x.utilisation)) },
    { header: "Peak drawn", num: true, cell: (x) => esc(formatPct(x.peakDrawn)) },
  ],
  rows(p),
  "Per provider and chain, in the chain's currency. Utilisation: paid out as a share of what it funded there; peak drawn: the most of that funding out at once.",
)}
${table(
  [
    { header: "Provider", cell: (x: ProvidersReport["providers"][number]) => esc(x.name) },
    { header: "Payouts", num: true, cell: (x) => esc(formatInt(x.payouts)) },
    { header: `FX spread earned (${p.numeraire})`, num: true, cell: (x) => esc(formatMoney(x.spreadEarned)) },
    { header: `Rebalancing cost (${p.numeraire})`, num: true, cell: (x) => esc(formatMoney(x.rebalancingCost)) },
    { header: `Return (${p.numeraire})`, num: true, cell: (x) => esc(formatMoney(x.return)) },
    { header: "Return on funding", num: true, cell: (x) => (x.returnBps === null ? "–" : `${esc(x.returnBps.toFixed(2))} bps`) },
  ],
  p.providers,
  "Return over the run: what each provider is owed on the sending chains less what it paid out, both at the mid rate of the moment (the FX spread), less its rebalancing costs. The fees go to the corridor, not to the providers.",
)}
<p><strong>Netting.</strong> Over ${esc(formatInt(n.windows.length))} windows of ${esc(formatInt(n.windowSeconds))} s, payouts both ways came to ${esc(formatMoney(n.gross, p.numeraire))}; after opposing flows offset, the net to settle through the pools was ${esc(formatMoney(n.net, p.numeraire))}: netting saves ${esc(formatMoney(n.saved, p.numeraire))} (${esc(formatShare(n.savedShare))}) of prefunding and rebalancing against gross settlement.</p>
<details><summary>Netting per window (${esc(formatInt(n.windows.length))})</summary>
${table(
  [
    { header: "From (s)", num: true, cell: (w: ProvidersReport["netting"]["windows"][number]) => esc(formatInt(w.startOffsetSeconds)) },
    { header: "Flows", cell: (w) => esc(Object.entries(w.flows).map(([k, v]) => `${k} ${formatMoney(v)}`).join("; ")) },
    { header: "Gross", num: true, cell: (w) => esc(formatMoney(w.gross)) },
    { header: "Net", num: true, cell: (w) => esc(formatMoney(w.net)) },
    { header: "Saved", num: true, cell: (w) => esc(formatMoney(w.saved)) },
    { header: "Prefunding gross → net", cell: (w) => esc(Object.entries(w.prefunding).map(([c, v]) => `${c} ${formatMoney(v.gross)} → ${formatMoney(v.net)}`).join("; ")) },
  ],
  n.windows,
  `Flows in ${p.numeraire}; prefunding per chain in its currency: what its pool paid out in the window, and that less what the escrow released into it.`,
)}
</details>
${
  p.moves.length
    ? `<details><summary>Rebalancing moves (${esc(formatInt(p.moves.length))})</summary>
${table(
  [
    { header: "Provider", cell: (m: ProvidersReport["moves"][number]) => esc(m.provider) },
    { header: "From → to", cell: (m) => esc(`${m.from} → ${m.to}`) },
    { header: "Out", cell: (m) => esc(m.out ?? "–") },
    { header: "In", cell: (m) => esc(m.in ?? "–") },
    { header: `Cost (${p.numeraire})`, num: true, cell: (m) => esc(formatMoney(m.cost)) },
    { header: "Started (s)", num: true, cell: (m) => esc(formatInt(m.startOffsetSeconds)) },
    { header: "Done (s)", num: true, cell: (m) => (m.doneOffsetSeconds === null ? esc(m.state) : esc(formatInt(m.doneOffsetSeconds))) },
    { header: "Waited for a participant (s)", num: true, cell: (m) => esc(formatInt(m.waitedSeconds)) },
    { header: "Why", cell: (m) => esc(m.trigger) },
  ],
  p.moves,
)}
</details>`
    : "<p>No rebalancing move was needed.</p>"
}
<p><strong>Every unit a provider put in is in a pool, in flight, or owed to it: ${p.check.ok ? "checked against the chains, it holds" : `<span class="notmet">${esc(formatInt(bad.length))} check(s) FAIL</span>`}.</strong> On each chain the providers' parts sum to the gateway's pool to the base unit, each provider's account holds what the books say it holds outside the pools, and every claim in flight is for a transfer whose escrow the sending chain still holds.</p>
<details${p.check.ok ? "" : " open"}><summary>The providers' books against the chains (${esc(formatInt(p.check.lines.length))} checks)</summary>
${table(
  [
    { header: "Chain", cell: (l: ProvidersReport["check"]["lines"][number]) => esc(l.chain) },
    { header: "What", cell: (l) => esc(l.what) },
    { header: "Books", num: true, cell: (l) => esc(l.expected) },
    { header: "Chain", num: true, cell: (l) => esc(l.actual) },
    { header: "Matches", cell: (l) => ok(l.ok) },
  ],
  p.check.lines,
)}
</details>
</section>`;
}

/** The command line's lines; none when the run declared no providers. */
export function providersSummaryLines(r: SimulationResults): string[] {
  const p = r.summary.providers;
  if (!p) return [];
  const out = ["", `Liquidity providers (${p.shareRule}; claims across chains; books against the chains: ${p.check.ok ? "HOLD" : "FAIL"})`];
  for (const x of p.providers) {
    const chains = Object.entries(x.byChain)
      .map(([c, v]) => `${c} funded ${formatMoney(v.funded, v.currency)}, in pool ${formatMoney(v.inPool, v.currency)}, paid out ${formatMoney(v.paidOut)}, claims ${formatMoney(v.claimsReleased)} released + ${formatMoney(v.claimsInFlight)} in flight`)
      .join("; ");
    out.push(`  ${x.name}: ${chains}; return ${formatMoney(x.return)} ${p.numeraire}${x.returnBps === null ? "" : ` (${x.returnBps.toFixed(2)} bps)`}`);
  }
  const done = p.moves.filter((m) => m.state === "done").length;
  out.push(`  rebalancing: ${p.rebalancing ? `${p.rebalancing.policy}, ${done} of ${p.moves.length} moves done, cost ${formatMoney(p.moves.reduce((s, m) => s + m.cost, 0))} ${p.numeraire}` : "none"}`);
  const n = p.netting;
  out.push(`  netting (${n.windowSeconds} s windows): gross ${formatMoney(n.gross)} ${p.numeraire}, net ${formatMoney(n.net)}, saved ${formatMoney(n.saved)} (${formatShare(n.savedShare)})`);
  return out;
}
