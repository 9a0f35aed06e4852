/**
 * The dashboard's HTML shell and its static assets (hand-written JS and CSS in ./public, and
 * ECharts' browser build from node_modules), served by the demo server itself: no CDN, no
 * external request. The page fills itself from the server-sent events at /events.
 */
import { readFileSync } from "node:fs";
import { echartsBrowserBuild } from "../charts/render.js";
import { escapeHtml as esc } from "../report/escape.js";
import type { CorridorSpec } from "../spec/spec.js";

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), "utf8");

/** The static files, read once. */
export const ASSETS: Record<string, { type: string; body: string }> = {
  "/assets/dashboard.js": { type: "text/javascript; charset=utf-8", body: asset("dashboard.js") },
  "/assets/dashboard.css": { type: "text/css; charset=utf-8", body: asset("dashboard.css") },
  "/assets/echarts.js": { type: "text/javascript; charset=utf-8", body: echartsBrowserBuild() },
};

/**
 * Scripts, style sheets and connections from this server only. Inline styles are allowed:
 * ECharts writes its tooltips as HTML with style attributes (no script can come in that way).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const plural = (w: string) => (w.endsWith("s") ? w : `${w}s`);
/** "a", "a and b", "a, b and c". */
const listWords = (items: readonly string[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

/** The page for a corridor: its title, heading and introduction name its currencies and chains (from the spec). */
export function dashboardPage(spec: CorridorSpec): string {
  const chains = Object.values(spec.chains);
  const words = spec.tokens.map((c) => plural(spec.currencies[c]?.word ?? c));
  const heading = words.length === 2 ? `${capital(words[0]!)} to ${words[1]} and back, as it happens` : `${capital(listWords(words))}, across ${chains.length} chains, as it happens`;
  const coins = listWords(chains.map((c) => `<b>t${esc(c.home)}</b> on the ${esc(c.name.toUpperCase())} chain`));
  const count = chains.length === 2 ? "two" : String(chains.length);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Corridor: a live ${esc(spec.tokens.join(" – "))} stablecoin corridor</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/echarts.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <div class="brand">
    <p class="eyebrow">Corridor · live demonstration</p>
    <h1>${esc(heading)}</h1>
    <p class="lede">Test stablecoins on ${count} chains: ${coins}. Payments go every way between them; an operator screens each one, converts at a quoted rate and signs; a relayer carries it across. Every figure below is measured from the ${count} chains, live.</p>
    <p class="lede timing" id="timing" data-testid="timing"></p>
  </div>
  <div class="chips" id="chips"><span class="chip muted">Connecting…</span></div>
</header>
<div class="layout">
  <main>
    <section class="card headline-card">
      <p class="headline" id="headline">Starting the corridor: deploying the contracts and funding the senders…</p>
      <div class="kpis" id="kpis"></div>
    </section>
    <section class="card" id="g20-card">
      <h2>Against the G20 targets for cross-border payments</h2>
      <div id="g20"></div>
    </section>
    <section class="card" id="corridors-card">
      <h2>Corridors</h2>
      <p class="note">One row per route that has carried payments: a sending chain and currency to a receiving chain and currency (${esc(String(spec.routes.length))} routes in all).</p>
      <div class="table-wrap"><table class="corridors" id="corridors" data-testid="corridors"><thead><tr><th>Route</th><th class="num">Sent</th><th class="num">Paid out</th><th class="num">Refunded</th><th class="num">In flight</th><th class="num">Median</th><th class="num">All-in cost</th></tr></thead><tbody></tbody></table></div>
    </section>
    <section class="card">
      <h2>Payments as they happen</h2>
      <p class="note">Newest first. Each dot is a stage: sent on the source chain, confirmed, screened by compliance, signed by the operator, relayed to the other chain, paid out.</p>
      <div id="pipeline" class="pipeline"></div>
      <div class="table-wrap"><table class="transfers" id="transfers"><thead><tr><th>#</th><th>Route</th><th class="num">Amount</th><th>Tier</th><th>Progress</th><th>Outcome</th></tr></thead><tbody></tbody></table></div>
    </section>
    <div class="two">
      <section class="card">
        <h2>How long settlement takes</h2>
        <p class="note" id="latency-note">Destination block time minus source block time.</p>
        <div id="histogram" class="chart-box"></div>
      </section>
      <section class="card">
        <h2>Payments in flight</h2>
        <p class="note" id="inflight-note">Sent but not yet paid out or refunded, over the last minutes.</p>
        <div id="inflight" class="chart-box"></div>
      </section>
    </div>
    <div class="two">
      <section class="card">
        <h2>What a payment costs</h2>
        <div id="cost"></div>
        <div id="cost-chart" class="chart-box"></div>
        <p class="note" id="cost-note"></p>
      </section>
      <section class="card">
        <h2>Exchange rates</h2>
        <p class="note" id="fx-note">Each currency against the ${esc(spec.currencies[spec.numeraire]?.word ?? spec.numeraire)}, at the mid-market rate.</p>
        <div id="fx" class="chart-box"></div>
      </section>
    </div>
  </main>
  <aside>
    <section class="card controls" id="controls">
      <h2>Try it</h2>
      <p class="note">Change a setting or trigger an event, and watch its effect on the left.</p>
      <div id="control-list"></div>
      <div id="action-list" class="actions"></div>
      <p class="toast" id="toast" role="status" aria-live="polite"></p>
    </section>
    <section class="card">
      <h2>What just happened</h2>
      <ol class="log" id="log"></ol>
    </section>
    <section class="card">
      <h2>Compliance decisions</h2>
      <div id="compliance-counts" class="mini-kpis"></div>
      <ol class="feed" id="compliance" data-testid="compliance-feed"></ol>
    </section>
    <section class="card">
      <h2>Liquidity and Fast allowance</h2>
      <div id="liquidity"></div>
      <div id="fast"></div>
    </section>
  </aside>
</div>
<footer class="foot">Corridor simulator · local test chains, test tokens, no real money · <span id="clock"></span></footer>
</body>
</html>
`;
}
