/**
 * The dashboard's HTML shell and its two static assets (hand-written JS and CSS in ./public,
 * served by the demo server itself: no CDN, no external request). The page fills itself from
 * the server-sent events at /events.
 */
import { readFileSync } from "node:fs";

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), "utf8");

/** The static files, read once. */
export const ASSETS: Record<string, { type: string; body: string }> = {
  "/assets/dashboard.js": { type: "text/javascript; charset=utf-8", body: asset("dashboard.js") },
  "/assets/dashboard.css": { type: "text/css; charset=utf-8", body: asset("dashboard.css") },
};

/** Scripts, styles and connections from this server only. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Corridor: a live US dollar – British pound stablecoin corridor</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <div class="brand">
    <p class="eyebrow">Corridor · live demonstration</p>
    <h1>Dollars to pounds and back, as it happens</h1>
    <p class="lede">Two test stablecoins, <b>tUSD</b> on a US chain and <b>tGBP</b> on a UK chain. Payments go both ways; an operator screens each one, converts at a quoted rate and signs; a relayer carries it across. Every figure below is measured from the two chains, live.</p>
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
      </section>
      <section class="card">
        <h2>Exchange rate</h2>
        <p class="note" id="fx-note">Pounds per dollar at the mid-market rate.</p>
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
