/**
 * A durable TransferStore on SQLite, through Node 22's built-in `node:sqlite` (no native addon to
 * build). Besides the TransferStore interface it keeps what a restarted relayer daemon needs:
 * batches sent but not yet confirmed. (The operator keeps its decisions, reviews and audit trail in
 * its own store: src/operator/decisions.ts.)
 *
 * Layout: one row per transfer with a column per lifecycle timestamp (so a report can query the
 * waterfall in SQL), the message as JSON with bigints as decimal strings, and every other bigint
 * (rate, amountOut) as a decimal string too: uint256 does not fit SQLite's 64-bit INTEGER.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Hex } from "viem";
import { CorridorError } from "../domain/errors.js";
import { MESSAGE_FIELDS, type Message } from "../domain/message.js";
import { TERMINAL_STATES, type StageTimes, type TransferRecord, type TransferState } from "../domain/transfer.js";
import type { BatchKind, InflightBatch, TransferStore } from "./store.js";
import { MODE as MESSAGE_MODE } from "../domain/message.js";

/** Codes raised by the SQLite store. */
export const SqliteStoreErrorCode = {
  SchemaTooNew: "CORRIDOR_STORE_SCHEMA_TOO_NEW",
  AsyncTransaction: "CORRIDOR_STORE_ASYNC_TRANSACTION",
} as const;

export interface SqliteStoreOptions {
  /** How long a statement waits for another connection's write lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
}

export type { BatchKind } from "./store.js";

/** A batch transaction the relayer built: queued (no txHash yet) or sent and awaiting its receipt. */
export interface PendingBatch<P = unknown> {
  id: number;
  chain: string;
  kind: BatchKind;
  txHash?: Hex;
  /** Whatever the relayer needs to rebuild or check the batch; bigints round-trip exactly. */
  payload: P;
  /** Unix seconds from the caller's clock. */
  createdAt: number;
}

// ------------------------------------------------------------------ schema and migrations

/**
 * Migrations in order; entry i takes the schema from version i to i + 1. Append, never edit:
 * a database on disk records the versions it has applied in `schema_version`.
 *
 * (One exception: entry 0 also created `audit` and `reviews` tables, which nothing has read or
 * written since the operator moved its audit trail and reviews to its own store,
 * src/operator/decisions.ts. New files no longer get them; files created before keep them as they
 * are, unread, and otherwise have the same schema at every version.)
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    src_chain TEXT NOT NULL,
    dst_chain TEXT NOT NULL,
    input_currency TEXT NOT NULL,
    output_currency TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT NOT NULL,
    initiated_at INTEGER,
    confirmed_at INTEGER,
    screened_at INTEGER,
    held_at INTEGER,
    reviewed_at INTEGER,
    attested_at INTEGER,
    submitted_at INTEGER,
    settled_at INTEGER,
    refund_attested_at INTEGER,
    refunded_at INTEGER,
    finalized_at INTEGER,
    src_block INTEGER NOT NULL,
    src_tx TEXT NOT NULL,
    dst_block INTEGER,
    dst_tx TEXT,
    rate TEXT,
    amount_out TEXT,
    refund_reason TEXT,
    last_error TEXT,
    settle_attempts INTEGER NOT NULL DEFAULT 0,
    -- NULL when the record never said (burn-and-mint transfers are never finalized).
    finalized INTEGER,
    -- Record fields (and stages) without a column of their own, as JSON; NULL when none.
    extra TEXT
  );
  CREATE INDEX transfers_state ON transfers (state);
  CREATE INDEX transfers_src_chain_state ON transfers (src_chain, state);

  CREATE TABLE cursors (
    chain TEXT PRIMARY KEY,
    block INTEGER NOT NULL
  );

  CREATE TABLE pending_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chain TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('settle', 'refund', 'finalize')),
    tx_hash TEXT,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX pending_batches_chain ON pending_batches (chain, id);
  `,
  `
  CREATE TABLE operator_signed (
    id TEXT PRIMARY KEY,
    signed_at INTEGER NOT NULL DEFAULT (unixepoch())
  );
  `,
  // Batches in flight: credits too, and what it takes to check, replace or resend a transaction
  // after a restart (its nonce, every hash sent under it, the latest fees). SQLite cannot widen a
  // CHECK in place, so the table is rebuilt; rows keep their ids.
  `
  CREATE TABLE pending_batches_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chain TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('settle', 'refund', 'finalize', 'credit')),
    -- The latest transaction sent for the batch; tx_hashes lists them all, oldest first (JSON).
    tx_hash TEXT,
    tx_hashes TEXT NOT NULL DEFAULT '[]',
    nonce INTEGER,
    -- Wei, as decimal strings (uint256 does not fit an INTEGER).
    max_fee_per_gas TEXT,
    max_priority_fee_per_gas TEXT,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  INSERT INTO pending_batches_v3 (id, chain, kind, tx_hash, tx_hashes, payload, created_at)
    SELECT id, chain, kind, tx_hash, CASE WHEN tx_hash IS NULL THEN '[]' ELSE json_array(tx_hash) END, payload, created_at FROM pending_batches;
  DROP TABLE pending_batches;
  ALTER TABLE pending_batches_v3 RENAME TO pending_batches;
  CREATE INDEX pending_batches_chain ON pending_batches (chain, id);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` up to SCHEMA_VERSION, one transaction per migration. Safe when several processes
 * open a new file at once: the version is re-read under the write lock (BEGIN IMMEDIATE).
 * Throws CORRIDOR_STORE_SCHEMA_TOO_NEW for a database written by newer code.
 */
export function migrate(db: DatabaseSync): { from: number; to: number } {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)");
  const current = db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version");
  const record = db.prepare("INSERT INTO schema_version (version) VALUES (?)");
  const versionNow = () => Number((current.get() as { v: number }).v);
  const from = versionNow();
  if (from > SCHEMA_VERSION) {
    throw new CorridorError(SqliteStoreErrorCode.SchemaTooNew, "the store was written by a newer Corridor", {
      version: from,
      supported: SCHEMA_VERSION,
    });
  }
  for (;;) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const v = versionNow();
      const sql = MIGRATIONS[v];
      if (sql === undefined) {
        db.exec("COMMIT");
        return { from, to: v };
      }
      db.exec(sql);
      record.run(v + 1);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }
}

// ------------------------------------------------------------------ encoding

type BigintKeys<T> = { [K in keyof T]-?: T[K] extends bigint ? K : never }[keyof T];

/**
 * The Message fields that are bigints, derived from MESSAGE_FIELDS (the Solidity struct) so the
 * store follows the message as it grows: viem maps uint/int types wider than 48 bits to bigint.
 */
const MESSAGE_BIGINTS = MESSAGE_FIELDS.filter((f) => {
  const bits = /^u?int(\d*)$/.exec(f.type);
  return bits !== null && Number(bits[1] || 256) > 48;
}).map((f) => f.name) as readonly string[] as readonly BigintKeys<Message>[];

function encodeMessage(m: Message): string {
  const o: Record<string, unknown> = { ...m };
  for (const f of MESSAGE_BIGINTS) o[f] = m[f].toString();
  return JSON.stringify(o);
}

function decodeMessage(json: string): Message {
  const o = JSON.parse(json) as Record<string, unknown>;
  // A field the message gained after the row was written stays absent rather than failing the read.
  for (const f of MESSAGE_BIGINTS) if (typeof o[f] === "string") o[f] = BigInt(o[f]);
  return o as unknown as Message;
}

/** Free-form JSON (batch payloads): bigints are written as {"$bigint": "123"} and read back as bigints. */
const BIGINT_TAG = "$bigint";

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? { [BIGINT_TAG]: v.toString() } : v));
}

function fromJson<T>(json: string): T {
  return JSON.parse(json, (_k, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const tag = (v as Record<string, unknown>)[BIGINT_TAG];
      if (typeof tag === "string" && Object.keys(v).length === 1) return BigInt(tag);
    }
    return v;
  }) as T;
}

/** Stage key, column name; the order is the column order in the upsert. */
const STAGE_COLUMNS = [
  ["initiated", "initiated_at"],
  ["confirmed", "confirmed_at"],
  ["screened", "screened_at"],
  ["held", "held_at"],
  ["reviewed", "reviewed_at"],
  ["attested", "attested_at"],
  ["submitted", "submitted_at"],
  ["settled", "settled_at"],
  ["refundAttested", "refund_attested_at"],
  ["refunded", "refunded_at"],
  ["finalized", "finalized_at"],
] as const satisfies readonly (readonly [keyof StageTimes, string])[];
const STAGE_KEYS: ReadonlySet<string> = new Set(STAGE_COLUMNS.map(([k]) => k));

/** Record fields stored in columns of their own. Any other field goes into `extra`, so it still round-trips. */
const COLUMN_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "message",
  "srcChain",
  "dstChain",
  "inputCurrency",
  "outputCurrency",
  "state",
  "stages",
  "srcBlock",
  "srcTxHash",
  "dstBlock",
  "dstTxHash",
  "rate",
  "amountOut",
  "refundReason",
  "lastError",
  "settleAttempts",
  "finalized",
] satisfies (keyof TransferRecord)[]);

const TRANSFER_COLUMNS = [
  "id",
  "src_chain",
  "dst_chain",
  "input_currency",
  "output_currency",
  "state",
  "message",
  ...STAGE_COLUMNS.map(([, c]) => c),
  "src_block",
  "src_tx",
  "dst_block",
  "dst_tx",
  "rate",
  "amount_out",
  "refund_reason",
  "last_error",
  "settle_attempts",
  "finalized",
  "extra",
];

/** Every state, so that "non-terminal" can be a list of index lookups rather than a scan. */
const ALL_STATES = [
  "initiated",
  "confirmed",
  "screened",
  "held",
  "attested",
  "submitted",
  "settled",
  "refund_attested",
  "refunded",
  "dropped",
] as const satisfies readonly TransferState[];
const allStatesListed: [Exclude<TransferState, (typeof ALL_STATES)[number]>] extends [never] ? true : never = true;
void allStatesListed;
const STATE_INDEX = TRANSFER_COLUMNS.indexOf("state");
const NON_TERMINAL_STATES = ALL_STATES.filter((s) => !TERMINAL_STATES.includes(s));

function recordParams(r: TransferRecord): (string | number | null)[] {
  const params: (string | number | null)[] = [
    r.id,
    r.srcChain,
    r.dstChain,
    r.inputCurrency,
    r.outputCurrency,
    r.state,
    encodeMessage(r.message),
  ];
  for (const [stage] of STAGE_COLUMNS) params.push(r.stages[stage] ?? null);
  params.push(
    r.srcBlock,
    r.srcTxHash,
    r.dstBlock ?? null,
    r.dstTxHash ?? null,
    r.rate === undefined ? null : r.rate.toString(),
    r.amountOut === undefined ? null : r.amountOut.toString(),
    r.refundReason ?? null,
    r.lastError ?? null,
    r.settleAttempts,
    r.finalized === undefined ? null : r.finalized ? 1 : 0,
    encodeExtra(r),
  );
  return params;
}

/**
 * The fields of `r` that have no column, and under `stages` the stages that have none: the
 * escape hatch that keeps a put/get round trip exact while TransferRecord grows. Promote a field
 * to a column (with a migration) once something needs to query it.
 */
function encodeExtra(r: TransferRecord): string | null {
  let extra: Record<string, unknown> | undefined;
  for (const key in r) {
    const value = (r as unknown as Record<string, unknown>)[key];
    if (value === undefined || COLUMN_FIELDS.has(key)) continue;
    (extra ??= {})[key] = value;
  }
  for (const key in r.stages) {
    const t = (r.stages as Record<string, number | undefined>)[key];
    if (t === undefined || STAGE_KEYS.has(key)) continue;
    extra ??= {};
    ((extra.stages ??= {}) as Record<string, number>)[key] = t;
  }
  return extra === undefined ? null : toJson(extra);
}

type Cell = string | number | null;
type Row = Record<string, Cell>;

/**
 * The inverse of recordParams: reads a row selected as TRANSFER_COLUMNS, in that order, starting
 * at `at` (rows are arrays: node:sqlite builds them about twice as fast as objects).
 * Optional fields are set only when the column holds a value, so a record read back deep-equals the one put.
 */
function rowToRecord(row: readonly unknown[], at = 0): TransferRecord {
  let i = at;
  const next = () => row[i++] as Cell;
  const id = next() as Hex;
  const srcChain = next() as string;
  const dstChain = next() as string;
  const inputCurrency = next() as string;
  const outputCurrency = next() as string;
  const state = next() as TransferState;
  const message = decodeMessage(next() as string);
  const stages: StageTimes = {};
  for (const [stage] of STAGE_COLUMNS) {
    const t = next();
    if (t !== null) stages[stage] = Number(t);
  }
  const r: TransferRecord = {
    id,
    message,
    srcChain,
    dstChain,
    inputCurrency,
    outputCurrency,
    state,
    stages,
    srcBlock: Number(next()),
    srcTxHash: next() as Hex,
    settleAttempts: 0,
  };
  const dstBlock = next();
  if (dstBlock !== null) r.dstBlock = Number(dstBlock);
  const dstTx = next();
  if (dstTx !== null) r.dstTxHash = dstTx as Hex;
  const rate = next();
  if (rate !== null) r.rate = BigInt(rate);
  const amountOut = next();
  if (amountOut !== null) r.amountOut = BigInt(amountOut);
  const refundReason = next();
  if (refundReason !== null) r.refundReason = refundReason as string;
  const lastError = next();
  if (lastError !== null) r.lastError = lastError as string;
  r.settleAttempts = Number(next());
  const finalized = next();
  if (finalized !== null) r.finalized = finalized === 1;
  const extra = next();
  if (extra !== null) {
    const { stages: extraStages, ...fields } = fromJson<Record<string, unknown>>(extra as string);
    Object.assign(r, fields);
    if (extraStages !== undefined) Object.assign(stages, extraStages);
  }
  return r;
}

// ------------------------------------------------------------------ the store

/** Rows per page when iterating all transfers (keyset pagination on rowid: no long-lived read). */
const PAGE = 1000;

/**
 * Records returned are snapshots: change one and `put` it to persist the change (unlike the
 * in-memory store, where a record read is the stored object itself).
 *
 * One instance per connection, used from one thread. Several processes may open the same file:
 * WAL lets readers run beside the one writer, and writers wait up to `busyTimeoutMs` for the lock.
 */
export class SqliteTransferStore implements TransferStore {
  private readonly db: DatabaseSync;
  private readonly stmt: {
    get: StatementSync;
    getByRowid: StatementSync;
    put: StatementSync;
    page: StatementSync;
    rowidsByState: StatementSync;
    count: StatementSync;
    cursor: StatementSync;
    setCursor: StatementSync;
    addBatch: StatementSync;
    markBatchSent: StatementSync;
    removeBatch: StatementSync;
    batches: StatementSync;
    addInflight: StatementSync;
    updateInflight: StatementSync;
    inflight: StatementSync;
  };
  private savepoints = 0;
  private closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.db = new DatabaseSync(path);
    try {
      // First, so that the pragmas and migrations below also wait for another process's lock.
      this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      this.db.exec("PRAGMA journal_mode = WAL"); // ":memory:" stays in "memory" mode, which is fine
      // NORMAL in WAL mode never corrupts the file; a power cut can lose the last commits. That is
      // acceptable here: the destination gateway's consumed-id check is the last line of defence
      // against settling twice, and a lost last write (a record, a cursor) is re-derived from chain
      // events after restart because the cursor is lost with it and the logs are read again.
      // FULL would fsync every commit, which costs far more than the relayer's work per transfer.
      this.db.exec("PRAGMA synchronous = NORMAL");
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }

    const cols = TRANSFER_COLUMNS.join(", ");
    const updates = TRANSFER_COLUMNS.filter((c) => c !== "id")
      .map((c) => `${c} = excluded.${c}`)
      .join(", ");
    const p = (sql: string) => this.db.prepare(sql);
    const rows = (sql: string) => {
      const st = this.db.prepare(sql);
      st.setReturnArrays(true);
      return st;
    };
    this.stmt = {
      get: rows(`SELECT ${cols} FROM transfers WHERE id = ?`),
      getByRowid: rows(`SELECT ${cols} FROM transfers WHERE rowid = ?`),
      // ON CONFLICT DO UPDATE (not INSERT OR REPLACE) keeps the rowid, which iteration pages on.
      put: p(
        `INSERT INTO transfers (${cols}) VALUES (${TRANSFER_COLUMNS.map(() => "?").join(", ")})
         ON CONFLICT (id) DO UPDATE SET ${updates}`,
      ),
      page: rows(`SELECT rowid, ${cols} FROM transfers WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`),
      rowidsByState: p(`SELECT rowid AS r FROM transfers WHERE state = ? ORDER BY rowid`),
      count: p(`SELECT COUNT(*) AS n FROM transfers`),
      cursor: p(`SELECT block FROM cursors WHERE chain = ?`),
      setCursor: p(`INSERT INTO cursors (chain, block) VALUES (?, ?) ON CONFLICT (chain) DO UPDATE SET block = excluded.block`),
      addBatch: p(`INSERT INTO pending_batches (chain, kind, tx_hash, payload, created_at) VALUES (?, ?, ?, ?, ?)`),
      markBatchSent: p(`UPDATE pending_batches SET tx_hash = ?1, tx_hashes = json_insert(tx_hashes, '$[#]', ?1) WHERE id = ?2`),
      removeBatch: p(`DELETE FROM pending_batches WHERE id = ?`),
      batches: p(`SELECT id, chain, kind, tx_hash, payload, created_at FROM pending_batches WHERE chain = ? ORDER BY id`),
      addInflight: p(
        `INSERT INTO pending_batches (chain, kind, tx_hash, tx_hashes, nonce, max_fee_per_gas, max_priority_fee_per_gas, payload, created_at, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateInflight: p(
        `UPDATE pending_batches SET tx_hash = ?, tx_hashes = ?, nonce = ?, max_fee_per_gas = ?, max_priority_fee_per_gas = ?, sent_at = ? WHERE id = ?`,
      ),
      inflight: p(`SELECT * FROM pending_batches WHERE chain = ? AND nonce IS NOT NULL ORDER BY id`),
    };
  }

  // ---------------------------------------------------------------- TransferStore

  get(id: Hex): TransferRecord | undefined {
    const row = this.stmt.get.get(id) as unknown as unknown[] | undefined;
    return row && rowToRecord(row);
  }

  /** Insert or update (an upsert keyed on the id). */
  put(record: TransferRecord): void {
    this.stmt.put.run(...recordParams(record));
  }

  /** Every transfer in insertion order, read a page at a time; puts during iteration are safe. */
  *all(): IterableIterator<TransferRecord> {
    let after = 0;
    for (;;) {
      const rows = this.stmt.page.all(after) as unknown as unknown[][];
      for (const row of rows) yield rowToRecord(row, 1);
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return;
      after = Number(last[0]);
    }
  }

  count(): number {
    return Number((this.stmt.count.get() as { n: number }).n);
  }

  cursor(chain: string): number | undefined {
    const row = this.stmt.cursor.get(chain) as { block: number } | undefined;
    return row && Number(row.block);
  }

  setCursor(chain: string, block: number): void {
    this.stmt.setCursor.run(chain, block);
  }

  // ---------------------------------------------------------------- queries beyond the interface

  /**
   * Transfers in `state`, in insertion order. The ids are taken when iteration starts and each
   * record is read when reached; one that has left `state` by then is skipped.
   */
  *byState(state: TransferState): IterableIterator<TransferRecord> {
    yield* this.inStates([state]);
  }

  /** What a restart resumes: non-terminal transfers, and settled lock-and-release ones not yet finalized. */
  *unfinished(): IterableIterator<TransferRecord> {
    yield* this.nonTerminal();
    for (const r of this.byState("settled")) if (r.message.mode === MESSAGE_MODE.lockRelease && !r.finalized) yield r;
  }

  /** Transfers not settled or refunded (what a restarted relayer resumes), grouped by state. */
  *nonTerminal(): IterableIterator<TransferRecord> {
    yield* this.inStates(NON_TERMINAL_STATES);
  }

  private *inStates(states: readonly TransferState[]): IterableIterator<TransferRecord> {
    for (const state of states) {
      const rowids = (this.stmt.rowidsByState.all(state) as { r: number }[]).map((x) => x.r);
      for (const rowid of rowids) {
        const row = this.stmt.getByRowid.get(rowid) as unknown as unknown[] | undefined;
        if (row && row[STATE_INDEX] === state) yield rowToRecord(row);
      }
    }
  }

  // ---------------------------------------------------------------- transactions

  /**
   * Runs `fn` in one transaction: BEGIN IMMEDIATE (takes the write lock up front, so it waits on
   * busy_timeout instead of failing on a lock upgrade), COMMIT, or ROLLBACK if `fn` throws.
   * Nested calls become savepoints. `fn` must be synchronous: awaiting inside would let other
   * work interleave with the open transaction.
   */
  transaction<T>(fn: () => T): T {
    const nested = this.db.isTransaction;
    const name = `sp${this.savepoints}`;
    if (nested) {
      this.db.exec(`SAVEPOINT ${name}`);
      this.savepoints++;
    } else {
      this.db.exec("BEGIN IMMEDIATE");
    }
    const undo = () => {
      if (nested) {
        this.savepoints--;
        this.db.exec(`ROLLBACK TO ${name}`);
        this.db.exec(`RELEASE ${name}`);
      } else if (this.db.isTransaction) {
        this.db.exec("ROLLBACK");
      }
    };
    let result: T;
    try {
      result = fn();
    } catch (err) {
      undo();
      throw err;
    }
    if (result instanceof Promise || (typeof result === "object" && result !== null && typeof (result as { then?: unknown }).then === "function")) {
      undo();
      throw new CorridorError(SqliteStoreErrorCode.AsyncTransaction, "a store transaction must be synchronous");
    }
    if (nested) {
      this.savepoints--;
      this.db.exec(`RELEASE ${name}`);
    } else {
      this.db.exec("COMMIT");
    }
    return result;
  }

  // ---------------------------------------------------------------- pending batches

  /** Records a batch before it is sent; returns its id. */
  addPendingBatch<P>(batch: { chain: string; kind: BatchKind; payload: P; createdAt: number; txHash?: Hex }): number {
    const res = this.stmt.addBatch.run(batch.chain, batch.kind, batch.txHash ?? null, toJson(batch.payload), batch.createdAt);
    return Number(res.lastInsertRowid);
  }

  markBatchSent(id: number, txHash: Hex): void {
    this.stmt.markBatchSent.run(txHash, id);
  }

  removePendingBatch(id: number): void {
    this.stmt.removeBatch.run(id);
  }

  /** Batches of `chain` not yet removed, oldest first. */
  pendingBatches<P = unknown>(chain: string): PendingBatch<P>[] {
    return (this.stmt.batches.all(chain) as Row[]).map((row) => {
      const b: PendingBatch<P> = {
        id: Number(row.id),
        chain: row.chain as string,
        kind: row.kind as BatchKind,
        payload: fromJson<P>(row.payload as string),
        createdAt: Number(row.created_at),
      };
      if (row.tx_hash != null) b.txHash = row.tx_hash as Hex;
      return b;
    });
  }

  // ---------------------------------------------------------------- batches in flight

  /**
   * Inserts or updates a batch the relayer sent (TransferStore): its jobs are written once, on
   * insert; an update (a replacement) rewrites only the hashes, nonce, fees and time sent.
   */
  saveInflight(batch: InflightBatch): number {
    const latest = batch.hashes.at(-1) ?? null;
    const hashes = JSON.stringify(batch.hashes);
    const fees = [batch.fees.maxFeePerGas.toString(), batch.fees.maxPriorityFeePerGas.toString()] as const;
    if (batch.id !== undefined) {
      const res = this.stmt.updateInflight.run(latest, hashes, batch.nonce, ...fees, batch.sentAt, batch.id);
      if (Number(res.changes) === 1) return batch.id;
    }
    const payload = toJson({ to: batch.to, gas: batch.gas, ids: batch.ids, jobs: batch.jobs, signatures: batch.signatures });
    const res = this.stmt.addInflight.run(batch.chain, batch.kind, latest, hashes, batch.nonce, ...fees, payload, batch.firstSentAt, batch.sentAt);
    batch.id = Number(res.lastInsertRowid);
    return batch.id;
  }

  removeInflight(id: number): void {
    this.stmt.removeBatch.run(id);
  }

  /** Batches in flight on `chain` (those saved with a nonce), oldest first. */
  inflight<J = unknown>(chain: string): InflightBatch<J>[] {
    return (this.stmt.inflight.all(chain) as Row[]).map((row) => {
      const payload = fromJson<{ to: Hex; gas: bigint; ids: Hex[]; jobs: J[]; signatures?: Hex[] }>(row.payload as string);
      return {
        id: Number(row.id),
        chain: row.chain as string,
        kind: row.kind as BatchKind,
        hashes: JSON.parse(row.tx_hashes as string) as Hex[],
        nonce: Number(row.nonce),
        fees: { maxFeePerGas: BigInt(row.max_fee_per_gas as string), maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas as string) },
        to: payload.to,
        gas: payload.gas,
        ids: payload.ids,
        jobs: payload.jobs,
        ...(payload.signatures ? { signatures: payload.signatures } : {}),
        firstSentAt: Number(row.created_at),
        sentAt: Number(row.sent_at ?? row.created_at),
      };
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens (creating and migrating as needed) a SQLite transfer store at `path`; ":memory:" for a private in-memory one. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteTransferStore {
  return new SqliteTransferStore(path, options);
}
