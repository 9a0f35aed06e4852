/**
 * Vitest setup (vitest.config.ts `setupFiles`), run once per test file: every fast-check property in the
 * file runs from one seed, fresh each run unless CORRIDOR_FC_SEED gives it, and printed so a failure can
 * be replayed with the same seed.
 */
import { randomInt } from "node:crypto";
import fc from "fast-check";

function seedFromEnv(): number | undefined {
  const raw = process.env.CORRIDOR_FC_SEED?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`CORRIDOR_FC_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return n | 0; // fast-check seeds are 32-bit
}

export const FC_SEED = seedFromEnv() ?? randomInt(0, 2 ** 31);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED });
console.log(`fast-check seed: ${FC_SEED} (replay with CORRIDOR_FC_SEED=${FC_SEED})`);
