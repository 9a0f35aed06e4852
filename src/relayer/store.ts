import type { Hex } from "viem";
import { isTerminal, type TransferRecord } from "../domain/transfer.js";
import { MODE } from "../domain/message.js";

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
}

export class MemoryTransferStore implements TransferStore {
  private readonly records = new Map<Hex, TransferRecord>();
  private readonly cursors = new Map<string, number>();

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
}
