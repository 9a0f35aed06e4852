// The Corridor dashboard: renders the live state the server pushes at /events and posts the
// controls to /api/controls. Plain browser JavaScript; the charts arrive as ECharts options in
// the state and are drawn with ECharts' browser build (/assets/echarts.js).
"use strict";

(function () {
  // Chains and currencies are the corridor's (its spec, sent in every state as `corridor`).
  let corridor = { numeraire: "", chains: [], currencies: {}, tokens: [] };
  const symbolOf = (cur) => (corridor.currencies[cur] ? corridor.currencies[cur].symbol : `${cur} `);
  const wordsOf = (cur) => {
    const w = corridor.currencies[cur] ? corridor.currencies[cur].word : cur;
    return w.endsWith("s") ? w : `${w}s`;
  };
  const wordOf = (cur) => (corridor.currencies[cur] ? corridor.currencies[cur].word : cur);
  const side = (chain) => String(chain).toUpperCase();
  /** The chain's colour class: its place in the spec. */
  const sideClass = (chain) => `side c${Math.max(0, corridor.chains.findIndex((c) => c.name === chain)) % 5}`;
  const listWords = (items) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

  // ---------------------------------------------------------------- DOM helpers

  /** An element: attrs may hold class, text, dataset (object), title and any attribute. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") el.textContent = String(v);
      else if (k === "dataset") for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  function fill(id, ...children) {
    const el = document.getElementById(id);
    if (!el) return;
    el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }

  // ---------------------------------------------------------------- formatting

  const nf = (digits) => new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const int = (n) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }).format(n);
  const money = (n, cur, digits = 2) => (n === null || n === undefined ? "…" : `${symbolOf(cur)}${nf(digits).format(n)}`);
  const pct = (x, digits = 2) => {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    if (x > 0 && x < 0.005 && digits <= 2) return "under 0.01%";
    return `${nf(digits).format(x)}%`;
  };
  const share = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 1000) / 10}%`);
  function secs(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    if (x === 0) return "under 1 s"; // block times have a resolution of one second
    if (x < 10) return `${Math.round(x * 10) / 10} s`;
    if (x < 90) return `${Math.round(x)} s`;
    if (x < 3600) return `${Math.floor(x / 60)} min ${Math.round(x % 60)} s`;
    return `${Math.floor(x / 3600)} h ${Math.round((x % 3600) / 60)} min`;
  }
  const secondsWord = (x) => (x === 0 ? "under a second" : x === 1 ? "1 second" : x < 90 ? `${Math.round(x * 10) / 10} seconds` : secs(x));
  const clock = (unix) => new Date(unix * 1000).toLocaleTimeString("en-GB", { hour12: false });

  // ---------------------------------------------------------------- live state

  let state = null;
  let connected = false;

  function connect() {
    const es = new EventSource("/events");
    es.addEventListener("state", (e) => {
      connected = true;
      try {
        state = JSON.parse(e.data);
      } catch {
        return;
      }
      render(state);
    });
    es.addEventListener("error", () => {
      connected = false;
      renderChips(state);
    });
  }

  function render(st) {
    if (st.corridor) corridor = st.corridor;
    if (!controlsReady) setupControls();
    renderChips(st);
    renderHeadline(st);
    renderG20(st);
    renderCorridors(st);
    renderPipeline(st);
    renderTransfers(st);
    renderLatency(st);
    renderInFlight(st);
    renderCost(st);
    renderFx(st);
    renderLog(st);
    renderCompliance(st);
    renderLiquidity(st);
    syncControls(st);
    const c = document.getElementById("clock");
    if (c) c.textContent = `updated ${clock(st.now)}`;
  }

  // ---------------------------------------------------------------- header

  function renderChips(st) {
    const chips = [];
    chips.push(h("span", { class: connected ? "chip live" : "chip warn", dataset: { testid: "chip-live" } }, h("i", { class: "dot" }), connected ? "Live" : "Reconnecting…"));
    if (st) {
      chips.push(
        st.relayer.up
          ? h("span", { class: "chip ok" }, "Relayer running")
          : h("span", { class: "chip bad", dataset: { testid: "chip-relayer" } }, `Relayer offline${st.relayer.backAt ? `, back in ${Math.max(0, Math.round(st.relayer.backAt - st.now))} s` : ""}`),
      );
      const fx = st.fx;
      const rates = Object.entries(fx.mids).map(([c, v]) => `${symbolOf(c)}${nf(4).format(v)}`).join(" · ");
      const per = `per ${symbolOf(fx.numeraire)}1`;
      if (rates) {
        chips.push(
          fx.shock
            ? h("span", { class: "chip warn", dataset: { testid: "chip-fx" } }, `FX shock${fx.shock.currency ? ` (${fx.shock.currency})` : ""}: ${rates} ${per} (${fx.shock.factor < 1 ? "−" : "+"}${Math.round(Math.abs(fx.shock.factor - 1) * 100)}%, ${Math.max(0, Math.round(fx.shock.until - st.now))} s left)`)
            : h("span", { class: "chip", dataset: { testid: "chip-fx" } }, `${rates} ${per}`),
        );
      }
      if (st.drain) chips.push(h("span", { class: "chip bad" }, `${side(st.drain.chain)} liquidity drained, ${Math.max(0, Math.round(st.drain.until - st.now))} s left`));
      const scale = st.timing.timeScale;
      chips.push(h("span", { class: "chip", dataset: { testid: "chip-timing" }, title: st.timing.text }, `${st.timing.profile} profile · ${scale === 1 ? "real time" : `${scale}× speed`}`));
      chips.push(h("span", { class: "chip" }, scale === 1 ? `Up for ${secs(st.now - st.startedAt)}` : `Up for ${secs(st.now - st.startedAt)} (${secs((st.now - st.startedAt) * scale)} of corridor time)`));
    }
    fill("chips", chips);
    if (st) fill("timing", st.timing.text);
  }

  function renderHeadline(st) {
    const latest = st.cost.latest;
    let text;
    if (latest && latest.outcome === "settled") {
      text = [
        "Latest payment: ",
        h("b", {}, money(latest.amountIn, latest.currencyIn)),
        ` sent from the ${side(latest.from)} chain arrived on the ${side(latest.to)} chain as `,
        h("b", {}, money(latest.amountOut, latest.currencyOut)),
        " ",
        h("b", { class: "accent" }, `in ${secondsWord(latest.seconds)}`),
        " at a total cost of ",
        h("b", { class: "accent" }, pct(latest.costPct)),
        ".",
      ];
    } else if (st.counters.sent > 0) text = ["Payments are on their way…"];
    else text = ["Waiting for the first payment…"];
    fill("headline", text);
    const c = st.counters;
    const kpi = (value, label, id, extra) => h("div", { class: `kpi ${extra || ""}` }, h("span", { class: "v", dataset: { testid: id } }, int(value)), h("span", { class: "k" }, label));
    fill(
      "kpis",
      kpi(c.sent, "sent", "kpi-sent"),
      kpi(c.settled, "paid out", "kpi-settled", "ok"),
      kpi(c.refunded, "refunded in full", "kpi-refunded", c.refunded ? "bad" : ""),
      kpi(c.inFlight, "in flight", "kpi-inflight"),
      h(
        "div",
        { class: "kpi" },
        h("span", { class: "v", dataset: { testid: "kpi-median" } }, st.settlement.p50 === null ? "–" : secs(st.settlement.p50)),
        h("span", { class: "k" }, "median settlement"),
      ),
      h("div", { class: "kpi" }, h("span", { class: "v", dataset: { testid: "kpi-cost" } }, pct(st.cost.meanAllInPct)), h("span", { class: "k" }, "average all-in cost")),
    );
  }

  // ---------------------------------------------------------------- G20

  function renderG20(st) {
    const g = st.g20;
    if (!g) return fill("g20", h("p", { class: "note" }, "No targets loaded."));
    const speed = g.checks.find((c) => c.measure === "speed");
    const costs = g.checks.filter((c) => c.measure === "costAverage");
    const verdict = (met) => (met === null ? h("span", { class: "verdict none" }, "no data yet ·") : met ? h("span", { class: "verdict met" }, "✓ met ·") : h("span", { class: "verdict notmet" }, "✗ not met ·"));
    const tiles = [];
    tiles.push(
      h(
        "div",
        { class: "tile" },
        h("p", { class: "tile-k" }, "Speed: paid within one hour"),
        h("p", { class: "tile-v", dataset: { testid: "g20-speed" } }, share(g.shareWithinOneHour)),
        speed ? h("p", { class: "tile-t" }, verdict(speed.met), ` Target: ${speed.target}`) : null,
        h("p", { class: "tile-n" }, `Of ${int(g.outcomes)} payments with an outcome; a refund counts as not paid.`),
      ),
    );
    tiles.push(
      h(
        "div",
        { class: "tile" },
        h("p", { class: "tile-k" }, "Cost: average all-in"),
        h("p", { class: "tile-v", dataset: { testid: "g20-cost" } }, pct(g.meanCostPct)),
        ...costs.map((c) => h("p", { class: "tile-t" }, verdict(c.met), ` ${c.segment[0].toUpperCase()}${c.segment.slice(1)}: ${c.target}`)),
        h("p", { class: "tile-n" }, "Fee, exchange-rate margin against the mid-market rate, and network fees."),
      ),
    );
    const baseline = g.baselines.map((b) => h("li", {}, h("b", {}, `${b.name}: `), b.text, h("span", { class: "src" }, ` (${b.source})`)));
    fill("g20", h("div", { class: "tiles" }, tiles), h("details", { class: "baselines" }, h("summary", {}, "For comparison, today's cross-border payments"), h("ul", {}, baseline), h("p", { class: "src" }, `Targets: ${g.source}.`)));
  }

  // ---------------------------------------------------------------- corridors

  function renderCorridors(st) {
    const tbody = document.querySelector("#corridors tbody");
    if (!tbody) return;
    const rows = (st.corridors || []).map((c) =>
      h(
        "tr",
        { dataset: { route: c.key } },
        h("td", { class: "route" }, h("span", { class: sideClass(c.from) }, side(c.from)), ` ${c.input} `, h("span", { class: "arrow" }, "→"), h("span", { class: sideClass(c.to) }, side(c.to)), ` ${c.output}`),
        h("td", { class: "num" }, int(c.sent)),
        h("td", { class: "num" }, int(c.settled)),
        h("td", { class: "num" }, int(c.refunded)),
        h("td", { class: "num" }, int(c.inFlight)),
        h("td", { class: "num" }, secs(c.p50)),
        h("td", { class: "num" }, pct(c.meanCostPct)),
      ),
    );
    if (rows.length === 0) rows.push(h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No payments yet.")));
    tbody.replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- transfers

  function renderPipeline(st) {
    const total = st.pipeline.reduce((n, p) => n + p.count, 0);
    const items = st.pipeline
      .filter((p) => p.count > 0 || ["Sent", "Screened", "Signed", "Relaying"].includes(p.label))
      .map((p) => h("div", { class: `stage ${p.count ? "busy" : ""} ${/liquidity|review|Refund/.test(p.label) && p.count ? "warn" : ""}` }, h("span", { class: "n" }, int(p.count)), h("span", { class: "l" }, p.label)));
    fill("pipeline", h("span", { class: "pipe-label" }, total ? `${int(total)} in flight:` : "Nothing in flight"), items);
  }

  function track(steps, outcome) {
    return h(
      "div",
      { class: `track ${outcome}` },
      steps.map((st, i) =>
        h(
          "div",
          { class: `step${st.done ? " done" : ""}${st.bad ? " bad" : ""}${st.current ? " current" : ""}`, title: st.label },
          i > 0 ? h("i", { class: "bar" }) : null,
          h("i", { class: "node" }),
          h("span", { class: "lbl" }, st.label),
        ),
      ),
    );
  }

  function outcomeCell(t) {
    const lines = [];
    if (t.outcome === "settled") {
      lines.push(h("span", { class: "status ok" }, `Paid in ${secs(t.seconds)}`));
      lines.push(h("span", { class: "sub" }, `cost ${pct(t.costPct)} · fee ${pct(t.feePct)}${t.fxPct !== null ? ` · FX ${pct(t.fxPct)}` : ""}`));
      if (t.reason) lines.push(h("span", { class: "sub" }, `reviewed: ${t.reasonText}`));
    } else if (t.outcome === "refunded") {
      lines.push(h("span", { class: "status bad" }, `Refunded in full${t.seconds !== null ? ` after ${secs(t.seconds)}` : ""}`));
      if (t.reason) lines.push(h("span", { class: "sub reason" }, h("code", {}, t.reason), ` ${t.reasonText || ""}`));
    } else if (t.outcome === "rejected") {
      lines.push(h("span", { class: "status bad" }, "Refused at sending"));
      if (t.reasonText) lines.push(h("span", { class: "sub" }, t.reasonText));
    } else {
      const waiting = /Waiting|Held|waiting/.test(t.status);
      lines.push(h("span", { class: `status ${waiting ? "warn" : "busy"}` }, t.status));
      lines.push(h("span", { class: "sub" }, `in flight for ${secs(t.age)}`));
      if (t.reason) lines.push(h("span", { class: "sub reason" }, h("code", {}, t.reason), ` ${t.reasonText || ""}`));
    }
    return h("td", { class: "outcome" }, lines);
  }

  function renderTransfers(st) {
    const tbody = document.querySelector("#transfers tbody");
    if (!tbody) return;
    const rows = st.recent.map((t) =>
      h(
        "tr",
        { dataset: { outcome: t.outcome, seq: t.seq, reason: t.reason || "" }, class: t.sanctioned ? "flagged" : "" },
        h("td", { class: "seq" }, `#${t.seq}`),
        h("td", { class: "route" }, h("span", { class: sideClass(t.from) }, side(t.from)), h("span", { class: "arrow" }, "→"), h("span", { class: sideClass(t.to) }, side(t.to))),
        h("td", { class: "num amount" }, h("span", {}, money(t.amountIn, t.currencyIn)), h("span", { class: "sub" }, `→ ${t.outcome === "refunded" || t.outcome === "rejected" ? "returned" : money(t.amountOut, t.currencyOut)}`)),
        h("td", {}, h("span", { class: `tier ${t.tier}` }, t.tier === "fast" ? "Fast" : "Standard")),
        h("td", {}, track(t.steps, t.outcome)),
        outcomeCell(t),
      ),
    );
    if (rows.length === 0) rows.push(h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No payments yet.")));
    tbody.replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- charts

  // The server sends each chart as an ECharts option (src/server/charts.ts, made with the
  // report's chart definitions); the page draws it and keeps it between states.
  const charts = {};

  function drawChart(id, chart) {
    const el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    let live = charts[id];
    if (!live) {
      el.replaceChildren();
      el.dataset.chart = chart.name;
      el.setAttribute("role", "figure");
      el.setAttribute("aria-label", chart.title);
      el.style.height = `${chart.height}px`;
      live = charts[id] = echarts.init(el, null, { renderer: "svg" });
      window.addEventListener("resize", () => live.resize());
    }
    // Merged into the chart drawn (its zoom and an open tooltip stay); a note over an empty chart goes once data come.
    live.setOption(chart.option, { replaceMerge: ["title"] });
  }

  /** ", in corridor time (…)" when the demo runs faster than life. */
  const corridorTime = (st) => (st.timing.timeScale === 1 ? "" : `, in corridor time (wall time × ${st.timing.timeScale}; block times have a resolution of one wall second, so ${st.timing.timeScale} s of corridor time)`);

  function renderLatency(st) {
    const d = st.settlement;
    const note = document.getElementById("latency-note");
    if (note)
      note.textContent = d.count
        ? `${int(d.count)} payments: median ${secs(d.p50)}, 95% within ${secs(d.p95)}, slowest ${secs(d.max)}. Measured from the chains: destination block time minus source block time${corridorTime(st)}.`
        : `Measured from the chains: destination block time minus source block time${corridorTime(st)}.`;
    drawChart("histogram", st.charts.latency);
  }

  function renderInFlight(st) {
    const note = document.getElementById("inflight-note");
    if (note) {
      const parked = st.liquidity.reduce((n, l) => n + l.parked, 0);
      note.textContent = !st.relayer.up
        ? "The relayer is offline (shaded): payments pile up on the source chain, waiting to be carried across."
        : parked > 0
          ? `${parked} payment${parked === 1 ? "" : "s"} waiting for liquidity on the destination side.`
          : "Sent but not yet paid out or refunded. Shaded: the relayer was offline.";
    }
    drawChart("inflight", st.charts.inflight);
  }

  function renderFx(st) {
    const note = document.getElementById("fx-note");
    const num = st.fx.numeraire;
    const shockedWords = st.fx.shock ? (st.fx.shock.currency ? wordsOf(st.fx.shock.currency) : listWords(Object.keys(st.fx.mids).map(wordsOf))) : "";
    const normal = Object.entries(st.fx.baseMids).map(([c, v]) => `${symbolOf(c)}${nf(4).format(v)}`).join(", ");
    if (note)
      note.textContent = st.fx.shock
        ? `FX shock: the ${wordOf(num)} buys ${Math.round(Math.abs(1 - st.fx.shock.factor) * 100)}% ${st.fx.shock.factor < 1 ? "fewer" : "more"} ${shockedWords}. Locked quotes are honoured; payments whose sender set a minimum are refunded if the rate moved past it.`
        : `Each currency per ${symbolOf(num)}1 at the mid-market rate, as a change from its normal rate (${normal}). The operator adds a margin of ${pct(st.fx.spreadBps / 100)}.`;
    const shocked = st.fx.convertedOffMid || st.fx.belowMinimumRefunds
      ? ` So far ${int(st.fx.convertedOffMid)} payment${st.fx.convertedOffMid === 1 ? " was" : "s were"} converted during a shock and ${int(st.fx.belowMinimumRefunds)} refunded because the rate moved past the sender's limit.`
      : "";
    if (note && shocked) note.textContent += shocked;
    drawChart("fx", st.charts.fx);
  }

  // ---------------------------------------------------------------- cost

  function renderCost(st) {
    const c = st.cost;
    const latest = c.latest;
    const parts = [];
    if (latest) {
      const fee = latest.amountIn * (latest.feePct / 100);
      parts.push(
        h(
          "p",
          { class: "plain", dataset: { testid: "cost-sentence" } },
          `The latest payment of ${money(latest.amountIn, latest.currencyIn)} was paid out in ${secondsWord(latest.seconds)} at a total cost of `,
          h("b", {}, pct(latest.costPct)),
          `: a corridor fee of `,
          h("b", { dataset: { testid: "latest-fee" } }, pct(latest.feePct)),
          ` (${money(fee, latest.currencyIn)}), an exchange-rate margin of `,
          h("b", {}, pct(latest.fxPct)),
          latest.gasUsd !== null ? [", and network fees of ", h("b", {}, latest.gasUsd < 0.01 ? `under ${money(0.01, st.fx.numeraire)}` : money(latest.gasUsd, st.fx.numeraire))] : "",
          ".",
        ),
      );
    } else parts.push(h("p", { class: "plain" }, "No payment has been paid out yet."));
    parts.push(h("p", { class: "sub-h" }, c.samples ? `Average over ${int(c.samples)} payments: ${pct(c.meanAllInPct)} all-in` : "Average: –"));
    fill("cost", parts);
    drawChart("cost-chart", st.charts.cost);
    const note = document.getElementById("cost-note");
    if (note) note.textContent = `Fee schedule now: ${pct(st.settings.feeBps / 100)} of the amount, plus ${pct(0.1)} on the Fast tier. The cost is measured against the mid-market rate, as the G20 targets are.`;
  }

  // ---------------------------------------------------------------- sidebar

  function renderLog(st) {
    fill(
      "log",
      st.log.map((e) => h("li", { class: e.kind }, h("time", {}, clock(e.at)), h("span", {}, e.text))),
    );
  }

  const OUTCOME_WORD = { deny: "Denied", hold: "Held for review", approved: "Approved", denied: "Denied after review" };

  function renderCompliance(st) {
    const c = st.compliance;
    const mini = (v, k, cls) => h("div", { class: `mini ${cls || ""}` }, h("b", {}, int(v)), h("span", {}, k));
    fill("compliance-counts", mini(c.screened, "screened"), mini(c.allowed, "allowed"), mini(c.denied, "denied", c.denied ? "bad" : ""), mini(c.held, "held for review", c.held ? "warn" : ""));
    const items = c.recent.map((e) =>
      h(
        "li",
        { class: e.outcome, dataset: { reason: e.reason, outcome: e.outcome } },
        h("div", { class: "row1" }, h("span", { class: `badge ${e.outcome}` }, OUTCOME_WORD[e.outcome] || e.outcome), h("code", {}, e.reason), h("time", {}, clock(e.at))),
        h("div", { class: "row2" }, `${e.seq ? `#${e.seq} · ` : ""}${e.direction} · ${money(e.amount, e.currency)}: ${e.reasonText}${e.outcome === "deny" || e.outcome === "denied" ? ". Refunded in full." : ""}`),
      ),
    );
    if (items.length === 0) items.push(h("li", { class: "empty" }, "Every payment so far passed screening (sanctions list, limits, travel rule)."));
    fill("compliance", items);
  }

  function meter(value, max, cls) {
    const outer = h("div", { class: `meter ${cls || ""}` });
    const inner = h("span", {});
    inner.style.width = `${Math.max(0, Math.min(100, (value / (max || 1)) * 100))}%`;
    outer.append(inner);
    return outer;
  }

  function renderLiquidity(st) {
    const items = st.liquidity.map((l) =>
      h(
        "div",
        { class: "pool", dataset: { chain: l.chain, testid: `pool-${l.chain}` } },
        h("p", { class: "pool-h" }, h("b", {}, `${side(l.chain)} pool`), ` pays out ${wordsOf(l.currency)}`),
        meter(l.available, l.initial * 1.05, l.available < l.initial * 0.2 ? "bad" : ""),
        h("p", { class: "pool-n" }, `${money(l.available, l.currency, 0)} available`, l.parked ? h("span", { class: "warn-text" }, ` · ${l.parked} payment${l.parked === 1 ? "" : "s"} waiting`) : ""),
      ),
    );
    fill("liquidity", items);
    const fast = st.fastAllowance.map((f) =>
      h(
        "div",
        { class: "pool" },
        h("p", { class: "pool-h" }, h("b", {}, `Fast allowance, ${side(f.chain)}`), " (paid before the source is final)"),
        meter(f.outstanding, f.capacity, "fast"),
        h("p", { class: "pool-n" }, `${money(f.outstanding, f.currency, 0)} outstanding of ${money(f.capacity, f.currency, 0)}`),
      ),
    );
    fill(
      "fast",
      fast,
      st.fastFinalAtOnce
        ? h("p", { class: "note" }, "On these demo chains a payment is final as soon as its block is mined, so Fast payments never need the allowance. On Ethereum (13 minutes to finality) it is what lets Fast payments arrive in seconds.")
        : null,
    );
  }

  // ---------------------------------------------------------------- controls

  const CONTROLS = [
    { key: "feeBps", label: "Corridor fee", min: 0, max: 300, step: 5, show: (v) => pct(v / 100), send: (v) => v },
    { key: "fastShare", label: "Share on the Fast tier", min: 0, max: 100, step: 5, show: (v) => `${v}%`, send: (v) => v / 100, from: (v) => Math.round(v * 100) },
    { key: "spreadBps", label: "FX margin", min: 0, max: 300, step: 5, show: (v) => pct(v / 100), send: (v) => v },
    {
      key: "travelRuleThresholdUsd",
      label: "Travel-rule threshold",
      min: 0,
      max: 5000,
      step: 100,
      show: (v, st) => (st && st.settings.travelRuleThresholdUsd === null && !dirty.travelRuleThresholdUsd ? "legal defaults" : money(v, corridor.numeraire, 0)),
      send: (v) => v,
      from: (v) => (v === null ? 3000 : v),
    },
    { key: "arrivalPerMinute", label: "Payments per minute", min: 0, max: 240, step: 5, show: (v) => (v === 0 ? "paused" : int(v)), send: (v) => v },
  ];
  /** The actions, worded for this corridor; `extra()` adds what the action is aimed at (a chain, a currency). */
  function actions() {
    const num = corridor.numeraire;
    const chains = corridor.chains;
    const firstAway = chains.find((c) => c.home !== num) || chains[chains.length - 1];
    return [
      { action: "sanctionedTransfer", label: "Send to a sanctioned address", help: `A ${money(250, num, 0)} payment to an address on the US Treasury's OFAC list.` },
      {
        action: "fxShock",
        label: `FX shock: the ${wordOf(num)} −10% for a minute`,
        help: "The mid-market rate jumps; watch quotes, payouts and refunds.",
        pick: { name: "currency", testid: "sel-fx-currency", label: "against", options: [["", "every currency"], ...corridor.tokens.filter((c) => c !== num).map((c) => [c, wordsOf(c)])] },
      },
      { action: "relayerOutage", label: "Take the relayer offline for a minute", help: "Payments still arrive; nobody carries them across until it is back." },
      {
        action: "drainLiquidity",
        label: "Drain a chain's liquidity for a minute",
        help: "The liquidity provider takes all but 500 out of the chain's pool of its home currency.",
        pick: { name: "chain", testid: "sel-drain-chain", label: "chain", selected: firstAway ? firstAway.name : "", options: chains.map((c) => [c.name, `${side(c.name)} (${wordsOf(c.home)})`]) },
      },
    ];
  }
  const dirty = {};
  const inputs = {};
  const buttons = {};
  let controlsReady = false;

  function setupControls() {
    if (!corridor.numeraire) return;
    controlsReady = true;
    const list = document.getElementById("control-list");
    for (const c of CONTROLS) {
      const value = h("output", { class: "val", dataset: { testid: `val-${c.key}` } }, "…");
      const input = h("input", { type: "range", min: c.min, max: c.max, step: c.step, value: c.min, id: `ctl-${c.key}`, dataset: { testid: `ctl-${c.key}` }, "aria-label": c.label });
      input.addEventListener("input", () => {
        dirty[c.key] = true;
        value.textContent = c.show(Number(input.value), state);
      });
      input.addEventListener("change", () => post({ [c.key]: c.send(Number(input.value)) }, () => delete dirty[c.key]));
      inputs[c.key] = { input, value, spec: c };
      const row = h("div", { class: "control" }, h("label", { for: `ctl-${c.key}` }, c.label, value), input);
      if (c.key === "travelRuleThresholdUsd") {
        const reset = h("button", { type: "button", class: "link", dataset: { testid: "reset-travel-rule" } }, "back to legal defaults");
        reset.addEventListener("click", () => post({ travelRuleThresholdUsd: null }, () => delete dirty[c.key]));
        row.append(h("p", { class: "hint" }, "Above it, payments need the sender's and recipient's details. ", reset), h("p", { class: "hint", dataset: { testid: "travel-rule-now" } }));
      }
      list.append(row);
    }
    const list2 = document.getElementById("action-list");
    for (const a of actions()) {
      let select = null;
      if (a.pick) {
        select = h("select", { class: "pick", dataset: { testid: a.pick.testid }, "aria-label": a.pick.label }, a.pick.options.map(([v, text]) => h("option", { value: v, selected: v === a.pick.selected }, text)));
      }
      const b = h("button", { type: "button", class: `action ${a.action}`, dataset: { testid: `btn-${a.action}` } }, h("span", { class: "a-l" }, a.label), h("span", { class: "a-h" }, a.help));
      b.addEventListener("click", () => post({ action: a.action, ...(select && select.value ? { [a.pick.name]: select.value } : {}) }));
      buttons[a.action] = b;
      list2.append(select ? h("div", { class: "action-row" }, b, h("label", { class: "pick-l" }, `${a.pick.label} `, select)) : b);
    }
  }

  function syncControls(st) {
    for (const { input, value, spec } of Object.values(inputs)) {
      if (dirty[spec.key] || document.activeElement === input) continue;
      const v = st.settings[spec.key];
      input.value = String(spec.from ? spec.from(v) : v);
      value.textContent = spec.show(Number(input.value), st);
    }
    // In force now: each jurisdiction's legal threshold (from the corridor spec), or the one set here.
    const now = document.querySelector("[data-testid=travel-rule-now]");
    if (now) now.textContent = `In force: ${st.travelRule}.`;
    const busy = { fxShock: !!st.fx.shock, relayerOutage: !st.relayer.up, drainLiquidity: !!st.drain, sanctionedTransfer: false };
    for (const [k, b] of Object.entries(buttons)) b.disabled = !!busy[k];
  }

  let toastTimer;
  function toast(text, bad) {
    const t = document.getElementById("toast");
    if (!t) return;
    t.textContent = text;
    t.className = `toast show ${bad ? "bad" : ""}`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (t.className = "toast"), 6000);
  }

  async function post(body, after) {
    try {
      const res = await fetch("/api/controls", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) toast(json.error ? `${json.error.message} (${json.error.code})` : `Failed: HTTP ${res.status}`, true);
      else toast((json.done && json.done.length ? json.done : ["No change"]).join(". "));
    } catch (err) {
      toast(`Could not reach the demo server: ${err && err.message ? err.message : err}`, true);
    } finally {
      if (after) after();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    renderChips(null);
    connect();
  });
})();
