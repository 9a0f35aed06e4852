/**
 * What a relayer had in flight when it was killed, read (read-only) from its SQLite store and from the
 * chains. Read after SIGKILL and before the restart, the store is exactly what the dead process left:
 * a row in `pending_batches` with a nonce is a batch transaction signed and recorded as sent whose
 * confirmation had not been recorded. Rows already there when the process started (left by the one
 * killed before it) are told apart, so that a kill is credited only with batches its own process sent.
 */
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { Hex } from "viem";
import type { Chain } from "../../src/chains/chain.js";
import { TERMINAL_STATES } from "../../src/domain/transfer.js";

export interface BatchInFlight {
  /** The row id and every hash sent under it: a replacement sent by a later process changes the key. */
  key: string;
  chain: string;
  kind: string;
  hashes: Hex[];
  items: number;
}

export interface StoreInFlight {
  /** Batches recorded as sent (they have a nonce) and not yet recorded as confirmed. */
  batches: BatchInFlight[];
  /** Transfers in a state that is not terminal (settled, refunded, dropped), by state. */
  transfersByState: Record<string, number>;
  /** Why the store could not be read, if it could not. */
  error?: string;
}

export interface KillEvidence extends StoreInFlight {
  /** The batches in flight that the killed process itself sent (not left over from an earlier kill). */
  interrupted: BatchInFlight[];
  /** Of those batches' transactions, how many had no receipt on their chain just after the kill (still in the pool). */
  unminedTxs: number;
}

const NONE: StoreInFlight = { batches: [], transfersByState: {} };

/** The relayer store's work in flight; empty when the store does not exist yet. */
export function storeInFlight(path: string): StoreInFlight {
  if (!existsSync(path)) return NONE;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    db.exec("PRAGMA busy_timeout = 2000");
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (!tables.has("pending_batches") || !tables.has("transfers")) return NONE;
    const rows = db.prepare("SELECT id, chain, kind, tx_hashes, payload FROM pending_batches WHERE nonce IS NOT NULL ORDER BY id").all() as { id: number; chain: string; kind: string; tx_hashes: string; payload: string }[];
    const batches = rows.map((r) => {
      let items = 0;
      try {
        const p = JSON.parse(r.payload) as { ids?: unknown[] };
        items = Array.isArray(p.ids) ? p.ids.length : 0;
      } catch {
        // the payload's shape is the relayer's business; the count is only for the log
      }
      return { key: `${r.id}:${r.tx_hashes}`, chain: r.chain, kind: r.kind, hashes: JSON.parse(r.tx_hashes) as Hex[], items };
    });
    const marks = TERMINAL_STATES.map(() => "?").join(", ");
    const states = db.prepare(`SELECT state, COUNT(*) AS n FROM transfers WHERE state NOT IN (${marks}) GROUP BY state`).all(...TERMINAL_STATES) as { state: string; n: number }[];
    return { batches, transfersByState: Object.fromEntries(states.map((r) => [r.state, Number(r.n)])) };
  } catch (err) {
    return { ...NONE, error: (err as Error).message };
  } finally {
    db?.close();
  }
}

/** The keys of the batches in flight now (call when a relayer is (re)started: what it inherits). */
export const batchKeys = (s: StoreInFlight): Set<string> => new Set(s.batches.map((b) => b.key));

/** Polls the store until it shows a batch in flight that is not among `inherited`, or `ms` pass; true if it did. */
export async function untilNewBatchInFlight(path: string, inherited: Set<string>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (storeInFlight(path).batches.some((b) => !inherited.has(b.key))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Call after the kill and before the restart: what the dead relayer left in flight, which of it was its own, and which of its transactions are unmined. */
export async function killEvidence(path: string, chains: Record<string, Chain>, inherited: Set<string>): Promise<KillEvidence> {
  const s = storeInFlight(path);
  const interrupted = s.batches.filter((b) => !inherited.has(b.key));
  let unminedTxs = 0;
  for (const b of interrupted) {
    const chain = chains[b.chain];
    if (!chain) continue;
    for (const hash of b.hashes) if (!(await chain.request<unknown>("eth_getTransactionReceipt", [hash]).catch(() => null))) unminedTxs++;
  }
  return { ...s, interrupted, unminedTxs };
}
