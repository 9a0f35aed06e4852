/**
 * Reorganisations: the hashes of the blocks the watcher read (by chain, over a window), noticing
 * when one changed (or re-checking the window after a restart), and reconciling the transfers
 * above the fork with what the chain holds now: sends dropped, moved or exposed, settlements,
 * finalizations and refunds that went with the old branch asked for again.
 */
import type { Hex } from "viem";
import { getBlock } from "../chains/mining.js";
import type { RefundReason } from "../domain/message.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { RelayerContext } from "./context.js";
import type { Delivery } from "./delivery.js";
import type { EventFollower } from "./event-follower.js";
import type { Tracker } from "./tracker.js";

/** What the watcher found when a chain reorganised (or, after a restart, when it re-checked its recent blocks). */
interface ReorgEvent {
  chain: string;
  cause: "reorg" | "restart";
  /** The newest block still shared by the old and the new chain (or the bottom of the window looked at). */
  forkBlock: number;
  /** The cursor before, and the head after. */
  oldHead: number;
  newHead: number;
  /** When it was seen (clock seconds). */
  at: number;
  /** Sends gone before they settled: dropped. */
  dropped: Hex[];
  /** Sends gone after the destination paid them: the corridor's exposure. */
  exposed: { id: Hex; amountOut: bigint; fromFastAllowance: bigint }[];
  /** Sends mined again in another block. */
  moved: Hex[];
  /** Settlements on this chain gone: delivered again. */
  resettled: Hex[];
  /** Finalizations or refunds on this chain gone (their send still there): asked for again. */
  released: Hex[];
}

export class ReorgGuard {
  /** Hashes of the last blocks whose logs were read, by chain: the watcher's view, to notice a reorganisation. */
  private readonly seenHashes: Record<string, Map<number, Hex>> = {};
  /** Chains whose recent blocks were re-checked since this process started. */
  private readonly rechecked = new Set<string>();

  constructor(
    private readonly ctx: RelayerContext,
    private readonly follower: EventFollower,
    private readonly tracker: Tracker,
    private readonly delivery: Delivery,
  ) {
    for (const n of Object.keys(ctx.opts.chains)) this.seenHashes[n] = new Map();
  }

  private reorgWindow(chainName: string): number {
    return this.ctx.opts.reorgWindow ?? Math.max(8, this.ctx.opts.profiles[chainName]!.standardConfirmations);
  }

  /** Remembers the hash of a block whose logs were read (forgetting those below the window). */
  remember(chainName: string, block: number, hash: Hex): void {
    const seen = this.seenHashes[chainName]!;
    seen.set(block, hash);
    const floor = block - this.reorgWindow(chainName);
    for (const b of seen.keys()) if (b < floor) seen.delete(b);
  }

  /**
   * Compares the chain with the blocks this watcher read: if the last block it read has another
   * hash now, the chain reorganised. The watcher then finds the newest block it read that is
   * still there (the fork point, or the bottom of its window), and reconciles every transfer it
   * learned of above it with what the chain now holds. After a restart it does the same over the
   * window below its cursor, since it cannot know what happened while it was down.
   */
  async watch(chainName: string, headBlock: { number: number; hash: Hex; parentHash?: Hex }): Promise<void> {
    const cursor = this.ctx.opts.store.cursor(chainName);
    const first = !this.rechecked.has(chainName);
    this.rechecked.add(chainName);
    if (cursor === undefined) return;
    const chain = this.ctx.opts.chains[chainName]!;
    const seen = this.seenHashes[chainName]!;
    const startBlock = this.ctx.opts.startBlocks?.[chainName] ?? 0;
    if (first) {
      const fork = Math.max(startBlock, cursor - this.reorgWindow(chainName)) - 1;
      if (fork < cursor) await this.reconcileAbove(chainName, Math.max(-1, fork), Math.min(cursor, headBlock.number), "restart");
      return;
    }
    const known = [...seen.keys()].filter((b) => b <= cursor).sort((a, b) => b - a);
    if (known.length === 0) return;
    const top = known[0]!;
    // The head's parent is the last block read, with the hash read then: the chain only grew (one read fewer per poll).
    if (top === headBlock.number - 1 && headBlock.parentHash !== undefined && headBlock.parentHash === seen.get(top)) return;
    const now = top === headBlock.number ? headBlock : top > headBlock.number ? undefined : await getBlock(chain, top).catch(() => undefined);
    if (now && now.hash === seen.get(top)) return; // the common case: nothing changed below the cursor
    // Walk down the hashes it read until one still matches: that block is below the fork.
    let fork = top - this.reorgWindow(chainName) - 1;
    for (const b of known) {
      if (b > headBlock.number) continue;
      const h = b === headBlock.number ? headBlock.hash : (await getBlock(chain, b).catch(() => undefined))?.hash;
      if (h === seen.get(b)) {
        fork = b;
        break;
      }
    }
    fork = Math.max(fork, startBlock - 1);
    for (const b of [...seen.keys()]) if (b > fork) seen.delete(b);
    await this.reconcileAbove(chainName, fork, cursor, "reorg");
  }

  /**
   * Re-reads `chainName` above block `fork` and reconciles what the relayer believed with what
   * the chain shows now, then rewinds the cursor to `fork` so the events above it are processed
   * again (each exactly once: records are keyed by message id).
   * - a send that is no longer there is dropped if it had not settled; if it had (a Fast transfer
   *   paid before its source was final), the record keeps its settlement and is marked as the
   *   corridor's reorg exposure;
   * - a send that is there again (in the same or another block) keeps its record, and counts its
   *   confirmations from the block it is in now;
   * - a settlement on this chain that is no longer there is attested and delivered again.
   */
  private async reconcileAbove(chainName: string, fork: number, oldCursor: number, cause: "reorg" | "restart"): Promise<void> {
    const { opts, records } = this.ctx;
    const head = (await getBlock(opts.chains[chainName]!)).number;
    const sent = new Map<Hex, { block: number; tx: Hex; message: TransferRecord["message"] }>();
    const settled = new Set<Hex>();
    const finalized = new Set<Hex>();
    const refunded = new Set<Hex>();
    const range = opts.maxLogRange ?? 5_000;
    for (let from = fork + 1; from <= head; from += range) {
      for (const ev of await this.follower.readEvents(chainName, from, Math.min(head, from + range - 1))) {
        if (ev.name === "TransferSent") sent.set(ev.id, { block: ev.log.blockNumber, tx: ev.log.transactionHash, message: ev.message });
        else if (ev.name === "TransferSettled") settled.add(ev.id);
        else if (ev.name === "TransferFinalized") finalized.add(ev.id);
        else if (ev.name === "TransferRefunded") refunded.add(ev.id);
      }
    }
    /** A finalization or refund on this chain, in a block above the fork, that the new branch may not hold. */
    const releasedAfterFork = (r: TransferRecord) =>
      r.srcChain === chainName && ((r.finalized === true && (r.finalizedBlock ?? -1) > fork) || (r.state === "refunded" && (r.refundedBlock ?? -1) > fork));
    const now = opts.clock.now();
    const report: ReorgEvent = { chain: chainName, cause, forkBlock: fork, oldHead: oldCursor, newHead: head, at: now, dropped: [], exposed: [], moved: [], resettled: [], released: [] };
    // Everything the relayer knows of above the fork: open records, and settled ones (a Fast payout may be exposed).
    const candidates = new Map<Hex, TransferRecord>();
    for (const r of records.values()) candidates.set(r.id, r);
    for (const r of opts.store.all()) {
      if (candidates.has(r.id)) continue;
      const mayChange =
        (r.srcChain === chainName && r.srcBlock > fork && r.state === "settled" && r.sourceReorgedAt === undefined) ||
        (r.dstChain === chainName && r.state === "settled" && (r.dstBlock ?? 0) > fork) ||
        releasedAfterFork(r);
      if (mayChange) candidates.set(r.id, r);
    }
    opts.store.transaction(() => {
      for (const r of candidates.values()) {
        // A finalization or refund of a send that is still there, gone with the old branch: ask again.
        if (releasedAfterFork(r) && (r.srcBlock <= fork || sent.has(r.id))) {
          if (r.finalized && !finalized.has(r.id)) {
            records.apply(r, { kind: "finalizeVanished" }, now);
            records.save(r);
            this.tracker.finalizeAgain(r);
            report.released.push(r.id);
          } else if (r.state === "refunded" && !refunded.has(r.id)) {
            records.apply(r, { kind: "refundVanished" }, now);
            this.tracker.refundAgain(r, (r.refundReason?.split(":")[0] as RefundReason | undefined) ?? "other");
            report.released.push(r.id);
          }
        }
        if (r.srcChain === chainName && r.srcBlock > fork && r.state !== "dropped" && r.sourceReorgedAt === undefined) {
          const again = sent.get(r.id);
          if (again) {
            if (again.block !== r.srcBlock || again.tx !== r.srcTxHash || again.message.sentAt !== r.message.sentAt) {
              r.srcBlock = again.block;
              r.srcTxHash = again.tx;
              r.message = again.message;
              report.moved.push(r.id);
              records.save(r);
            }
          } else if (r.state === "settled") {
            records.apply(r, { kind: "sendVanished" }, now); // stays settled, its payout exposed
            this.tracker.payoutExposed(chainName, r.id);
            report.exposed.push({ id: r.id, amountOut: r.amountOut ?? 0n, fromFastAllowance: r.fastAllowanceUsed ?? 0n });
            records.save(r);
          } else {
            // (A refunded one: its refund went with the old branch too; nothing happened at all.)
            this.drop(r, now);
            report.dropped.push(r.id);
          }
        }
        if (r.dstChain === chainName && r.state === "settled" && (r.dstBlock ?? 0) > fork && !settled.has(r.id)) {
          // Its settlement was reorganised away: attest and deliver it again (the id is unconsumed again).
          records.apply(r, { kind: "settlementVanished" }, now);
          this.tracker.settleAgain(r);
          report.resettled.push(r.id);
        }
      }
      if (fork < (opts.store.cursor(chainName) ?? -1)) opts.store.setCursor(chainName, fork);
    });
    if (cause === "reorg" || report.dropped.length + report.exposed.length + report.resettled.length + report.released.length > 0) {
      this.ctx.metrics.reorgs.inc({ chain: chainName });
      this.ctx.log.warn(
        { chain: chainName, cause, forkBlock: fork, oldHead: oldCursor, newHead: head, dropped: report.dropped.length, exposed: report.exposed.length, moved: report.moved.length, resettled: report.resettled.length, released: report.released.length },
        "source chain reorganised: transfers reconciled",
      );
    }
  }

  /** A send that is no longer on its chain: nothing more happens to it (late attestations are ignored). */
  private drop(r: TransferRecord, now: number): void {
    this.ctx.records.apply(r, { kind: "sendVanished" }, now);
    this.tracker.dropped(r);
    this.delivery.dropped(r);
    this.ctx.records.save(r);
  }
}
