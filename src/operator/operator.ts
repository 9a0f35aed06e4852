/**
 * The corridor operator: one decision per transfer, owned by the operator. The relayer-facing
 * question is one, "what is the attestation for id X?", answered from the operator's own reading of
 * the chains and its own decision record (src/operator/decisions.ts): settle (once screening
 * allowed it or a person approved it), refund (once denied, or expired), hold, finalize (a settled
 * lock-and-release escrow), or nothing yet. Nothing a caller sends is believed: the id must be the
 * message's, the message must be what the source gateway holds under it (its hash is stored there),
 * its chains and tokens must be the deployment's, and currencies come from the token registry.
 * Screening runs once per id; asking again returns the same answer. The attesters' signatures are
 * collected per batch (`signBatch`): for the items of one gateway transaction, each checked against
 * the decision recorded here, then by each attester against the chains and its journal.
 */
import type { Hex } from "viem";
import type { Clock } from "../domain/clock.js";
import type { Currency } from "../domain/money.js";
import { CorridorError } from "../domain/errors.js";
import { amountOut, hashMessage, idOf, MODE, NO_QUOTE, REFUND_REASON, TIER, ZERO_HASH, type LockedQuote, type Message, type RefundReason } from "../domain/message.js";
import { rateToFixed18 } from "../domain/fx/quote.js";
import type { AuditEntry } from "../domain/compliance/types.js";
import { OUTBOUND_FINALIZED, OUTBOUND_REFUNDED } from "../contracts/gateway.js";
import { ChainView, ViewErrorCode, type ChainViewOptions, type Route } from "./chain-view.js";
import { MemoryDecisionStore, type Decision, type DecisionStore, type ReviewRecord, type ScreeningOutcome, type SignedOutcome } from "./decisions.js";
import type { AttesterQuorum } from "./quorum.js";
import type { AttestBatch, Refusal } from "./attester.js";
import type { Quoter } from "./quoter.js";
import type { Attestation, ComplianceSummary, SignedBatch } from "./http.js";

export type { Attestation, ComplianceSummary, SignedBatch };

/** What screening decided (the compliance pipeline plugs in here). */
export type ScreeningDecision =
  | { outcome: "allow" }
  | { outcome: "deny"; reason: string; hook?: string; jurisdiction?: string }
  | { outcome: "hold"; reason: string; hook?: string; jurisdiction?: string; reviewSeconds?: number };

/** A transfer as screening sees it: the message read from the chain, placed in the deployment. */
export interface ScreeningInput extends Route {
  id: Hex;
  message: Message;
}

export type Screen = (input: ScreeningInput, now: number) => Promise<ScreeningDecision> | ScreeningDecision;

/** What the relayer side needs from an operator, in this process or over HTTP (src/operator/http.ts). */
export interface OperatorApi {
  /** The attestation for this id (the message is the relayer's copy of the source event; it is checked against the source gateway). */
  attestation(id: Hex, message: Message): Promise<Attestation>;
  /** Source finality of Fast transfers the operator settled before finality, to credit the destination's Fast allowance back. */
  finality(ids: Hex[]): Promise<{ ids: Hex[]; signatures: Hex[] } | undefined>;
  /**
   * The attesters' signatures over one batch (the items of one gateway transaction). Items that are
   * not what the operator decided, or that an attester refuses, leave the batch (`refused`, with the
   * reason); `batch` is what the signatures cover (empty when nothing was left to sign).
   */
  signBatch(batch: AttestBatch): Promise<SignedBatch>;
}

export const OperatorErrorCode = {
  ReviewNotFound: "CORRIDOR_REVIEW_NOT_FOUND",
  ReviewDecided: "CORRIDOR_REVIEW_ALREADY_DECIDED",
  FinalityMixed: "CORRIDOR_FINALITY_INVALID",
} as const;

export interface OperatorOptions extends ChainViewOptions {
  attesters: AttesterQuorum;
  quoter: Quoter;
  screen?: Screen;
  clock: Clock;
  /** Decisions, reviews and the audit trail; in memory by default. */
  store?: DecisionStore;
  /** Told once when a transfer goes to review (a person decides through `review`). */
  onHold?: (d: Decision, reason: string, reviewSeconds: number | undefined) => void;
  /** Told of each screening outcome (the dashboard shows them). */
  onScreened?: (input: ScreeningInput, outcome: ScreeningOutcome) => void;
}

const summary = (d: Decision): ComplianceSummary | undefined =>
  d.screening && {
    outcome: d.screening.outcome,
    ...(d.screening.reason ? { reason: d.screening.reason } : {}),
    ...(d.screening.hook ? { hook: d.screening.hook } : {}),
    ...(d.screening.jurisdiction ? { jurisdiction: d.screening.jurisdiction } : {}),
    ...(d.review?.state === "approved" || d.review?.state === "denied" ? { reviewed: d.review.state } : {}),
  };

export class Operator implements OperatorApi {
  readonly store: DecisionStore;
  private readonly view: ChainView;
  /** Screenings running in this process, by id: a second ask waits for the first instead of screening again. */
  private readonly screening = new Map<string, Promise<ScreeningOutcome>>();

  constructor(private readonly opts: OperatorOptions) {
    this.store = opts.store ?? new MemoryDecisionStore();
    this.view = new ChainView(opts);
  }

  get quoter(): Quoter {
    return this.opts.quoter;
  }

  get attesters(): AttesterQuorum {
    return this.opts.attesters;
  }

  close(): void {
    this.store.close();
    this.opts.attesters.close();
  }

  /** Asks in flight in this process, by id and message: concurrent asks share one answer (and one round of signing). */
  private readonly asking = new Map<string, Promise<Attestation>>();

  attestation(id: Hex, message: Message): Promise<Attestation> {
    const key = `${id.toLowerCase()}:${hashMessage(message)}`;
    let answer = this.asking.get(key);
    if (!answer) {
      answer = this.answer(id, message).finally(() => this.asking.delete(key));
      this.asking.set(key, answer);
    }
    return answer;
  }

  private async answer(id: Hex, message: Message): Promise<Attestation> {
    const route = this.view.place(id, message);
    let known = this.store.get(id);
    const hash = hashMessage(message);
    const [outbound, consumed] = await Promise.all([this.view.outbound(route, id, 1), this.view.consumed(route, id)]);
    if (known && hashMessage(known.message) !== hash) {
      // Same id, so the same message but for `sentAt`: its send was mined again in another block after a
      // source reorg. Believe the chain: if it now holds this message, the decision carries over to it (the
      // outcome is the id's), and batches are signed over the new message from now on.
      if (outbound !== hash) throw new CorridorError(ViewErrorCode.IdMismatch, `the message given is not the one recorded for ${id}, nor the one its source holds`, { id });
      known = this.store.update(id, (cur) => ({ ...cur, message }))!;
    }
    if (consumed) {
      if (message.mode === MODE.lockRelease && outbound === hash) {
        if (!known) this.store.getOrCreate({ id, message, route });
        return { kind: "finalize" };
      }
      return { kind: "done", reason: outbound === OUTBOUND_FINALIZED ? "FINALIZED" : "SETTLED" };
    }
    if (outbound === OUTBOUND_REFUNDED) return { kind: "done", reason: "REFUNDED" };
    if (outbound !== hash) return { kind: "pending", reason: "NOT_PENDING_ON_SOURCE" };

    // Pending on its source, unsettled on its destination.
    let d = known ?? this.store.getOrCreate({ id, message, route });
    if (d.signed?.outcome === "refund") return this.refund(d, d.signed.reason, d.signed.detail);
    if (await this.view.pastDeadline(route, message)) return this.refund(d, "expired");
    if (d.signed?.outcome === "settle") return this.settleAgain(d);

    const send = await this.view.sendDepths(route, message, id);
    if (!send.atTier) return { kind: "pending", reason: "NOT_CONFIRMED_ON_SOURCE" };
    const screening = d.screening ?? (await this.screenOnce(d));
    d = this.store.get(id)!;
    if (screening.outcome === "deny") return this.refund(d, "denied", screening.reason);
    if (screening.outcome === "hold") {
      const review = d.review ?? this.openReview(d, screening);
      if (review.state === "denied") return this.refund(d, "denied", screening.reason);
      if (review.state !== "approved") return { kind: "hold", reason: screening.reason ?? "MANUAL_REVIEW", reviewSeconds: screening.reviewSeconds, compliance: summary(d) };
    }
    return this.settle(d, send.final);
  }

  /** Runs screening once per id: concurrent asks in this process share it, and the first outcome stored wins across processes. */
  private screenOnce(d: Decision): Promise<ScreeningOutcome> {
    const key = d.id.toLowerCase();
    let running = this.screening.get(key);
    if (!running) {
      running = (async () => {
        const now = this.opts.clock.now();
        const input: ScreeningInput = { id: d.id, message: d.message, ...d.route };
        const r = this.opts.screen ? await this.opts.screen(input, now) : ({ outcome: "allow" } as const);
        const outcome: ScreeningOutcome = {
          outcome: r.outcome,
          at: now,
          ...(r.outcome !== "allow" ? { reason: r.reason, ...(r.hook ? { hook: r.hook } : {}), ...(r.jurisdiction ? { jurisdiction: r.jurisdiction } : {}) } : {}),
          ...(r.outcome === "hold" && r.reviewSeconds !== undefined ? { reviewSeconds: r.reviewSeconds } : {}),
        };
        const stored = this.store.update(d.id, (cur) => (cur.screening ? undefined : { ...cur, screening: outcome }))!.screening!;
        if (stored === outcome || (stored.at === outcome.at && stored.outcome === outcome.outcome)) this.opts.onScreened?.(input, stored);
        return stored;
      })().finally(() => this.screening.delete(key));
      this.screening.set(key, running);
    }
    return running;
  }

  private openReview(d: Decision, screening: ScreeningOutcome): ReviewRecord {
    const review: ReviewRecord = { state: "pending", reason: screening.reason, openedAt: this.opts.clock.now() };
    let opened = false;
    const stored = this.store.update(d.id, (cur) => {
      if (cur.review) return undefined;
      opened = true;
      return { ...cur, review };
    })!;
    if (opened) this.opts.onHold?.(stored, screening.reason ?? "MANUAL_REVIEW", screening.reviewSeconds);
    return stored.review!;
  }

  /**
   * A person's decision on a held transfer (the review desk: `corridor review`, authenticated). Only a
   * pending review can be decided; who and when go to the decision record and the audit trail.
   */
  review(id: Hex, approve: boolean, by: string): Decision {
    const now = this.opts.clock.now();
    let decided = false;
    const d = this.store.update(id, (cur) => {
      if (cur.review?.state !== "pending") return undefined;
      decided = true;
      return { ...cur, review: { ...cur.review, state: approve ? "approved" : "denied", by, decidedAt: now } };
    });
    if (!d?.review) throw new CorridorError(OperatorErrorCode.ReviewNotFound, `no review for transfer ${id}`, { id });
    if (!decided) throw new CorridorError(OperatorErrorCode.ReviewDecided, `transfer ${id} was already ${d.review.state}${d.review.by ? ` by ${d.review.by}` : ""}`, { id, state: d.review.state });
    const entry: AuditEntry = { time: now, transferId: id, hook: "review", outcome: approve ? "allow" : "deny", reason: approve ? "REVIEW_APPROVED" : "REVIEW_DENIED", data: { by, heldFor: d.review.reason } };
    this.store.appendAudit([entry]);
    return d;
  }

  /** Decides the settlement's rate and claims the settle outcome (the attesters sign it with its batch). */
  private async settle(d: Decision, sourceFinal: boolean): Promise<Attestation> {
    const m = d.message;
    let rate: bigint;
    let mid: bigint;
    let quote = NO_QUOTE;
    let quoteSignature: Hex = "0x";
    if (m.quoteHash !== ZERO_HASH) {
      const locked = this.opts.quoter.lookup(m.quoteHash);
      if (!locked) return this.refund(d, "other", "UNKNOWN_QUOTE");
      ({ quote, signature: quoteSignature } = locked);
      rate = quote.rate;
      mid = rateToFixed18(locked.mid);
    } else if (m.mode === MODE.burnMint) {
      rate = 10n ** 18n;
      mid = rate;
    } else {
      const p = this.opts.quoter.price(d.route.inputCurrency as Currency, d.route.outputCurrency as Currency, this.opts.clock.now());
      rate = p.rate;
      mid = rateToFixed18(p.mid);
      // Without a locked quote, a payout below the sender's minimum means a full refund.
      if (amountOut(m, rate) < m.minAmountOut) return this.refund(d, "belowMinimum");
    }
    const claim: SignedOutcome = { outcome: "settle", rate, mid, sourceFinal, quote, quoteSignature, at: this.opts.clock.now() };
    const stored = this.store.update(d.id, (cur) => (cur.signed ? undefined : { ...cur, signed: claim }))!;
    if (stored.signed?.outcome === "refund") return this.refund(stored, stored.signed.reason, stored.signed.detail);
    return this.settleAgain(stored);
  }

  /** The settlement already decided, upgraded to `sourceFinal` once the source is final. */
  private async settleAgain(d: Decision): Promise<Attestation> {
    const s = d.signed as Extract<SignedOutcome, { outcome: "settle" }>;
    let sourceFinal = s.sourceFinal;
    if (!sourceFinal && d.message.tier === TIER.fast) sourceFinal = await this.view.sourceFinal(d.route, d.message, d.id);
    if (sourceFinal !== s.sourceFinal) {
      this.store.update(d.id, (cur) => (cur.signed?.outcome === "settle" ? { ...cur, signed: { ...cur.signed, sourceFinal } } : undefined));
    }
    return { kind: "settle", rate: s.rate, mid: s.mid, sourceFinal, quote: s.quote, quoteSignature: s.quoteSignature, compliance: summary(d) };
  }

  /**
   * Claims the refund outcome (the attesters sign it with its batch). A settlement already claimed
   * gives way only when `reason` is expiry (the caller read the destination past the deadline; each
   * attester reads it again before it signs).
   */
  private async refund(d: Decision, reason: RefundReason, detail?: string): Promise<Attestation> {
    const claim: SignedOutcome = { outcome: "refund", reason, ...(detail ? { detail } : {}), at: this.opts.clock.now() };
    const stored = this.store.update(d.id, (cur) => {
      if (cur.signed?.outcome === "refund") return undefined;
      if (cur.signed?.outcome === "settle" && reason !== "expired") return undefined;
      const afterSettleExpired = cur.signed?.outcome === "settle";
      const review = cur.review?.state === "pending" ? { ...cur.review, state: "expired" as const, decidedAt: claim.at } : cur.review;
      return { ...cur, review, signed: { ...claim, ...(afterSettleExpired ? { afterSettleExpired } : {}) } };
    })!;
    const s = stored.signed!;
    if (s.outcome === "settle") return this.settleAgain(stored);
    return { kind: "refund", reason: s.reason, ...(s.detail ? { detail: s.detail } : {}), compliance: summary(stored) };
  }

  async signBatch(batch: AttestBatch): Promise<SignedBatch> {
    const refused: Refusal[] = [];
    // A send mined again after a reorganisation keeps its id with another `sentAt`: asking about the
    // message given updates the decision to it if (and only if) its source now holds it.
    await Promise.all(
      (batch.items as { message: Message }[]).map(async (item) => {
        const id = idOf(item.message);
        const d = this.store.get(id);
        if (d && hashMessage(d.message) !== hashMessage(item.message)) await this.attestation(id, item.message).catch(() => undefined);
      }),
    );
    const items = (batch.items as { message: Message }[]).filter((item) => {
      const id = idOf(item.message);
      const reason = this.disagrees(batch.kind, id, item);
      if (reason) refused.push({ id, reason });
      return !reason;
    });
    const signed = await this.opts.attesters.signBatch({ kind: batch.kind, items } as AttestBatch);
    return { ...signed, refused: [...refused, ...signed.refused] };
  }

  /**
   * Why the operator would not have this item signed: it is not the outcome recorded for the id (a
   * settlement at another rate, or claiming a finality the operator did not see; a refund for another
   * reason; a finalization of a refunded transfer), or not the message recorded. Undefined when it agrees.
   */
  private disagrees(kind: AttestBatch["kind"], id: Hex, item: { message: Message; rate?: bigint; sourceFinal?: boolean; reason?: number }): string | undefined {
    const d = this.store.get(id);
    if (!d) return "UNKNOWN_TRANSFER";
    if (hashMessage(d.message) !== hashMessage(item.message)) return "NOT_THE_RECORDED_MESSAGE";
    const s = d.signed;
    if (kind === "settle") {
      if (s?.outcome !== "settle") return "NOT_DECIDED_TO_SETTLE";
      if (item.rate !== s.rate) return "SETTLED_AT_ANOTHER_RATE";
      if (item.sourceFinal && !s.sourceFinal) return "SOURCE_NOT_SEEN_FINAL";
      return undefined;
    }
    if (kind === "refund") {
      if (s?.outcome !== "refund") return "NOT_DECIDED_TO_REFUND";
      return item.reason === REFUND_REASON[s.reason] ? undefined : "REFUNDED_FOR_ANOTHER_REASON";
    }
    return s?.outcome === "refund" ? "REFUND_ALREADY_SIGNED" : undefined;
  }

  /**
   * Source finality of Fast transfers this operator settled, all to one destination: signed for those
   * whose source is final now (the messages come from the decision
   * records, not from the caller). Ids it knows nothing of are left out.
   */
  async finality(ids: Hex[]): Promise<{ ids: Hex[]; signatures: Hex[] } | undefined> {
    const settled: Decision[] = [];
    for (const id of new Set(ids.map((i) => i.toLowerCase() as Hex))) {
      const d = this.store.get(id);
      // Any settled id may be named: the gateway credits only ids that drew on the allowance, once.
      if (d?.signed?.outcome !== "settle") continue;
      if (settled.length > 0 && d.route.dstChain !== settled[0]!.route.dstChain) {
        throw new CorridorError(OperatorErrorCode.FinalityMixed, "finality is asked for transfers to one destination at a time", { id });
      }
      settled.push(d);
    }
    // All at once, so that the reads share calls.
    const isFinal = await Promise.all(settled.map((d) => this.view.sourceFinal(d.route, d.message, d.id)));
    const final = settled.filter((_, i) => isFinal[i]);
    if (final.length === 0) return undefined;
    const m = final[0]!.message;
    const messages = final.map((d) => d.message);
    return { ids: final.map((d) => d.id), signatures: await this.opts.attesters.signFinality(m.dstChainId, m.dstGateway, messages) };
  }
}
