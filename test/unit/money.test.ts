import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CorridorError, isCorridorError } from "../../src/domain/errors.js";
import { Decimal, formatAmount, fromBaseUnits, toBaseUnits } from "../../src/domain/money.js";

describe("money", () => {
  it("converts whole units to 6-decimal base units", () => {
    expect(toBaseUnits("1234.56")).toBe(1_234_560_000n);
    expect(toBaseUnits(new Decimal("0.000001"))).toBe(1n);
    expect(toBaseUnits("5", 18)).toBe(5n * 10n ** 18n);
  });

  it("rounds toward zero when there are more decimals than base units", () => {
    expect(toBaseUnits("1.2345679")).toBe(1_234_567n);
    expect(toBaseUnits("0.0000009")).toBe(0n);
    expect(toBaseUnits("-1.2345679")).toBe(-1_234_567n);
  });

  it("rejects amounts that are not finite decimals with CORRIDOR_INVALID_AMOUNT", () => {
    for (const bad of ["abc", "NaN", "Infinity"]) {
      expect(() => toBaseUnits(bad)).toThrow(CorridorError);
      try {
        toBaseUnits(bad);
      } catch (e) {
        expect(isCorridorError(e, "CORRIDOR_INVALID_AMOUNT")).toBe(true);
      }
    }
  });

  it("converts base units to whole units exactly, even beyond 40 digits", () => {
    expect(fromBaseUnits(1_234_567n).toString()).toBe("1.234567");
    const huge = 2n ** 255n + 7n;
    expect(toBaseUnits(fromBaseUnits(huge, 18), 18)).toBe(huge);
  });

  it("round-trips any base-unit amount through whole units", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), fc.integer({ min: 0, max: 18 }), (n, d) => {
        expect(toBaseUnits(fromBaseUnits(n, d), d)).toBe(n);
      }),
    );
  });

  it("formats amounts with thousands separators, two decimals, truncated", () => {
    expect(formatAmount(1_234_567_891n, "USD")).toBe("1,234.56 USD");
    expect(formatAmount(999_999n, "GBP")).toBe("0.99 GBP");
    expect(formatAmount(1_000_000_000_000n, "USD")).toBe("1,000,000.00 USD");
    expect(formatAmount(-1_234_560_000n, "USD")).toBe("-1,234.56 USD");
    expect(formatAmount(-1n, "USD")).toBe("0.00 USD");
    expect(formatAmount(1_500_000n, "USD", { displayDecimals: 0 })).toBe("1 USD");
  });

  it("uses 40 significant digits and rounds down inside domain math", () => {
    expect(new Decimal(2).div(3).toString()).toBe("0.6666666666666666666666666666666666666666");
    expect(new Decimal(-2).div(3).toString()).toBe("-0.6666666666666666666666666666666666666666");
  });
});

describe("errors", () => {
  it("carries a stable code, details and a cause, and serialises bigints as strings", () => {
    const cause = new Error("root");
    const e = new CorridorError("CORRIDOR_FEE_ABOVE_MAX", "fee too high", { fee: 5n }, cause);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("CORRIDOR_FEE_ABOVE_MAX");
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ name: "CorridorError", code: "CORRIDOR_FEE_ABOVE_MAX", message: "fee too high", details: { fee: "5" } });
    expect(isCorridorError(e, "CORRIDOR_QUOTE_EXPIRED")).toBe(false);
  });
});
