import type { Hex } from "viem";
import { isTerminal, type TransferRecord } from "../domain/transfer.js";
import { MODE } from "../domain/message.js";

/** What a batch transaction carries. */
export type BatchKind = "settle" | "refund" | "finalize" | "credit";

/**
 * A batch transaction sent and not yet seen mined: what a restarted relayer needs to check its
 * receipt, and to replace it (same nonce, higher fees) or send its jobs again.
 */
export interface InflightBatch<J = unknown> {
  /** The store's key, set by `saveInflight` on the first save. */
  id?: number;
  chain: string;
  kind: BatchKind;
  /** Every transaction sent for this batch, oldest first (the first, then each replacement): whichever is mined counts. */
  hashes: Hex[];
  /** The nonce they all share. */
  nonce: number;
  /** The fees of the latest of them. */
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
  /** Target and gas limit of the transaction (the calldata is rebuilt from the jobs). */
  to: Hex;
  gas: bigint;
  /** The transfers it carries. */
  ids: Hex[];
  /** The jobs to re-encode, or to queue again if the batch is lost. */
  jobs: J[];
  /** The attesters' signatures over the whole batch (settle, refund, finalize; a credit carries its own). */
  signatures?: Hex[];
  /** Unix seconds from the caller's clock: when the first transaction was sent, and the latest. */
  firstSentAt: number;
  sentAt: number;
}

/**
 * Where the relayer keeps transfer records and its log cursors. The in-memory store serves
 * simulations; a durable store (SQLite) implements the same interface for daemons.
 */
export interface TransferStore {
  /**
   * A stored record. Durable stores return a copy, the memory store the object itself: callers
   * must `put` after every change (the relayer keeps its own working copies and writes through).
   */
  get(id: Hex): TransferRecord | undefined;
  /** Insert or update. */
  put(record: TransferRecord): void;
  all(): Iterable<TransferRecord>;
  count(): number;
  /** Records not yet settled or refunded, plus settled ones whose source escrow is not finalized (what a restart resumes). */
  unfinished(): Iterable<TransferRecord>;
  cursor(chain: string): number | undefined;
  setCursor(chain: string, block: number): void;
  /** Runs `fn` atomically (records and cursors of one poll land together). */
  transaction<T>(fn: () => T): T;
  /** Inserts or updates a batch in flight; returns its id (also set on `batch.id`). */
  saveInflight(batch: InflightBatch): number;
  /** Forgets a batch in flight (its receipt was seen, or its jobs were queued again). */
  removeInflight(id: number): void;
  /** Batches in flight on `chain`, oldest first. */
  inflight<J = unknown>(chain: string): InflightBatch<J>[];
}

export class MemoryTransferStore implements TransferStore {
  private readonly records = new Map<Hex, TransferRecord>();
  private readonly cursors = new Map<string, number>();
  private readonly batches = new Map<number, InflightBatch>();
  private nextBatchId = 1;

  get(id: Hex) {
    return this.records.get(id);
  }
  put(record: TransferRecord) {
    this.records.set(record.id, record);
  }
  all() {
    return this.records.values();
  }
  count() {
    return this.records.size;
  }
  *unfinished() {
    for (const r of this.records.values()) {
      if (!isTerminal(r) || (r.state === "settled" && r.message.mode === MODE.lockRelease && !r.finalized)) yield r;
    }
  }
  transaction<T>(fn: () => T): T {
    return fn();
  }
  cursor(chain: string) {
    return this.cursors.get(chain);
  }
  setCursor(chain: string, block: number) {
    this.cursors.set(chain, block);
  }
  saveInflight(batch: InflightBatch): number {
    batch.id ??= this.nextBatchId++;
    this.batches.set(batch.id, { ...batch, hashes: [...batch.hashes] });
    return batch.id;
  }
  removeInflight(id: number) {
    this.batches.delete(id);
  }
  inflight<J = unknown>(chain: string): InflightBatch<J>[] {
    return [...this.batches.values()].filter((b) => b.chain === chain).map((b) => ({ ...b, hashes: [...b.hashes] }) as InflightBatch<J>);
  }
}
