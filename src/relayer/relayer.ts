import type { Hex } from "viem";
import type { Logger } from "pino";
import type { Chain } from "../chains/chain.js";
import type { ChainProfile } from "../chains/profiles.js";
import { getBlock } from "../chains/mining.js";
import type { ReplacementPolicy } from "../chains/tx-sender.js";
import type { Deployment } from "../contracts/deploy.js";
import type { FinalizeItem, RefundItem, SettleItem } from "../contracts/gateway.js";
import type { Clock } from "../domain/clock.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { Advanced, LifecycleEvent } from "../domain/lifecycle.js";
import type { TransferStore } from "./store.js";
import type { AttestBatch } from "../operator/attester.js";
import type { SignedBatch } from "../operator/operator.js";
import { RelayerMetrics } from "./metrics.js";
import type { RelayerContext, RelayerStats } from "./context.js";
import { Records } from "./records.js";
import { Tracker } from "./tracker.js";
import { Delivery, type DeliveryCounters } from "./delivery.js";
import { EventFollower } from "./event-follower.js";
import { ReorgGuard } from "./reorg-guard.js";

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
  /** The attesters' signatures over a batch about to be sent (items left out are in `refused`). */
  signBatch(batch: AttestBatch): Promise<SignedBatch>;
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

/**
 * The relayer: watches each gateway's events from a cursor, waits for each tier's
 * confirmations, asks the operator to attest, and carries settlements (to the destination),
 * refunds and finalizations (to the source) in batches. It is untrusted: it moves nothing
 * the attesters did not sign, and it learns outcomes from the chains' events, not from its
 * own bookkeeping, so several instances can run at once.
 *
 * A coordinator over its parts, which share one RelayerContext: the records (records.ts, the only
 * path by which a record's state changes, through the lifecycle), what each transfer waits for
 * (tracker.ts), following the gateways' events (event-follower.ts), reorganisations
 * (reorg-guard.ts), and delivery: queues, batches, nonces and fees (delivery.ts).
 */
export class Relayer {
  private attestations?: AttestationService;
  private readonly log: Logger;
  private readonly records: Records;
  private readonly tracker: Tracker;
  private readonly outbound: Delivery;
  private readonly follower: EventFollower;
  private readonly reorgs: ReorgGuard;
  /** Counters for reports and metrics. */
  readonly stats: RelayerStats = { batches: 0, batchItems: 0, rpcErrors: 0, alreadySettled: 0 };
  readonly metrics = new RelayerMetrics(() => ({
    open: this.records.openCounts(),
    queued: this.outbound.queueDepth(),
    inFlight: this.outbound.inflightDepth(),
    parked: this.outbound.liquidityQueueDepth(),
  }));
  /** Delivery counters: stuck batches replaced (same nonce, higher fees), batches whose nonce another transaction took, nonce gaps filled. */
  readonly delivery: DeliveryCounters;

  constructor(private readonly opts: RelayerOptions) {
    this.log = opts.logger.child({ module: "relayer" });
    // A finished record is forgotten everywhere, so memory does not grow with the transfers so far.
    this.records = new Records(opts.store, this.log, this.metrics, (id) => {
      this.outbound.finished(id);
      this.tracker.finished(id);
    });
    // The operator is connected after construction: the parts reach it through this.
    const operator = (): AttestationService => this.attestations!;
    const attestations: AttestationService = {
      requestAttestation: (r) => operator().requestAttestation(r),
      requestRefund: (r) => operator().requestRefund(r),
      requestFinalize: (r) => operator().requestFinalize(r),
      requestFinality: (rs) => operator().requestFinality(rs),
      signBatch: (b) => operator().signBatch(b),
    };
    const ctx: RelayerContext = { opts, log: this.log, stats: this.stats, metrics: this.metrics, records: this.records, attestations };
    this.tracker = new Tracker(ctx, Object.keys(opts.chains));
    this.outbound = new Delivery(ctx, this.tracker);
    this.follower = new EventFollower(ctx, this.tracker, this.outbound);
    this.reorgs = new ReorgGuard(ctx, this.follower, this.tracker, this.outbound);
    this.delivery = this.outbound.counters;
  }

  connect(attestations: AttestationService): void {
    this.attestations = attestations;
  }

  /** Transfers that reached settled or refunded. */
  get terminalCount(): number {
    return this.records.terminalCount;
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
      this.records.adopt(r);
      this.tracker.resume(r);
    }
    this.outbound.recoverInflight();
    return n;
  }

  get address(): Hex {
    return this.outbound.address;
  }

  /** Transfers not yet settled or refunded. */
  get openCount(): number {
    return this.tracker.openCount;
  }

  /** Whether anything is queued, in flight or awaiting confirmations. */
  busy(): boolean {
    return this.tracker.busy() || this.outbound.busy();
  }

  // ------------------------------------------------------------ watching

  /** Reads new gateway events on `chainName` up to its head and advances that chain's confirmations. */
  async poll(chainName: string): Promise<void> {
    const headBlock = await getBlock(this.opts.chains[chainName]!);
    const head = headBlock.number;
    await this.reorgs.watch(chainName, headBlock);
    await this.follower.lookUpSettlements(chainName);
    const readTo = await this.follower.readNew(chainName, head, headBlock);
    if (readTo === head) this.reorgs.remember(chainName, head, headBlock.hash);
    this.tracker.checkConfirmations(chainName, head);
    this.tracker.checkFinality(chainName, head);
    await this.outbound.checkInflight(chainName);
  }

  /** Requests refunds for open transfers past their deadline (plus grace). */
  checkDeadlines(): void {
    this.tracker.checkDeadlines();
  }

  /** A refund request that could not be signed yet is retried later. */
  retryRefundLater(id: Hex): void {
    this.tracker.retryRefundLater(id);
  }

  /** Moves a record on by an operator's answer, through the lifecycle (throws CORRIDOR_LIFECYCLE_ILLEGAL for one its state does not allow); `touch` saves it. */
  advance(record: TransferRecord, event: LifecycleEvent, at: number): Advanced {
    return this.records.apply(record, event, at);
  }

  /** Persists a record changed outside the relayer (by the operator service). */
  touch(record: TransferRecord): void {
    this.records.save(record);
  }

  // ------------------------------------------------------------ delivering

  enqueueSettle(record: TransferRecord, item: SettleItem): void {
    this.outbound.enqueueSettle(record, item);
  }
  enqueueCredit(dstChain: string, ids: Hex[], signatures: Hex[]): void {
    this.outbound.enqueueCredit(dstChain, ids, signatures);
  }
  enqueueRefund(record: TransferRecord, item: RefundItem): void {
    this.outbound.enqueueRefund(record, item);
  }
  enqueueFinalize(record: TransferRecord, item: FinalizeItem): void {
    this.outbound.enqueueFinalize(record, item);
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

  /** Retries parked settlements whose destination pool now holds enough, and due rate-limited ones. */
  retryParked(chainName: string): Promise<void> {
    return this.outbound.retryParked(chainName);
  }

  /** Sends everything queued for `chainName` as batch transactions (one per kind, split at maxBatch). */
  flush(chainName: string): Promise<void> {
    return this.outbound.flush(chainName);
  }

  /** Transfers parked for liquidity on each destination chain. */
  liquidityQueueDepth(): Record<string, number> {
    return this.outbound.liquidityQueueDepth();
  }
}
