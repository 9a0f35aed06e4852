import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioInput } from "../../src/sim/scenario.js";
import { arrivalIntensity, arrivalTimes, lazyWorkload, planWorkload } from "../../src/sim/workload.js";
import { EventEngine } from "../../src/sim/engine.js";
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

describe("a lazily planned workload (issue 14: a long run does not hold its plan)", () => {
  const s = scenario({ transfers: 300, durationSeconds: 3600, sanctionedSenderShare: 0.05, sanctionedShare: 0.05, fastShare: 0.3, travelRuleDataShare: 0.5, bursts: [{ at: 600, durationSeconds: 300, multiplier: 4 }] });

  it("gives the same transfers on every pass as the plan held in memory, and the same needs and payees", () => {
    const sanctioned = ["0x00000000000000000000000000000000000000aa", "0x00000000000000000000000000000000000000bb"] as const;
    const held = planWorkload(s, { sanctioned });
    const lazy = lazyWorkload(s, { sanctioned });
    const first = [...lazy.transfers()];
    const second = [...lazy.transfers()];
    expect(first).toEqual(held.transfers);
    expect(second).toEqual(first);
    expect(first.length).toBe(lazy.count);
    expect(first.map((t) => t.index)).toEqual(first.map((_, i) => i));
    // What the set-up reads before the run, from the first pass.
    const needs = new Map<string, bigint>();
    for (const t of held.transfers) needs.set(t.sender.address, (needs.get(t.sender.address) ?? 0n) + t.amount);
    expect(lazy.needs).toEqual(needs);
    expect(held.needs).toEqual(needs);
    expect(lazy.payees).toEqual([...new Set(held.transfers.map((t) => t.recipient))]);
    expect(lazy.senders).toEqual(held.senders);
    expect(lazy.listedSenders).toEqual(held.listedSenders);
    // The scenario's draws are all there: sanctioned recipients, listed senders, travel-rule data, both tiers.
    expect(first.some((t) => t.sanctioned) && first.some((t) => t.sanctionedSender) && first.some((t) => t.travelRule) && first.some((t) => t.tier === "fast")).toBe(true);
  });

  it("is scheduled one arrival at a time in the engine in the order of scheduling all of them up front, ties included", async () => {
    // Arrivals on whole seconds, some at the same time as each other and as other events.
    const arrivals = [0, 5, 5, 10, 10, 10, 12, 20];
    const run = async (lazy: boolean) => {
      const e = new EventEngine(1000);
      const order: string[] = [];
      e.at(1005, () => void order.push("before@5"));
      if (lazy) {
        const first = e.reserve(arrivals.length);
        let i = 0;
        const next = () => {
          if (i >= arrivals.length) return;
          const k = i++;
          e.atReserved(1000 + arrivals[k]!, first + k, () => {
            next();
            order.push(`send${k}@${e.now() - 1000}`);
            // Work a send schedules at an arrival time still to come.
            if (k === 1) e.after(5, () => void order.push("after-send1@10"));
          });
        };
        next();
      } else {
        arrivals.forEach((t, k) =>
          e.at(1000 + t, () => {
            order.push(`send${k}@${e.now() - 1000}`);
            if (k === 1) e.after(5, () => void order.push("after-send1@10"));
          }),
        );
      }
      e.at(1010, () => void order.push("after@10"));
      e.at(1005, () => void order.push("after@5"));
      await e.run();
      return order;
    };
    const upFront = await run(false);
    expect(await run(true)).toEqual(upFront);
    expect(upFront.indexOf("send3@10")).toBeLessThan(upFront.indexOf("after@10"));
    expect(upFront.indexOf("after-send1@10")).toBeGreaterThan(upFront.indexOf("after@10"));
  });
});
