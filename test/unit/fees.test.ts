import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { computeFee, parseFeeSchedule, type FeeScheduleInput } from "../../src/domain/fees.js";

const schedule = (s: Partial<FeeScheduleInput> = {}) => parseFeeSchedule({ fixed: 0, bps: 0, min: 0, max: "1000000000000", ...s });

describe("fees", () => {
  it("charges a fixed part plus basis points, rounded down", () => {
    const s = schedule({ fixed: 250_000, bps: 10 });
    // 1,234.567891 USD: 10 bps = 1.234567891 -> 1.234567 USD
    expect(computeFee(s, 1_234_567_891n, "standard")).toBe(250_000n + 1_234_567n);
  });

  it("uses the first band whose upper bound is at or above the amount", () => {
    const s = schedule({
      fixed: 0,
      bps: 5,
      bands: [
        { upTo: 100_000_000, bps: 50, fixed: 100_000 },
        { upTo: 1_000_000_000, bps: 20, fixed: 0 },
      ],
    });
    expect(computeFee(s, 100_000_000n, "standard")).toBe(100_000n + 500_000n); // 100 USD: first band (inclusive)
    expect(computeFee(s, 100_000_001n, "standard")).toBe(200_000n); // second band
    expect(computeFee(s, 2_000_000_000n, "standard")).toBe(1_000_000n); // above all bands: top level 5 bps
  });

  it("adds the fast premium only for the fast tier", () => {
    const s = schedule({ bps: 1, fastPremiumBps: 14 });
    expect(computeFee(s, 10_000_000_000n, "standard")).toBe(1_000_000n);
    expect(computeFee(s, 10_000_000_000n, "fast")).toBe(15_000_000n);
  });

  it("passes gas through on top of the proportional fee", () => {
    const s = schedule({ bps: 10, gasPassThrough: 30_000 });
    expect(computeFee(s, 1_000_000_000n, "standard")).toBe(1_000_000n + 30_000n);
  });

  it("clamps the fee to the schedule's minimum and maximum", () => {
    const s = schedule({ bps: 10, min: 500_000, max: 25_000_000 });
    expect(computeFee(s, 10_000_000n, "standard")).toBe(500_000n);
    expect(computeFee(s, 1_000_000_000_000n, "standard")).toBe(25_000_000n);
  });

  it("keeps the fee strictly below the amount, and zero for a zero amount", () => {
    const s = schedule({ fixed: 5_000_000, min: 1_000_000 });
    expect(computeFee(s, 2_000_000n, "standard")).toBe(1_999_999n);
    expect(computeFee(s, 1n, "fast")).toBe(0n);
    expect(computeFee(s, 0n, "standard")).toBe(0n);
    expect(() => computeFee(s, -1n, "standard")).toThrow(/negative/);
  });

  it("accepts base units as numbers, decimal strings or bigints", () => {
    const s = parseFeeSchedule({ fixed: "1", bps: 0, min: 2n, max: 3, bands: [{ upTo: "10", bps: 0, fixed: 4n }] });
    expect(s.fixed).toBe(1n);
    expect(s.bands[0]?.fixed).toBe(4n);
    expect(s.gasPassThrough).toBe(0n);
    expect(s.fastPremiumBps).toBe(0);
  });

  it("rejects schedules the contract would reject: min above max, bad bps, unordered or too many bands", () => {
    expect(() => schedule({ min: 10, max: 5 })).toThrow(/min 10 is above max 5/);
    expect(() => schedule({ bps: 10_001 })).toThrow(/CORRIDOR|invalid fee schedule/);
    expect(() => schedule({ bands: [{ upTo: 5, bps: 1, fixed: 0 }, { upTo: 5, bps: 1, fixed: 0 }] })).toThrow(/ascending/);
    const nine = Array.from({ length: 9 }, (_, i) => ({ upTo: i + 1, bps: 1, fixed: 0 }));
    expect(() => schedule({ bands: nine })).toThrow(/bands/);
    expect(() => schedule({ fixed: (2n ** 128n).toString() })).toThrow(/2\^128/);
    expect(() => schedule({ fixed: 1.5 })).toThrow();
  });

  it("never charges a fee at or above the amount, nor above the maximum (property)", () => {
    const bandArb = fc.record({ upTo: fc.bigInt({ min: 1n, max: 10n ** 15n }), bps: fc.integer({ min: 0, max: 10_000 }), fixed: fc.bigInt({ min: 0n, max: 10n ** 12n }) });
    fc.assert(
      fc.property(
        fc.record({
          fixed: fc.bigInt({ min: 0n, max: 10n ** 12n }),
          bps: fc.integer({ min: 0, max: 10_000 }),
          lo: fc.bigInt({ min: 0n, max: 10n ** 12n }),
          hi: fc.bigInt({ min: 0n, max: 10n ** 12n }),
          fastPremiumBps: fc.integer({ min: 0, max: 10_000 }),
          gasPassThrough: fc.bigInt({ min: 0n, max: 10n ** 9n }),
          bands: fc.uniqueArray(bandArb, { maxLength: 8, selector: (b) => b.upTo }),
        }),
        fc.bigInt({ min: 1n, max: 10n ** 18n }),
        fc.constantFrom("standard" as const, "fast" as const),
        (r, amount, tier) => {
          const s = parseFeeSchedule({
            ...r,
            min: r.lo < r.hi ? r.lo : r.hi,
            max: r.lo < r.hi ? r.hi : r.lo,
            bands: [...r.bands].sort((a, b) => (a.upTo < b.upTo ? -1 : 1)),
          });
          const fee = computeFee(s, amount, tier);
          expect(fee).toBeLessThan(amount);
          expect(fee).toBeLessThanOrEqual(s.max);
          expect(fee).toBeGreaterThanOrEqual(s.min < amount ? s.min : amount - 1n);
        },
      ),
    );
  });
});
