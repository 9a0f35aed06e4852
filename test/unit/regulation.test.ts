/**
 * The regulation packs, the reserve ledger, business days, and the scenario's regulation section
 * as bad input (coded errors naming the field).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isCorridorError } from "../../src/domain/errors.js";
import { packagePath } from "../../src/paths.js";
import { addBusinessDays, dayOf, endOfNextBusinessDay, isBusinessDay } from "../../src/regulation/calendar.js";
import { backingMix, PACK_IDS, PACKS, regimeOf } from "../../src/regulation/packs.js";
import { ReserveLedger } from "../../src/regulation/reserves.js";
import { parseScenario } from "../../src/sim/scenario.js";

const t = (iso: string) => Date.parse(iso) / 1000;

describe("business days", () => {
  it("the deadline of a Friday request is the end of Monday, of a Saturday one the end of Tuesday", () => {
    expect(endOfNextBusinessDay(t("2026-07-03T16:00:00Z"))).toBe(t("2026-07-06T23:59:59Z"));
    expect(endOfNextBusinessDay(t("2026-07-04T10:00:00Z"))).toBe(t("2026-07-07T23:59:59Z"));
    expect(endOfNextBusinessDay(t("2026-07-01T00:00:00Z"))).toBe(t("2026-07-02T23:59:59Z"));
    expect(isBusinessDay(dayOf(t("2026-07-05T12:00:00Z")))).toBe(false);
    expect(addBusinessDays(dayOf(t("2026-07-03T12:00:00Z")), 1)).toBe(dayOf(t("2026-07-06T12:00:00Z")));
  });
});

describe("reserve ledger", () => {
  it("adds reserves in the mix to the base unit and pays deposits at once, gilts the next business day", () => {
    const l = new ReserveLedger({ govDebt: 0.7, centralBankDeposit: 0.3 });
    l.add(1_000_001n);
    expect(l.total()).toBe(1_000_001n);
    expect(l.holdings.centralBankDeposit).toBe(300_000n);
    const at = t("2026-07-01T10:00:00Z");
    const { tranches, unpaid } = l.redeem(500_000n, at);
    expect(unpaid).toBe(0n);
    expect(tranches).toEqual([
      { assetClass: "centralBankDeposit", amount: 300_000n, payAt: at },
      { assetClass: "govDebt", amount: 200_000n, payAt: t("2026-07-02T12:00:00Z") },
    ]);
    expect(l.total()).toBe(500_001n);
  });

  it("spreads sales over business days when the market takes only a share a day", () => {
    const l = new ReserveLedger({ bankDeposit: 0.05, govDebt: 0.95 });
    l.add(1_000_000n);
    l.limitSales(0.2); // 190,000 of gilts a day
    const { tranches } = l.redeem(500_000n, t("2026-07-02T15:00:00Z"));
    expect(tranches.map((x) => [x.assetClass, x.amount, new Date(x.payAt * 1000).toISOString()])).toEqual([
      ["bankDeposit", 50_000n, "2026-07-02T15:00:00.000Z"],
      ["govDebt", 190_000n, "2026-07-03T12:00:00.000Z"],
      ["govDebt", 190_000n, "2026-07-06T12:00:00.000Z"],
      ["govDebt", 70_000n, "2026-07-07T12:00:00.000Z"],
    ]);
  });

  it("reports what reserves cannot pay", () => {
    const l = new ReserveLedger({ bankDeposit: 1 });
    l.add(100n);
    expect(l.redeem(150n, 0).unpaid).toBe(50n);
  });
});

describe("packs", () => {
  it("every rule of every pack carries a source and a date", () => {
    for (const id of PACK_IDS) {
      const p = PACKS[id];
      expect(p.id).toBe(id);
      for (const rule of Object.values(p.rules)) {
        expect(rule.source.length).toBeGreaterThan(20);
        expect(rule.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      const mix = backingMix(p.rules);
      expect(Object.values(mix).reduce((a, b) => a + b!, 0)).toBeCloseTo(1, 9);
    }
  });

  it("boe-2026 with fca combines (at par in both), with the Bank's mix, the FCA's deadline and its floor met", () => {
    const r = regimeOf(["boe-2026", "fca"]);
    expect(r.from.backing).toBe("boe-2026");
    expect(r.from.redemptionDeadline).toBe("fca");
    expect(r.rules.issuanceGuardrail!.value).toBe(40_000_000_000);
    expect(r.rules.holdingLimits).toBeUndefined();
  });

  it("refuses two packs that set the same rule differently", () => {
    expect(() => regimeOf(["boe-2026", "boe-2025-proposal"])).toThrow(expect.objectContaining({ code: "CORRIDOR_REGULATION_INVALID" }));
  });
});

describe("the scenario's regulation section", () => {
  const genius = JSON.parse(readFileSync(packagePath("scenarios/genius.json"), "utf8"));
  const bad = (regulation: unknown, faults: unknown[] = []) => {
    try {
      parseScenario({ ...genius, regulation, faults });
    } catch (e) {
      if (isCorridorError(e, "CORRIDOR_SCENARIO_INVALID")) return e.message;
      throw e;
    }
    throw new Error("accepted");
  };

  it("names the field of a bad pack, coin, scale, mint, order or run", () => {
    expect(bad({ packs: { GBP: "boe-2030" } })).toMatch(/regulation\.packs\.GBP: unknown regulation pack "boe-2030"; expected one of boe-2026, boe-2025-proposal, fca, genius \(found "boe-2030"\)/);
    expect(bad({ packs: { GBP: "genius" } })).toMatch(/regulation\.packs\.GBP: pack genius governs issuers in US; GBP is issued on uk, in UK/);
    expect(bad({ packs: { GBP: ["boe-2026", "boe-2025-proposal"] } })).toMatch(/regulation\.packs\.GBP: packs boe-2026 and boe-2025-proposal both set backing/);
    expect(bad({ packs: { GBP: ["fca", "boe-2031"] } })).toMatch(/regulation\.packs\.GBP: unknown regulation pack "boe-2031"/);
    expect(bad({ packs: { GBP: [] } })).toMatch(/regulation\.packs\.GBP/);
    expect(bad({ packs: { GBP: "fca" }, extra: 1 })).toMatch(/regulation: Unrecognized key/);
    expect(bad({ packs: { EUR: "fca" } })).toMatch(/regulation\.packs\.EUR: EUR is not a coin of this corridor/);
    expect(bad({ packs: { GBP: "fca" }, guardrailScale: { GBP: 0.5 } })).toMatch(/regulation\.guardrailScale\.GBP: no pack of GBP sets an issuance guardrail/);
    expect(bad({ packs: { GBP: "boe-2026" }, guardrailScale: { GBP: 0 } })).toMatch(/regulation\.guardrailScale\.GBP/);
    expect(bad({ packs: { GBP: "fca" }, mints: [{ at: 1, currency: "USD", amount: "5", to: "lp" }] })).toMatch(/regulation\.mints\.0\.currency: USD has no issuer/);
    expect(bad({ packs: { GBP: "fca" }, mints: [{ at: 1, currency: "GBP", amount: "5", to: { sender: 9 } }] })).toMatch(/regulation\.mints\.0\.to\.sender: there are 4 senders per chain/);
    expect(bad({ packs: { USD: "genius" }, orders: [{ at: 1, currency: "USD", target: "0x12" }] })).toMatch(/regulation\.orders\.0\.target/);
    expect(bad({ packs: { USD: "genius" } }, [{ kind: "redemptionRun", at: 1, durationSeconds: 10, currency: "GBP", share: 0.5 }])).toMatch(/faults\.0\.currency: GBP has no issuer/);
    expect(bad({ packs: { USD: "genius" } }, [{ kind: "redemptionRun", at: 1, durationSeconds: 10, currency: "USD", share: 1.5 }])).toMatch(/faults\.0\.share/);
  });
});
