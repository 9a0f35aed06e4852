import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioInput } from "../../src/sim/scenario.js";
import { arrivalIntensity, arrivalTimes, planWorkload } from "../../src/sim/workload.js";
import { createRandom } from "../../src/domain/random.js";

const scenario = (workload: Partial<ScenarioInput["workload"]> = {}, startTime = "2026-06-01T00:00:00Z") =>
  parseScenario({
    name: "workload",
    seed: 4,
    startTime,
    liquidity: { us: "1000", uk: "1000" },
    workload: {
      transfers: 2000,
      durationSeconds: 86_400,
      senders: 5,
      mix: [{ from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 }],
      ...workload,
    },
  });

const sortedUniforms = (n: number) => {
  const rng = createRandom(1);
  return Array.from({ length: n }, () => rng.next()).sort((a, b) => a - b);
};

describe("arrivals", () => {
  it("are uniform over the run without a profile (a homogeneous Poisson process given its count)", () => {
    const s = scenario({ durationSeconds: 600 });
    const u = sortedUniforms(100);
    expect(arrivalTimes(u, arrivalIntensity(s))).toEqual(u.map((x) => x * 600));
  });

  it("follow the daily profile: hours weighted 0 get no arrivals, the others in proportion to their weight", () => {
    const weights = Array.from({ length: 24 }, (_, h) => (h < 6 ? 0 : h >= 12 && h < 18 ? 3 : 1));
    const s = scenario({ dailyProfile: weights });
    const times = arrivalTimes(sortedUniforms(20_000), arrivalIntensity(s));
    const perHour = new Array(24).fill(0);
    for (const t of times) perHour[Math.floor(t / 3600)]++;
    for (let h = 0; h < 6; h++) expect(perHour[h]).toBe(0);
    const mean = (hs: number[]) => hs.reduce((a, h) => a + perHour[h], 0) / hs.length;
    const ratio = mean([12, 13, 14, 15, 16, 17]) / mean([6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23]);
    expect(ratio).toBeGreaterThan(2.7);
    expect(ratio).toBeLessThan(3.3);
    // Sorted, inside the run.
    expect(times.every((t, i) => t >= 0 && t < 86_400 && (i === 0 || t >= times[i - 1]!))).toBe(true);
  });

  it("reads the profile in UTC hours from the start time", () => {
    const weights = Array.from({ length: 24 }, (_, h) => (h === 10 ? 1 : 0));
    // Starting at 09:30 UTC, hour 10 is [1800, 5400) seconds into the run.
    const s = scenario({ dailyProfile: weights, durationSeconds: 7200 }, "2026-06-01T09:30:00Z");
    const times = arrivalTimes(sortedUniforms(500), arrivalIntensity(s));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(1800);
    expect(Math.max(...times)).toBeLessThan(5400);
  });

  it("come faster inside a burst by its multiplier", () => {
    const s = scenario({ durationSeconds: 3600, bursts: [{ at: 1200, durationSeconds: 600, multiplier: 5 }] });
    const times = arrivalTimes(sortedUniforms(10_000), arrivalIntensity(s));
    const inBurst = times.filter((t) => t >= 1200 && t < 1800).length;
    // 600 s at 5x against 3000 s at 1x: 3000 / 6000 of the mass.
    expect(inBurst / times.length).toBeGreaterThan(0.47);
    expect(inBurst / times.length).toBeLessThan(0.53);
  });
});

describe("planned transfers", () => {
  it("draws listed senders for their share of transfers, and leaves every other draw unchanged", () => {
    const plain = planWorkload(scenario({ transfers: 400, durationSeconds: 600 }));
    const listed = planWorkload(scenario({ transfers: 400, durationSeconds: 600, sanctionedSenderShare: 0.1 }));
    const share = listed.transfers.filter((t) => t.sanctionedSender).length / 400;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.15);
    expect(listed.listedSenders.length).toBeGreaterThan(0);
    for (const t of listed.transfers.filter((x) => x.sanctionedSender)) expect(listed.listedSenders).toContain(t.sender.address);
    // Listed senders are funded like the others (they are in the sender lists).
    expect(listed.senders.us!.map((k) => k.address)).toEqual(expect.arrayContaining(listed.listedSenders.slice(0, 1)));
    // Same times, amounts and recipients as without them.
    expect(listed.transfers.map((t) => [t.at, t.amount, t.recipient])).toEqual(plain.transfers.map((t) => [t.at, t.amount, t.recipient]));
    expect(plain.listedSenders).toEqual([]);
  });

  it("rejects a profile without 24 hours or with no weight at all", () => {
    expect(() => scenario({ dailyProfile: [1, 2, 3] })).toThrow(/workload\.dailyProfile: give 24 hourly weights/);
    expect(() => scenario({ dailyProfile: new Array(24).fill(0) })).toThrow(/at least one hourly weight/);
    expect(() => scenario({ durationSeconds: 60, bursts: [{ at: 90, durationSeconds: 10, multiplier: 2 }] })).toThrow(/workload\.bursts\.0\.at: starts at or after the end/);
  });
});
