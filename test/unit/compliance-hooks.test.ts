import { describe, expect, it } from "vitest";
import {
  buildTravelRulePayload,
  kycHook,
  limitsHook,
  converterAt,
  manualReviewHook,
  sanctionsHook,
  travelRuleHash,
  travelRuleHook,
  type Decision,
  type PartyJurisdiction,
  type ScreeningContext,
  type TravelRuleLaw,
} from "../../src/domain/compliance/index.js";
import { combineRates, fixedRate } from "../../src/domain/fx/rate-source.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { defaultSpec, resolveSpec } from "../../src/spec/spec.js";
import { USD_EUR, USD_GBP } from "../helpers/fx.js";

const ALICE = "0x1111111111111111111111111111111111111111";
const BOB = "0x2222222222222222222222222222222222222222";
const EVE = "0x03893a7c7463AE47D46bc7f091665f1893656003";

/** 1 USD = 0.8 GBP = 0.92 EUR. */
const rates = combineRates([fixedRate("0.8", USD_GBP), fixedRate("0.92", USD_EUR)]);
const convert = converterAt(rates, 0);
/** The legal rules, as the spec gives them (US: 3,000 USD; UK: 1,000 EUR, names below it; EU: any amount). */
const spec = defaultSpec();
const { jurisdictions } = resolveSpec({ chains: { us: {}, uk: {}, eu: {} } });
const party = (id: "US" | "UK" | "EU", travelRule: TravelRuleLaw | null = jurisdictions[id]!.travelRule): PartyJurisdiction => ({ id, travelRule });

/** A transfer from the `from` jurisdiction (default US) to `to` (default: the same). */
function ctx(over: Partial<ScreeningContext> & { usd?: string; from?: PartyJurisdiction; to?: PartyJurisdiction } = {}): ScreeningContext {
  const { usd, from = party("US"), to = from, ...rest } = over;
  return {
    transferId: "0xabc",
    sender: ALICE,
    recipient: BOB,
    amount: toBaseUnits(usd ?? "100"),
    currency: "USD",
    sourceChain: "us",
    destinationChain: "uk",
    jurisdictions: { source: from, destination: to },
    numeraire: "USD",
    now: 1_000,
    convert,
    ...rest,
  };
}

const check = async (hook: { check: (c: ScreeningContext) => Decision | Promise<Decision> }, c: ScreeningContext) => hook.check(c);

describe("sanctions hook", () => {
  const hook = sanctionsHook({ lists: [{ addresses: new Set([EVE.toLowerCase()]), asOf: "2025-11-19" }] });

  it("allows a transfer between unlisted parties", async () => {
    expect((await check(hook, ctx())).outcome).toBe("allow");
  });

  it("denies a listed sender with SANCTIONED_SENDER, whatever the address case", async () => {
    const d = await check(hook, ctx({ sender: EVE }));
    expect(d).toMatchObject({ outcome: "deny", reason: "SANCTIONED_SENDER", details: { account: EVE } });
  });

  it("denies a listed recipient with SANCTIONED_RECIPIENT, naming the list's date", async () => {
    const d = await check(hook, ctx({ recipient: EVE.toLowerCase() }));
    expect(d).toMatchObject({ outcome: "deny", reason: "SANCTIONED_RECIPIENT", details: { list: { asOf: "2025-11-19", size: 1 } } });
  });

  it("screens each side's jurisdiction's list, and names the jurisdiction whose list decided", async () => {
    const ukOnly = sanctionsHook({ lists: [{ addresses: new Set([EVE.toLowerCase()]), asOf: "2026-01-05", jurisdiction: "UK" }] });
    // US -> UK: the destination's (UK) list applies
    expect(await check(ukOnly, ctx({ recipient: EVE, from: party("US"), to: party("UK") }))).toMatchObject({ outcome: "deny", reason: "SANCTIONED_RECIPIENT", jurisdiction: "UK" });
    // UK -> US: the source's (UK) list applies
    expect(await check(ukOnly, ctx({ sender: EVE, from: party("UK"), to: party("US") }))).toMatchObject({ outcome: "deny", reason: "SANCTIONED_SENDER", jurisdiction: "UK" });
    // US -> EU: no UK party, the UK list does not apply
    expect(await check(ukOnly, ctx({ recipient: EVE, from: party("US"), to: party("EU") }))).toMatchObject({ outcome: "allow", data: { lists: [] } });
  });
});

describe("travel-rule hook", () => {
  const payload = buildTravelRulePayload({ originator: { name: "Alice Q Smith", account: ALICE }, beneficiary: { name: "Bob Jones", account: BOB, country: "GB" } });

  it("does not require data below the US threshold of 3,000 USD", async () => {
    const d = await check(travelRuleHook(), ctx({ usd: "2999.99" }));
    expect(d).toMatchObject({ outcome: "allow", data: { required: "none" } });
  });

  it("holds a US transfer at 3,000 USD without data (TRAVEL_RULE_MISSING) by default", async () => {
    const d = await check(travelRuleHook(), ctx({ usd: "3000" }));
    expect(d).toMatchObject({ outcome: "hold", reason: "TRAVEL_RULE_MISSING", reviewSeconds: 3600 });
  });

  it("denies missing data when configured with onMissing deny", async () => {
    const d = await check(travelRuleHook({ onMissing: "deny" }), ctx({ usd: "5000" }));
    expect(d).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_MISSING" });
  });

  it("takes the legal thresholds from the spec", () => {
    expect(jurisdictions.US!.travelRule).toMatchObject({ amount: 3000, currency: "USD" });
    expect(jurisdictions.UK!.travelRule).toMatchObject({ amount: 1000, currency: "EUR", belowThreshold: { requires: "names" } });
    expect(jurisdictions.UK!.travelRule!.belowThreshold!.basis).toMatch(/MLR 2017/);
  });

  it("applies the UK threshold of 1,000 EUR via the EUR conversion: full data at or above it", async () => {
    // 1,086.96 USD = 1,000.0032 EUR at 0.92; 1,086.95 USD = 999.994 EUR
    const uk = (usd: string) => ctx({ usd, from: party("UK"), sourceChain: "uk" });
    expect(await check(travelRuleHook(), uk("1086.95"))).toMatchObject({ data: { required: "names" } });
    expect(await check(travelRuleHook(), uk("1086.96"))).toMatchObject({ outcome: "hold", jurisdiction: "UK", data: { required: "full", rules: [{ threshold: "1000 EUR", valueInThresholdCurrency: "1000.00" }] } });
    // a GBP amount: 900 GBP = 1,125 USD = 1,035 EUR
    expect(await check(travelRuleHook(), { ...uk("0"), amount: toBaseUnits("900"), currency: "GBP" })).toMatchObject({ outcome: "hold", data: { required: "full" } });
    // the conversion follows the context's rates
    const eurAtHalf = converterAt(combineRates([fixedRate("0.8", USD_GBP), fixedRate("0.5", USD_EUR)]), 0);
    expect(await check(travelRuleHook(), { ...uk("1086.96"), convert: eurAtHalf })).toMatchObject({ data: { required: "names" } });
  });

  it("requires the names below the UK threshold: holds a transfer without them, allows names alone, and asks for full data at or above it", async () => {
    const uk = (usd: string, over: Partial<ScreeningContext> = {}) => ctx({ usd, from: party("UK"), sourceChain: "uk", ...over });
    const namesOnly = {
      originator: { originatorPerson: [{ naturalPerson: { name: { nameIdentifier: [{ primaryIdentifier: "Smith", secondaryIdentifier: "Alice", naturalPersonNameIdentifierType: "LEGL" }] } } }], accountNumber: [ALICE] },
      beneficiary: { beneficiaryPerson: [{ naturalPerson: { name: { nameIdentifier: [{ primaryIdentifier: "Jones", naturalPersonNameIdentifierType: "LEGL" }] } } }], accountNumber: [BOB] },
    };
    // 100 USD = 92 EUR: below the threshold, and no names: held (the travel rule's onMissing), decided by the UK's rule
    expect(await check(travelRuleHook(), uk("100"))).toMatchObject({ outcome: "hold", reason: "TRAVEL_RULE_MISSING", jurisdiction: "UK", data: { required: "names", decidedBy: { jurisdiction: "UK", side: "source" } } });
    expect(await check(travelRuleHook({ onMissing: "deny" }), uk("100"))).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_MISSING" });
    // names alone suffice below it (and must name the transfer's accounts)
    expect(await check(travelRuleHook(), uk("100", { travelRule: namesOnly, extraHash: travelRuleHash(namesOnly) }))).toMatchObject({ outcome: "allow", data: { required: "names" } });
    const nameless = { ...namesOnly, beneficiary: { beneficiaryPerson: [], accountNumber: [BOB] } };
    expect(await check(travelRuleHook(), uk("100", { travelRule: nameless }))).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_INVALID", details: { problems: ["beneficiary: no beneficiary name"] } });
    // but not at or above it: full IVMS101 (the originator's address, identification or date of birth too)
    const d = await check(travelRuleHook(), uk("2000", { travelRule: namesOnly }));
    expect(d).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_INVALID", jurisdiction: "UK", data: { required: "full" } });
    expect(await check(travelRuleHook(), uk("2000", { travelRule: payload }))).toMatchObject({ outcome: "allow", data: { required: "full" } });
  });

  it("applies the destination's rule too: US->UK and UK->US both need the names, decided by the UK's rule", async () => {
    // 500 USD: below both thresholds; the US asks nothing, the UK the names
    const usToUk = await check(travelRuleHook(), ctx({ usd: "500", from: party("US"), to: party("UK") }));
    expect(usToUk).toMatchObject({ outcome: "hold", reason: "TRAVEL_RULE_MISSING", jurisdiction: "UK", data: { required: "names", decidedBy: { jurisdiction: "UK", side: "destination" } } });
    const ukToUs = await check(travelRuleHook(), ctx({ usd: "500", from: party("UK"), to: party("US") }));
    expect(ukToUs).toMatchObject({ outcome: "hold", jurisdiction: "UK", data: { decidedBy: { jurisdiction: "UK", side: "source" } } });
    // US -> US: no UK party, nothing required
    expect(await check(travelRuleHook(), ctx({ usd: "500" }))).toMatchObject({ outcome: "allow", data: { required: "none" } });
    // 2,000 USD = 1,840 EUR: the UK asks full data where the US (3,000 USD) asks nothing: the stricter decides
    expect(await check(travelRuleHook(), ctx({ usd: "2000", from: party("US"), to: party("UK") }))).toMatchObject({ outcome: "hold", jurisdiction: "UK", data: { required: "full" } });
    // both ask full data at 5,000 USD: the source's rule is named on a tie
    expect(await check(travelRuleHook(), ctx({ usd: "5000", from: party("US"), to: party("UK") }))).toMatchObject({ jurisdiction: "US", data: { required: "full", rules: [{ jurisdiction: "US", required: "full" }, { jurisdiction: "UK", required: "full" }] } });
  });

  it("names the rate a threshold was converted at, and where that rate comes from", async () => {
    const rateSources = Object.fromEntries(Object.values(spec.currencies).flatMap((c) => (c.source ? [[c.code, c.source]] : [])));
    const d = await check(travelRuleHook(), ctx({ usd: "2000", from: party("UK"), rateSources }));
    const rules = (d.data as { rules: { conversion: { rate: string; sources: string[] } }[] }).rules;
    expect(rules[0]!.conversion.rate).toBe("0.92 EUR per USD");
    expect(rules[0]!.conversion.sources[1]).toMatch(/^EUR: EUR per USD, 2026-06 monthly average, US Federal Reserve H\.10 .*data\/fx-eur-per-usd-monthly\.csv/);
  });

  it("requires the data for any amount where the threshold is zero (the EU), and never where there is none", async () => {
    const eu = { ...ctx({ usd: "0.01", from: party("EU"), sourceChain: "eu" }), currency: "EUR" };
    expect(await check(travelRuleHook(), eu)).toMatchObject({ outcome: "hold", reason: "TRAVEL_RULE_MISSING", data: { required: "full" } });
    expect(await check(travelRuleHook(), ctx({ usd: "1000000", from: party("US", null) }))).toMatchObject({ outcome: "allow", data: { required: "none" } });
  });

  it("lets the options override a jurisdiction's threshold, or lift it with null", async () => {
    const hook = travelRuleHook({ thresholds: { US: { amount: 500, currency: "GBP" }, UK: null } });
    expect((await check(hook, ctx({ usd: "624" }))).outcome).toBe("allow"); // 499.2 GBP
    expect(await check(hook, ctx({ usd: "625" }))).toMatchObject({ outcome: "hold", data: { rules: [{ threshold: "500 GBP" }] } });
    expect((await check(hook, ctx({ usd: "50000", from: party("UK") }))).outcome).toBe("allow");
    // a jurisdiction the options leave out keeps its legal threshold
    expect((await check(hook, ctx({ usd: "5", from: party("EU") }))).outcome).toBe("hold");
  });

  it("fails (and so the pipeline holds) when a threshold's currency is not priced by the context's rates", async () => {
    const usdGbpOnly = converterAt(fixedRate("0.8", USD_GBP), 0);
    expect(() => travelRuleHook().check(ctx({ usd: "5000", from: party("UK"), convert: usdGbpOnly }))).toThrow(/does not price EUR/);
  });

  it("allows a transfer above the threshold carrying valid IVMS101 data and reports its hash", async () => {
    const d = await check(travelRuleHook(), ctx({ usd: "10000", travelRule: payload, extraHash: travelRuleHash(payload) }));
    expect(d).toMatchObject({ outcome: "allow", data: { required: "full", hash: travelRuleHash(payload) } });
  });

  it("denies invalid IVMS101 data with TRAVEL_RULE_INVALID and the problems found", async () => {
    const bad = { originator: { originatorPerson: [] }, beneficiary: payload.beneficiary };
    const d = await check(travelRuleHook(), ctx({ usd: "10000", travelRule: bad }));
    expect(d).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_INVALID" });
    expect(d.outcome === "deny" && (d.details?.problems as string[])[0]).toMatch(/originatorPerson/);
  });

  it("denies data about other accounts, or whose hash differs from the message's extraHash", async () => {
    const other = buildTravelRulePayload({ originator: { name: "Carol White", account: EVE }, beneficiary: { name: "Bob Jones", account: BOB } });
    expect(await check(travelRuleHook(), ctx({ usd: "10000", travelRule: other }))).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_INVALID" });
    const d = await check(travelRuleHook(), ctx({ usd: "10000", travelRule: payload, extraHash: travelRuleHash(other) }));
    expect(d).toMatchObject({ outcome: "deny", reason: "TRAVEL_RULE_INVALID", details: { problems: ["extraHash does not match the payload"] } });
  });

  it("can hold invalid data instead of denying it", async () => {
    const d = await check(travelRuleHook({ onInvalid: "hold", reviewSeconds: 60 }), ctx({ usd: "10000", travelRule: {} }));
    expect(d).toMatchObject({ outcome: "hold", reason: "TRAVEL_RULE_INVALID", reviewSeconds: 60 });
  });
});

describe("limits hook", () => {
  it("denies a single transfer above the per-transfer maximum with LIMIT_PER_TRANSFER", async () => {
    const hook = limitsHook({ perTransfer: 1_000 });
    expect((await check(hook, ctx({ usd: "1000" }))).outcome).toBe("allow");
    expect(await check(hook, ctx({ usd: "1000.01" }))).toMatchObject({ outcome: "deny", reason: "LIMIT_PER_TRANSFER" });
  });

  it("denies a sender's transfer that would take its rolling 24-hour total above the limit (LIMIT_DAILY)", async () => {
    const hook = limitsHook({ daily: 1_000 });
    const run = async (c: ScreeningContext) => {
      const d = await hook.check(c);
      hook.observe?.(c, d);
      return d;
    };
    expect((await run(ctx({ usd: "600", now: 0 }))).outcome).toBe("allow");
    expect((await run(ctx({ usd: "400", now: 3_600 }))).outcome).toBe("allow");
    expect(await run(ctx({ usd: "0.01", now: 7_200 }))).toMatchObject({ outcome: "deny", reason: "LIMIT_DAILY", details: { used: "1000000000" } });
    // another sender has its own allowance
    expect((await run(ctx({ usd: "1000", now: 7_200, sender: BOB }))).outcome).toBe("allow");
    // 24 hours after the first transfer, its 600 leave the window
    expect(hook.usedInWindow(ALICE, 86_400)).toBe(toBaseUnits("400"));
    expect((await run(ctx({ usd: "600", now: 86_400 }))).outcome).toBe("allow");
  });

  it("does not count a transfer whose final decision was deny", async () => {
    const hook = limitsHook({ daily: 100 });
    const c = ctx({ usd: "100" });
    hook.observe?.(c, { outcome: "deny", reason: "SANCTIONED_SENDER" });
    expect(hook.usedInWindow(ALICE, c.now)).toBe(0n);
    hook.observe?.(c, { outcome: "hold", reason: "MANUAL_REVIEW" });
    expect(hook.usedInWindow(ALICE, c.now)).toBe(toBaseUnits("100"));
  });

  it("counts in the context's numeraire by default", async () => {
    const hook = limitsHook({ perTransfer: 800 });
    expect(await check(hook, ctx({ usd: "801" }))).toMatchObject({ outcome: "deny", data: { currency: "USD" } });
    const inGbp = ctx({ usd: "1000", numeraire: "GBP" });
    expect(await check(hook, inGbp)).toMatchObject({ outcome: "allow", data: { currency: "GBP", amount: "800000000" } });
  });

  it("converts amounts into the limit currency", async () => {
    const hook = limitsHook({ perTransfer: 800, currency: "GBP" });
    expect((await check(hook, ctx({ usd: "1000" }))).outcome).toBe("allow"); // 800 GBP
    expect((await check(hook, ctx({ usd: "1000.01" }))).outcome).toBe("deny");
  });

  it("keeps an exact rolling total over a long history as old entries leave the window", async () => {
    const hook = limitsHook({ daily: 1e12 });
    for (let i = 0; i < 50_000; i++) {
      const c = ctx({ usd: "1", now: i * 10 });
      hook.observe?.(c, (await hook.check(c)) as Decision);
    }
    // window (413,600, 500,000]: the transfers at 413,610 ... 499,990
    expect(hook.usedInWindow(ALICE, 500_000)).toBe(toBaseUnits("8639"));
    expect(hook.usedInWindow(ALICE, 500_000 + 86_400)).toBe(0n);
  });
});

describe("KYC hook", () => {
  it("is off (allows everyone) unless given an allowlist", async () => {
    expect(await check(kycHook(), ctx())).toMatchObject({ outcome: "allow", data: { enabled: false } });
  });

  it("denies a sender or recipient not on the allowlist with NOT_KYCED", async () => {
    const hook = kycHook({ allowlist: new Set([ALICE]) });
    expect(await check(hook, ctx())).toMatchObject({ outcome: "deny", reason: "NOT_KYCED", details: { party: "recipient" } });
    expect(await check(hook, ctx({ sender: BOB, recipient: ALICE }))).toMatchObject({ outcome: "deny", details: { party: "sender" } });
    expect((await check(kycHook({ allowlist: new Set([ALICE]), parties: "sender" }), ctx())).outcome).toBe("allow");
    expect((await check(kycHook({ allowlist: new Set([ALICE, BOB]) }), ctx())).outcome).toBe("allow");
  });
});

describe("manual-review hook", () => {
  it("holds a transfer above an amount in the numeraire for the modelled review time (MANUAL_REVIEW)", async () => {
    const hook = manualReviewHook({ above: 10_000 });
    expect((await check(hook, ctx({ usd: "10000" }))).outcome).toBe("allow");
    expect(await check(hook, ctx({ usd: "10000.01" }))).toMatchObject({ outcome: "hold", reason: "MANUAL_REVIEW", reviewSeconds: 900, data: { currency: "USD" } });
  });

  it("values GBP transfers in the numeraire", async () => {
    const hook = manualReviewHook({ above: 1_000, reviewSeconds: 60 });
    const gbp = { ...ctx(), amount: toBaseUnits("801"), currency: "GBP" };
    expect(await check(hook, gbp)).toMatchObject({ outcome: "hold", reviewSeconds: 60, data: { amount: "1001.25", above: "1000" } });
  });

  it("takes an amount in another currency", async () => {
    expect((await check(manualReviewHook({ above: 800, currency: "GBP" }), ctx({ usd: "1000" }))).outcome).toBe("allow");
    expect((await check(manualReviewHook({ above: 800, currency: "GBP" }), ctx({ usd: "1000.01" }))).outcome).toBe("hold");
  });
});
