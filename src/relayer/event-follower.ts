/**
 * Following the gateways' events: reading logs from each chain's cursor (bounded ranges), their
 * block times, decoding them, and what each event means for its transfer (`onEvent`), including
 * destination events read before their send (kept early) and settlements another relayer made.
 */
import { toEventSelector, type Hex } from "viem";
import { getBlock } from "../chains/mining.js";
import type { Currency } from "../domain/money.js";
import { decodeGatewayLogs, decodeRevert, gatewayAbi } from "../contracts/gateway.js";
import { MODE, REFUND_REASON } from "../domain/message.js";
import { isTerminal, type TransferRecord } from "../domain/transfer.js";
import type { LifecycleEvent } from "../domain/lifecycle.js";
import type { RelayerContext } from "./context.js";
import type { Delivery } from "./delivery.js";
import type { Tracker } from "./tracker.js";

interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash?: Hex;
  transactionHash: Hex;
  logIndex: Hex;
}
type RawLogN = Omit<RawLog, "blockNumber"> & { blockNumber: number };
type GatewayEventN = ReturnType<typeof decodeGatewayLogs<RawLogN>>[number];
const SETTLED_TOPIC = toEventSelector(gatewayAbi().find((x) => x.type === "event" && x.name === "TransferSettled")! as never);
const DEBITED_TOPIC = toEventSelector(gatewayAbi().find((x) => x.type === "event" && x.name === "FastAllowanceDebited")! as never);

const hex = (n: number): Hex => `0x${n.toString(16)}`;

export class EventFollower {
  private readonly nameById = new Map<number, string>();
  private readonly blockTimes = new Map<string, number>();
  /**
   * Destination events read before the relayer saw their send (another relayer settled it while
   * this one lagged on the source): applied when the send arrives.
   */
  private readonly early = new Map<Hex, { chain: string; ev: GatewayEventN; ts: number }[]>();
  /** Transfers the destination answered "already processed" for, by destination chain: their settlement is looked up. */
  private readonly settledElsewhere: Record<string, Set<Hex>> = {};

  constructor(
    private readonly ctx: RelayerContext,
    private readonly tracker: Tracker,
    private readonly delivery: Delivery,
  ) {
    for (const [n, c] of Object.entries(ctx.opts.chains)) {
      this.settledElsewhere[n] = new Set();
      this.nameById.set(c.chainId, n);
    }
  }

  /**
   * Reads `chainName`'s new gateway events from its cursor up to `head` (at most `maxLogRange` blocks),
   * applies them and moves the cursor, together; returns the last block read (undefined: nothing new).
   */
  async readNew(chainName: string, head: number, headBlock?: { hash: Hex; timestamp: number }): Promise<number | undefined> {
    const { store, startBlocks, maxLogRange } = this.ctx.opts;
    const from = (store.cursor(chainName) ?? (startBlocks?.[chainName] ?? head) - 1) + 1;
    if (from > head) return undefined;
    // Bounded ranges: a node may refuse a huge eth_getLogs after a long outage.
    const to = Math.min(head, from + (maxLogRange ?? 5_000) - 1);
    const events = await this.readEvents(chainName, from, to);
    const times = await this.timesOf(chainName, events, to === head ? headBlock : undefined);
    // Records and the cursor land together: a crash re-reads the whole range, and each event is idempotent.
    store.transaction(() => {
      for (const ev of events) this.onEvent(chainName, ev, times.get(ev.log.blockNumber)!);
      store.setCursor(chainName, to);
    });
    return to;
  }

  /**
   * Settlements this relayer did not read itself: its own batch item answered "already processed"
   * (another relayer settled it, and this one's cursor passed the event before it knew the send,
   * e.g. after a restart). Reads the destination's TransferSettled events for those ids.
   */
  async lookUpSettlements(chainName: string): Promise<void> {
    const ids = this.settledElsewhere[chainName]!;
    if (ids.size === 0) return;
    const batch = [...ids].slice(0, 100);
    const gateway = this.ctx.opts.deployment.chains[chainName]!.gateway;
    const logs = await this.ctx.opts.chains[chainName]!.request<RawLog[]>("eth_getLogs", [
      { address: gateway, fromBlock: hex(Math.max(0, this.ctx.opts.startBlocks?.[chainName] ?? 0)), toBlock: "latest", topics: [[SETTLED_TOPIC, DEBITED_TOPIC], batch] },
    ]);
    const events = decodeGatewayLogs(logs.map((l) => ({ ...l, blockNumber: Number(l.blockNumber) })));
    const times = await this.timesOf(chainName, events);
    this.ctx.opts.store.transaction(() => {
      for (const ev of events) this.onEvent(chainName, ev, times.get(ev.log.blockNumber)!);
    });
    for (const id of batch) ids.delete(id);
  }

  /** The gateway's events on `chainName` in blocks `from` to `to`, decoded. */
  async readEvents(chainName: string, from: number, to: number) {
    const gateway = this.ctx.opts.deployment.chains[chainName]!.gateway;
    const logs = await this.ctx.opts.chains[chainName]!.request<RawLog[]>("eth_getLogs", [{ address: gateway, fromBlock: hex(from), toBlock: hex(to) }]);
    return decodeGatewayLogs(logs.map((l) => ({ ...l, blockNumber: Number(l.blockNumber) })));
  }

  /**
   * The timestamps of the blocks `events` are in, by block number: the head's from the head already
   * read (for logs whose block hash is the head's), the others read all at once (one JSON-RPC batch).
   */
  private async timesOf(chainName: string, events: GatewayEventN[], head?: { hash: Hex; timestamp: number }): Promise<Map<number, number>> {
    const times = new Map<number, number>();
    const toRead = new Set<number>();
    for (const ev of events) {
      if (head !== undefined && ev.log.blockHash !== undefined && ev.log.blockHash === head.hash) times.set(ev.log.blockNumber, head.timestamp);
      else toRead.add(ev.log.blockNumber);
    }
    for (const b of toRead) if (times.has(b)) toRead.delete(b);
    await Promise.all([...toRead].map(async (b) => times.set(b, await this.blockTime(chainName, b))));
    return times;
  }

  private async blockTime(chainName: string, block: number): Promise<number> {
    const key = `${chainName}:${block}`;
    let t = this.blockTimes.get(key);
    if (t === undefined) {
      t = (await getBlock(this.ctx.opts.chains[chainName]!, block)).timestamp;
      this.blockTimes.set(key, t);
      if (this.blockTimes.size > 10_000) this.blockTimes.delete(this.blockTimes.keys().next().value!);
    }
    return t;
  }

  private onEvent(chainName: string, ev: GatewayEventN, ts: number): void {
    const { records, metrics } = this.ctx;
    switch (ev.name) {
      case "TransferSent": {
        const known = records.get(ev.id);
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
            records.apply(known, { kind: "sendRemined" }, ts);
            this.tracker.sent(chainName, ev.id);
          } else if (backed) {
            // Paid out, its send gone in a reorg, and now mined again: backed after all.
            records.apply(known, { kind: "sendRemined" }, ts);
            if (known.fastAllowanceUsed) this.tracker.fastDebited(chainName, known.id);
            if (known.message.mode === MODE.lockRelease && !known.finalized) this.tracker.awaitFinalize(known);
          }
          records.save(known);
          return;
        }
        const m = ev.message;
        const dst = this.nameById.get(Number(m.dstChainId));
        if (!dst) return this.ctx.log.warn({ id: ev.id, dstChainId: m.dstChainId.toString() }, "transfer to an unknown chain ignored");
        const inputCurrency = this.currencyOf(chainName, m.inputToken);
        const outputCurrency = this.currencyOf(dst, m.outputToken);
        if (!inputCurrency || !outputCurrency) {
          return this.ctx.log.warn({ id: ev.id, inputToken: m.inputToken, outputToken: m.outputToken }, "transfer with a token not in the deployment ignored");
        }
        const record: TransferRecord = {
          id: ev.id,
          message: m,
          srcChain: chainName,
          dstChain: dst,
          inputCurrency,
          outputCurrency,
          state: "initiated",
          stages: { initiated: ts },
          srcBlock: ev.log.blockNumber,
          srcTxHash: ev.log.transactionHash,
          settleAttempts: 0,
        };
        records.save(record);
        metrics.sent();
        this.tracker.sent(chainName, ev.id);
        const early = this.early.get(ev.id);
        if (early) {
          this.early.delete(ev.id);
          for (const e of early) this.onEvent(e.chain, e.ev, e.ts);
        }
        return;
      }
      case "TransferSettled": {
        const r = records.get(ev.id);
        if (!r) return this.keepEarly(chainName, ev, ts);
        // From DROPPED: attested before its send vanished, delivered anyway (by this relayer or another): exposure.
        const settled: LifecycleEvent = { kind: "settled", block: ev.log.blockNumber, tx: ev.log.transactionHash, amountOut: ev.amountOut, rate: ev.rate };
        if (!records.applyChainFact(r, settled, ts)) return;
        records.save(r);
        this.tracker.settled(r.id);
        if (r.message.mode === MODE.lockRelease && r.sourceReorgedAt === undefined) this.tracker.awaitFinalize(r);
        return;
      }
      case "TransferRefunded": {
        const r = records.get(ev.id);
        if (!r) return;
        const refunded: LifecycleEvent = { kind: "refunded", block: ev.log.blockNumber, reason: Object.keys(REFUND_REASON)[ev.reason] ?? "other" };
        if (!records.applyChainFact(r, refunded, ts)) return;
        records.save(r);
        this.tracker.refunded(r);
        return;
      }
      case "TransferFinalized": {
        const r = records.get(ev.id);
        if (!r) return;
        records.apply(r, { kind: "finalized", block: ev.log.blockNumber }, ts);
        records.save(r);
        this.tracker.finalized(r.id);
        return;
      }
      case "FastAllowanceDebited": {
        const r = records.get(ev.id);
        if (!r) return this.keepEarly(chainName, ev, ts);
        r.fastAllowanceUsed = ev.amount;
        records.save(r);
        this.tracker.fastDebited(r.srcChain, r.id);
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

  /** A batch item that failed on chain: what its revert reason means for the transfer. */
  private onFailure(kind: string, id: Hex, reason: Hex): void {
    const records = this.ctx.records;
    const clock = this.ctx.opts.clock;
    const r = records.get(id);
    if (!r || (isTerminal(r) && kind === "SettleFailed")) return;
    const decoded = decodeRevert(reason);
    const err = decoded?.errorName ?? "Unknown";
    if (err === "MessageAlreadyProcessed") {
      this.ctx.stats.alreadySettled++; // another relayer got there first: success, not failure
      // If this relayer has not read that settlement (it passed it before it knew the send), look it up.
      if (kind === "SettleFailed") this.settledElsewhere[r.dstChain]!.add(id);
      if (kind === "FinalizeFailed" && r.state === "settled" && !r.finalized) {
        // Already finalized on the source (a settled transfer is never refunded): by this relayer before a restart, or another.
        records.apply(r, { kind: "finalizedElsewhere" }, clock.now());
        records.save(r);
        this.tracker.finalized(r.id);
      }
      return;
    }
    r.lastError = err;
    if (kind === "SettleFailed") r.settleAttempts++;
    records.save(r);
    this.ctx.log.debug({ id, kind, error: err }, "batch item failed");
    if (kind === "FinalizeFailed") {
      // Out of gas or a transient failure: ask again, a few times.
      this.tracker.retryFinalize(r);
      return;
    }
    if (kind === "RefundFailed") {
      this.tracker.retryRefundLater(id); // re-requested by the deadline sweep
      return;
    }
    if (kind === "SettleFailed") {
      const item = this.delivery.lastSettlement(id);
      if (item && err === "InsufficientLiquidity") {
        // Queued, with its wait measured, until liquidity arrives or the deadline passes (then refunded).
        // (Late, from a record that has moved on since the batch went out: nothing to park.)
        if (records.apply(r, { kind: "liquidityShort" }, clock.now()).ignored) return;
        this.delivery.park(r, item, clock.now());
        records.save(r);
        return;
      }
      if (err === "FastAllowanceExceeded") {
        // Wait for source finality, then settle without drawing on the allowance (unless the record moved on meanwhile).
        if (records.apply(r, { kind: "allowanceExceeded" }, clock.now()).ignored) return;
        this.tracker.awaitFinality(r);
        records.save(r);
        return;
      }
      if (item && err === "RateLimited") {
        const wait = Number((decoded?.args[3] as bigint | undefined) ?? 60n);
        if (Number.isFinite(wait) && wait < 1e9) {
          this.delivery.retrySettleAt(r, item, clock.now() + wait);
          return;
        }
      }
      // Settlement cannot succeed now: the operator refunds it once that is safe (after the deadline).
      this.tracker.requestRefundOnce(r, err === "BelowMinAmountOut" ? "belowMinimum" : err === "DeadlinePassed" ? "expired" : "other");
    }
  }

  /** The currency `token` is on `chainName` by the deployment's registry; undefined for a token not in it. */
  private currencyOf(chainName: string, token: Hex): Currency | undefined {
    const tokens = this.ctx.opts.deployment.chains[chainName]!.tokens;
    for (const [cur, addr] of Object.entries(tokens)) if (addr.toLowerCase() === token.toLowerCase()) return cur as Currency;
    return undefined;
  }
}
