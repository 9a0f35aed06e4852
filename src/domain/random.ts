/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 * Nothing in Corridor calls Math.random: components take a Random from their caller,
 * so the same seed gives the same run.
 *
 * `fork(label)` derives a child stream from this stream's *seed path* and the label,
 * not from how many numbers were drawn so far: adding draws to one component never
 * shifts another component's stream.
 */
import { CorridorError, ErrorCode } from "./errors.js";

export interface Random {
  /** The 32-bit seed this stream started from. */
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Normal (Box–Muller), default mean 0 and standard deviation 1. */
  normal(mean?: number, sd?: number): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Exponential with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /** An independent stream named `label`, determined by this stream's seed path and the label only. */
  fork(label: string): Random;
}

/** FNV-1a over the UTF-16 code units, then a murmur3 finaliser. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Random {
  readonly seed: number;
  private readonly path: string;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number, path: string) {
    this.seed = seed >>> 0;
    this.path = path;
    const sm = splitmix32(this.seed);
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  private nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    const u1 = 1 - this.next(); // (0, 1]: log(0) is never taken
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + sd * r * Math.cos(2 * Math.PI * u2);
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new CorridorError(ErrorCode.InvalidConfig, `int(min, max) needs integers with min <= max, got ${min}, ${max}`, { min, max });
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new CorridorError(ErrorCode.InvalidConfig, "pick() from an empty array");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  fork(label: string): Random {
    const path = `${this.path}/${label}`;
    return new Xoshiro128(hash32(path, this.seed), path);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for `seed` (any number; it is reduced to 32 bits). */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new CorridorError(ErrorCode.InvalidConfig, `seed must be a finite number, got ${seed}`, { seed });
  return new Xoshiro128(Math.trunc(seed) >>> 0, "");
}
