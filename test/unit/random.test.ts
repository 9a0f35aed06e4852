import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/domain/random.js";

const draw = (seed: number, n: number) => {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => r.next());
};

describe("seeded random", () => {
  it("gives the same sequence for the same seed and a different one for another seed", () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
    expect(draw(42, 100)).not.toEqual(draw(43, 100));
  });

  it("draws uniformly in [0, 1)", () => {
    const xs = draw(1, 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 2);
  });

  it("draws normals with the requested mean and standard deviation", () => {
    const r = createRandom(7);
    const xs = Array.from({ length: 100_000 }, () => r.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it("draws integers in an inclusive range, hitting both ends", () => {
    const r = createRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(1, 6));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => r.int(5, 1)).toThrow(/min <= max/);
  });

  it("picks elements of an array and refuses an empty one", () => {
    const r = createRandom(3);
    expect(["a", "b", "c"]).toContain(r.pick(["a", "b", "c"]));
    expect(() => r.pick([])).toThrow();
  });

  it("forks streams that depend only on the seed and label, not on draws so far", () => {
    const a = createRandom(9);
    const b = createRandom(9);
    for (let i = 0; i < 17; i++) b.next();
    const fa = a.fork("workload");
    const fb = b.fork("workload");
    expect([fa.next(), fa.next()]).toEqual([fb.next(), fb.next()]);
    expect(a.fork("faults").next()).not.toBe(a.fork("workload").next());
    expect(a.fork("x").fork("y").next()).toBe(createRandom(9).fork("x").fork("y").next());
  });
});
