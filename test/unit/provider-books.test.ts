import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { attributePayout, checkProviderBooks, emptyBooks, splitProRata } from "../../src/liquidity/books.js";

const sum = (r: Record<string, bigint>) => Object.values(r).reduce((s, v) => s + v, 0n);

describe("providers' books", () => {
  it("splits a payout in proportion to the base unit: parts sum to the whole and none exceeds its weight", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 6 }), fc.bigInt({ min: 0n, max: 10n ** 15n }), (ws, raw) => {
        const weights = Object.fromEntries(ws.map((w, i) => [`p${i}`, w]));
        const total = sum(weights);
        if (total === 0n) return;
        const amount = raw % (total + 1n);
        const parts = splitProRata(amount, weights);
        expect(sum(parts)).toBe(amount);
        for (const [k, v] of Object.entries(parts)) {
          expect(v).toBeGreaterThanOrEqual(0n);
          expect(v).toBeLessThanOrEqual(weights[k]!);
        }
      }),
    );
  });

  it("in order: the first provider pays until its part is gone, then the next", () => {
    expect(attributePayout(150n, { a: 100n, b: 100n }, "inOrder", ["a", "b"])).toEqual({ a: 100n, b: 50n });
    expect(attributePayout(150n, { a: 100n, b: 100n }, "proRata", ["a", "b"])).toEqual({ a: 75n, b: 75n });
    expect(attributePayout(1n, { a: 1n, b: 1n }, "proRata", ["a", "b"])).toEqual({ a: 1n, b: 0n });
  });

  it("the check fails for a unit missing from a pool, an account or a claim, and holds when the books match the chains", () => {
    const b = emptyBooks(["a", "b"], ["x", "y"]);
    b.pool.x = { a: 60n, b: 40n };
    b.pool.y = { a: 10n, b: 0n };
    b.inFlight.set(`0x${"11".repeat(32)}`, { src: "x", owed: { a: 3n } });
    const reads = { liquidity: { x: 100n, y: 10n }, wallet: { x: { a: 0n, b: 0n }, y: { a: 0n, b: 0n } }, desk: { x: 0n, y: 0n }, escrowHeld: new Set([`0x${"11".repeat(32)}` as const]) };
    expect(checkProviderBooks(b, reads).ok).toBe(true);
    expect(checkProviderBooks(b, { ...reads, liquidity: { x: 99n, y: 10n } }).ok).toBe(false);
    expect(checkProviderBooks(b, { ...reads, wallet: { ...reads.wallet, y: { a: 1n, b: 0n } } }).ok).toBe(false);
    expect(checkProviderBooks(b, { ...reads, escrowHeld: new Set() }).ok).toBe(false);
    b.pool.y!.b = -1n;
    b.pool.y!.a = 11n;
    expect(checkProviderBooks(b, reads).lines.filter((l) => !l.ok).map((l) => l.what)).toEqual(["negative:b"]);
  });
});
