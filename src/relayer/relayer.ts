import type { Hex } from "viem";
import type { Logger } from "pino";
import type { Chain } from "../chains/chain.js";
import type { ChainProfile } from "../chains/profiles.js";
import { confirmationsFor } from "../chains/profiles.js";
import { getBlock } from "../chains/mining.js";
import { getReceipt, TxSender } from "../chains/tx-sender.js";
import type { Deployment, Currency } from "../contracts/deploy.js";
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
import type { TransferStore } from "./store.js";
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
  /** Called when a transfer needs a refund (expiry, or a settlement that cannot succeed). */
  requestRefund(record: TransferRecord, reason: RefundReason): void;
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
  /** Seconds without a receipt before a batch is resubmitted (default 60). */
  resubmitAfterSeconds?: number;
  /** First block to read on each chain when the store has no cursor yet (the deployment block); default the head. */
  startBlocks?: Record<string, number>;
  /** Largest block range per eth_getLogs call. */
  maxLogRange?: number;
  /**
   * Several relayers at once: instance `index` of `count` submits the settlements whose id falls to it
   * (id mod count) at once, and the others' only after `takeoverSeconds`, so that instances back each
   * other up without racing for every transfer.
   */
  instance?: { index: number; count: number; takeoverSeconds: number };
}

interface Inflight {
  hash: Hex;
  jobs: Job[];
  sentAt: number;
}

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
  /** Working copies of unfinished records (written through to the store on every change). */
  private readonly records = new Map<Hex, TransferRecord>();
  /** Counters for reports and metrics. */
  readonly stats = { batches: 0, batchItems: 0, rpcErrors: 0, alreadySettled: 0 };
  /** Settled lock-and-release transfers whose source escrow is not yet finalized. */
  private readonly awaitingFinalize = new Set<Hex>();
  /** Transfers that reached settled or refunded. */
  terminalCount = 0;
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
    this.senders = Object.fromEntries(Object.entries(opts.chains).map(([n, c]) => [n, new TxSender(c, opts.relayerKey)]));
    for (const [n, c] of Object.entries(opts.chains)) {
      this.queues[n] = [];
      this.inflight[n] = [];
      this.awaiting[n] = new Set();
      this.liquidityWait[n] = new Map();
      this.fastOutstanding[n] = new Set();
      this.finalityWait[n] = new Set();
      this.nameById.set(c.chainId, n);
    }
    this.log = opts.logger.child({ module: "relayer" });
  }

  connect(attestations: AttestationService): void {
    this.attestations = attestations;
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
    if (this.done(r)) this.records.delete(r.id);
    else this.records.set(r.id, r);
  }

  private done(r: TransferRecord): boolean {
    return isTerminal(r) && !(r.state === "settled" && r.message.mode === MODE.lockRelease && !r.finalized);
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
        case "held":
          break; // waits for its review
        case "refund_attested":
          this.refundRequested.add(r.id);
          this.attestations.requestRefund(r, (r.refundReason?.split(":")[0] as RefundReason | undefined) ?? "other");
          break;
        default:
          this.attestations.requestAttestation(r);
      }
    }
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
    const gateway = this.opts.deployment.chains[chainName]!.gateway;
    const head = (await getBlock(chain)).number;
    const from = (this.opts.store.cursor(chainName) ?? (this.opts.startBlocks?.[chainName] ?? head) - 1) + 1;
    if (from <= head) {
      // Bounded ranges: a node may refuse a huge eth_getLogs after a long outage.
      const to = Math.min(head, from + (this.opts.maxLogRange ?? 5_000) - 1);
      const logs = await chain.request<RawLog[]>("eth_getLogs", [{ address: gateway, fromBlock: hex(from), toBlock: hex(to) }]);
      const events = decodeGatewayLogs(logs.map((l) => ({ ...l, blockNumber: Number(l.blockNumber) })));
      const times = new Map<number, number>();
      for (const ev of events) if (!times.has(ev.log.blockNumber)) times.set(ev.log.blockNumber, await this.blockTime(chainName, ev.log.blockNumber));
      // Records and the cursor land together: a crash re-reads the whole range, and each event is idempotent.
      this.opts.store.transaction(() => {
        for (const ev of events) this.onEvent(chainName, ev, times.get(ev.log.blockNumber)!);
        this.opts.store.setCursor(chainName, to);
      });
    }
    this.checkConfirmations(chainName, head);
    this.checkFinality(chainName, head);
    await this.checkInflight(chainName);
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
        if (this.rec(ev.id)) return; // seen before (restart, or a re-read)
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
        return;
      }
      case "TransferSettled": {
        const r = this.rec(ev.id);
        if (!r || r.state === "settled") return;
        r.state = "settled";
        r.stages.settled = ts;
        r.dstBlock = ev.log.blockNumber;
        r.dstTxHash = ev.log.transactionHash;
        r.amountOut = ev.amountOut;
        r.rate = ev.rate;
        this.save(r);
        this.open.delete(r.id);
        this.terminalCount++;
        this.finalCounts.settled++;
        if (r.stages.initiated !== undefined) this.metrics.settlementSeconds.observe(ts - r.stages.initiated);
        if (r.message.mode === MODE.lockRelease) {
          this.awaitingFinalize.add(r.id);
          this.attestations.requestFinalize(r);
        }
        return;
      }
      case "TransferRefunded": {
        const r = this.rec(ev.id);
        if (!r || r.state === "refunded") return;
        r.state = "refunded";
        r.stages.refunded = ts;
        r.refundReason ??= Object.keys(REFUND_REASON)[ev.reason] ?? "other";
        this.save(r);
        this.open.delete(r.id);
        this.terminalCount++;
        this.finalCounts.refunded++;
        this.awaiting[r.srcChain]?.delete(r.id);
        return;
      }
      case "TransferFinalized": {
        const r = this.rec(ev.id);
        if (!r) return;
        r.finalized = true;
        r.stages.finalized = ts;
        this.save(r);
        this.awaitingFinalize.delete(r.id);
        return;
      }
      case "FastAllowanceDebited": {
        const r = this.rec(ev.id);
        if (!r) return;
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

  private onFailure(kind: string, id: Hex, reason: Hex): void {
    const r = this.rec(id);
    if (!r || (isTerminal(r) && kind === "SettleFailed")) return;
    const decoded = decodeRevert(reason);
    const err = decoded?.errorName ?? "Unknown";
    if (err === "MessageAlreadyProcessed") {
      this.stats.alreadySettled++; // another relayer got there first: success, not failure
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
        r.state = "attested";
        this.liquidityWait[r.dstChain]!.set(id, { item, since: this.liquidityWait[r.dstChain]!.get(id)?.since ?? this.opts.clock.now() });
        this.save(r);
        return;
      }
      if (err === "FastAllowanceExceeded") {
        // Wait for source finality, then settle without drawing on the allowance.
        r.state = "confirmed";
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
      if (r.state !== "initiated") continue;
      r.state = "confirmed";
      r.stages.confirmed = this.opts.clock.now();
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
    this.attestations.requestRefund(r, reason);
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

  /** Sends everything queued for `chainName` as batch transactions (one per kind, split at maxBatch). */
  async flush(chainName: string): Promise<void> {
    const queue = this.queues[chainName]!;
    if (queue.length === 0) return;
    this.queues[chainName] = [];
    const max = this.opts.maxBatch ?? 50;
    const byKind = { settle: [] as Job[], refund: [] as Job[], finalize: [] as Job[], credit: [] as Job[] };
    const now = this.opts.clock.now();
    const inst = this.opts.instance;
    for (const job of queue) {
      const r = this.rec(job.id);
      if (job.kind === "settle" && r && isTerminal(r)) continue;
      if (inst && inst.count > 1 && job.kind !== "credit" && BigInt(job.id) % BigInt(inst.count) !== BigInt(inst.index)) {
        const since = r?.stages.attested ?? r?.stages.refundAttested ?? now;
        if (now - since < inst.takeoverSeconds) {
          this.queues[chainName]!.push(job); // another instance's turn first
          continue;
        }
      }
      byKind[job.kind].push(job);
    }
    for (const [kind, jobs] of Object.entries(byKind) as [Job["kind"], Job[]][]) {
      // A credit carries its own signatures over its ids, so each goes in its own transaction.
      const size = kind === "credit" ? 1 : max;
      for (let i = 0; i < jobs.length; i += size) {
        const batch = jobs.slice(i, i + size);
        const data =
          kind === "settle"
            ? encodeSettleBatch(batch.map((j) => (j as Extract<Job, { kind: "settle" }>).item))
            : kind === "refund"
              ? encodeRefundBatch(batch.map((j) => (j as Extract<Job, { kind: "refund" }>).item))
              : kind === "finalize"
                ? encodeFinalizeBatch(batch.map((j) => (j as Extract<Job, { kind: "finalize" }>).item))
                : encodeCreditFastAllowance(...creditArgs(batch));
        const items = kind === "credit" ? (batch[0] as Extract<Job, { kind: "credit" }>).ids.length : batch.length;
        const perItem = kind === "settle" ? GAS.settlePerItem : kind === "refund" ? GAS.refundPerItem : kind === "finalize" ? GAS.finalizePerItem : GAS.creditPerItem;
        const to = this.opts.deployment.chains[chainName]!.gateway;
        let hash: Hex;
        try {
          hash = await this.senders[chainName]!.send({ to, data, gas: GAS.settleBase + perItem * BigInt(items) });
        } catch (err) {
          this.stats.rpcErrors++;
          this.metrics.rpcErrors++;
          this.log.warn({ chain: chainName, err }, "batch submission failed; requeued");
          this.queues[chainName]!.push(...batch);
          continue;
        }
        this.stats.batches++;
        this.metrics.batchSize.observe(items);
        this.stats.batchItems += batch.length;
        this.inflight[chainName]!.push({ hash, jobs: batch, sentAt: now });
        if (kind === "settle") {
          for (const j of batch) {
            const r = this.rec(j.id);
            if (r && !isTerminal(r)) {
              r.state = "submitted";
              r.stages.submitted ??= now;
              this.save(r);
            }
          }
        }
      }
    }
  }

  /** Checks receipts of batches in flight on `chainName`; a reverted batch is requeued whole. */
  private async checkInflight(chainName: string): Promise<void> {
    const list = this.inflight[chainName]!;
    if (list.length === 0) return;
    const still: Inflight[] = [];
    for (const f of list) {
      const receipt = await getReceipt(this.opts.chains[chainName]!, f.hash);
      if (!receipt) {
        if (this.opts.clock.now() - f.sentAt < (this.opts.resubmitAfterSeconds ?? 60)) {
          still.push(f);
          continue;
        }
        // Dropped (a nonce gap after a timed-out submission, or a node restart): re-read the nonce and send again.
        // Every job is idempotent on chain, so a copy that did land only costs an "already processed".
        this.log.warn({ chain: chainName, hash: f.hash, items: f.jobs.length }, "batch not mined in time; resubmitting");
        await this.senders[chainName]!.sync();
        this.queues[chainName]!.push(...f.jobs.filter((j) => j.kind !== "settle" || !isTerminal(this.rec(j.id)!)));
        continue;
      }
      if (receipt.status === "reverted") {
        this.log.warn({ chain: chainName, hash: f.hash, items: f.jobs.length }, "batch reverted; requeued");
        // Settlements already observed are done; refunds, finalizations and credits are idempotent on chain: resend.
        this.queues[chainName]!.push(...f.jobs.filter((j) => j.kind !== "settle" || !isTerminal(this.rec(j.id)!)));
      }
    }
    this.inflight[chainName] = still;
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

interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  transactionHash: Hex;
  logIndex: Hex;
}
type RawLogN = Omit<RawLog, "blockNumber"> & { blockNumber: number };

const hex = (n: number): Hex => `0x${n.toString(16)}`;
const gatewayAbiCached = gatewayAbi;

