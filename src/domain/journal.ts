import type { Hex } from "viem";

/** What the operator must remember across restarts: the transfers it signed a settlement for. */
export interface OperatorJournal {
  markSettleSigned(id: Hex): void;
  wasSettleSigned(id: Hex): boolean;
}

export class MemoryJournal implements OperatorJournal {
  private readonly ids = new Set<Hex>();
  markSettleSigned(id: Hex) {
    this.ids.add(id);
  }
  wasSettleSigned(id: Hex) {
    return this.ids.has(id);
  }
}
