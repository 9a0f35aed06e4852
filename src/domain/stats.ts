/** Percentile by linear interpolation between closest ranks (p in [0, 100]); undefined for no data. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

export interface Distribution {
  count: number;
  mean?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  min?: number;
  max?: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0 };
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** A figure over replications: the mean with its 95% confidence interval (Student's t, n − 1 degrees of freedom). */
export interface Interval {
  n: number;
  mean: number;
  /** Sample standard deviation (0 when n = 1). */
  sd: number;
  /** Bounds of the 95% interval; equal to the mean when n = 1 (no spread can be estimated from one run). */
  low: number;
  high: number;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond 30 the normal 1.96 is within 2%. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile975(degreesOfFreedom: number): number {
  if (!(degreesOfFreedom >= 1)) throw new RangeError(`degrees of freedom must be at least 1, got ${degreesOfFreedom}`);
  if (degreesOfFreedom <= 30) return T975[Math.floor(degreesOfFreedom) - 1]!;
  if (degreesOfFreedom <= 60) return 2.042 + ((2.0 - 2.042) * (degreesOfFreedom - 30)) / 30;
  if (degreesOfFreedom <= 120) return 2.0 + ((1.98 - 2.0) * (degreesOfFreedom - 60)) / 60;
  return 1.96;
}

/** Mean and 95% interval of one figure's values across replications; undefined for no values. */
export function interval(values: readonly number[]): Interval | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, sd: 0, low: mean, high: mean };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/** Whether two intervals overlap (then the data do not tell the two variants apart at 95%). */
export function intervalsOverlap(a: Interval, b: Interval): boolean {
  return a.low <= b.high && b.low <= a.high;
}
