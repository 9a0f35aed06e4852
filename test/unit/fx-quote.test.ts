import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Decimal } from "../../src/domain/money.js";
import {
  allInCost,
  assertQuoteValid,
  fixed18ToRate,
  fxCost,
  isQuoteExpired,
  makeQuote,
  payoutFor,
  rateToFixed18,
} from "../../src/domain/fx/index.js";

describe("quotes", () => {
  it("marks the rate down from the mid by the spread, for USD to GBP", () => {
    const q = makeQuote({ mid: new Decimal("0.8"), spreadBps: 25, side: "baseToQuote", id: "q1", issuedAt: 1_000, ttlSeconds: 30 });
    expect(q.rate.toString()).toBe("0.798");
    expect(q.mid.toString()).toBe("0.8");
    expect(q.rateFixed18).toBe(798_000_000_000_000_000n);
    expect(q.expiresAt).toBe(1_030);
  });

  it("inverts the mid for GBP to USD and rounds the rate down to 18 decimals", () => {
    const q = makeQuote({ mid: new Decimal("0.75"), spreadBps: 0, side: "quoteToBase", id: "q2", issuedAt: 0, ttlSeconds: 30 });
    expect(q.rateFixed18).toBe(1_333_333_333_333_333_333n);
    expect(q.rate.toString()).toBe("1.333333333333333333");
  });

  it("is valid through its last second and expired after it", () => {
    const q = makeQuote({ mid: new Decimal("0.8"), spreadBps: 10, side: "baseToQuote", id: "q3", issuedAt: 100, ttlSeconds: 30 });
    expect(isQuoteExpired(q, 130)).toBe(false);
    expect(isQuoteExpired(q, 131)).toBe(true);
    expect(() => assertQuoteValid(q, 131)).toThrow(expect.objectContaining({ code: "CORRIDOR_QUOTE_EXPIRED" }));
  });

  it("refuses a spread of 100% or more and a non-positive mid", () => {
    expect(() => makeQuote({ mid: new Decimal(1), spreadBps: 10_000, side: "baseToQuote", id: "x", issuedAt: 0, ttlSeconds: 1 })).toThrow(/spreadBps/);
    expect(() => makeQuote({ mid: new Decimal(0), spreadBps: 1, side: "baseToQuote", id: "x", issuedAt: 0, ttlSeconds: 1 })).toThrow(/positive/);
  });
});

describe("fixed-point rates and payouts", () => {
  it("converts rates to 18-decimal fixed point, rounding down", () => {
    expect(rateToFixed18(new Decimal(1).div(3))).toBe(333_333_333_333_333_333n);
    expect(fixed18ToRate(1_250_000_000_000_000_000n).toString()).toBe("1.25");
  });

  it("pays (amount - fee) * rate / 1e18, rounded down, like the gateway", () => {
    expect(payoutFor(100_000_000n, 1_000_000n, 790_000_000_000_000_000n)).toBe(78_210_000n);
    expect(payoutFor(3n, 0n, 333_333_333_333_333_333n)).toBe(0n);
    expect(() => payoutFor(1n, 2n, 1n)).toThrow(/fee <= amount/);
  });

  it("never pays more than the exact product (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n }), fc.bigInt({ min: 0n, max: 2n * 10n ** 18n }), (amount, rate) => {
        const paid = payoutFor(amount, 0n, rate);
        expect(paid * 10n ** 18n).toBeLessThanOrEqual(amount * rate);
        expect((paid + 1n) * 10n ** 18n).toBeGreaterThan(amount * rate);
      }),
    );
  });
});

describe("FX cost", () => {
  it("measures the cost of a rate against the mid in output units and bps", () => {
    const c = fxCost(1_000_000_000n, new Decimal("0.798"), new Decimal("0.8"));
    expect(c.atMid).toBe(800_000_000n);
    expect(c.atRate).toBe(798_000_000n);
    expect(c.cost).toBe(2_000_000n);
    expect(c.bps.toString()).toBe("25");
  });

  it("counts the fee, the spread and rounding in the all-in cost", () => {
    const q = makeQuote({ mid: new Decimal("0.8"), spreadBps: 25, side: "baseToQuote", id: "q", issuedAt: 0, ttlSeconds: 30 });
    const c = allInCost(1_000_000_000n, 5_000_000n, q.rateFixed18, q.mid);
    expect(c.atRate).toBe(794_010_000n);
    expect(c.cost).toBe(5_990_000n);
    expect(c.bps.toNumber()).toBeCloseTo(74.875, 10);
  });

  it("reports zero cost in bps for a zero amount", () => {
    expect(fxCost(0n, new Decimal(1), new Decimal(1)).bps.toString()).toBe("0");
  });
});
