import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { confirmationsFor, type ChainProfile } from "../chains/profiles.js";
import type { Deployment, Currency } from "../contracts/deploy.js";
import { gatewayAbi } from "../contracts/gateway.js";
import { getBlock } from "../chains/mining.js";
import { amountOut, hashMessage, MODE, NO_QUOTE, REFUND_REASON, tierName, ZERO_HASH, type LockedQuote, type RefundReason } from "../domain/message.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { Clock } from "../domain/clock.js";
import { rateToFixed18 } from "../domain/fx/quote.js";
import type { AttesterSet } from "./attesters.js";
import type { Quoter } from "./quoter.js";
import { MemoryJournal, type OperatorJournal } from "../domain/journal.js";

/** What screening decided (the compliance pipeline plugs in here). */
export type ScreeningDecision =
  | { outcome: "allow" }
  | { outcome: "deny"; reason: string }
  | { outcome: "hold"; reason: string; reviewSeconds?: number };

export type Screen = (record: TransferRecord, now: number) => Promise<ScreeningDecision> | ScreeningDecision;

export type AttestationResult =
  | { kind: "settle"; rate: bigint; mid: bigint; sourceFinal: boolean; signatures: Hex[]; quote: LockedQuote; quoteSignature: Hex }
  | { kind: "refund"; reason: RefundReason; detail?: string; signatures: Hex[] }
  | { kind: "hold"; reason: string; reviewSeconds?: number }
  /** Nothing signed: the source does not (yet) show this message, or a refund is not yet safe. */
  | { kind: "reject"; reason: string };

export interface OperatorOptions {
  chains: Record<string, Chain>;
  profiles: Record<string, ChainProfile>;
  deployment: Deployment;
  attesters: AttesterSet;
  quoter: Quoter;
  screen?: Screen;
  clock: Clock;
  /** Persists which settlements were signed (refund safety across restarts); in memory by default. */
  journal?: OperatorJournal;
  /** Live runs: holds go to a review desk and wait for a person. */
  reviews?: ReviewDesk;
}

/** What the relayer side needs from an operator, in process or over HTTP (src/operator/http.ts). */
export interface OperatorApi {
  attestTransfer(record: TransferRecord): Promise<AttestationResult>;
  quoteAndSign(record: TransferRecord): Promise<AttestationResult>;
  attestRefund(record: TransferRecord, reason: RefundReason): Promise<AttestationResult>;
  refundDenied(record: TransferRecord): Promise<AttestationResult>;
  attestFinalize(record: TransferRecord): Promise<Hex[] | undefined>;
  attestFinality(records: TransferRecord[]): Promise<{ ids: Hex[]; signatures: Hex[] } | undefined>;
  /** A held transfer's review: still pending ("hold"), or the settlement or refund it led to. */
  reviewOutcome(record: TransferRecord): Promise<AttestationResult>;
}

/** Where holds wait for a person (`corridor review`); absent in simulations, which model the review. */
export interface ReviewDesk {
  open(record: TransferRecord, reason: string): void;
  decision(id: Hex): "pending" | "approved" | "denied" | undefined;
}

/**
 * The corridor operator: screens, quotes and attests. It trusts no relayer: before signing
 * it reads the source gateway itself to check that the message was really sent, and it never
 * signs a refund for a transfer that could still settle.
 */
/** What `outbound(id)` holds once a lock-and-release escrow was released (CorridorGateway.FINALIZED). */
const OUTBOUND_FINALIZED: Hex = `0x${"0".repeat(63)}2`;

/** Whether `outbound(id)` shows the send (still pending, or already finalized) rather than nothing or a refund. */
function isFinalOutbound(stored: Hex | undefined, record: TransferRecord): boolean {
  return stored === hashMessage(record.message) || stored === OUTBOUND_FINALIZED;
}

export class Operator implements OperatorApi {
  /** Ids for which a settlement was signed: such a transfer may be refunded only once its deadline has passed unsettled. */
  private readonly journal: OperatorJournal;
  private readonly chainById: Map<number, Chain>;
  private readonly nameById: Map<number, string>;

  constructor(private readonly opts: OperatorOptions) {
    this.journal = opts.journal ?? new MemoryJournal();
    this.chainById = new Map(Object.values(opts.chains).map((c) => [c.chainId, c]));
    this.nameById = new Map(Object.entries(opts.chains).map(([n, c]) => [c.chainId, n]));
  }

  get quoter(): Quoter {
    return this.opts.quoter;
  }

  private chain(chainId: bigint): Chain {
    const c = this.chainById.get(Number(chainId));
    if (!c) throw new Error(`operator has no connection to chain ${chainId}`);
    return c;
  }

  /**
   * Reads the source gateway at its head: is this exact message pending under its id? (Before a
   * settlement is signed, `sendDepths` reads it at the tier's depth instead, so that a send that could
   * still be reorganised away does not count yet. The operator trusts no relayer: neither its claim
   * that the message exists nor its block number.)
   */
  async verifySent(record: TransferRecord): Promise<boolean> {
    return (await this.outboundAt(record, 1)) === hashMessage(record.message);
  }

  /** `outbound(id)` on the source as of `depth - 1` blocks below the head (undefined if the chain is not that long yet). */
  private async outboundAt(record: TransferRecord, depth: number, head?: number): Promise<Hex | undefined> {
    const m = record.message;
    const chain = this.chain(m.srcChainId);
    let blockNumber: bigint | undefined;
    if (depth > 1) {
      const at = (head ?? (await getBlock(chain)).number) - depth + 1;
      if (at < 0) return undefined;
      blockNumber = BigInt(at);
    }
    return (await chain.client.readContract({
      address: m.srcGateway,
      abi: gatewayAbi(),
      functionName: "outbound",
      args: [record.id],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    })) as Hex;
  }

  /** Confirmations the transfer's tier needs on its source chain. */
  private tierDepth(record: TransferRecord): number {
    return confirmationsFor(this.profileOf(record.message.srcChainId), tierName(record.message.tier));
  }

  private profileOf(chainId: bigint): ChainProfile {
    return this.opts.profiles[this.nameById.get(this.chain(chainId).chainId)!]!;
  }

  async isConsumed(record: TransferRecord): Promise<boolean> {
    const m = record.message;
    return (await this.chain(m.dstChainId).client.readContract({
      address: m.dstGateway,
      abi: gatewayAbi(),
      functionName: "consumed",
      args: [record.id],
    })) as boolean;
  }

  /**
   * Whether the message's send is final on its source: the gateway showed it (pending, or already
   * finalized) as of the block at the chain's Standard (hard-finality) depth. Read from the chain,
   * not from the relayer's record, so a send that was reorganised away is never called final.
   */
  async sourceFinal(record: TransferRecord): Promise<boolean> {
    return isFinalOutbound(await this.outboundAt(record, this.profileOf(record.message.srcChainId).standardConfirmations), record);
  }

  /**
   * The send as its source shows it at the tier's depth and at finality, read against one head
   * (and with one read when the two depths are the same, as for Standard transfers).
   */
  private async sendDepths(record: TransferRecord): Promise<{ atTier: boolean; final: boolean }> {
    const tier = this.tierDepth(record);
    const standard = this.profileOf(record.message.srcChainId).standardConfirmations;
    const head = Math.max(tier, standard) > 1 ? (await getBlock(this.chain(record.message.srcChainId))).number : undefined;
    const atTierStored = await this.outboundAt(record, tier, head);
    if (atTierStored !== hashMessage(record.message)) return { atTier: false, final: false };
    const finalStored = standard === tier ? atTierStored : await this.outboundAt(record, standard, head);
    return { atTier: true, final: isFinalOutbound(finalStored, record) };
  }

  /** Screens, quotes and signs a settlement (or a refund for a denial). */
  async attestTransfer(record: TransferRecord): Promise<AttestationResult> {
    const send = await this.sendDepths(record);
    if (!send.atTier) return { kind: "reject", reason: "NOT_PENDING_ON_SOURCE" };
    const decision = this.opts.screen ? await this.opts.screen(record, this.opts.clock.now()) : ({ outcome: "allow" } as const);
    if (decision.outcome === "hold") {
      this.opts.reviews?.open(record, decision.reason);
      return { kind: "hold", reason: decision.reason, reviewSeconds: decision.reviewSeconds };
    }
    if (decision.outcome === "deny") {
      // Never signed a settlement for it, so refunding at once is safe.
      return { kind: "refund", reason: "denied", detail: decision.reason, signatures: await this.opts.attesters.signRefund(record.message, REFUND_REASON.denied) };
    }
    return this.signSettlement(record, send.final);
  }

  /** Signs the settlement at the locked quote, or at the operator's own price now, once the send has its tier's depth. */
  async quoteAndSign(record: TransferRecord): Promise<AttestationResult> {
    const send = await this.sendDepths(record);
    if (!send.atTier) return { kind: "reject", reason: "NOT_PENDING_ON_SOURCE" };
    return this.signSettlement(record, send.final);
  }

  /** `sourceFinal`: whether the send was final when it was checked (if not, a Fast settlement draws on the Fast allowance). */
  private async signSettlement(record: TransferRecord, sourceFinal: boolean): Promise<AttestationResult> {
    const m = record.message;
    const now = this.opts.clock.now();
    let rate: bigint;
    let mid: bigint;
    let quote = NO_QUOTE;
    let quoteSignature: Hex = "0x";
    if (m.quoteHash !== ZERO_HASH) {
      const locked = this.opts.quoter.lookup(m.quoteHash);
      if (!locked) return this.refundNow(record, "other", "UNKNOWN_QUOTE");
      ({ quote, signature: quoteSignature } = locked);
      rate = quote.rate;
      mid = rateToFixed18(locked.mid);
    } else if (m.mode === MODE.burnMint) {
      rate = 10n ** 18n;
      mid = rate;
    } else {
      const p = this.opts.quoter.price(record.inputCurrency as Currency, record.outputCurrency as Currency, now);
      rate = p.rate;
      mid = rateToFixed18(p.mid);
      // Without a locked quote, a payout below the sender's minimum means a full refund.
      if (amountOut(m, rate) < m.minAmountOut) return this.refundNow(record, "belowMinimum");
    }
    this.journal.markSettleSigned(record.id);
    return { kind: "settle", rate, mid, sourceFinal, signatures: await this.opts.attesters.signSettle(m, rate, sourceFinal), quote, quoteSignature };
  }

  async reviewOutcome(record: TransferRecord): Promise<AttestationResult> {
    const d = this.opts.reviews?.decision(record.id);
    if (d === "approved") {
      record.compliance = { ...(record.compliance ?? { outcome: "hold" }), reviewed: "approved" };
      return this.quoteAndSign(record);
    }
    if (d === "denied") {
      record.compliance = { ...(record.compliance ?? { outcome: "hold" }), reviewed: "denied" };
      return this.refundDenied(record);
    }
    return { kind: "hold", reason: record.compliance?.reason ?? "MANUAL_REVIEW" };
  }

  /** A refund for a transfer denied after review (a settlement was never signed for it). */
  async refundDenied(record: TransferRecord): Promise<AttestationResult> {
    if (this.journal.wasSettleSigned(record.id)) return { kind: "reject", reason: "SETTLEMENT_ALREADY_SIGNED" };
    return this.refundNow(record, "denied", record.compliance?.reason);
  }

  private async refundNow(record: TransferRecord, reason: RefundReason, detail?: string): Promise<AttestationResult> {
    return { kind: "refund", reason, detail, signatures: await this.opts.attesters.signRefund(record.message, REFUND_REASON[reason]) };
  }

  /**
   * Signs a refund, if it is safe: the transfer must still be pending on the source and
   * unsettled on the destination; if a settlement was signed, the destination's clock must be
   * past the deadline, so that the signed settlement can no longer execute.
   */
  async attestRefund(record: TransferRecord, reason: RefundReason): Promise<AttestationResult> {
    if (!(await this.verifySent(record))) return { kind: "reject", reason: "NOT_PENDING_ON_SOURCE" };
    if (await this.isConsumed(record)) return { kind: "reject", reason: "ALREADY_SETTLED" };
    if (this.journal.wasSettleSigned(record.id)) {
      const dstNow = (await getBlock(this.chain(record.message.dstChainId))).timestamp;
      if (dstNow <= Number(record.message.deadline)) return { kind: "reject", reason: "SETTLEMENT_STILL_POSSIBLE" };
    }
    return this.refundNow(record, reason);
  }

  /** Signs the source-side finalization of a settled lock-and-release transfer. */
  async attestFinalize(record: TransferRecord): Promise<Hex[] | undefined> {
    if (!(await this.isConsumed(record))) return undefined;
    return this.opts.attesters.signFinalize(record.message);
  }

  /** Signs that the sources of these Fast transfers (all to one destination) are final, if they are. */
  async attestFinality(records: TransferRecord[]): Promise<{ ids: Hex[]; signatures: Hex[] } | undefined> {
    const final: TransferRecord[] = [];
    for (const r of records) if (await this.sourceFinal(r)) final.push(r);
    if (final.length === 0) return undefined;
    const m = final[0]!.message;
    const ids = final.map((r) => r.id);
    return { ids, signatures: await this.opts.attesters.signFinality(m.dstChainId, m.dstGateway, ids) };
  }
}
