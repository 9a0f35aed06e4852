/**
 * Replications: one scenario run under N seeds derived from its own, so a figure can be given with an
 * interval. Replication 0 is the scenario's own seed (a run with one replication is the plain run);
 * replication r > 0 runs with a seed derived from (seed, r) alone, so the same (seed, r) is the same
 * run wherever it executes (locally, on a queue worker, in a job array).
 */
import { createRandom } from "../domain/random.js";

export function replicationSeed(seed: number, replication: number): number {
  if (!Number.isInteger(replication) || replication < 0) throw new RangeError(`replication must be a non-negative integer, got ${replication}`);
  if (replication === 0) return seed;
  return Math.floor(createRandom(seed).fork(`replication/${replication}`).next() * 2 ** 32);
}
