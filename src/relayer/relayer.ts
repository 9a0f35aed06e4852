import { toEventSelector, type Hex } from "viem";
import type { Logger } from "pino";
import type { Chain } from "../chains/chain.js";
import type { ChainProfile } from "../chains/profiles.js";
import { confirmationsFor } from "../chains/profiles.js";
import { getBlock } from "../chains/mining.js";
import { getReceipt, TxSender, type Receipt, type ReplacementPolicy } from "../chains/tx-sender.js";
import type { Deployment } from "../contracts/deploy.js";
import type { Currency } from "../domain/money.js";
import {
  decodeGatewayLogs,
  decodeRevert,
  encodeFinalizeBatch,
  encodeRefundBatch,
  encodeSettleBatch,
  encodeCreditFastAllowance,
  gatewayAbi,
  GAS,
  type FinalizeItem,
  type RefundItem,
  type SettleItem,
} from "../contracts/gateway.js";
import { MODE, REFUND_REASON, tierName, type RefundReason } from "../domain/message.js";
import type { Clock } from "../domain/clock.js";
import type { TransferRecord } from "../domain/transfer.js";
import { isTerminal } from "../domain/transfer.js";
import { advance, LifecycleErrorCode, type Advanced, type LifecycleEvent } from "../domain/lifecycle.js";
import { isCorridorError } from "../domain/errors.js";
import type { InflightBatch, TransferStore } from "./store.js";
import { RelayerMetrics } from "./metrics.js";

/** Jobs the relayer carries to a chain. */
type Job =
  | { kind: "settle"; id: Hex; item: SettleItem }
  | { kind: "credit"; id: Hex; ids: Hex[]; signatures: Hex[] }
  | { kind: "refund"; id: Hex; item: RefundItem }
  | { kind: "finalize"; id: Hex; item: FinalizeItem };

/** What the relayer needs from the operator (an attestation service, local or remote). */
export interface AttestationService {
  /** Called once a transfer has its tier's confirmations. */
  requestAttestation(record: TransferRecord): void;
  /** Called when a transfer may need a refund (expiry, or a settlement that cannot succeed): the operator decides whether it does. */
  requestRefund(record: TransferRecord): void;
  /** Called once a lock-and-release transfer settled. */
  requestFinalize(record: TransferRecord): void;
  /** Called when Fast transfers that used the Fast allowance may have reached source finality. */
  requestFinality(records: TransferRecord[]): void;
}

export interface RelayerOptions {
  chains: Record<string, Chain>;
  profiles: Record<string, ChainProfile>;
  deployment: Deployment;
  store: TransferStore;
  relayerKey: Hex;
  clock: Clock;
  logger: Logger;
  /** Most messages in one batch transaction. */
  maxBatch?: number;
  /** Seconds after the deadline before a refund is requested. */
  refundGraceSeconds?: number;
  /** Seconds without a receipt before a batch is replaced: same nonce, higher fees (default 60). */
  resubmitAfterSeconds?: number;
  /** How a stuck batch's fees rise: at least `bumpPercent` (default 12.5, never below 10) per replacement, up to `maxFeePerGasCap` (default 100 gwei). */
  fees?: ReplacementPolicy;
  /** First block to read on each chain when the store has no cursor yet (the deployment block); default the head. */
  startBlocks?: Record<string, number>;
  /** Largest block range per eth_getLogs call. */
  maxLogRange?: number;
  /**
   * Deepest reorganisation the watcher looks for, in blocks (default: each chain's Standard
   * confirmations, at least 8). A restarted relayer re-reads this many blocks below its cursor,
   * since the chain may have reorganised while it was down.
   */
  reorgWindow?: number;
  /**
   * Several relayers at once: instance `index` of `count` submits the jobs (settlements, refunds,
   * finalizations, credits) whose id falls to it (id mod count) at once, and another instance's only
   * if they are still undone `takeoverSeconds` later, times its place after that instance (the next
   * instance takes over first, the one after it only if that one is down too), so that instances
   * back each other up without racing for every transfer.
   */
  instance?: { index: number; count: number; takeoverSeconds: number };
}

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

/** A batch sent and not yet seen mined: every hash sent under its nonce, its fees, its jobs (kept in the store too). */
type Inflight = InflightBatch<Job>;

/**
 * The relayer: watches each gateway's events from a cursor, waits for each tier's
 * confirmations, asks the operator to attest, and carries settlements (to the destination),
 * refunds and finalizations (to the source) in batches. It is untrusted: it moves nothing
 * the attesters did not sign, and it learns outcomes from the chains' events, not from its
 * own bookkeeping, so several instances can run at once.
 */
export class Relayer {
  private attestations!: AttestationService;
  private readonly senders: Record<string, TxSender>;
  private readonly queues: Record<string, Job[]> = {};
  private readonly inflight: Record<string, Inflight[]> = {};
  /** Transfers waiting for confirmations, by source chain. */
  private readonly awaiting: Record<string, Set<Hex>> = {};
  /** Non-terminal transfers with a deadline to watch. */
  private readonly open = new Set<Hex>();
  private readonly refundRequested = new Set<Hex>();
  /** Settlements parked until the destination pool holds enough (by destination chain). */
  private readonly liquidityWait: Record<string, Map<Hex, { item: SettleItem; since: number }>> = {};
  /** Fast transfers whose allowance debit waits for source finality to be credited back (by source chain). */
  private readonly fastOutstanding: Record<string, Set<Hex>> = {};
  /** Fast transfers refused by an exhausted allowance, waiting for source finality (by source chain). */
  private readonly finalityWait: Record<string, Set<Hex>> = {};
  /** Settlements to retry at a time (rate limits). */
  private readonly retryAt: { at: number; job: Job; chain: string }[] = [];
  private readonly nameById = new Map<number, string>();
  private readonly blockTimes = new Map<string, number>();
  private readonly log: Logger;
  private readonly finalizeRetries = new Map<Hex, number>();
  /** Hashes of the last blocks whose logs were read, by chain: the watcher's view, to notice a reorganisation. */
  private readonly seenHashes: Record<string, Map<number, Hex>> = {};
  /** Chains whose recent blocks were re-checked since this process started. */
  private readonly rechecked = new Set<string>();
  /**
   * Destination events read before the relayer saw their send (another relayer settled it while
   * this one lagged on the source): applied when the send arrives.
   */
  private readonly early = new Map<Hex, { chain: string; ev: GatewayEventN; ts: number }[]>();
  /** Transfers the destination answered "already processed" for, by destination chain: their settlement is looked up. */
  private readonly settledElsewhere: Record<string, Set<Hex>> = {};
  /** Working copies of unfinished records (written through to the store on every change). */
  private readonly records = new Map<Hex, TransferRecord>();
  /** Counters for reports and metrics. */
  readonly stats = { batches: 0, batchItems: 0, rpcErrors: 0, alreadySettled: 0 };
  /** Settled lock-and-release transfers whose source escrow is not yet finalized. */
  private readonly awaitingFinalize = new Set<Hex>();
  /** Transfers this process saw reach settled or refunded (less those a reorganisation took back): kept by `apply`. */
  private readonly finalCounts = { settled: 0, refunded: 0 };
  readonly metrics = new RelayerMetrics(() => {
    const states: Record<string, number> = { ...this.finalCounts };
    for (const r of this.records.values()) if (!this.done(r) && r.state !== "settled") states[r.state] = (states[r.state] ?? 0) + 1;
    return {
      states,
      queueDepth: Object.fromEntries(Object.entries(this.queues).map(([k, q]) => [k, q.length])),
      parked: this.liquidityQueueDepth(),
    };
  });

  constructor(private readonly opts: RelayerOptions) {
    this.senders = Object.fromEntries(Object.entries(opts.chains).map(([n, c]) => [n, new TxSender(c, opts.relayerKey, undefined, opts.fees)]));
    for (const [n, c] of Object.entries(opts.chains)) {
      this.queues[n] = [];
      this.inflight[n] = [];
      this.awaiting[n] = new Set();
      this.liquidityWait[n] = new Map();
      this.fastOutstanding[n] = new Set();
      this.finalityWait[n] = new Set();
      this.seenHashes[n] = new Map();
      this.settledElsewhere[n] = new Set();
      this.nameById.set(c.chainId, n);
    }
    this.log = opts.logger.child({ module: "relayer" });
  }

  connect(attestations: AttestationService): void {
    this.attestations = attestations;
  }

  /** Transfers that reached settled or refunded. */
  get terminalCount(): number {
    return this.finalCounts.settled + this.finalCounts.refunded;
  }

  /** The one place the relayer changes a record's state: through the lifecycle, counting the outcomes as they come and go. */
  private apply(r: TransferRecord, event: LifecycleEvent, at: number): Advanced {
    const step = advance(r, event, at);
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
  private applyChainFact(r: TransferRecord, event: LifecycleEvent, at: number): boolean {
    try {
      return !this.apply(r, event, at).ignored;
    } catch (err) {
      if (!isCorridorError(err, LifecycleErrorCode.Illegal)) throw err;
      this.log.error({ id: r.id, state: r.state, event: event.kind, err: err.toJSON() }, "chain event contradicts the transfer's record; skipped");
      return false;
    }
  }

  private rec(id: Hex): TransferRecord | undefined {
    let r = this.records.get(id);
    if (!r) {
      r = this.opts.store.get(id);
      if (r && !this.done(r)) this.records.set(id, r);
    }
    return r;
  }

  private save(r: TransferRecord): void {
    this.opts.store.put(r);
    if (this.done(r)) {
      // Nothing more happens to it: forget it everywhere, so memory does not grow with the transfers so far.
      this.records.delete(r.id);
      this.lastSettle.delete(r.id);
      this.refundRequested.delete(r.id);
      this.finalizeRetries.delete(r.id);
    } else this.records.set(r.id, r);
  }

  private done(r: TransferRecord): boolean {
    return isTerminal(r) && !(r.state === "settled" && r.message.mode === MODE.lockRelease && !r.finalized && r.sourceReorgedAt === undefined);
  }

  /**
   * Resumes after a restart from what the store holds: transfers awaiting confirmations wait
   * again, attested ones are attested again (the operator re-checks the chain; a settlement that
   * already happened comes back as "already settled"), refunds and finalizations are re-requested.
   * The store's cursors make the watchers re-read only blocks not yet processed.
   */
  recover(): number {
    let n = 0;
    for (const r of this.opts.store.unfinished()) {
      n++;
      if (r.sourceReorgedAt !== undefined) continue; // paid out, its send reorganised away: nothing left to do
      this.records.set(r.id, r);
      if (r.state === "settled") {
        this.awaitingFinalize.add(r.id);
        this.attestations.requestFinalize(r);
        continue;
      }
      this.open.add(r.id);
      switch (r.state) {
        case "initiated":
          this.awaiting[r.srcChain]!.add(r.id);
          break;
        case "refund_attested":
          this.refundRequested.add(r.id);
          this.attestations.requestRefund(r);
          break;
        default:
          this.attestations.requestAttestation(r);
      }
    }
    this.recoverInflight();
    return n;
  }

  get address(): Hex {
    return Object.values(this.senders)[0]!.address;
  }

  /** Transfers not yet settled or refunded. */
  get openCount(): number {
    return this.open.size;
  }

  /** Whether anything is queued, in flight or awaiting confirmations. */
  busy(): boolean {
    return this.open.size > 0 || this.awaitingFinalize.size > 0 || Object.values(this.queues).some((q) => q.length > 0) || Object.values(this.inflight).some((q) => q.length > 0);
  }

  // ------------------------------------------------------------ watching

  /** Reads new gateway events on `chainName` up to its head and advances that chain's confirmations. */
  async poll(chainName: string): Promise<void> {
    const chain = this.opts.chains[chainName]!;
    const headBlock = await getBlock(chain);
    const head = headBlock.number;
    await this.watchForReorg(chainName, headBlock);
    await this.lookUpSettlements(chainName);
    const from = (this.opts.store.cursor(chainName) ?? (this.opts.startBlocks?.[chainName] ?? head) - 1) + 1;
    if (from <= head) {
      // Bounded ranges: a node may refuse a huge eth_getLogs after a long outage.
      const to = Math.min(head, from + (this.opts.maxLogRange ?? 5_000) - 1);
      const events = await this.readEvents(chainName, from, to);
      const times = new Map<number, number>();
      for (const ev of events) if (!times.has(ev.log.blockNumber)) times.set(ev.log.blockNumber, await this.blockTime(chainName, ev.log.blockNumber));
      // Records and the cursor land together: a crash re-reads the whole range, and each event is idempotent.
      this.opts.store.transaction(() => {
        for (const ev of events) this.onEvent(chainName, ev, times.get(ev.log.blockNumber)!);
        this.opts.store.setCursor(chainName, to);
      });
      if (to === head) this.rememberHash(chainName, head, headBlock.hash);
    }
    this.checkConfirmations(chainName, head);
    this.checkFinality(chainName, head);
    await this.checkInflight(chainName);
  }

  /**
   * Settlements this relayer did not read itself: its own batch item answered "already processed"
   * (another relayer settled it, and this one's cursor passed the event before it knew the send,
   * e.g. after a restart). Reads the destination's TransferSettled events for those ids.
   */
  private async lookUpSettlements(chainName: string): Promise<void> {
    const ids = this.settledElsewhere[chainName]!;
    if (ids.size === 0) return;
    const batch = [...ids].slice(0, 100);
    const gateway = this.opts.deployment.chains[chainName]!.gateway;
    const logs = await this.opts.chains[chainName]!.request<RawLog[]>("eth_getLogs", [
      { address: gateway, fromBlock: hex(Math.max(0, this.opts.startBlocks?.[chainName] ?? 0)), toBlock: "latest", topics: [[SETTLED_TOPIC, DEBITED_TOPIC], batch] },
    ]);
    const events = decodeGatewayLogs(logs.map((l) => ({ ...l, blockNumber: Number(l.blockNumber) })));
    const times = new Map<number, number>();
    for (const ev of events) if (!times.has(ev.log.blockNumber)) times.set(ev.log.blockNumber, await this.blockTime(chainName, ev.log.blockNumber));
    this.opts.store.transaction(() => {
      for (const ev of events) this.onEvent(chainName, ev, times.get(ev.log.blockNumber)!);
    });
    for (const id of batch) ids.delete(id);
  }

  private async readEvents(chainName: string, from: number, to: number) {
    const gateway = this.opts.deployment.chains[chainName]!.gateway;
    const logs = await this.opts.chains[chainName]!.request<RawLog[]>("eth_getLogs", [{ address: gateway, fromBlock: hex(from), toBlock: hex(to) }]);
    return decodeGatewayLogs(logs.map((l) => ({ ...l, blockNumber: Number(l.blockNumber) })));
  }

  // ------------------------------------------------------------ reorganisations

  private reorgWindow(chainName: string): number {
    return this.opts.reorgWindow ?? Math.max(8, this.opts.profiles[chainName]!.standardConfirmations);
  }

  private rememberHash(chainName: string, block: number, hash: Hex): void {
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
  private async watchForReorg(chainName: string, headBlock: { number: number; hash: Hex }): Promise<void> {
    const cursor = this.opts.store.cursor(chainName);
    const first = !this.rechecked.has(chainName);
    this.rechecked.add(chainName);
    if (cursor === undefined) return;
    const chain = this.opts.chains[chainName]!;
    const seen = this.seenHashes[chainName]!;
    if (first) {
      const fork = Math.max(this.opts.startBlocks?.[chainName] ?? 0, cursor - this.reorgWindow(chainName)) - 1;
      if (fork < cursor) await this.reconcileAbove(chainName, Math.max(-1, fork), Math.min(cursor, headBlock.number), "restart");
      return;
    }
    const known = [...seen.keys()].filter((b) => b <= cursor).sort((a, b) => b - a);
    if (known.length === 0) return;
    const top = known[0]!;
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
    fork = Math.max(fork, (this.opts.startBlocks?.[chainName] ?? 0) - 1);
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
    const head = (await getBlock(this.opts.chains[chainName]!)).number;
    const sent = new Map<Hex, { block: number; tx: Hex; message: TransferRecord["message"] }>();
    const settled = new Set<Hex>();
    const finalized = new Set<Hex>();
    const refunded = new Set<Hex>();
    const range = this.opts.maxLogRange ?? 5_000;
    for (let from = fork + 1; from <= head; from += range) {
      for (const ev of await this.readEvents(chainName, from, Math.min(head, from + range - 1))) {
        if (ev.name === "TransferSent") sent.set(ev.id, { block: ev.log.blockNumber, tx: ev.log.transactionHash, message: ev.message });
        else if (ev.name === "TransferSettled") settled.add(ev.id);
        else if (ev.name === "TransferFinalized") finalized.add(ev.id);
        else if (ev.name === "TransferRefunded") refunded.add(ev.id);
      }
    }
    /** A finalization or refund on this chain, in a block above the fork, that the new branch may not hold. */
    const releasedAfterFork = (r: TransferRecord) =>
      r.srcChain === chainName && ((r.finalized === true && (r.finalizedBlock ?? -1) > fork) || (r.state === "refunded" && (r.refundedBlock ?? -1) > fork));
    const now = this.opts.clock.now();
    const report: ReorgEvent = { chain: chainName, cause, forkBlock: fork, oldHead: oldCursor, newHead: head, at: now, dropped: [], exposed: [], moved: [], resettled: [], released: [] };
    // Everything the relayer knows of above the fork: open records, and settled ones (a Fast payout may be exposed).
    const candidates = new Map<Hex, TransferRecord>();
    for (const r of this.records.values()) candidates.set(r.id, r);
    for (const r of this.opts.store.all()) {
      if (candidates.has(r.id)) continue;
      const mayChange =
        (r.srcChain === chainName && r.srcBlock > fork && r.state === "settled" && r.sourceReorgedAt === undefined) ||
        (r.dstChain === chainName && r.state === "settled" && (r.dstBlock ?? 0) > fork) ||
        releasedAfterFork(r);
      if (mayChange) candidates.set(r.id, r);
    }
    this.opts.store.transaction(() => {
      for (const r of candidates.values()) {
        // A finalization or refund of a send that is still there, gone with the old branch: ask again.
        if (releasedAfterFork(r) && (r.srcBlock <= fork || sent.has(r.id))) {
          if (r.finalized && !finalized.has(r.id)) {
            this.apply(r, { kind: "finalizeVanished" }, now);
            this.save(r);
            this.awaitingFinalize.add(r.id);
            this.finalizeRetries.delete(r.id);
            this.attestations.requestFinalize(r);
            report.released.push(r.id);
          } else if (r.state === "refunded" && !refunded.has(r.id)) {
            this.apply(r, { kind: "refundVanished" }, now);
            this.open.add(r.id);
            this.refundRequested.delete(r.id);
            this.save(r);
            this.requestRefundOnce(r, (r.refundReason?.split(":")[0] as RefundReason | undefined) ?? "other");
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
              this.save(r);
            }
          } else if (r.state === "settled") {
            this.apply(r, { kind: "sendVanished" }, now); // stays settled, its payout exposed
            this.fastOutstanding[chainName]!.delete(r.id);
            this.awaitingFinalize.delete(r.id);
            report.exposed.push({ id: r.id, amountOut: r.amountOut ?? 0n, fromFastAllowance: r.fastAllowanceUsed ?? 0n });
            this.save(r);
          } else {
            // (A refunded one: its refund went with the old branch too; nothing happened at all.)
            this.drop(r, now);
            report.dropped.push(r.id);
          }
        }
        if (r.dstChain === chainName && r.state === "settled" && (r.dstBlock ?? 0) > fork && !settled.has(r.id)) {
          // Its settlement was reorganised away: attest and deliver it again (the id is unconsumed again).
          this.apply(r, { kind: "settlementVanished" }, now);
          this.awaitingFinalize.delete(r.id);
          this.open.add(r.id);
          this.save(r);
          report.resettled.push(r.id);
          this.attestations.requestAttestation(r);
        }
      }
      if (fork < (this.opts.store.cursor(chainName) ?? -1)) this.opts.store.setCursor(chainName, fork);
    });
    if (cause === "reorg" || report.dropped.length + report.exposed.length + report.resettled.length + report.released.length > 0) {
      this.metrics.reorgs++;
      this.log.warn(
        { chain: chainName, cause, forkBlock: fork, oldHead: oldCursor, newHead: head, dropped: report.dropped.length, exposed: report.exposed.length, moved: report.moved.length, resettled: report.resettled.length, released: report.released.length },
        "source chain reorganised: transfers reconciled",
      );
    }
  }

  /** A send that is no longer on its chain: nothing more happens to it (late attestations are ignored). */
  private drop(r: TransferRecord, now: number): void {
    this.apply(r, { kind: "sendVanished" }, now);
    this.open.delete(r.id);
    this.awaiting[r.srcChain]!.delete(r.id);
    this.finalityWait[r.srcChain]!.delete(r.id);
    this.liquidityWait[r.dstChain]!.delete(r.id);
    this.refundRequested.delete(r.id);
    this.lastSettle.delete(r.id);
    for (const q of Object.values(this.queues)) {
      for (let i = q.length - 1; i >= 0; i--) if (q[i]!.id === r.id && q[i]!.kind !== "credit") q.splice(i, 1);
    }
    this.save(r);
  }

  private async blockTime(chainName: string, block: number): Promise<number> {
    const key = `${chainName}:${block}`;
    let t = this.blockTimes.get(key);
    if (t === undefined) {
      t = (await getBlock(this.opts.chains[chainName]!, block)).timestamp;
      this.blockTimes.set(key, t);
      if (this.blockTimes.size > 10_000) this.blockTimes.delete(this.blockTimes.keys().next().value!);
    }
    return t;
  }

  private onEvent(chainName: string, ev: ReturnType<typeof decodeGatewayLogs<RawLogN>>[number], ts: number): void {
    switch (ev.name) {
      case "TransferSent": {
        const known = this.rec(ev.id);
        if (known) {
          // Seen before: a restart or a re-read (same block), or the same send (same sender and sender nonce, so the
          // same id) mined again in another block after a reorganisation, possibly stamped with another sentAt.
          const moved = known.srcTxHash !== ev.log.transactionHash || known.srcBlock !== ev.log.blockNumber || known.message.sentAt !== ev.message.sentAt;
          const dropped = known.state === "dropped";
          const backed = known.sourceReorgedAt !== undefined;
          if (!moved && !dropped && !backed) return;
          known.message = ev.message;
          known.srcBlock = ev.log.blockNumber;
          known.srcTxHash = ev.log.transactionHash;
          if (dropped) {
            // Mined again after it was dropped: the same transfer goes on under its record, once.
            this.apply(known, { kind: "sendRemined" }, ts);
            this.awaiting[chainName]!.add(ev.id);
            this.open.add(ev.id);
          } else if (backed) {
            // Paid out, its send gone in a reorg, and now mined again: backed after all.
            this.apply(known, { kind: "sendRemined" }, ts);
            if (known.fastAllowanceUsed) this.fastOutstanding[chainName]!.add(known.id);
            if (known.message.mode === MODE.lockRelease && !known.finalized) {
              this.awaitingFinalize.add(known.id);
              this.attestations.requestFinalize(known);
            }
          }
          this.save(known);
          return;
        }
        const m = ev.message;
        const dst = this.nameById.get(Number(m.dstChainId));
        if (!dst) return this.log.warn({ id: ev.id, dstChainId: m.dstChainId.toString() }, "transfer to an unknown chain ignored");
        const record: TransferRecord = {
          id: ev.id,
          message: m,
          srcChain: chainName,
          dstChain: dst,
          inputCurrency: this.currencyOf(chainName, m.inputToken),
          outputCurrency: this.currencyOf(dst, m.outputToken),
          state: "initiated",
          stages: { initiated: ts },
          srcBlock: ev.log.blockNumber,
          srcTxHash: ev.log.transactionHash,
          settleAttempts: 0,
        };
        this.save(record);
        this.awaiting[chainName]!.add(ev.id);
        this.open.add(ev.id);
        const early = this.early.get(ev.id);
        if (early) {
          this.early.delete(ev.id);
          for (const e of early) this.onEvent(e.chain, e.ev, e.ts);
        }
        return;
      }
      case "TransferSettled": {
        const r = this.rec(ev.id);
        if (!r) return this.keepEarly(chainName, ev, ts);
        // From DROPPED: attested before its send vanished, delivered anyway (by this relayer or another): exposure.
        const settled: LifecycleEvent = { kind: "settled", block: ev.log.blockNumber, tx: ev.log.transactionHash, amountOut: ev.amountOut, rate: ev.rate };
        if (!this.applyChainFact(r, settled, ts)) return;
        this.save(r);
        this.open.delete(r.id);
        if (r.stages.initiated !== undefined) this.metrics.settlementSeconds.observe(ts - r.stages.initiated);
        if (r.message.mode === MODE.lockRelease && r.sourceReorgedAt === undefined) {
          this.awaitingFinalize.add(r.id);
          this.attestations.requestFinalize(r);
        }
        return;
      }
      case "TransferRefunded": {
        const r = this.rec(ev.id);
        if (!r) return;
        const refunded: LifecycleEvent = { kind: "refunded", block: ev.log.blockNumber, reason: Object.keys(REFUND_REASON)[ev.reason] ?? "other" };
        if (!this.applyChainFact(r, refunded, ts)) return;
        this.save(r);
        this.open.delete(r.id);
        this.awaiting[r.srcChain]?.delete(r.id);
        return;
      }
      case "TransferFinalized": {
        const r = this.rec(ev.id);
        if (!r) return;
        this.apply(r, { kind: "finalized", block: ev.log.blockNumber }, ts);
        this.save(r);
        this.awaitingFinalize.delete(r.id);
        return;
      }
      case "FastAllowanceDebited": {
        const r = this.rec(ev.id);
        if (!r) return this.keepEarly(chainName, ev, ts);
        r.fastAllowanceUsed = ev.amount;
        this.save(r);
        this.fastOutstanding[r.srcChain]!.add(r.id);
        return;
      }
      case "FastAllowanceCredited":
        return;
      case "SettleFailed":
      case "RefundFailed":
      case "FinalizeFailed":
        return this.onFailure(ev.name, ev.id, ev.reason);
    }
  }

  /** A destination event for a send not seen yet (bounded: the oldest are forgotten; "already processed" finds them again). */
  private keepEarly(chain: string, ev: GatewayEventN, ts: number): void {
    const list = this.early.get(ev.id) ?? [];
    list.push({ chain, ev, ts });
    this.early.set(ev.id, list);
    if (this.early.size > 50_000) this.early.delete(this.early.keys().next().value!);
  }

  private onFailure(kind: string, id: Hex, reason: Hex): void {
    const r = this.rec(id);
    if (!r || (isTerminal(r) && kind === "SettleFailed")) return;
    const decoded = decodeRevert(reason);
    const err = decoded?.errorName ?? "Unknown";
    if (err === "MessageAlreadyProcessed") {
      this.stats.alreadySettled++; // another relayer got there first: success, not failure
      // If this relayer has not read that settlement (it passed it before it knew the send), look it up.
      if (kind === "SettleFailed") this.settledElsewhere[r.dstChain]!.add(id);
      if (kind === "FinalizeFailed" && r.state === "settled" && !r.finalized) {
        // Already finalized on the source (a settled transfer is never refunded): by this relayer before a restart, or another.
        this.apply(r, { kind: "finalizedElsewhere" }, this.opts.clock.now());
        this.save(r);
        this.awaitingFinalize.delete(r.id);
      }
      return;
    }
    r.lastError = err;
    if (kind === "SettleFailed") r.settleAttempts++;
    this.save(r);
    this.log.debug({ id, kind, error: err }, "batch item failed");
    if (kind === "FinalizeFailed") {
      // Out of gas or a transient failure: ask again, a few times (a finalized message answers "already processed").
      const n = (this.finalizeRetries.get(id) ?? 0) + 1;
      this.finalizeRetries.set(id, n);
      if (n <= 5) this.attestations.requestFinalize(r);
      return;
    }
    if (kind === "RefundFailed") {
      this.retryRefundLater(id); // re-requested by the deadline sweep
      return;
    }
    if (kind === "SettleFailed") {
      const item = this.lastSettle.get(id);
      if (item && err === "InsufficientLiquidity") {
        // Queued, with its wait measured, until liquidity arrives or the deadline passes (then refunded).
        // (Late, from a record that has moved on since the batch went out: nothing to park.)
        if (this.apply(r, { kind: "liquidityShort" }, this.opts.clock.now()).ignored) return;
        this.liquidityWait[r.dstChain]!.set(id, { item, since: this.liquidityWait[r.dstChain]!.get(id)?.since ?? this.opts.clock.now() });
        this.save(r);
        return;
      }
      if (err === "FastAllowanceExceeded") {
        // Wait for source finality, then settle without drawing on the allowance (unless the record moved on meanwhile).
        if (this.apply(r, { kind: "allowanceExceeded" }, this.opts.clock.now()).ignored) return;
        this.finalityWait[r.srcChain]!.add(id);
        this.save(r);
        return;
      }
      if (item && err === "RateLimited") {
        const wait = Number((decoded?.args[3] as bigint | undefined) ?? 60n);
        if (Number.isFinite(wait) && wait < 1e9) {
          this.retryAt.push({ at: this.opts.clock.now() + wait, job: { kind: "settle", id, item }, chain: r.dstChain });
          return;
        }
      }
      // Settlement cannot succeed now: the operator refunds it once that is safe (after the deadline).
      this.requestRefundOnce(r, err === "BelowMinAmountOut" ? "belowMinimum" : err === "DeadlinePassed" ? "expired" : "other");
    }
  }

  private checkConfirmations(chainName: string, head: number): void {
    const profile = this.opts.profiles[chainName]!;
    const waiting = this.awaiting[chainName]!;
    for (const id of waiting) {
      const r = this.rec(id)!;
      const need = confirmationsFor(profile, tierName(r.message.tier));
      if (head - r.srcBlock + 1 < need) continue;
      waiting.delete(id);
      // Counted once, from INITIATED (the screening step may have run first: late, ignored).
      if (this.apply(r, { kind: "confirmed" }, this.opts.clock.now()).ignored) continue;
      this.save(r);
      this.attestations.requestAttestation(r);
    }
  }

  /** Fast transfers: credits the allowance back once their source is final; retries those the allowance refused. */
  private checkFinality(chainName: string, head: number): void {
    const need = this.opts.profiles[chainName]!.standardConfirmations;
    const outstanding = this.fastOutstanding[chainName]!;
    if (outstanding.size > 0) {
      const byDst = new Map<string, TransferRecord[]>();
      for (const id of outstanding) {
        const r = this.rec(id)!;
        if (head - r.srcBlock + 1 < need) continue;
        outstanding.delete(id);
        const list = byDst.get(r.dstChain) ?? [];
        list.push(r);
        byDst.set(r.dstChain, list);
      }
      for (const list of byDst.values()) this.attestations.requestFinality(list);
    }
    const waiting = this.finalityWait[chainName]!;
    for (const id of waiting) {
      const r = this.rec(id)!;
      if (head - r.srcBlock + 1 < need) continue;
      waiting.delete(id);
      if (!isTerminal(r)) this.attestations.requestAttestation(r);
    }
  }

  /** Retries parked settlements whose destination pool now holds enough, and due rate-limited ones. */
  async retryParked(chainName: string): Promise<void> {
    const now = this.opts.clock.now();
    for (let i = this.retryAt.length - 1; i >= 0; i--) {
      const e = this.retryAt[i]!;
      if (e.chain === chainName && e.at <= now) {
        this.retryAt.splice(i, 1);
        this.queues[chainName]!.push(e.job);
      }
    }
    const parked = this.liquidityWait[chainName]!;
    if (parked.size === 0) return;
    const chain = this.opts.chains[chainName]!;
    const gateway = this.opts.deployment.chains[chainName]!.gateway;
    const available = new Map<Hex, bigint>();
    for (const [id, p] of parked) {
      const r = this.rec(id)!;
      if (isTerminal(r)) {
        parked.delete(id);
        continue;
      }
      const token = r.message.outputToken;
      if (!available.has(token)) {
        available.set(token, (await chain.client.readContract({ address: gateway, abi: gatewayAbiCached(), functionName: "liquidity", args: [token] })) as bigint);
      }
      const need = ((r.message.amount - r.message.fee) * p.item.rate) / 10n ** 18n;
      const left = available.get(token)!;
      if (left < need) continue; // first come, first served: later ones may still fit
      available.set(token, left - need);
      parked.delete(id);
      r.liquidityWaitSeconds = (r.liquidityWaitSeconds ?? 0) + (now - p.since);
      this.save(r);
      this.queues[chainName]!.push({ kind: "settle", id, item: p.item });
    }
  }

  /** Transfers parked for liquidity on each destination chain. */
  liquidityQueueDepth(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.liquidityWait).map(([k, v]) => [k, v.size]));
  }

  /** Requests refunds for open transfers past their deadline (plus grace). */
  checkDeadlines(): void {
    const now = this.opts.clock.now();
    const grace = this.opts.refundGraceSeconds ?? 0;
    for (const id of this.open) {
      const r = this.rec(id)!;
      if (now > Number(r.message.deadline) + grace) this.requestRefundOnce(r, "expired");
    }
  }

  private requestRefundOnce(r: TransferRecord, reason: RefundReason): void {
    if (this.refundRequested.has(r.id) || isTerminal(r)) return;
    this.refundRequested.add(r.id);
    r.refundReason = reason;
    this.save(r);
    this.attestations.requestRefund(r);
  }

  /** A refund request that could not be signed yet is retried later. */
  retryRefundLater(id: Hex): void {
    this.refundRequested.delete(id);
  }

  /** Persists a record changed outside the relayer (by the operator service). */
  touch(record: TransferRecord): void {
    this.save(record);
  }

  // ------------------------------------------------------------ delivering

  /** The last settlement item per open transfer, to retry it when it was parked. */
  private readonly lastSettle = new Map<Hex, SettleItem>();
  /** When this instance first could have sent each queued job (for the takeover delay between instances). */
  private readonly firstQueued = new WeakMap<Job, number>();
  /** Batches reloaded from the store after a restart, not yet checked against a node. */
  private readonly recovered = new WeakSet<Inflight>();
  /** Empty transactions sent to fill nonce gaps, by chain and nonce: their fees and when sent. */
  private readonly fillers: Record<string, Map<number, { fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }; at: number }>> = {};
  /** Delivery counters: stuck batches replaced (same nonce, higher fees), batches whose nonce another transaction took, nonce gaps filled. */
  readonly delivery = { replacements: 0, nonceLost: 0, noncesFilled: 0 };

  enqueueSettle(record: TransferRecord, item: SettleItem): void {
    this.lastSettle.set(record.id, item);
    this.queues[record.dstChain]!.push({ kind: "settle", id: record.id, item });
  }
  enqueueCredit(dstChain: string, ids: Hex[], signatures: Hex[]): void {
    this.queues[dstChain]!.push({ kind: "credit", id: ids[0]!, ids, signatures });
  }
  enqueueRefund(record: TransferRecord, item: RefundItem): void {
    this.queues[record.srcChain]!.push({ kind: "refund", id: record.id, item });
  }
  enqueueFinalize(record: TransferRecord, item: FinalizeItem): void {
    this.queues[record.srcChain]!.push({ kind: "finalize", id: record.id, item });
  }

  /**
   * One delivery step on `chainName`, as every driver runs it (the live daemon, the simulator between its
   * blocks, the bench): parked settlements the pool can now pay and due rate-limited ones back in the queue,
   * then the queue sent as batches. (Watching, `poll`, is the other step; a driver mines or waits between.)
   */
  async deliver(chainName: string): Promise<void> {
    await this.retryParked(chainName);
    await this.flush(chainName);
  }

  /** Sends everything queued for `chainName` as batch transactions (one per kind, split at maxBatch). */
  async flush(chainName: string): Promise<void> {
    const queue = this.queues[chainName]!;
    if (queue.length === 0) return;
    this.queues[chainName] = [];
    const max = this.opts.maxBatch ?? 50;
    const byKind = { settle: [] as Job[], refund: [] as Job[], finalize: [] as Job[], credit: [] as Job[] };
    const now = this.opts.clock.now();
    const inst = this.opts.instance;
    const taken = this.inflightKeys(chainName);
    const takenOver = new Set<Job>();
    for (const job of queue) {
      if (this.obsolete(job)) continue;
      const key = jobKey(job);
      if (taken.has(key)) {
        // The same job rides in a batch in flight (or earlier in this queue): wait for that outcome.
        this.queues[chainName]!.push(job);
        continue;
      }
      if (!this.firstQueued.has(job)) this.firstQueued.set(job, now);
      const owner = inst && inst.count > 1 ? Number(BigInt(job.id) % BigInt(inst.count)) : undefined;
      if (inst && owner !== undefined && owner !== inst.index) {
        // Another instance's job: it goes first; this one takes over only if that has not happened
        // `takeoverSeconds` (times this instance's place after the owner) after it could have sent the job itself.
        const place = (inst.index - owner + inst.count) % inst.count;
        if (now - this.firstQueued.get(job)! < inst.takeoverSeconds * place) {
          this.queues[chainName]!.push(job);
          continue;
        }
        takenOver.add(job);
      }
      taken.add(key);
      byKind[job.kind].push(job);
    }
    for (const [kind, jobs] of Object.entries(byKind) as [Job["kind"], Job[]][]) {
      // A credit carries its own signatures over its ids, so each goes in its own transaction.
      const size = kind === "credit" ? 1 : max;
      for (let i = 0; i < jobs.length; i += size) {
        const batch = jobs.slice(i, i + size);
        // A credit's outcome shows in no record: before taking one over, ask the chain whether it is still owed.
        if (kind === "credit" && takenOver.has(batch[0]!) && !(await this.creditOwed(chainName, batch[0]!))) continue;
        await this.sendBatch(chainName, kind, batch, now);
      }
    }
  }

  /** Signs a batch, records it as in flight (before sending: a crash in between leaves it to be checked), and sends it. */
  private async sendBatch(chainName: string, kind: Job["kind"], batch: Job[], now: number): Promise<void> {
    const sender = this.senders[chainName]!;
    const to = this.opts.deployment.chains[chainName]!.gateway;
    const items = kind === "credit" ? (batch[0] as Extract<Job, { kind: "credit" }>).ids.length : batch.length;
    const perItem = kind === "settle" ? GAS.settlePerItem : kind === "refund" ? GAS.refundPerItem : kind === "finalize" ? GAS.finalizePerItem : GAS.creditPerItem;
    const gas = GAS.settleBase + perItem * BigInt(items);
    let f: Inflight | undefined;
    try {
      const signed = await sender.sign({ to, data: encodeBatch(kind, batch), gas });
      f = { chain: chainName, kind, hashes: [signed.hash], nonce: signed.nonce, fees: signed.fees, to, gas, ids: batch.flatMap(jobIds), jobs: batch, firstSentAt: now, sentAt: now };
      this.opts.store.saveInflight(f);
      try {
        await sender.broadcast(signed, to);
      } catch (err) {
        // A timed-out call may have reached the pool all the same: ask before giving the transaction up.
        if (!(await sender.isKnown(signed.hash).catch(() => false))) throw err;
        sender.noteInFlight(signed.nonce);
      }
    } catch (err) {
      if (f?.id !== undefined) this.opts.store.removeInflight(f.id);
      this.stats.rpcErrors++;
      this.metrics.rpcErrors++;
      this.log.warn({ chain: chainName, err: (err as Error).message }, "batch submission failed; requeued");
      this.queues[chainName]!.push(...batch);
      return;
    }
    this.stats.batches++;
    this.metrics.batchSize.observe(items);
    this.stats.batchItems += batch.length;
    this.inflight[chainName]!.push(f);
    if (kind === "settle") {
      for (const j of batch) {
        const r = this.rec(j.id);
        if (r && !this.apply(r, { kind: "submitted" }, now).ignored) this.save(r);
      }
    }
  }

  /**
   * Checks the batches in flight on `chainName`. Mined (any of its transactions): done, or requeued
   * whole if it reverted. Not mined after `resubmitAfterSeconds`: replaced by a transaction with the
   * same nonce and higher fees (so the stuck one can never land as well). Its nonce taken by a
   * transaction that is none of its own: its jobs go out again with a fresh nonce.
   */
  private async checkInflight(chainName: string): Promise<void> {
    const list = this.inflight[chainName]!;
    if (list.length === 0) return;
    const chain = this.opts.chains[chainName]!;
    const sender = this.senders[chainName]!;
    // A receipt counts once the watcher has read its block's events, so the records know its outcome first.
    const readUpTo = this.opts.store.cursor(chainName) ?? Number.POSITIVE_INFINITY;
    const now = this.opts.clock.now();
    const resubmitAfter = this.opts.resubmitAfterSeconds ?? 60;
    let mined: number | undefined;
    const finished = new Set<Inflight>();
    const unmined: Inflight[] = [];
    for (const f of [...list]) {
      const receipt = await minedReceipt(chain, f.hashes);
      if (receipt) {
        if (receipt.blockNumber > readUpTo) continue;
        finished.add(f);
        this.opts.store.removeInflight(f.id!);
        this.recovered.delete(f);
        if (receipt.status === "reverted") {
          this.log.warn({ chain: chainName, hash: receipt.transactionHash, items: f.jobs.length }, "batch reverted; requeued");
          // Settlements already observed are done; refunds, finalizations and credits are idempotent on chain: resend.
          this.queues[chainName]!.push(...f.jobs.filter((j) => !this.obsolete(j)));
        }
        continue;
      }
      mined ??= await sender.minedNonce();
      if (mined > f.nonce) {
        // Its nonce is used, by none of its transactions (unless one was mined just now: look again next poll).
        if (await minedReceipt(chain, f.hashes)) continue;
        finished.add(f);
        this.opts.store.removeInflight(f.id!);
        this.recovered.delete(f);
        this.delivery.nonceLost++;
        this.log.warn({ chain: chainName, nonce: f.nonce, hashes: f.hashes, items: f.jobs.length }, "batch nonce used by another transaction; requeued with a fresh nonce");
        sender.invalidate();
        this.queues[chainName]!.push(...f.jobs.filter((j) => !this.obsolete(j)));
        continue;
      }
      unmined.push(f);
      // A batch from before a restart that no node knows (lost in a crash or a node restart) goes again at once.
      const lostInRestart = this.recovered.has(f) && !(await sender.isKnown(f.hashes.at(-1)!).catch(() => true));
      this.recovered.delete(f);
      if (now - f.sentAt < resubmitAfter && !lostInRestart) continue;
      await this.replace(chainName, f, now);
    }
    if (finished.size > 0) this.inflight[chainName] = this.inflight[chainName]!.filter((f) => !finished.has(f));
    // Nonces below every batch still waiting that nothing fills (a mined transaction dropped in a reorg,
    // or a transaction that never arrived): no batch above can be mined until they are.
    const lowest = unmined.reduce<Inflight | undefined>((lo, f) => (lo && lo.nonce <= f.nonce ? lo : f), undefined);
    const fillers = this.fillers[chainName] ??= new Map();
    if (mined !== undefined) for (const n of fillers.keys()) if (n < mined) fillers.delete(n);
    if (lowest && mined !== undefined && mined < lowest.nonce && now - lowest.firstSentAt >= resubmitAfter) {
      await this.fillNonces(chainName, mined, Math.min(lowest.nonce, mined + 16), now, resubmitAfter);
    }
  }

  /**
   * Sends empty transactions (to itself, no value) at nonces `from` up to `to` (exclusive), so the
   * batches above them can be mined; one not mined after `resubmitAfter` is replaced like a batch.
   */
  private async fillNonces(chainName: string, from: number, to: number, now: number, resubmitAfter: number): Promise<void> {
    const sender = this.senders[chainName]!;
    const fillers = this.fillers[chainName]!;
    for (let nonce = from; nonce < to; nonce++) {
      const prev = fillers.get(nonce);
      if (prev && now - prev.at < resubmitAfter) continue;
      try {
        const fees = (await sender.replacementFees(prev?.fees ?? { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })) ?? prev?.fees;
        if (!fees) continue;
        fillers.set(nonce, { fees, at: now });
        await sender.broadcast(await sender.sign({ to: sender.address, gas: 21_000n, value: 0n }, { nonce, fees }));
        this.delivery.noncesFilled++;
        this.log.warn({ chain: chainName, nonce, maxFeePerGas: fees.maxFeePerGas.toString() }, "nonce gap below the batches in flight; filled with an empty transaction");
      } catch (err) {
        this.log.warn({ chain: chainName, nonce, err: (err as Error).message }, "could not fill a nonce gap; trying again later");
      }
    }
  }

  /**
   * Sends a batch again under its own nonce, each fee raised by at least the sender's bump (and to
   * the chain's current level), up to its cap. At the cap, a transaction still in the pool waits;
   * one the node dropped is sent again at the same fees.
   */
  private async replace(chainName: string, f: Inflight, now: number): Promise<void> {
    const sender = this.senders[chainName]!;
    const latest = f.hashes.at(-1)!;
    try {
      const bumped = await sender.replacementFees(f.fees);
      if (!bumped && (await sender.isKnown(latest))) {
        f.sentAt = now;
        this.log.warn({ chain: chainName, nonce: f.nonce, hash: latest, maxFeePerGas: f.fees.maxFeePerGas.toString() }, "batch not mined, and its fee is at the cap; waiting");
        return;
      }
      const fees = bumped ?? f.fees;
      const signed = await sender.sign({ to: f.to, data: encodeBatch(f.kind, f.jobs), gas: f.gas }, { nonce: f.nonce, fees });
      const before = f.fees;
      if (signed.hash !== latest) f.hashes.push(signed.hash);
      f.fees = fees;
      f.sentAt = now;
      this.opts.store.saveInflight(f);
      this.delivery.replacements++;
      this.log.warn(
        {
          chain: chainName,
          nonce: f.nonce,
          replaced: latest,
          hash: signed.hash,
          items: f.jobs.length,
          maxFeePerGas: `${before.maxFeePerGas} -> ${fees.maxFeePerGas}`,
          maxPriorityFeePerGas: `${before.maxPriorityFeePerGas} -> ${fees.maxPriorityFeePerGas}`,
        },
        bumped ? "batch not mined in time; replaced (same nonce, higher fees)" : "batch dropped by the node; sent again (same nonce and fees, at the cap)",
      );
      // New batches take the chain's fee level now, not the one that left this batch behind.
      sender.invalidate();
      await sender.broadcast(signed, f.to);
    } catch (err) {
      // Refused (the node wants a larger bump, or the nonce was mined meanwhile) or unreachable: the next check decides.
      this.stats.rpcErrors++;
      this.metrics.rpcErrors++;
      this.log.warn({ chain: chainName, nonce: f.nonce, err: (err as Error).message }, "replacement not accepted; checking again later");
    }
  }

  /**
   * After a restart: the batches the store shows in flight are checked again (receipt, or replace
   * under the same nonce) instead of being sent anew; their jobs stay out of new batches meanwhile.
   */
  private recoverInflight(): void {
    for (const chainName of Object.keys(this.opts.chains)) {
      for (const f of this.opts.store.inflight<Job>(chainName)) {
        this.inflight[chainName]!.push(f);
        this.recovered.add(f);
        this.senders[chainName]!.noteInFlight(f.nonce);
        for (const j of f.jobs) if (j.kind === "settle" && !this.lastSettle.has(j.id)) this.lastSettle.set(j.id, j.item);
      }
    }
  }

  /** A job whose outcome the records already show: a settlement or refund of a finished transfer, a finalization done. */
  private obsolete(job: Job): boolean {
    if (job.kind === "credit") return false;
    const r = this.rec(job.id);
    if (!r) return false;
    return job.kind === "finalize" ? r.finalized === true || r.state === "dropped" : isTerminal(r);
  }

  /** Whether any id of a Fast allowance credit still holds a debit on chain (on a failed read: assume so). */
  private async creditOwed(chainName: string, job: Job): Promise<boolean> {
    const chain = this.opts.chains[chainName]!;
    const gateway = this.opts.deployment.chains[chainName]!.gateway;
    try {
      for (const id of jobIds(job)) {
        if (((await chain.client.readContract({ address: gateway, abi: gatewayAbiCached(), functionName: "fastDebit", args: [id] })) as bigint) !== 0n) return true;
      }
      return false;
    } catch {
      return true;
    }
  }

  /** Keys of the jobs in batches in flight on `chainName`. */
  private inflightKeys(chainName: string): Set<string> {
    const keys = new Set<string>();
    for (const f of this.inflight[chainName]!) for (const j of f.jobs) keys.add(jobKey(j));
    return keys;
  }

  private currencyOf(chainName: string, token: Hex): Currency {
    const tokens = this.opts.deployment.chains[chainName]!.tokens;
    for (const [cur, addr] of Object.entries(tokens)) if (addr.toLowerCase() === token.toLowerCase()) return cur as Currency;
    return "USD";
  }
}

function creditArgs(batch: Job[]): [Hex[], Hex[]] {
  const first = batch[0] as Extract<Job, { kind: "credit" }>;
  return [first.ids, first.signatures];
}

/** The calldata of a batch of jobs of one kind. */
function encodeBatch(kind: Job["kind"], batch: Job[]): Hex {
  return kind === "settle"
    ? encodeSettleBatch(batch.map((j) => (j as Extract<Job, { kind: "settle" }>).item))
    : kind === "refund"
      ? encodeRefundBatch(batch.map((j) => (j as Extract<Job, { kind: "refund" }>).item))
      : kind === "finalize"
        ? encodeFinalizeBatch(batch.map((j) => (j as Extract<Job, { kind: "finalize" }>).item))
        : encodeCreditFastAllowance(...creditArgs(batch));
}

const jobIds = (j: Job): Hex[] => (j.kind === "credit" ? j.ids : [j.id]);
const jobKey = (j: Job): string => `${j.kind}:${jobIds(j).join(",")}`;

/** The receipt of whichever of a batch's transactions was mined (the latest is the likeliest), or null. */
async function minedReceipt(chain: Chain, hashes: readonly Hex[]): Promise<Receipt | null> {
  for (let i = hashes.length - 1; i >= 0; i--) {
    const r = await getReceipt(chain, hashes[i]!);
    if (r) return r;
  }
  return null;
}

interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  transactionHash: Hex;
  logIndex: Hex;
}
type RawLogN = Omit<RawLog, "blockNumber"> & { blockNumber: number };
type GatewayEventN = ReturnType<typeof decodeGatewayLogs<RawLogN>>[number];
const SETTLED_TOPIC = toEventSelector(gatewayAbi().find((x) => x.type === "event" && x.name === "TransferSettled")! as never);
const DEBITED_TOPIC = toEventSelector(gatewayAbi().find((x) => x.type === "event" && x.name === "FastAllowanceDebited")! as never);

const hex = (n: number): Hex => `0x${n.toString(16)}`;
const gatewayAbiCached = gatewayAbi;

