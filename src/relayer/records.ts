/**
 * The relayer's working copies of unfinished transfer records, written through to the store on
 * every change, and the one place the relayer changes a record's state: through the lifecycle
 * (src/domain/lifecycle.ts), counting the settled and refunded outcomes as they come and go.
 */
import type { Hex } from "viem";
import type { Logger } from "pino";
import { MODE } from "../domain/message.js";
import { isTerminal, type TransferRecord } from "../domain/transfer.js";
import { advance, LifecycleErrorCode, type Advanced, type LifecycleEvent } from "../domain/lifecycle.js";
import { isCorridorError } from "../domain/errors.js";
import type { TransferStore } from "./store.js";
import type { RelayerMetrics } from "./metrics.js";

export class Records {
  /** Working copies of unfinished records. */
  private readonly working = new Map<Hex, TransferRecord>();
  /** Transfers this process saw reach settled or refunded (less those a reorganisation took back): kept by `apply`. */
  private readonly finalCounts = { settled: 0, refunded: 0 };

  /** `onFinished` is told the id of each record saved finished, so per-transfer state elsewhere can go too. */
  constructor(
    private readonly store: TransferStore,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
    private readonly onFinished: (id: Hex) => void,
  ) {}

  /** The working copy, else the stored record (kept as the working copy if unfinished). */
  get(id: Hex): TransferRecord | undefined {
    let r = this.working.get(id);
    if (!r) {
      r = this.store.get(id);
      if (r && !done(r)) this.working.set(id, r);
    }
    return r;
  }

  /** Writes `r` through to the store; a finished record is forgotten, so memory does not grow with the transfers so far. */
  save(r: TransferRecord): void {
    this.store.put(r);
    if (done(r)) {
      this.working.delete(r.id);
      this.onFinished(r.id);
    } else this.working.set(r.id, r);
  }

  /** Takes a stored record as the working copy (a restart resuming it). */
  adopt(r: TransferRecord): void {
    this.working.set(r.id, r);
  }

  /** The working copies. */
  values(): IterableIterator<TransferRecord> {
    return this.working.values();
  }

  /** The one place the relayer changes a record's state: through the lifecycle, counting the outcomes as they come and go (and in the metrics). */
  apply(r: TransferRecord, event: LifecycleEvent, at: number): Advanced {
    const before = { ...r.stages };
    const step = advance(r, event, at);
    this.metrics.stepped(r, before, step);
    if (step.from !== step.to) {
      if (step.from === "settled" || step.from === "refunded") this.finalCounts[step.from]--;
      if (step.to === "settled" || step.to === "refunded") this.finalCounts[step.to]++;
    }
    return step;
  }

  /**
   * A settlement or refund read from a chain: false if the record already shows it (a re-read). One
   * that contradicts the record (a refund of a settled transfer, or the reverse: the attesters sign one
   * outcome per id, so it cannot happen) is logged and skipped rather than stopping the watcher.
   */
  applyChainFact(r: TransferRecord, event: LifecycleEvent, at: number): boolean {
    try {
      return !this.apply(r, event, at).ignored;
    } catch (err) {
      if (!isCorridorError(err, LifecycleErrorCode.Illegal)) throw err;
      this.log.error({ id: r.id, state: r.state, event: event.kind, err: err.toJSON() }, "chain event contradicts the transfer's record; skipped");
      return false;
    }
  }

  /** Transfers that reached settled or refunded. */
  get terminalCount(): number {
    return this.finalCounts.settled + this.finalCounts.refunded;
  }

  /** Unfinished transfers by state, for the metrics. */
  openCounts(): Record<string, number> {
    const states: Record<string, number> = {};
    for (const r of this.working.values()) if (!done(r) && r.state !== "settled") states[r.state] = (states[r.state] ?? 0) + 1;
    return states;
  }
}

/** Nothing more happens to it: terminal, and not a settled lock-and-release transfer still to be finalized. */
function done(r: TransferRecord): boolean {
  return isTerminal(r) && !(r.state === "settled" && r.message.mode === MODE.lockRelease && !r.finalized && r.sourceReorgedAt === undefined);
}
