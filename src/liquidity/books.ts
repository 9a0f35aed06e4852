/**
 * The providers' books: each provider's part of each chain's pool, the claims it holds on a
 * source chain for what its liquidity paid out on a destination (in flight until the source
 * releases the escrow into its pool), and what it holds outside the pools. Pure data and pure
 * functions, so that the check against the chains (`checkProviderBooks`) can be tested on books
 * that were tampered with.
 */
import type { Hex } from "viem";

export type ShareRule = "proRata" | "inOrder";

export interface ProviderBooks {
  /** Provider names in declared order (an address that deposited without being declared appears by its address). */
  providers: string[];
  /** chain -> provider -> base units of the chain's home currency in its pool. */
  pool: Record<string, Record<string, bigint>>;
  /** Settled transfers whose source escrow is not yet released: what each provider is owed on the source chain. */
  inFlight: Map<Hex, { src: string; owed: Record<string, bigint> }>;
  /** chain -> provider -> home tokens it holds in its own account (taken out of a pool, or minted and not yet deposited). */
  wallet: Record<string, Record<string, bigint>>;
  /** chain -> home tokens a provider sent the issuer's desk to redeem and the desk has not burned yet. */
  desk: Record<string, bigint>;
}

export function emptyBooks(providers: string[], chains: string[]): ProviderBooks {
  const zeros = () => Object.fromEntries(providers.map((p) => [p, 0n]));
  return {
    providers: [...providers],
    pool: Object.fromEntries(chains.map((c) => [c, zeros()])),
    inFlight: new Map(),
    wallet: Object.fromEntries(chains.map((c) => [c, zeros()])),
    desk: Object.fromEntries(chains.map((c) => [c, 0n])),
  };
}

/** Adds a provider not declared (an address that deposited): its books start at zero. */
export function ensureProvider(b: ProviderBooks, name: string): void {
  if (b.providers.includes(name)) return;
  b.providers.push(name);
  for (const c of Object.keys(b.pool)) {
    b.pool[c]![name] = 0n;
    b.wallet[c]![name] = 0n;
  }
}

/**
 * Splits `amount` over `weights` in proportion, to the base unit: each part rounded down, the units
 * left over to the largest remainders (ties to the earlier key). The parts sum to `amount`.
 */
export function splitProRata(amount: bigint, weights: Record<string, bigint>): Record<string, bigint> {
  const keys = Object.keys(weights).filter((k) => weights[k]! > 0n);
  const total = keys.reduce((s, k) => s + weights[k]!, 0n);
  const out: Record<string, bigint> = {};
  if (total === 0n) return out;
  let left = amount;
  const rem: { k: string; r: bigint }[] = [];
  for (const k of keys) {
    const exact = amount * weights[k]!;
    out[k] = exact / total;
    left -= out[k]!;
    rem.push({ k, r: exact % total });
  }
  rem.sort((a, b) => (b.r > a.r ? 1 : b.r < a.r ? -1 : keys.indexOf(a.k) - keys.indexOf(b.k)));
  for (let i = 0; left > 0n; i = (i + 1) % rem.length, left--) out[rem[i]!.k]! += 1n;
  return out;
}

/** Who pays `amount` out of a pool whose parts are `pool`: in proportion, or in the declared order. */
export function attributePayout(amount: bigint, pool: Record<string, bigint>, rule: ShareRule, order: string[]): Record<string, bigint> {
  if (rule === "proRata") return splitProRata(amount, pool);
  const out: Record<string, bigint> = {};
  let left = amount;
  for (const p of [...order, ...Object.keys(pool).filter((k) => !order.includes(k))]) {
    if (left === 0n) break;
    const take = (pool[p] ?? 0n) < left ? (pool[p] ?? 0n) : left;
    if (take > 0n) out[p] = take;
    left -= take;
  }
  // More paid out than the books hold (the chain said so): the rest in proportion, so that the books still sum to the pool.
  if (left > 0n) for (const [k, v] of Object.entries(splitProRata(left, pool))) out[k] = (out[k] ?? 0n) + v;
  return out;
}

/** What the check reads on the chains. */
export interface ChainReads {
  /** chain -> the gateway's pool of the home token. */
  liquidity: Record<string, bigint>;
  /** chain -> provider -> home-token balance of its account. */
  wallet: Record<string, Record<string, bigint>>;
  /** chain -> home-token balance of the issuer's desk. */
  desk: Record<string, bigint>;
  /** Ids of transfers whose escrow the source gateway still holds (status pending there). */
  escrowHeld: Set<Hex>;
}

export interface ProviderCheckLine {
  chain: string;
  /** `pool`: the providers' parts against the gateway's pool; `wallet:<provider>`; `desk`; `inFlight`: claims whose escrow is still held. */
  what: string;
  expected: bigint;
  actual: bigint;
  ok: boolean;
}

/**
 * Every unit a provider put in is in a pool, in flight, or owed to it, read against the chains: on
 * each chain the providers' parts sum to the gateway's pool to the base unit; each provider's
 * account holds what the books say it holds outside the pools; the issuer's desk holds what waits
 * to be burned; and every claim in flight is for a transfer whose escrow the source still holds.
 */
export function checkProviderBooks(b: ProviderBooks, reads: ChainReads): { ok: boolean; lines: ProviderCheckLine[] } {
  const lines: ProviderCheckLine[] = [];
  const line = (chain: string, what: string, expected: bigint, actual: bigint) => lines.push({ chain, what, expected, actual, ok: expected === actual });
  for (const chain of Object.keys(b.pool)) {
    line(chain, "pool", Object.values(b.pool[chain]!).reduce((s, v) => s + v, 0n), reads.liquidity[chain] ?? 0n);
    for (const p of b.providers) line(chain, `wallet:${p}`, b.wallet[chain]![p] ?? 0n, reads.wallet[chain]?.[p] ?? 0n);
    line(chain, "desk", b.desk[chain] ?? 0n, reads.desk[chain] ?? 0n);
    let claims = 0n;
    let held = 0n;
    for (const [id, f] of b.inFlight) {
      if (f.src !== chain) continue;
      claims++;
      if (reads.escrowHeld.has(id)) held++;
    }
    line(chain, "inFlight", claims, held);
  }
  for (const chain of Object.keys(b.pool)) {
    for (const p of b.providers) if ((b.pool[chain]![p] ?? 0n) < 0n) line(chain, `negative:${p}`, 0n, b.pool[chain]![p]!);
  }
  return { ok: lines.every((l) => l.ok), lines };
}
