import { describe, expect, it } from "vitest";
import { DEFAULT_G20_TARGETS_FILE, loadG20Targets, parseG20Targets } from "../../src/measure/g20-targets.js";
import type { TransferOut } from "../../src/measure/transfer-out.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { g20Scorecard, referenceRemittanceCost, type G20Targets } from "../../src/measure/scorecard.js";
import { transferOut } from "../helpers/transfer-out.js";

const TARGETS: G20Targets = parseG20Targets({
  source: "FSB, Targets, October 2021",
  segments: {
    wholesale: { cost: null, speed: { shareWithinOneHour: 0.75, by: "end-2027" } },
    retail: { cost: { globalAverageMaxPct: 1.0, noCorridorAbovePct: 3.0, by: "end-2027" }, speed: { shareWithinOneHour: 0.75, by: "end-2027" } },
    remittances: {
      cost: { globalAverageMaxPct: 3.0, referenceAmountUsd: 200, noCorridorAbovePct: 5.0, by: "2030" },
      speed: { shareWithinOneHour: 0.75, scope: "every corridor", by: "end-2027" },
    },
  },
  baselines: [
    { name: "Swift, to the beneficiary's bank", measures: "bankCreditedWithinOneHour", value: 0.9, unit: "share", text: "90% reach the beneficiary's bank within one hour", source: "Swift, 2024", asOf: "2024-10-17" },
    { name: "Swift, to the end customer", measures: "endCustomerWithinOneHour", value: 0.43, unit: "share", text: "43% reach the end customer within one hour", source: "Swift, 2024", asOf: "2024-10-17" },
    { name: "World Bank RPW global average", measures: "remittanceCost200", value: 6.36, unit: "pct", text: "6.36% to send 200 USD", source: "World Bank RPW, Q3 2025", asOf: "2025-09-30" },
  ],
});

/** A hand-made transfer: corridor "us:USD->uk:GBP", a state, its settlement seconds and all-in cost %. */
function transfer(o: { corridor?: string; state?: string; secs?: number; costPct?: number; gasPct?: number; gasUsd?: number }): TransferOut {
  const state = o.state ?? "settled";
  const settled = state === "settled";
  return transferOut(o.corridor, state, {
    fxCost: settled ? { amount: "0", bps: 0 } : null,
    cost: settled ? { amount: "0.1", pct: o.costPct ?? 0.1 } : null,
    stages: settled ? { initiated: 1000, settled: 1000 + (o.secs ?? 60) } : { initiated: 1000 },
    settlementSeconds: settled ? (o.secs ?? 60) : null,
    ...(o.gasPct !== undefined ? { gas: { units: 100_000, usd: o.gasUsd ?? 0, pct: o.gasPct } as TransferOut["gas"] } : {}),
  });
}

describe("G20 scorecard", () => {
  const mixed = [
    transfer({ secs: 600, costPct: 0.5 }),
    transfer({ secs: 3600, costPct: 1.5 }), // exactly one hour counts as within
    transfer({ secs: 3601, costPct: 0.4 }),
    transfer({ state: "refunded" }),
    transfer({ corridor: "uk:GBP->us:USD", secs: 30, costPct: 3.5, gasPct: 0.1 }),
    transfer({ state: "attested" }), // in flight: left out
  ];

  it("counts settled-within-the-hour over transfers with an outcome, refunds counting against", () => {
    const sc = g20Scorecard(mixed, TARGETS);
    expect(sc.counts).toEqual({ outcomes: 5, settled: 4, refunded: 1, inFlight: 1 });
    expect(sc.speed).toEqual({ withinOneHour: 3, outcomes: 5, share: 0.6, shareOfSettled: 0.75 });
    const a = sc.corridors.find((c) => c.corridor === "us:USD->uk:GBP")!;
    expect(a).toMatchObject({ outcomes: 4, settled: 3, refunded: 1, withinOneHour: 2, shareWithinOneHour: 0.5 });
    expect(a.meanCostPct).toBeCloseTo(0.8, 10);
  });

  it("averages the all-in cost over settled transfers, adding gas when a transfer carries it", () => {
    const sc = g20Scorecard(mixed, TARGETS);
    expect(sc.cost.samples).toBe(4);
    expect(sc.cost.meanPct).toBeCloseTo((0.5 + 1.5 + 0.4 + 3.6) / 4, 10);
    expect(sc.cost.meanFeeAndFxPct).toBeCloseTo((0.5 + 1.5 + 0.4 + 3.5) / 4, 10);
    expect(sc.cost.gasIncluded).toBe(true);
    expect(sc.cost.meanGasPct).toBeCloseTo(0.1, 10);
    expect(sc.corridors.find((c) => c.corridor === "uk:GBP->us:USD")!.meanCostPct).toBeCloseTo(3.6, 10);
  });

  it("judges each retail and remittance target, naming the deciding corridor", () => {
    const sc = g20Scorecard(mixed, TARGETS);
    const by = (segment: string, measure: string) => sc.checks.find((c) => c.segment === segment && c.measure === measure)!;
    expect(sc.checks).toHaveLength(6); // wholesale is not scored
    expect(by("retail", "speed")).toMatchObject({ actual: 0.6, threshold: 0.75, met: false });
    expect(by("retail", "costAverage")).toMatchObject({ threshold: 1, met: false });
    expect(by("retail", "costPerCorridor")).toMatchObject({ corridor: "uk:GBP->us:USD", threshold: 3, met: false });
    expect(by("remittances", "speed")).toMatchObject({ actual: 0.5, corridor: "us:USD->uk:GBP", met: false });
    expect(by("remittances", "costAverage")).toMatchObject({ threshold: 3, met: true });
    expect(by("remittances", "costPerCorridor")).toMatchObject({ threshold: 5, met: true });
    expect(sc.reference).toBeUndefined();
  });

  it("writes plain-language lines with the target, its date and the verdict", () => {
    const sc = g20Scorecard(mixed, TARGETS);
    expect(sc.lines).toContain("60% settled within one hour; G20 target for retail payments: 75% within one hour by end-2027 — not met");
    expect(sc.lines).toContain(
      "50% settled within one hour in the slowest corridor (us:USD->uk:GBP); G20 target for remittances: 75% within one hour in every corridor by end-2027 — not met",
    );
    expect(sc.lines).toContain("average all-in cost (fee, FX spread and gas) 1.50%; G20 target for retail payments: average cost at most 1.00% by end-2027 — not met");
  });

  it("meets every target when transfers are fast and cheap", () => {
    const quick = [transfer({ secs: 24, costPct: 0.2 }), transfer({ secs: 780, costPct: 0.19 }), transfer({ corridor: "uk:GBP->us:USD", secs: 780, costPct: 0.22 })];
    const sc = g20Scorecard(quick, TARGETS);
    expect(sc.checks.every((c) => c.met === true)).toBe(true);
    expect(sc.lines[0]).toBe("100% settled within one hour; G20 target for retail payments: 75% within one hour by end-2027 — met");
  });

  it("says 'no data' rather than pass or fail when nothing reached an outcome", () => {
    const sc = g20Scorecard([transfer({ state: "attested" })], TARGETS);
    expect(sc.speed.share).toBeNull();
    expect(sc.checks.every((c) => c.met === null)).toBe(true);
    expect(sc.lines[0]).toMatch(/— no data$/);
  });

  it("puts the baselines beside the targets, each labelled with what it measures and the leg it is comparable to", () => {
    const sc = g20Scorecard(mixed, TARGETS);
    expect(sc.source).toBe("FSB, Targets, October 2021");
    expect(sc.baselines.map((b) => [b.value, b.comparableTo])).toEqual([
      [0.9, "onChain"],
      [0.43, "endToEnd"],
      [6.36, "endToEnd"],
    ]);
    expect(sc.baselines[1]).toMatchObject({ source: "Swift, 2024", asOf: "2024-10-17", measures: "endCustomerWithinOneHour" });
    expect(sc.lines.at(-1)).toMatch(/^For comparison, World Bank RPW global average: 6\.36% to send 200 USD \(World Bank RPW, Q3 2025; measures all-in price of sending the 200-unit reference remittance/);
    expect(() => parseG20Targets({ ...TARGETS, baselines: [{ ...TARGETS.baselines[0], measures: "somethingElse" }] }, "b.json")).toThrow(/b\.json: not a G20 targets file: baselines\.0\.measures/);
  });

  it("derives the 200 USD reference cost from the scenario's fee schedule and spread, and scores remittances on it", () => {
    const scenario = parseScenario({
      name: "ref",
      chains: { us: {}, uk: {} },
      fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000" } },
      currencies: { GBP: { mid: 0.75 } },
      fx: { spreadBps: { default: 10 } },
      liquidity: { us: "1000", uk: "1000" },
      workload: {
        transfers: 1,
        durationSeconds: 1,
        mix: [
          { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
          { from: "us", to: "uk", input: "USD", output: "USD", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
        ],
      },
    });
    const ref = referenceRemittanceCost(scenario, 200)!;
    const usdGbp = ref.byCorridor.find((c) => c.corridor === "us:USD->uk:GBP")!;
    // fee 0.10 + 5 bps of 200 = 0.20 USD = 0.1%; spread 10 bps: 1 - 0.999 * 0.999 = 0.1999%
    expect(usdGbp).toMatchObject({ amountIn: "200.00", currency: "USD" });
    expect(usdGbp.feePct).toBeCloseTo(0.1, 12);
    expect(usdGbp.pct).toBeCloseTo(0.1999, 12);
    expect(ref.byCorridor.find((c) => c.corridor === "us:USD->uk:USD")!.pct).toBeCloseTo(0.1, 12);
    const gbp = ref.byCorridor.find((c) => c.corridor === "uk:GBP->us:USD")!;
    expect(gbp.amountIn).toBe("150.00"); // 200 USD at 0.75 GBP per USD
    expect(gbp.feePct).toBeCloseTo((0.1 + 0.075) / 150 * 100, 10);
    expect(ref).toMatchObject({ amount: 200, numeraire: "USD" });
    expect(ref.basis).toContain("GBP at 0.75 per USD");

    const sc = g20Scorecard([transfer({ secs: 60, costPct: 4 })], TARGETS, { scenario });
    expect(sc.reference?.meanPct).toBeCloseTo(ref.meanPct, 12);
    const rem = sc.checks.find((c) => c.segment === "remittances" && c.measure === "costAverage")!;
    expect(rem.actual).toBeCloseTo(ref.meanPct, 12);
    expect(rem.met).toBe(true); // the 200 USD reference, not the 4% average of this run's transfers
    expect(rem.line).toMatch(/^cost of sending 200 USD 0\.\d\d% on average; G20 target for remittances: average cost at most 3\.00% for 200 USD by 2030 — met$/);
    expect(sc.checks.find((c) => c.segment === "retail" && c.measure === "costAverage")!.met).toBe(false);
  });

  it("adds the corridor's mean gas per transfer to the 200 USD reference, since gas does not shrink with the amount", () => {
    const scenario = parseScenario({
      name: "gas",
      chains: { us: {}, uk: {} },
      fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000" } },
      liquidity: { us: "1000", uk: "1000" },
      workload: { transfers: 1, durationSeconds: 1, mix: [{ from: "us", to: "uk", input: "USD", output: "USD", weight: 1 }] },
    });
    const gassy = [transfer({ corridor: "us:USD->uk:USD", costPct: 0.1, gasPct: 1, gasUsd: 6 }), transfer({ corridor: "us:USD->uk:USD", costPct: 0.1, gasPct: 2, gasUsd: 10 })];
    const sc = g20Scorecard(gassy, TARGETS, { scenario });
    const c = sc.reference!.byCorridor[0]!;
    expect(c.gasPct).toBeCloseTo((8 / 200) * 100, 12); // mean 8 USD of gas on a 200 USD transfer: 4%
    expect(c.pct).toBeCloseTo(0.1 + 4, 12);
    expect(sc.reference!.basis).toMatch(/gas at this run's mean gas cost per settled transfer/);
    expect(sc.checks.find((k) => k.segment === "remittances" && k.measure === "costAverage")!.met).toBe(false);
  });

  it("loads the shipped targets file", () => {
    expect(DEFAULT_G20_TARGETS_FILE).toMatch(/data\/g20-targets\.json$/);
    const t = loadG20Targets();
    expect(t.segments.retail?.speed?.shareWithinOneHour).toBe(0.75);
    // Swift's two figures, to the bank and to the end customer, and the latest RPW quarter, each with its date.
    expect(t.baselines.map((b) => [b.measures, b.value, b.asOf])).toEqual(
      expect.arrayContaining([
        ["bankCreditedWithinOneHour", 0.9, "2024-10-17"],
        ["endCustomerWithinOneHour", 0.43, "2024-10-17"],
        ["remittanceCost200", 6.36, "2025-09-30"],
      ]),
    );
    expect(() => parseG20Targets({ source: "x" }, "bad.json")).toThrow(/bad\.json: not a G20 targets file/);
  });
});

describe("G20 scorecard over more than two chains", () => {
  it("prices the reference amount in each input currency at the spec's mid, one row per corridor of the mix", () => {
    const scenario = parseScenario({
      name: "three",
      chains: { us: {}, uk: {}, eu: {} },
      fees: { default: { fixed: 0, bps: 10, min: 0, max: "50000000" } },
      fx: { spreadBps: { default: 20 } },
      liquidity: { us: "1000", uk: "1000", eu: "1000" },
      workload: {
        transfers: 1,
        durationSeconds: 1,
        mix: [
          { from: "us", to: "eu", input: "USD", output: "EUR", weight: 1 },
          { from: "eu", to: "uk", input: "EUR", output: "GBP", weight: 1 },
          { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
        ],
      },
    });
    const ref = referenceRemittanceCost(scenario, 200)!;
    expect(ref.byCorridor.map((c) => c.corridor)).toEqual(["us:USD->eu:EUR", "eu:EUR->uk:GBP", "uk:GBP->us:USD"]);
    expect(ref.byCorridor.find((c) => c.currency === "EUR")!.amountIn).toBe((200 * scenario.spec.currencies.EUR!.mid).toFixed(2));
    expect(ref.byCorridor.find((c) => c.currency === "GBP")!.amountIn).toBe((200 * scenario.spec.currencies.GBP!.mid).toFixed(2));
    for (const c of ref.byCorridor) expect(c.pct).toBeCloseTo(100 * (1 - 0.999 * 0.998), 10);
    const sc = g20Scorecard([transfer({ corridor: "eu:EUR->uk:GBP", secs: 30 }), transfer({ corridor: "us:USD->eu:EUR", secs: 30 })], TARGETS, { scenario });
    expect(sc.corridors.map((c) => c.corridor)).toEqual(["eu:EUR->uk:GBP", "us:USD->eu:EUR"]);
    expect(sc.corridors.every((c) => c.referenceCostPct !== undefined)).toBe(true);
  });
});
