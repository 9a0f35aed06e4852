/**
 * Sizing a corridor's prefunding (`corridor size`): the smallest liquidity per pool that meets a
 * service level, found by a search over simulated runs. Each run is a sweep job (src/sweep/): the
 * scenario with the pools set, run by `corridor simulate` in a child process, `jobs` at a time, its
 * folder kept under the output folder (a run with the same pools is not run twice).
 *
 * The search, assuming the figure improves (or stays) as prefunding grows:
 *  1. joint: every pool scaled by one factor s of the scenario's liquidity. Bracket: s = 1, and
 *     doubled until the target is met (up to `maxScale`), then halved until it is not; then
 *     bisection (with `jobs` points a round, evenly spaced) until the bracket is within `tolerance`
 *     (relative) of its upper end.
 *  2. per pool, in name order: that pool alone searched the same way (halving, then bisection)
 *     between nothing and its joint level, the pools before it at their own minima and those after
 *     it at the joint level. The last run of the last pool is the answer, and it was run: the
 *     prefunding printed meets the target. Each pool's "below" is the largest amount of that pool
 *     found short of the target with the others as they were in its search.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Decimal } from "../domain/money.js";
import { CorridorError } from "../domain/errors.js";
import type { Scenario } from "../sim/scenario.js";
import { SCENARIO_LIMITS } from "../sim/scenario.js";
import { scenarioJson } from "../sim/sweep.js";
import { absoluteListFiles, jobId, type SweepJob } from "../sweep/job.js";
import { runJob } from "../sweep/run.js";
import type { RunSummary } from "../sweep/measures.js";
import { withPoolLiquidity } from "../liquidity/schema.js";
import { measureOf, meets, SizeCode, type Target, type TargetSummary } from "./target.js";

/** One run of the search: the pools it had, the figure it measured and whether that met the target. */
export interface SizePoint {
  /** Order in which the runs were planned. */
  step: number;
  /** "joint" (every pool scaled together) or the pool searched alone. */
  phase: string;
  /** Each pool's prefunding, whole units of its home currency. */
  liquidity: Record<string, string>;
  /** Total prefunding in the numeraire at the scenario's mids. */
  totalNumeraire: number;
  value: number | null;
  meets: boolean;
  conservationOk: boolean;
  settled: number;
  refunded: number;
  wallSeconds: number;
  /** The run's folder, relative to the output folder. */
  dir: string;
}

export interface SizeResult {
  scenario: string;
  target: Target;
  tolerance: number;
  jobs: number;
  numeraire: string;
  /** The scenario's own liquidity (scale 1). */
  scenarioLiquidity: Record<string, string>;
  /** The smallest joint scale found and the largest found short of the target. */
  joint: { scale: string; belowScale: string | null };
  /** The answer: each pool's minimum, the amount below it that failed, and its currency. */
  pools: Record<string, { currency: string; minimum: string; below: string | null; minimumNumeraire: number }>;
  /** The run at the answer (every pool at its minimum). */
  answer: SizePoint;
  /** Every run, in the order planned. */
  points: SizePoint[];
  wallSeconds: number;
}

export interface SizeOptions {
  scenario: Scenario;
  /** Folder of the scenario file (relative list files). */
  scenarioDir: string;
  scenarioName: string;
  target: Target;
  /** Relative width of the final bracket, e.g. 0.05. */
  tolerance: number;
  jobs: number;
  /** Runs go to `<out>/runs/…`. */
  out: string;
  /** Largest joint scale tried when the scenario's liquidity does not meet the target. */
  maxScale?: number;
  onRun?: (p: SizePoint) => void;
}

type Pools = Record<string, Decimal>;
const ONE = new Decimal(1);

/** Whole units, rounded up, at least 1 (a pool cannot be empty: the scenario needs a positive deposit). */
const whole = (x: Decimal) => Decimal.max(ONE, x.ceil());

export async function sizeCorridor(o: SizeOptions): Promise<SizeResult> {
  const t0 = performance.now();
  const names = Object.keys(o.scenario.spec.chains).sort();
  const base: Pools = Object.fromEntries(names.map((n) => [n, new Decimal(o.scenario.liquidity[n]!)]));
  const mids = Object.fromEntries(names.map((n) => [n, o.scenario.spec.currencies[o.scenario.spec.chains[n]!.home]!.mid]));
  const numeraireOf = (p: Pools) => names.reduce((s, n) => s + p[n]!.toNumber() / mids[n]!, 0);
  const baseJson = scenarioJson(o.scenario);
  absoluteListFiles(baseJson, o.scenarioDir);
  const runsDir = resolve(o.out, "runs");
  mkdirSync(runsDir, { recursive: true });
  const points: SizePoint[] = [];
  const seen = new Map<string, Promise<SizePoint>>();
  const deadline = o.scenario.workload.deadlineSeconds;

  const key = (p: Pools) => names.map((n) => `${n}=${p[n]!.toFixed()}`).join("_");
  /** Runs one configuration (once: the same pools again give the first run's point). */
  const run = (phase: string, pools: Pools): Promise<SizePoint> => {
    const k = key(pools);
    const known = seen.get(k);
    if (known) return known;
    const step = seen.size;
    const scenario = withPoolLiquidity(baseJson, Object.fromEntries(names.map((n) => [n, pools[n]!.toFixed()])));
    const id = jobId(scenario, 0);
    const job: SweepJob = { id, index: step, label: k.replace(/_/g, " "), params: {}, replication: 0, seed: o.scenario.seed, dir: `${step}-${k}`.slice(0, 110).replace(/[^\w.=+-]/g, "_") + `/r0-${id}`, scenario };
    const p = runJob(job, runsDir).then(
      ({ result }) => {
        const summary = result.summary as RunSummary & TargetSummary;
        const value = measureOf(o.target, summary, deadline);
        const point: SizePoint = {
          step,
          phase,
          liquidity: Object.fromEntries(names.map((n) => [n, pools[n]!.toFixed()])),
          totalNumeraire: Math.round(numeraireOf(pools) * 100) / 100,
          value,
          meets: meets(o.target, value) && summary.conservation.ok,
          conservationOk: summary.conservation.ok,
          settled: summary.transfers.settled,
          refunded: summary.transfers.refunded,
          wallSeconds: Math.round(result.wallSeconds * 10) / 10,
          dir: `runs/${job.dir}`,
        };
        points.push(point);
        o.onRun?.(point);
        return point;
      },
      (e: unknown) => {
        throw new CorridorError(SizeCode.RunFailed, `the run with ${job.label} failed: ${(e as Error).message}`, { liquidity: job.label }, e);
      },
    );
    seen.set(k, p);
    return p;
  };
  /** Runs configurations `jobs` at a time, in order; resolves with their points. */
  const runAll = async (phase: string, configs: Pools[]): Promise<SizePoint[]> => {
    const out: SizePoint[] = new Array(configs.length);
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < configs.length; i = next++) out[i] = await run(phase, configs[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(o.jobs, configs.length) }, lane));
    return out;
  };

  /**
   * The smallest x in (lo, hi] meeting the target for pools(x), given pools(hi) meets it: halving
   * below hi until a run fails (or x reaches `floor`), then bisection to the tolerance.
   * Returns the smallest meeting x and the largest failing one below it (null: even `floor` meets).
   */
  const search = async (phase: string, hi: Decimal, floor: Decimal, pools: (x: Decimal) => Pools, tooClose: (lo: Decimal, hi: Decimal) => boolean): Promise<{ hi: Decimal; lo: Decimal | null }> => {
    let lo: Decimal | null = null;
    let first = true;
    let floorFails = false;
    // Halving: `jobs` halvings a round.
    while (lo === null && hi.gt(floor)) {
      const xs: Decimal[] = [];
      for (let x = hi.div(2), i = 0; i < o.jobs; i++, x = x.div(2)) xs.push(Decimal.max(floor, x));
      // The first round also tries the floor itself: a pool that never binds is found in one round.
      if (first && o.jobs > 1) xs[xs.length - 1] = floor;
      first = false;
      const uniq = [...new Map(xs.map((x) => [key(pools(x)), x])).values()];
      const res = await runAll(phase, uniq.map(pools));
      for (let i = 0; i < uniq.length; i++) {
        if (res[i]!.meets) hi = Decimal.min(hi, uniq[i]!);
        else if (uniq[i]!.eq(floor) && hi.div(2).gt(floor)) {
          // Only the floor fell short, far below: keep halving from hi (it bounds the search from below).
          floorFails = true;
        } else {
          lo = uniq[i]!;
          break;
        }
      }
      if (lo === null && hi.div(2).lte(floor) && floorFails) lo = floor;
      if (lo === null && hi.lte(floor)) break;
    }
    if (lo === null) return { hi, lo: null };
    // Bisection: `jobs` evenly spaced points a round.
    while (!tooClose(lo, hi)) {
      const xs: Decimal[] = [];
      for (let j = 1; j <= o.jobs; j++) xs.push(lo.plus(hi.minus(lo).times(j).div(o.jobs + 1)));
      const uniq = [...new Map(xs.map((x) => [key(pools(x)), x])).values()].filter((x) => key(pools(x)) !== key(pools(hi)) && key(pools(x)) !== key(pools(lo!)));
      if (uniq.length === 0) break;
      const res = await runAll(phase, uniq.map(pools));
      // The smallest meeting point is the new upper end; the largest failing point below it the lower end.
      const firstMeet = res.findIndex((r) => r.meets);
      if (firstMeet >= 0) hi = uniq[firstMeet]!;
      const failing = uniq.filter((x, i) => !res[i]!.meets && x.lt(hi));
      if (failing.length > 0) lo = failing[failing.length - 1]!;
    }
    return { hi, lo };
  };

  // 1. Joint scale.
  const scaled = (s: Decimal): Pools => Object.fromEntries(names.map((n) => [n, whole(base[n]!.times(s))]));
  const maxScale = Math.min(o.maxScale ?? 64, ...names.map((n) => Math.floor(SCENARIO_LIMITS.maxWholeUnits / base[n]!.toNumber())));
  let top = ONE;
  for (let round = 0; ; round++) {
    const scales: Decimal[] = [];
    // The first round runs the scenario's own liquidity beside the first halvings (the search below reuses them when it meets).
    if (round === 0) for (let s = ONE, i = 0; i < o.jobs; i++, s = s.div(2)) scales.push(s);
    else for (let s = top, i = 0; i < o.jobs && s.lte(maxScale); i++, s = s.times(2)) scales.push(s);
    if (scales.length === 0) break;
    const res = await runAll("joint", scales.map(scaled));
    const hit = res.findIndex((r) => r.meets);
    if (round === 0 ? res[0]!.meets : hit >= 0) {
      top = scales[round === 0 ? 0 : hit]!;
      break;
    }
    top = round === 0 ? ONE.times(2) : scales[scales.length - 1]!.times(2);
    if (top.gt(maxScale)) {
      const best = res[res.length - 1]!;
      throw new CorridorError(
        SizeCode.Unreachable,
        `${o.target.text} is not met even at ${scales[scales.length - 1]!.toFixed()} times the scenario's liquidity (${Object.entries(best.liquidity).map(([n, v]) => `${n} ${v}`).join(", ")}: ${o.target.title.toLowerCase()} ${best.value ?? "none"}); prefunding alone does not reach it (try --max-scale, or look at what else limits it)`,
        { target: o.target.text, points: points.length },
      );
    }
  }
  const minScale = Decimal.min(...names.map((n) => ONE.div(base[n]!)));
  const relClose = (lo: Decimal, hi: Decimal) => hi.minus(lo).lte(hi.times(o.tolerance));
  const joint = await search("joint", top, minScale, scaled, (lo, hi) => relClose(lo, hi) || names.every((n) => whole(base[n]!.times(hi)).minus(whole(base[n]!.times(lo))).lte(1)));

  // 2. Each pool alone, the others held.
  const current: Pools = scaled(joint.hi);
  const below: Record<string, Decimal | null> = {};
  for (const n of names) {
    const held = { ...current };
    const pools = (x: Decimal): Pools => ({ ...held, [n]: whole(x) });
    const r = await search(n, current[n]!, ONE, pools, (lo, hi) => relClose(lo, hi) || hi.minus(lo).lte(1));
    current[n] = whole(r.hi);
    below[n] = r.lo === null ? null : whole(r.lo);
  }
  const answer = await run("answer", current);
  if (!answer.meets) {
    // Only when the figure is not monotone in prefunding: say so rather than print a size that fails.
    throw new CorridorError(SizeCode.Unreachable, `the pools found one by one (${key(current)}) do not meet ${o.target.text} together (${answer.value}): the measure is not monotone in prefunding for this scenario`, { liquidity: key(current) });
  }
  points.sort((a, b) => a.step - b.step);
  return {
    scenario: o.scenarioName,
    target: o.target,
    tolerance: o.tolerance,
    jobs: o.jobs,
    numeraire: o.scenario.spec.numeraire,
    scenarioLiquidity: Object.fromEntries(names.map((n) => [n, base[n]!.toFixed()])),
    joint: { scale: joint.hi.toSignificantDigits(6).toFixed(), belowScale: joint.lo === null ? null : joint.lo.toSignificantDigits(6).toFixed() },
    pools: Object.fromEntries(
      names.map((n) => [n, { currency: o.scenario.spec.chains[n]!.home, minimum: current[n]!.toFixed(), below: below[n] === null ? null : below[n]!.toFixed(), minimumNumeraire: Math.round((current[n]!.toNumber() / mids[n]!) * 100) / 100 }]),
    ),
    answer,
    points,
    wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}
