import type { Hex } from "viem";
import type { TransferRecord } from "../domain/transfer.js";

/**
 * Where the relayer keeps transfer records and its log cursors. The in-memory store serves
 * simulations; a durable store (SQLite) implements the same interface for daemons.
 */
export interface TransferStore {
  get(id: Hex): TransferRecord | undefined;
  /** Insert or update. */
  put(record: TransferRecord): void;
  all(): Iterable<TransferRecord>;
  count(): number;
  cursor(chain: string): number | undefined;
  setCursor(chain: string, block: number): void;
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
  cursor(chain: string) {
    return this.cursors.get(chain);
  }
  setCursor(chain: string, block: number) {
    this.cursors.set(chain, block);
  }
}
