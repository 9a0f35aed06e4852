import { describe, expect, it } from "vitest";
import { BankRailsSchema, endToEndBasis, loadBankRails, RailClock, resolveRamps, transferEndToEnd } from "../../src/measure/end-to-end.js";
import { loadG20Targets } from "../../src/measure/g20-targets.js";
import { g20Scorecard } from "../../src/measure/scorecard.js";
import type { TransferOut } from "../../src/measure/transfer-out.js";
import { parseScenario } from "../../src/sim/scenario.js";
import { transferOut } from "../helpers/transfer-out.js";

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
const rails = loadBankRails();

describe("bank rails: operating hours, weekends and holidays in each rail's time zone", () => {
  const clock = new RailClock(rails);

  it("Fedwire takes a customer payment from 21:00 ET the evening before to 18:00 ET, business days only", () => {
    // Monday 1 June 2026, 10:00 EDT (14:00Z): open.
    expect(iso(clock.nextOpen("fedwire", at("2026-06-01T14:00:00Z")))).toBe("2026-06-01T14:00:00Z");
    // Friday 5 June 2026, 18:30 EDT: closed until Monday's day opens, Sunday 21:00 EDT (01:00Z Monday).
    expect(iso(clock.nextOpen("fedwire", at("2026-06-05T22:30:00Z")))).toBe("2026-06-08T01:00:00Z");
    // Saturday: the same.
    expect(iso(clock.nextOpen("fedwire", at("2026-06-06T12:00:00Z")))).toBe("2026-06-08T01:00:00Z");
    // Thursday 18 June 2026, 19:00 EDT: Friday 19 June is Juneteenth (a Federal Reserve holiday), so next is Sunday 21:00 for Monday 22 June.
    expect(iso(clock.nextOpen("fedwire", at("2026-06-18T23:00:00Z")))).toBe("2026-06-22T01:00:00Z");
    // Friday 3 July 2026: Independence Day falls on a Saturday and the Reserve Banks stay open on the Friday.
    expect(iso(clock.nextOpen("fedwire", at("2026-07-03T14:00:00Z")))).toBe("2026-07-03T14:00:00Z");
    // Winter (EST, UTC-5): Friday 8 January 2027 at 18:30 EST reopens Sunday 21:00 EST = Monday 02:00Z.
    expect(iso(clock.nextOpen("fedwire", at("2027-01-08T23:30:00Z")))).toBe("2027-01-11T02:00:00Z");
  });

  it("CHAPS takes customer payments from 06:00 to 17:40 London time and closes on England and Wales bank holidays", () => {
    // Thursday 2 April 2026, 17:45 BST: past the customer cut-off; Good Friday and Easter Monday are bank holidays: Tuesday 7 April 06:00 BST.
    expect(iso(clock.nextOpen("chaps", at("2026-04-02T16:45:00Z")))).toBe("2026-04-07T05:00:00Z");
    // Monday 1 June 2026, 05:00 BST: opens at 06:00 BST.
    expect(iso(clock.nextOpen("chaps", at("2026-06-01T04:00:00Z")))).toBe("2026-06-01T05:00:00Z");
    // Christmas 2026: Friday 25 and the Boxing Day substitute Monday 28 December; in GMT.
    expect(iso(clock.nextOpen("chaps", at("2026-12-24T18:00:00Z")))).toBe("2026-12-29T06:00:00Z");
  });

  it("instant rails are open around the clock", () => {
    const sat = at("2026-12-26T03:00:00Z");
    expect(clock.nextOpen("faster-payments", sat)).toBe(sat);
    expect(clock.nextOpen("fednow", sat)).toBe(sat);
  });

  it("one business day is the same local time on the payee's next business day", () => {
    // Thursday 2 April 2026 10:00 BST in the UK: Friday and Monday are holidays, so Tuesday 7 April 10:00 BST.
    expect(iso(clock.oneBusinessDayAfter("chaps", at("2026-04-02T09:00:00Z")))).toBe("2026-04-07T09:00:00Z");
    // Saturday: from the start of Monday, so by Tuesday 00:00 local.
    expect(iso(clock.oneBusinessDayAfter("fedwire", at("2026-06-06T12:00:00Z")))).toBe("2026-06-09T04:00:00Z");
  });

  it("notes the days it was asked about outside the shipped calendars' years", () => {
    const c = new RailClock(rails);
    c.nextOpen("chaps", at("2030-03-04T12:00:00Z"));
    expect(c.uncoveredDays()).toContain("2030-03-04");
    expect(new RailClock(rails).uncoveredDays()).toEqual([]);
  });

  it("refuses a rails file whose rail names an unknown calendar, or has no hours", () => {
    const bad = { rails: { x: { ...rails.rails.chaps, calendar: "nowhere" } }, calendars: rails.calendars };
    expect(BankRailsSchema.safeParse(bad).success).toBe(false);
    const { open: _o, ...noHours } = rails.rails.chaps!;
    expect(BankRailsSchema.safeParse({ rails: { x: noHours }, calendars: rails.calendars }).success).toBe(false);
  });
});

const scenarioInput = (ramps?: unknown) => ({
  name: "e2e",
  chains: { us: { profile: "ethereum" }, uk: { profile: "ethereum" } },
  fees: { default: { fixed: "100000", bps: 5, min: "100000", max: "50000000" } },
  fx: { spreadBps: { default: 10 } },
  liquidity: { us: "1000", uk: "1000" },
  workload: { transfers: 1, durationSeconds: 1, mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }] },
  ...(ramps === undefined ? {} : { ramps }),
});

/** A settled USD->GBP transfer sent at `t0` that took `secs` on chain, fee 0.1 + FX 0.1 against the mid. */
const settled = (t0: number, secs: number, over: Partial<TransferOut> = {}) =>
  transferOut("us:USD->uk:GBP", "settled", { stages: { initiated: t0, settled: t0 + secs }, settlementSeconds: secs, cost: { amount: "0.15", pct: 0.2 }, feePct: 0.1, ...over });

describe("a transfer end to end", () => {
  it("waits for the payer's rail, adds the issuer's mint, the measured on-chain time, the redemption and the payee's rail", () => {
    const scenario = parseScenario(scenarioInput());
    const basis = endToEndBasis(scenario);
    const clock = new RailClock(basis.rails);
    // Friday 5 June 2026 at 21:00 UTC: Fedwire is open (17:00 EDT); minted 10 minutes later; 13 minutes on chain;
    // the sterling payout is due an hour after the redemption request, 22:33 BST, after CHAPS closed: Monday 8 June 06:00 BST.
    const t0 = at("2026-06-05T21:00:00Z");
    const r = transferEndToEnd(settled(t0, 780), basis, clock, "us:USD->uk:GBP", 0.25)!;
    expect(r.onRampSeconds).toBe(600);
    expect(r.onChainSeconds).toBe(780);
    expect(iso(t0 + r.totalSeconds!)).toBe("2026-06-08T05:00:00Z");
    expect(r.withinOneHour).toBe(false);
    expect(r.withinOneBusinessDay).toBe(true); // by Monday 22:00 BST
    expect(r.costPct).toBeCloseTo(0.25, 12); // all-in with gas; ramps free by default
    // The promise: 65 Ethereum confirmations (780 s) + 2 s + one block, rounded up to 15 minutes; the same Monday opening.
    expect(iso(r.promise.deliveredBy)).toBe("2026-06-08T05:00:00Z");
    expect(r.promise.costPct).toBeCloseTo(0.1 + 0.1, 12);
    expect(r).toMatchObject({ onTime: true, atCost: true });

    // On a Monday morning in both countries, the same transfer is credited the same day in 10 + 13 + 60 minutes.
    const m0 = at("2026-06-08T13:00:00Z");
    const m = transferEndToEnd(settled(m0, 780), basis, clock, "us:USD->uk:GBP", 0.25)!;
    expect(m.totalSeconds).toBe(600 + 780 + 3600);
    // A transfer held for review for an hour arrives later than promised.
    const late = transferEndToEnd(settled(m0, 780 + 3600), basis, clock, "us:USD->uk:GBP", 0.25)!;
    expect(late.onTime).toBe(false);
    // One whose FX cost came out above the quoted margin is not at the promised cost.
    expect(transferEndToEnd(settled(m0, 780, { cost: { amount: "0.3", pct: 0.4 } }), basis, clock, "us:USD->uk:GBP", 0.4)!.atCost).toBe(false);
    // A refund is never delivered.
    const refunded = transferOut("us:USD->uk:GBP", "refunded", { stages: { initiated: m0 } });
    expect(transferEndToEnd(refunded, basis, clock, "us:USD->uk:GBP", null)).toMatchObject({ delivered: false, withinOneBusinessDay: false, onTime: null });
  });

  it("takes the scenario's ramps over the defaults: instant rails, slower mints, fees", () => {
    const scenario = parseScenario(
      scenarioInput({ USD: { onRamp: { rail: "fednow", mintSeconds: 60, feeBps: 10, fixedFee: 1 } }, GBP: { offRamp: { rail: "faster-payments", redeemSeconds: 120 } } }),
    );
    const basis = endToEndBasis(scenario);
    const usd = basis.ramps.find((r) => r.currency === "USD")!;
    expect(usd.onRamp).toMatchObject({ rail: "fednow", seconds: 60, feeBps: 10, fixedFee: 1, given: ["feeBps", "fixedFee", "mintSeconds", "rail"] });
    expect(usd.offRamp).toMatchObject({ rail: "fedwire", seconds: 3600, given: [] });
    // Saturday night: instant rails do not wait.
    const t0 = at("2026-06-06T23:00:00Z");
    const r = transferEndToEnd(settled(t0, 780), basis, new RailClock(basis.rails), "us:USD->uk:GBP", 0.2)!;
    expect(r.totalSeconds).toBe(60 + 780 + 120);
    expect(r.withinOneHour).toBe(true);
    // 0.2% + 10 bps + 1 USD of 100 USD sent.
    expect(r.costPct).toBeCloseTo(0.2 + 0.1 + 1, 12);
  });

  it("refuses an unknown rail, a currency outside the corridor and a negative time with the scenario's code", () => {
    const bad = (ramps: unknown) => () => parseScenario(scenarioInput(ramps));
    expect(bad({ USD: { onRamp: { rail: "swift" } } })).toThrow(/CORRIDOR_SCENARIO_INVALID|ramps\.USD\.onRamp\.rail: unknown rail "swift"/);
    expect(bad({ USD: { onRamp: { rail: "swift" } } })).toThrow(/ramps\.USD\.onRamp\.rail: unknown rail "swift"; expected one of fedwire, chaps, t2, fednow, faster-payments/);
    expect(bad({ JPY: { onRamp: { rail: "fedwire" } } })).toThrow(/ramps\.JPY: JPY is not a currency of this corridor/);
    expect(bad({ USD: { offRamp: { redeemSeconds: -1 } } })).toThrow(/ramps\.USD\.offRamp\.redeemSeconds/);
    expect(bad({ USD: { offRamp: { payout: "cash" } } })).toThrow(/ramps\.USD\.offRamp/);
  });

  it("leaves out currencies without rails", () => {
    expect(resolveRamps({}, ["USD", "SGD"]).map((r) => r.currency)).toEqual(["USD"]);
  });
});

describe("the G20 scorecard end to end", () => {
  it("scores both halves of the speed target, the cost with the ramps, and the transparency target, with its assumptions", () => {
    const scenario = parseScenario(scenarioInput({ USD: { onRamp: { fixedFee: 0.5 } } }));
    const targets = loadG20Targets();
    const monday = at("2026-06-08T13:00:00Z");
    const friday = at("2026-06-05T21:00:00Z");
    const transfers = [
      settled(monday, 780),
      settled(monday + 60, 780),
      settled(friday, 780),
      transferOut("us:USD->uk:GBP", "refunded", { stages: { initiated: monday } }),
    ];
    const sc = g20Scorecard(transfers, targets, { scenario, endToEnd: endToEndBasis(scenario) });
    const e = sc.endToEnd!;
    expect(e.counts).toEqual({ outcomes: 4, delivered: 3, notModelled: 0 });
    expect(e.speed.withinOneHour).toBe(0); // 10 + 13 + 60 minutes
    expect(e.speed.shareWithinOneBusinessDay).toBe(3 / 4);
    const rest = e.checks.find((c) => c.segment === "retail" && c.measure === "speedRest")!;
    expect(rest).toMatchObject({ threshold: 1, actual: 0.75, met: false });
    expect(rest.line).toBe("End to end: 75% credited to the payee's bank within one business day; G20 target for retail payments: the rest within 1 business day by end-2027 — not met");
    // The on-chain leg's scorecard stays, with its own rest-of-the-day check.
    expect(sc.checks.find((c) => c.segment === "retail" && c.measure === "speedRest")!.actual).toBe(0.75);
    expect(sc.checks.find((c) => c.segment === "retail" && c.measure === "speed")!.actual).toBe(0.75);
    // Cost: 0.2% on chain + 0.5 USD on 100 USD on the way in.
    expect(e.cost.meanPct).toBeCloseTo(0.7, 12);
    expect(e.reference!.byCorridor[0]!.rampPct).toBeCloseTo((0.5 / 200) * 100, 12);
    expect(e.transparency).toMatchObject({ quoted: 4, delivered: 3, onTime: 3, atCost: 3, matched: 3, shareMatched: 0.75 });
    expect(e.lines.at(-1)).toMatch(/^Transparency: every payer was shown the total cost and the expected delivery time before sending and can track each stage; 75% of outcomes matched the promise/);
    // Every default the verdicts rest on is stated, with the rails' sources and dates.
    expect(e.assumptions.join("\n")).toMatch(/USD: on-ramp over Fedwire Funds Service, mint 600 s after the fiat lands, fee 0 bps \+ 0\.5 USD \(scenario: fixedFee\)/);
    expect(e.assumptions.join("\n")).toMatch(/CHAPS \(Bank of England RTGS\): customer payments 06:00 to 17:40 Europe\/London, business days; closed on Bank holidays in England and Wales/);
    expect(e.rails.map((r) => r.rail).sort()).toEqual(["chaps", "fedwire"]);
    expect(e.calendars.every((c) => c.source.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(c.asOf))).toBe(true);
  });
});
