/**
 * Carrying jobs to the chains: the queues, settlements parked for liquidity or a rate limit, the
 * batch transactions (split by kind and size, several instances taking over each other's jobs),
 * and the batches in flight with their nonces: receipts, replacements at higher fees, nonce gaps
 * filled, and the batches a restart finds in the store.
 */
import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { getReceipt, TxSender, type Receipt } from "../chains/tx-sender.js";
import { gatewayAbi, GAS, type FinalizeItem, type RefundItem, type SettleItem } from "../contracts/gateway.js";
import { isTerminal, type TransferRecord } from "../domain/transfer.js";
import type { RelayerContext } from "./context.js";
import type { Tracker } from "./tracker.js";
import { attestBatchOf, encodeBatch, jobIds, jobKey, type Inflight, type Job } from "./jobs.js";

/** Delivery counters: stuck batches replaced (same nonce, higher fees), batches whose nonce another transaction took, nonce gaps filled. */
export interface DeliveryCounters {
  replacements: number;
  nonceLost: number;
  noncesFilled: number;
}

export class Delivery {
  private readonly senders: Record<string, TxSender>;
  private readonly queues: Record<string, Job[]> = {};
  private readonly inflight: Record<string, Inflight[]> = {};
  /** Settlements parked until the destination pool holds enough (by destination chain). */
  private readonly liquidityWait: Record<string, Map<Hex, { item: SettleItem; since: number }>> = {};
  /** Settlements to retry at a time (rate limits). */
  private readonly retryAt: { at: number; job: Job; chain: string }[] = [];
  /** The last settlement item per open transfer, to retry it when it was parked. */
  private readonly lastSettle = new Map<Hex, SettleItem>();
  /** When this instance first could have sent each queued job (for the takeover delay between instances). */
  private readonly firstQueued = new WeakMap<Job, number>();
  /** Batches reloaded from the store after a restart, not yet checked against a node. */
  private readonly recovered = new WeakSet<Inflight>();
  /** Empty transactions sent to fill nonce gaps, by chain and nonce: their fees and when sent. */
  private readonly fillers: Record<string, Map<number, { fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }; at: number }>> = {};
  readonly counters: DeliveryCounters = { replacements: 0, nonceLost: 0, noncesFilled: 0 };

  constructor(
    private readonly ctx: RelayerContext,
    private readonly tracker: Tracker,
  ) {
    const { chains, relayerKey, fees } = ctx.opts;
    this.senders = Object.fromEntries(Object.entries(chains).map(([n, c]) => [n, new TxSender(c, relayerKey, undefined, fees)]));
    for (const n of Object.keys(chains)) {
      this.queues[n] = [];
      this.inflight[n] = [];
      this.liquidityWait[n] = new Map();
    }
  }

  /** The relayer's address (the same key on every chain). */
  get address(): Hex {
    return Object.values(this.senders)[0]!.address;
  }

  /** Whether anything is queued or in flight. */
  busy(): boolean {
    return Object.values(this.queues).some((q) => q.length > 0) || Object.values(this.inflight).some((q) => q.length > 0);
  }

  /** Jobs queued for each chain. */
  queueDepth(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.queues).map(([k, q]) => [k, q.length]));
  }

  /** Batch transactions sent and not yet mined on each chain. */
  inflightDepth(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.inflight).map(([k, q]) => [k, q.length]));
  }

  /** Transfers parked for liquidity on each destination chain. */
  liquidityQueueDepth(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.liquidityWait).map(([k, v]) => [k, v.size]));
  }

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

  // ------------------------------------------------------------ settlements that failed

  /** The settlement item last queued for `id`, if any. */
  lastSettlement(id: Hex): SettleItem | undefined {
    return this.lastSettle.get(id);
  }

  /** A settlement the destination pool could not pay: parked (its wait measured from the first time) until liquidity arrives. */
  park(r: TransferRecord, item: SettleItem, now: number): void {
    this.liquidityWait[r.dstChain]!.set(r.id, { item, since: this.liquidityWait[r.dstChain]!.get(r.id)?.since ?? now });
  }

  /** A settlement the destination rate-limited: queued again at `at`. */
  retrySettleAt(r: TransferRecord, item: SettleItem, at: number): void {
    this.retryAt.push({ at, job: { kind: "settle", id: r.id, item }, chain: r.dstChain });
  }

  /** Its send is gone before it settled: nothing of it is delivered (credits, which cover several transfers, stay). */
  dropped(r: TransferRecord): void {
    this.liquidityWait[r.dstChain]!.delete(r.id);
    this.lastSettle.delete(r.id);
    for (const q of Object.values(this.queues)) {
      for (let i = q.length - 1; i >= 0; i--) if (q[i]!.id === r.id && q[i]!.kind !== "credit") q.splice(i, 1);
    }
  }

  /** A record saved finished: its last settlement item goes. */
  finished(id: Hex): void {
    this.lastSettle.delete(id);
  }

  /** Retries parked settlements whose destination pool now holds enough, and due rate-limited ones. */
  async retryParked(chainName: string): Promise<void> {
    const now = this.ctx.opts.clock.now();
    for (let i = this.retryAt.length - 1; i >= 0; i--) {
      const e = this.retryAt[i]!;
      if (e.chain === chainName && e.at <= now) {
        this.retryAt.splice(i, 1);
        this.queues[chainName]!.push(e.job);
      }
    }
    const parked = this.liquidityWait[chainName]!;
    if (parked.size === 0) return;
    const chain = this.ctx.opts.chains[chainName]!;
    const gateway = this.ctx.opts.deployment.chains[chainName]!.gateway;
    const available = new Map<Hex, bigint>();
    for (const [id, p] of parked) {
      const r = this.ctx.records.get(id)!;
      if (isTerminal(r)) {
        parked.delete(id);
        continue;
      }
      const token = r.message.outputToken;
      if (!available.has(token)) {
        available.set(token, (await chain.client.readContract({ address: gateway, abi: gatewayAbi(), functionName: "liquidity", args: [token] })) as bigint);
      }
      const need = ((r.message.amount - r.message.fee) * p.item.rate) / 10n ** 18n;
      const left = available.get(token)!;
      if (left < need) continue; // first come, first served: later ones may still fit
      available.set(token, left - need);
      parked.delete(id);
      r.liquidityWaitSeconds = (r.liquidityWaitSeconds ?? 0) + (now - p.since);
      this.ctx.records.save(r);
      this.queues[chainName]!.push({ kind: "settle", id, item: p.item });
    }
  }

  // ------------------------------------------------------------ batches

  /** Sends everything queued for `chainName` as batch transactions (one per kind, split at maxBatch). */
  async flush(chainName: string): Promise<void> {
    const queue = this.queues[chainName]!;
    if (queue.length === 0) return;
    this.queues[chainName] = [];
    const max = this.ctx.opts.maxBatch ?? 50;
    const byKind = { settle: [] as Job[], refund: [] as Job[], finalize: [] as Job[], credit: [] as Job[] };
    const now = this.ctx.opts.clock.now();
    const inst = this.ctx.opts.instance;
    const taken = this.inflightKeys(chainName);
    const takenOver = new Set<Job>();
    for (let job of queue) {
      if (this.obsolete(job)) continue;
      job = this.current(job);
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
      const batches: Job[][] = [];
      for (let i = 0; i < jobs.length; i += size) batches.push(jobs.slice(i, i + size));
      if (kind === "credit") {
        for (const batch of batches) {
          // A credit's outcome shows in no record: before taking one over, ask the chain whether it is still owed.
          if (takenOver.has(batch[0]!) && !(await this.creditOwed(chainName, batch[0]!))) continue;
          await this.sendBatch(chainName, kind, batch, undefined, now);
        }
        continue;
      }
      // The batches of one kind hold distinct jobs: they are attested all at once (the attesters' chain reads
      // for all of them share calls: issue 14), then sent one after the other, in order.
      const attested = await Promise.all(batches.map((batch) => this.attest(chainName, kind, batch, now)));
      for (const a of attested) if (a) await this.sendBatch(chainName, kind, a.batch, a.signatures, now);
    }
  }

  /**
   * Has the attesters sign the batch (settle, refund, finalize: one attestation for all its items; items
   * refused leave it and wait to be tried again). Undefined when nothing is left to send (a batch that
   * could not be attested at all is queued again).
   */
  private async attest(chainName: string, kind: Exclude<Job["kind"], "credit">, batch: Job[], now: number): Promise<{ batch: Job[]; signatures: Hex[] } | undefined> {
    try {
      const attested = await this.ctx.attestations.signBatch(attestBatchOf(kind, batch));
      if (attested.refused.length > 0) batch = this.leaveOut(kind, batch, attested.refused, now);
      return batch.length === 0 ? undefined : { batch, signatures: attested.signatures };
    } catch (err) {
      this.ctx.log.warn({ chain: chainName, kind, items: batch.length, err: (err as Error).message }, "batch not attested; requeued");
      this.queues[chainName]!.push(...batch);
      return undefined;
    }
  }

  /**
   * Signs the batch's transaction (with the attesters' `signatures`; a credit carries its own), records it
   * as in flight (before sending: a crash in between leaves it to be checked), and sends it.
   */
  private async sendBatch(chainName: string, kind: Job["kind"], batch: Job[], signatures: Hex[] | undefined, now: number): Promise<void> {
    const { stats, metrics, log, records } = this.ctx;
    const store = this.ctx.opts.store;
    const sender = this.senders[chainName]!;
    const to = this.ctx.opts.deployment.chains[chainName]!.gateway;
    const items = kind === "credit" ? (batch[0] as Extract<Job, { kind: "credit" }>).ids.length : batch.length;
    const perItem = kind === "settle" ? GAS.settlePerItem : kind === "refund" ? GAS.refundPerItem : kind === "finalize" ? GAS.finalizePerItem : GAS.creditPerItem;
    const gas = GAS.settleBase + perItem * BigInt(items);
    let f: Inflight | undefined;
    try {
      const signed = await sender.sign({ to, data: encodeBatch(kind, batch, signatures), gas });
      f = { chain: chainName, kind, hashes: [signed.hash], nonce: signed.nonce, fees: signed.fees, to, gas, ids: batch.flatMap(jobIds), jobs: batch, ...(signatures ? { signatures } : {}), firstSentAt: now, sentAt: now };
      store.saveInflight(f);
      try {
        await sender.broadcast(signed, to);
      } catch (err) {
        // A timed-out call may have reached the pool all the same: ask before giving the transaction up.
        if (!(await sender.isKnown(signed.hash).catch(() => false))) throw err;
        sender.noteInFlight(signed.nonce);
      }
    } catch (err) {
      if (f?.id !== undefined) store.removeInflight(f.id);
      stats.rpcErrors++;
      metrics.rpcErrors.inc();
      log.warn({ chain: chainName, err: (err as Error).message }, "batch submission failed; requeued");
      this.queues[chainName]!.push(...batch);
      return;
    }
    stats.batches++;
    metrics.batchItems.observe(items);
    stats.batchItems += batch.length;
    this.inflight[chainName]!.push(f);
    if (kind === "settle") {
      for (const j of batch) {
        const r = records.get(j.id);
        if (r && !records.apply(r, { kind: "submitted" }, now).ignored) records.save(r);
      }
    }
  }

  /**
   * The batch without the items the operator or an attester would not sign, which wait to be tried
   * again: a settlement in a while (by then it is settled, refunded, or signable), a refund at the next
   * deadline sweep, a finalization a few more times.
   */
  private leaveOut(kind: Job["kind"], batch: Job[], refused: { id: Hex; reason: string }[], now: number): Job[] {
    const out = new Map(refused.map((r) => [r.id.toLowerCase(), r.reason]));
    for (const job of batch) {
      const reason = out.get(job.id.toLowerCase());
      if (reason === undefined) continue;
      this.ctx.log.warn({ id: job.id, kind, reason }, "batch item not attested; tried again later");
      const r = this.ctx.records.get(job.id);
      if (!r) continue;
      if (job.kind === "settle") this.retrySettleAt(r, job.item, now + 30);
      else if (job.kind === "refund") this.tracker.retryRefundLater(job.id);
      else if (job.kind === "finalize") this.tracker.retryFinalize(r);
    }
    return batch.filter((j) => !out.has(j.id.toLowerCase()));
  }

  /**
   * Checks the batches in flight on `chainName`. Mined (any of its transactions): done, or requeued
   * whole if it reverted. Not mined after `resubmitAfterSeconds`: replaced by a transaction with the
   * same nonce and higher fees (so the stuck one can never land as well). Its nonce taken by a
   * transaction that is none of its own: its jobs go out again with a fresh nonce.
   */
  async checkInflight(chainName: string): Promise<void> {
    const list = this.inflight[chainName]!;
    if (list.length === 0) return;
    const { store } = this.ctx.opts;
    const chain = this.ctx.opts.chains[chainName]!;
    const sender = this.senders[chainName]!;
    // A receipt counts once the watcher has read its block's events, so the records know its outcome first.
    const readUpTo = store.cursor(chainName) ?? Number.POSITIVE_INFINITY;
    const now = this.ctx.opts.clock.now();
    const resubmitAfter = this.ctx.opts.resubmitAfterSeconds ?? 60;
    let mined: number | undefined;
    const finished = new Set<Inflight>();
    const unmined: Inflight[] = [];
    for (const f of [...list]) {
      const receipt = await minedReceipt(chain, f.hashes);
      if (receipt) {
        if (receipt.blockNumber > readUpTo) continue;
        finished.add(f);
        store.removeInflight(f.id!);
        this.recovered.delete(f);
        if (receipt.status === "reverted") {
          this.ctx.log.warn({ chain: chainName, hash: receipt.transactionHash, items: f.jobs.length }, "batch reverted; requeued");
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
        store.removeInflight(f.id!);
        this.recovered.delete(f);
        this.counters.nonceLost++;
        this.ctx.log.warn({ chain: chainName, nonce: f.nonce, hashes: f.hashes, items: f.jobs.length }, "batch nonce used by another transaction; requeued with a fresh nonce");
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
    const fillers = (this.fillers[chainName] ??= new Map());
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
        this.counters.noncesFilled++;
        this.ctx.log.warn({ chain: chainName, nonce, maxFeePerGas: fees.maxFeePerGas.toString() }, "nonce gap below the batches in flight; filled with an empty transaction");
      } catch (err) {
        this.ctx.log.warn({ chain: chainName, nonce, err: (err as Error).message }, "could not fill a nonce gap; trying again later");
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
        this.ctx.log.warn({ chain: chainName, nonce: f.nonce, hash: latest, maxFeePerGas: f.fees.maxFeePerGas.toString() }, "batch not mined, and its fee is at the cap; waiting");
        return;
      }
      const fees = bumped ?? f.fees;
      const signed = await sender.sign({ to: f.to, data: encodeBatch(f.kind, f.jobs, f.signatures), gas: f.gas }, { nonce: f.nonce, fees });
      const before = f.fees;
      if (signed.hash !== latest) f.hashes.push(signed.hash);
      f.fees = fees;
      f.sentAt = now;
      this.ctx.opts.store.saveInflight(f);
      this.counters.replacements++;
      this.ctx.log.warn(
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
      this.ctx.stats.rpcErrors++;
      this.ctx.metrics.rpcErrors.inc();
      this.ctx.log.warn({ chain: chainName, nonce: f.nonce, err: (err as Error).message }, "replacement not accepted; checking again later");
    }
  }

  /**
   * After a restart: the batches the store shows in flight are checked again (receipt, or replace
   * under the same nonce) instead of being sent anew; their jobs stay out of new batches meanwhile.
   */
  recoverInflight(): void {
    for (const chainName of Object.keys(this.ctx.opts.chains)) {
      for (const f of this.ctx.opts.store.inflight<Job>(chainName)) {
        this.inflight[chainName]!.push(f);
        this.recovered.add(f);
        this.senders[chainName]!.noteInFlight(f.nonce);
        for (const j of f.jobs) if (j.kind === "settle" && !this.lastSettle.has(j.id)) this.lastSettle.set(j.id, j.item);
      }
    }
  }

  /**
   * The job with its record's message: a send mined again after a reorganisation keeps its id but has
   * another `sentAt`, and the attesters sign only the message its source now holds.
   */
  private current(job: Job): Job {
    if (job.kind === "credit") return job;
    const r = this.ctx.records.get(job.id);
    if (!r || r.message.sentAt === job.item.message.sentAt) return job;
    return { ...job, item: { ...job.item, message: r.message } } as Job;
  }

  /** A job whose outcome the records already show: a settlement or refund of a finished transfer, a finalization done. */
  private obsolete(job: Job): boolean {
    if (job.kind === "credit") return false;
    const r = this.ctx.records.get(job.id);
    if (!r) return false;
    return job.kind === "finalize" ? r.finalized === true || r.state === "dropped" : isTerminal(r);
  }

  /** Whether any id of a Fast allowance credit still holds a debit on chain (on a failed read: assume so). */
  private async creditOwed(chainName: string, job: Job): Promise<boolean> {
    const chain = this.ctx.opts.chains[chainName]!;
    const gateway = this.ctx.opts.deployment.chains[chainName]!.gateway;
    try {
      for (const id of jobIds(job)) {
        if (((await chain.client.readContract({ address: gateway, abi: gatewayAbi(), functionName: "fastDebit", args: [id] })) as bigint) !== 0n) return true;
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
}

/** The receipt of whichever of a batch's transactions was mined (the latest is the likeliest), or null. */
async function minedReceipt(chain: Chain, hashes: readonly Hex[]): Promise<Receipt | null> {
  for (let i = hashes.length - 1; i >= 0; i--) {
    const r = await getReceipt(chain, hashes[i]!);
    if (r) return r;
  }
  return null;
}
