/**
 * What each unfinished transfer waits for, and asking the operator once the wait is over: its tier's
 * confirmations (then an attestation), source finality for the Fast allowance (a credit, or a retry
 * the allowance refused), a finalization of its source escrow, and its deadline (then a refund).
 */
import type { Hex } from "viem";
import { atDepth, finalBlockAt } from "../chains/profiles.js";
import { tierName, type RefundReason } from "../domain/message.js";
import { isTerminal, type TransferRecord } from "../domain/transfer.js";
import type { RelayerContext } from "./context.js";

export class Tracker {
  /** Transfers waiting for confirmations, by source chain. */
  private readonly awaiting: Record<string, Set<Hex>> = {};
  /** Non-terminal transfers with a deadline to watch. */
  private readonly open = new Set<Hex>();
  private readonly refundRequested = new Set<Hex>();
  /** Fast transfers whose allowance debit waits for source finality to be credited back (by source chain). */
  private readonly fastOutstanding: Record<string, Set<Hex>> = {};
  /** Fast transfers refused by an exhausted allowance, waiting for source finality (by source chain). */
  private readonly finalityWait: Record<string, Set<Hex>> = {};
  /** Settled lock-and-release transfers whose source escrow is not yet finalized. */
  private readonly awaitingFinalize = new Set<Hex>();
  private readonly finalizeRetries = new Map<Hex, number>();

  constructor(
    private readonly ctx: RelayerContext,
    chainNames: string[],
  ) {
    for (const n of chainNames) {
      this.awaiting[n] = new Set();
      this.fastOutstanding[n] = new Set();
      this.finalityWait[n] = new Set();
    }
  }

  /** Transfers not yet settled or refunded. */
  get openCount(): number {
    return this.open.size;
  }

  /** Whether a transfer is open, or settled and awaiting its finalization. */
  busy(): boolean {
    return this.open.size > 0 || this.awaitingFinalize.size > 0;
  }

  /**
   * A stored unfinished record after a restart: awaiting confirmations it waits again, attested it
   * is attested again, refund-attested its refund is asked for again, settled its finalization.
   */
  resume(r: TransferRecord): void {
    if (r.state === "settled") {
      this.awaitFinalize(r);
      return;
    }
    this.open.add(r.id);
    switch (r.state) {
      case "initiated":
        this.awaiting[r.srcChain]!.add(r.id);
        break;
      case "refund_attested":
        this.refundRequested.add(r.id);
        this.ctx.attestations.requestRefund(r);
        break;
      default:
        this.ctx.attestations.requestAttestation(r);
    }
  }

  // ------------------------------------------------------------ what the chains show

  /** A send read on its source chain (new, or mined again after it was dropped): it waits for confirmations and its deadline. */
  sent(srcChain: string, id: Hex): void {
    this.awaiting[srcChain]!.add(id);
    this.open.add(id);
  }

  /** Settled: no deadline to watch any more. */
  settled(id: Hex): void {
    this.open.delete(id);
  }

  /** Refunded: nothing to wait for. */
  refunded(r: TransferRecord): void {
    this.open.delete(r.id);
    this.awaiting[r.srcChain]?.delete(r.id);
  }

  /** A settled lock-and-release transfer: its source escrow is to be finalized. */
  awaitFinalize(r: TransferRecord): void {
    this.awaitingFinalize.add(r.id);
    this.ctx.attestations.requestFinalize(r);
  }

  /** Its source escrow was finalized (here or elsewhere), or there is nothing to finalize any more. */
  finalized(id: Hex): void {
    this.awaitingFinalize.delete(id);
  }

  /** A Fast settlement drew on the allowance: credited back once its source is final. */
  fastDebited(srcChain: string, id: Hex): void {
    this.fastOutstanding[srcChain]!.add(id);
  }

  /** A finalization failed (out of gas, or transient): asked for again, a few times (a finalized message answers "already processed"). */
  retryFinalize(r: TransferRecord): void {
    const n = (this.finalizeRetries.get(r.id) ?? 0) + 1;
    this.finalizeRetries.set(r.id, n);
    if (n <= 5) this.ctx.attestations.requestFinalize(r);
  }

  /** A Fast settlement the exhausted allowance refused: attested again once its source is final. */
  awaitFinality(r: TransferRecord): void {
    this.finalityWait[r.srcChain]!.add(r.id);
  }

  requestRefundOnce(r: TransferRecord, reason: RefundReason): void {
    if (this.refundRequested.has(r.id) || isTerminal(r)) return;
    this.refundRequested.add(r.id);
    r.refundReason = reason;
    this.ctx.records.save(r);
    this.ctx.attestations.requestRefund(r);
  }

  /** A refund request that could not be signed yet is retried later. */
  retryRefundLater(id: Hex): void {
    this.refundRequested.delete(id);
  }

  // ------------------------------------------------------------ what a reorganisation took back

  /** Its finalization went with the old branch: asked for again (with a fresh count of retries). */
  finalizeAgain(r: TransferRecord): void {
    this.awaitingFinalize.add(r.id);
    this.finalizeRetries.delete(r.id);
    this.ctx.attestations.requestFinalize(r);
  }

  /** Its refund went with the old branch (its send is still there): open again, and the refund asked for again. */
  refundAgain(r: TransferRecord, reason: RefundReason): void {
    this.open.add(r.id);
    this.refundRequested.delete(r.id);
    this.ctx.records.save(r);
    this.requestRefundOnce(r, reason);
  }

  /** Paid out, and its send is gone: nothing to credit back or finalize. */
  payoutExposed(srcChain: string, id: Hex): void {
    this.fastOutstanding[srcChain]!.delete(id);
    this.awaitingFinalize.delete(id);
  }

  /** Its settlement went with the old branch: open again, saved, and attested again. */
  settleAgain(r: TransferRecord): void {
    this.awaitingFinalize.delete(r.id);
    this.open.add(r.id);
    this.ctx.records.save(r);
    this.ctx.attestations.requestAttestation(r);
  }

  /** Its send is gone before it settled: nothing to wait for. */
  dropped(r: TransferRecord): void {
    this.open.delete(r.id);
    this.awaiting[r.srcChain]!.delete(r.id);
    this.finalityWait[r.srcChain]!.delete(r.id);
    this.refundRequested.delete(r.id);
  }

  /** A record saved finished: what is kept only for unfinished transfers goes. */
  finished(id: Hex): void {
    this.refundRequested.delete(id);
    this.finalizeRetries.delete(id);
  }

  // ------------------------------------------------------------ the waits

  /** Transfers on `chainName` with their tier's confirmations at `head`: confirmed, and attested. */
  checkConfirmations(chainName: string, head: number): void {
    const profile = this.ctx.opts.profiles[chainName]!;
    const waiting = this.awaiting[chainName]!;
    for (const id of waiting) {
      const r = this.ctx.records.get(id)!;
      if (!atDepth(profile, tierName(r.message.tier), r.srcBlock, head)) continue;
      waiting.delete(id);
      // Counted once, from INITIATED (the screening step may have run first: late, ignored).
      if (this.ctx.records.apply(r, { kind: "confirmed" }, this.ctx.opts.clock.now()).ignored) continue;
      this.ctx.records.save(r);
      this.ctx.attestations.requestAttestation(r);
    }
  }

  /** Fast transfers: credits the allowance back once their source is final; retries those the allowance refused. */
  checkFinality(chainName: string, head: number): void {
    const finalBlock = finalBlockAt(this.ctx.opts.profiles[chainName]!, head);
    const outstanding = this.fastOutstanding[chainName]!;
    if (outstanding.size > 0) {
      const byDst = new Map<string, TransferRecord[]>();
      for (const id of outstanding) {
        const r = this.ctx.records.get(id)!;
        if (r.srcBlock > finalBlock) continue;
        outstanding.delete(id);
        const list = byDst.get(r.dstChain) ?? [];
        list.push(r);
        byDst.set(r.dstChain, list);
      }
      for (const list of byDst.values()) this.ctx.attestations.requestFinality(list);
    }
    const waiting = this.finalityWait[chainName]!;
    for (const id of waiting) {
      const r = this.ctx.records.get(id)!;
      if (r.srcBlock > finalBlock) continue;
      waiting.delete(id);
      if (!isTerminal(r)) this.ctx.attestations.requestAttestation(r);
    }
  }

  /** Requests refunds for open transfers past their deadline (plus grace). */
  checkDeadlines(): void {
    const now = this.ctx.opts.clock.now();
    const grace = this.ctx.opts.refundGraceSeconds ?? 0;
    for (const id of this.open) {
      const r = this.ctx.records.get(id)!;
      if (now > Number(r.message.deadline) + grace) this.requestRefundOnce(r, "expired");
    }
  }
}
