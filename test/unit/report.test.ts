import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { distribution } from "../../src/domain/stats.js";
import { escapeHtml } from "../../src/report/escape.js";
import { parseG20Targets } from "../../src/measure/g20-targets.js";
import { renderReport } from "../../src/report/html.js";
import { histogramBins, stageWaterfall } from "../../src/report/measures.js";
import type { SimulationResults } from "../../src/sim/results.js";
import type { TransferOut } from "../../src/measure/transfer-out.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { endToEndBasis } from "../../src/measure/end-to-end.js";
import { g20Scorecard } from "../../src/measure/scorecard.js";
import { transferOut } from "../helpers/transfer-out.js";

const TARGETS = parseG20Targets({
  source: "FSB, Targets for Addressing the Four Challenges of Cross-Border Payments, October 2021",
  segments: {
    retail: { cost: { globalAverageMaxPct: 1.0, noCorridorAbovePct: 3.0, by: "end-2027" }, speed: { shareWithinOneHour: 0.75, by: "end-2027" } },
    remittances: {
      cost: { globalAverageMaxPct: 3.0, referenceAmountUsd: 200, noCorridorAbovePct: 5.0, by: "2030" },
      speed: { shareWithinOneHour: 0.75, scope: "every corridor", by: "end-2027" },
    },
  },
  baselines: [
    { name: "Swift, to the beneficiary's bank", measures: "bankCreditedWithinOneHour", value: 0.9, unit: "share", text: "90% reach the beneficiary's bank within one hour", source: "Swift, 2024", asOf: "2024-10-17" },
    { name: "Swift, to the end customer", measures: "endCustomerWithinOneHour", value: 0.43, unit: "share", text: "43% reach the end customer within one hour", source: "Swift, 2024", asOf: "2024-10-17" },
    { name: "World Bank RPW global average", measures: "remittanceCost200", value: 6.36, unit: "pct", text: "6.36% to send 200 USD", source: "World Bank, Remittance Prices Worldwide, Q3 2025", asOf: "2025-09-30" },
  ],
});

const T0 = Date.parse("2026-06-01T09:00:00Z") / 1000;
let next = 0;

/** A transfer whose stages follow `steps` (seconds after the previous stage, in order). */
function transfer(o: {
  corridor: string;
  tier?: string;
  state?: string;
  steps: [string, number][];
  costPct?: number;
  fxBps?: number;
  gasPct?: number;
  compliance?: TransferOut["compliance"];
}): TransferOut {
  const state = o.state ?? "settled";
  const settled = state === "settled";
  const stages: Record<string, number> = { initiated: T0 + 10 * next };
  let at = stages.initiated!;
  for (const [stage, secs] of o.steps) stages[stage] = at += secs;
  const t = transferOut(o.corridor, state);
  const id = `0x${(++next).toString(16).padStart(64, "a")}` as TransferOut["id"];
  return {
    ...t,
    id,
    index: next,
    tier: o.tier ?? "standard",
    amountIn: "250",
    fee: "0.225",
    amountOut: settled ? "187.1" : null,
    feePct: 0.09,
    rate: settled ? "0.7489" : null,
    mid: settled ? "0.7497" : null,
    fxCost: settled ? { amount: "0.18", bps: o.fxBps ?? (t.inputToken.currency === t.outputToken.currency ? 0 : 10) } : null,
    cost: settled ? { amount: "0.4", pct: o.costPct ?? 0.19 } : null,
    refundReason: state === "refunded" ? `denied:${o.compliance?.reason ?? "OTHER"}` : null,
    compliance: o.compliance ?? { outcome: "allow" },
    stages,
    settlementSeconds: settled ? stages.settled! - stages.initiated! : null,
    srcTxHash: id,
    dstTxHash: settled ? id : null,
    ...(o.gasPct !== undefined ? { gas: { pct: o.gasPct } as TransferOut["gas"] } : {}),
  };
}

const standard: [string, number][] = [
  ["confirmed", 768],
  ["screened", 1],
  ["attested", 1],
  ["submitted", 10],
  ["settled", 0],
];

function fixtureTransfers(): TransferOut[] {
  return [
    transfer({ corridor: "us:USD->uk:GBP", steps: standard, costPct: 0.2 }),
    transfer({ corridor: "uk:GBP->us:USD", tier: "fast", steps: [["confirmed", 12], ["screened", 1], ["attested", 1], ["submitted", 10], ["settled", 0]], costPct: 0.3 }),
    transfer({
      corridor: "us:USD->uk:GBP",
      steps: [["confirmed", 768], ["screened", 1], ["held", 1], ["reviewed", 1800], ["attested", 1], ["submitted", 10], ["settled", 0]],
      compliance: { outcome: "hold", reason: "TRAVEL_RULE_MISSING", hook: "travelRule", reviewed: "approved" },
    }),
    transfer({ corridor: "us:USD->uk:USD", steps: standard, costPct: 0.1, gasPct: 0.05 }),
    transfer({
      corridor: "us:USD->uk:GBP",
      state: "refunded",
      steps: [["confirmed", 768], ["screened", 1], ["refundAttested", 1], ["refunded", 10]],
      compliance: { outcome: "deny", reason: "SANCTIONED_RECIPIENT", hook: "sanctions" },
    }),
    transfer({
      corridor: "uk:GBP->us:USD",
      state: "refunded",
      steps: [["confirmed", 768], ["screened", 1], ["held", 1], ["reviewed", 900], ["refundAttested", 0], ["refunded", 10]],
      compliance: { outcome: "hold", reason: "MANUAL_REVIEW", hook: "manualReview", reviewed: "denied" },
    }),
  ];
}

function fixtureResults(name = "fixture", transfers = fixtureTransfers()): SimulationResults {
  const scenario = parseScenario({
    name,
    description: "A small corridor <em>for tests</em> & nothing else.",
    seed: 7,
    chains: { us: { profile: "ethereum" }, uk: { profile: "ethereum" } },
    fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000" } },
    liquidity: { us: "1000000", uk: "1000000" },
    workload: {
      transfers: transfers.length,
      durationSeconds: 60,
      mix: [
        { from: "us", to: "uk", input: "USD", output: "GBP", weight: 2 },
        { from: "uk", to: "us", input: "GBP", output: "USD", weight: 2 },
        { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
      ],
    },
  });
  const settled = transfers.filter((t) => t.state === "settled");
  const refunded = transfers.filter((t) => t.state === "refunded");
  const refundsByReason: Record<string, number> = {};
  for (const t of refunded) refundsByReason[t.refundReason!] = (refundsByReason[t.refundReason!] ?? 0) + 1;
  const byReason: Record<string, number> = {};
  for (const t of transfers) if (t.compliance && t.compliance.outcome !== "allow") byReason[t.compliance.reason!] = (byReason[t.compliance.reason!] ?? 0) + 1;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    scenario,
    seed: scenario.seed,
    summary: {
      transfers: { planned: transfers.length, sent: transfers.length, settled: settled.length, refunded: refunded.length, inFlight: transfers.length - settled.length - refunded.length, dropped: 0, sourceReorged: 0, rejectedAtSend: 0 },
      settlementSeconds: distribution(settled.map((t) => t.settlementSeconds!)),
      byCorridor: {},
      refundsByReason,
      costs: { feesByCurrency: { USD: "0.675", GBP: "0.225" }, meanFeePct: 0.09, meanFxBps: 10, meanTotalPct: mean(settled.map((t) => t.cost!.pct)) },
      compliance: {
        screened: transfers.length,
        allowed: transfers.filter((t) => t.compliance?.outcome === "allow").length,
        denied: 1,
        held: 2,
        reviewsApproved: 1,
        reviewsDenied: 1,
        byReason,
      },
      liquidity: { waited: 0, meanWaitSeconds: null, maxWaitSeconds: null },
      fastAllowance: { settlementsUsingIt: 1, totalUsed: { USD: "187.1" } },
      volume: { USD: "1000", GBP: "500" },
      virtualSeconds: 3000,
      relayer: { batches: 4, meanBatchSize: 1, alreadySettled: 0 },
      conservation: { ok: true, lines: [{ chain: "us", token: "USD", holder: "senders", expected: "-1000", actual: "-1000", ok: true }], burnAndMint: [] },
      wallClock: { seconds: 2.5 },
    },
    deployment: { chains: {} } as SimulationResults["deployment"],
    transfers,
  };
}

/** The opening tags of a page's <script> elements, sorted. */
const scriptTags = (html: string) => [...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0]).sort();

interface Bar {
  /** The series' id, or its name. */
  series: string;
  value: number;
  label: string;
  display: string;
}

/**
 * The bars of chart `name` as the report carries them: its option beside its server-rendered SVG
 * (<div class="chart" data-chart="name"><svg…>…</svg><script type="application/json">option</script></div>).
 * A bar is a data item [value, label, display] of a bar series drawn (not a waterfall's invisible start).
 */
function bars(html: string, name: string): Bar[] {
  const m = new RegExp(`<div class="chart" data-chart="${name}"[^>]*><svg[\\s\\S]*?</svg><script type="application/json">([\\s\\S]*?)</script></div>`).exec(html);
  expect(m, `chart ${name}`).not.toBeNull();
  const option = JSON.parse(m![1]!) as { series: { type: string; id?: string; name: string; silent?: boolean; data: ({ value: unknown[] } | unknown[])[] }[] };
  return option.series
    .filter((s) => s.type === "bar" && !s.silent)
    .flatMap((s) =>
      s.data.map((d) => {
        const [value, label, display] = (Array.isArray(d) ? d : d.value) as [number, string, string];
        return { series: s.id ?? s.name, value, label, display };
      }),
    );
}

describe("HTML report", () => {
  const command = 'npx corridor simulate "scenarios/a&b.json" --seed 7';
  const results = fixtureResults();
  const html = renderReport(results, { command, targets: TARGETS });

  it("renders every chart as SVG, with its option beside it holding one bar per data point", () => {
    const transfers = results.transfers;
    const wf = stageWaterfall(transfers);
    // finality, screening, review, attestation, relay, payout, then the total
    const waterfall = bars(html, "waterfall");
    expect(waterfall.map((b) => b.label)).toEqual([...wf.steps.map((s) => s.label), "From sending to payout (mean)"]);
    expect(waterfall).toHaveLength(6 + 1);
    // in minutes on the axis (a mean of 13 minutes), in words in the tooltip
    const steps = waterfall.slice(0, -1).reduce((s, b) => s + b.value, 0);
    expect(steps * 60).toBeCloseTo(results.summary.settlementSeconds.mean!, 1);
    expect(waterfall.at(-1)!.value * 60).toBeCloseTo(results.summary.settlementSeconds.mean!, 1);
    expect(waterfall.at(-1)!.display).toBe("17 minutes");

    const latency = bars(html, "latency");
    const settledSecs = transfers.filter((t) => t.state === "settled").map((t) => t.settlementSeconds!);
    expect(latency).toHaveLength(histogramBins(settledSecs).length);
    // [middle of the band, count, display]
    expect(latency.reduce((s, b) => s + Number(b.label), 0)).toBe(4);
    expect(latency.filter((b) => Number(b.label) > 0).map((b) => b.display)).toContain("12 minutes to 14 minutes: 2 transfers");

    // 3 corridors with settled transfers + "All corridors", each with fee, FX spread and gas
    const cost = bars(html, "cost");
    expect(cost).toHaveLength(4 * 3);
    expect(new Set(cost.map((b) => b.series))).toEqual(new Set(["fee", "fx", "gas"]));

    // 3 reasons x (denied, held then denied, held then approved)
    const compliance = bars(html, "compliance");
    expect(compliance).toHaveLength(3 * 3);
    const sanctions = compliance.filter((b) => b.label === "Recipient on a sanctions list");
    expect(sanctions.map((b) => [b.series, b.value])).toEqual([
      ["denied", 1],
      ["heldThenDenied", 0],
      ["heldThenApproved", 0],
    ]);

    const sc = g20Scorecard(transfers, TARGETS, { scenario: results.scenario, endToEnd: endToEndBasis(results.scenario) });
    const g20 = bars(html, "g20");
    // speed: on chain (all corridors + each corridor) beside Swift to the bank, end to end beside Swift to the end customer;
    // cost: on-chain average, the 200 USD reference on chain and end to end, beside the World Bank's figure
    expect(g20).toHaveLength(1 + sc.corridors.length + 1 + 1 + 1 + 3 + 1);
    expect(g20.map((b) => b.label)).toEqual(expect.arrayContaining(["Swift, to the beneficiary's bank", "This run end to end, to the payee's bank account", "Swift, to the end customer"]));
    expect(g20[0]).toMatchObject({ label: "This run, all corridors", value: 66.6667, display: "66.7%" }); // 4 of 6 with an outcome, on a % scale
  });

  it("states the headline in plain language", () => {
    expect(html).toContain("6 transfers; 66.7% settled; median settlement 13 minutes; all-in cost 0.21% on average."); // (0.2 + 0.3 + 0.19 + 0.1 + 0.05 gas) / 4
    expect(html).toContain("66.7% settled within one hour; G20 target for retail payments: 75% within one hour by end-2027 — not met");
    expect(html).toContain("average all-in cost (fee, FX spread and gas) 0.21%; G20 target for retail payments: average cost at most 1.00% by end-2027 — met");
    expect(html).toContain("Swift, 2024 (as of 2024-10-17)");
    expect(html).toContain("World Bank, Remittance Prices Worldwide, Q3 2025");
    expect(html).toContain("G20 scorecard end to end (bank account to bank account)");
    expect(html).toContain("Assumptions the verdicts rest on");
    expect(html).toContain("G20 scorecard: the on-chain leg (wallet to wallet)");
    expect(html).toContain("FSB, Targets for Addressing the Four Challenges of Cross-Border Payments, October 2021");
  });

  it("escapes text from the scenario, so a name holding <script> stays text", () => {
    const evil = fixtureResults('<script>alert("x")</script> & co');
    const out = renderReport(evil, { command, targets: TARGETS });
    expect(out).not.toContain('<script>alert("x")');
    expect(scriptTags(out)).toEqual(scriptTags(html));
    expect(out).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
    expect(out).toContain("A small corridor &lt;em&gt;for tests&lt;/em&gt; &amp; nothing else.");
  });

  it("contains the command that reproduces it and the scenario's parameters", () => {
    expect(html).toContain(escapeHtml(command));
    expect(html).toContain("&quot;spreadBps&quot;");
    expect(html).toContain("&quot;seed&quot;: 7");
  });

  it("makes no external request: no remote src, href or url(), and a policy that runs only its own two scripts", () => {
    // Outside the scripts (ECharts' text) and the SVG's namespace declarations.
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, "").replace(/\sxmlns(?::\w+)?="[^"]*"/g, "");
    expect(markup).not.toMatch(/\s(?:src|href|xlink:href|action|poster|srcset)\s*=/i);
    expect(markup).not.toMatch(/url\((?!#)|@import/i); // url(#id): the SVG's own clip paths
    expect(markup).not.toMatch(/https?:\/\//i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'unsafe-inline'; img-src data:$/);
    // The two scripts the policy names, and the options of the charts (data, never run).
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash("sha256").update(m[1]!).digest("base64")}'`);
    expect(scripts).toHaveLength(2);
    for (const hash of scripts) expect(csp).toContain(hash);
    expect(scriptTags(html)).toEqual(["<script>", "<script>", ...Array(5).fill('<script type="application/json">')].sort());
  });

  it("gives the same bytes for the same results", () => {
    expect(renderReport(fixtureResults(), { command, targets: TARGETS })).toBe(renderReport(fixtureResults(), { command, targets: TARGETS }));
  });

  it("still renders, with empty charts, when nothing settled", () => {
    const none = fixtureResults("empty", [transfer({ corridor: "us:USD->uk:GBP", state: "attested", steps: [["confirmed", 768]] })]);
    const out = renderReport(none, { command, targets: TARGETS });
    expect(bars(out, "waterfall").map((b) => b.label)).toEqual(["From sending to payout (mean)"]);
    for (const name of ["latency", "cost", "compliance"]) expect(bars(out, name)).toHaveLength(0);
    expect(out).toContain("no data");
  });
});

describe("HTML report of a three-chain corridor", () => {
  it("lists every chain of the spec and every corridor that carried transfers, and prices the reference in each input currency", () => {
    const transfers = [
      transfer({ corridor: "us:USD->eu:EUR", steps: standard, costPct: 0.2 }),
      transfer({ corridor: "eu:EUR->uk:GBP", steps: standard, costPct: 0.3 }),
      transfer({ corridor: "uk:GBP->us:USD", steps: standard, costPct: 0.25 }),
    ];
    const base = fixtureResults("three", transfers);
    const scenario = parseScenario({
      name: "three",
      chains: { us: { profile: "ethereum" }, uk: { profile: "base" }, eu: { profile: "arbitrum" } },
      fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000" } },
      liquidity: { us: "1000000", uk: "1000000", eu: "1000000" },
      workload: {
        transfers: 3,
        durationSeconds: 60,
        mix: [
          { from: "us", to: "eu", input: "USD", output: "EUR", weight: 1 },
          { from: "eu", to: "uk", input: "EUR", output: "GBP", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
        ],
      },
    });
    const out = renderReport({ ...base, scenario }, { command: "corridor simulate three.json", targets: TARGETS });
    expect(out).toContain("us chain (ethereum profile), uk chain (base profile) and eu chain (arbitrum profile)");
    for (const c of ["us:USD-&gt;eu:EUR", "eu:EUR-&gt;uk:GBP", "uk:GBP-&gt;us:USD"]) expect(out).toContain(c);
    expect(out).toContain("Cost of sending 200 USD");
    expect(out).toContain(`${(200 * scenario.spec.currencies.EUR!.mid).toFixed(2)} EUR`);
    expect(out).toContain("one millionth of a dollar, pound or euro");
    expect(out).toContain("on 3 simulated chains");
    // 3 corridors + "All corridors" in the cost chart, fee and FX each
    expect(bars(out, "cost")).toHaveLength(4 * 2);
  });

  it("resolves the spec of a results.json written before specs (no scenario.spec)", () => {
    const base = fixtureResults();
    const { spec: _spec, ...old } = base.scenario;
    const out = renderReport({ ...base, scenario: old as typeof base.scenario }, { command: "x", targets: TARGETS });
    expect(out).toContain("us chain (ethereum profile) and uk chain (ethereum profile)");
  });
});
