/**
 * One attester: an independent signer with its own key, its own reading of the chains and its own
 * journal. It signs one batch at a time (the items of one gateway transaction: EIP-712 SettleBatch,
 * RefundBatch or FinalizeBatch), once, and only if every item passes its own check. Whoever asks it
 * (the operator's coordinator, or anyone else), it signs a settlement only for a message its source
 * gateway holds at the tier's depth, a refund only for a message still pending on its source and
 * unsettled on its destination, and never both for one id: each item's outcome is written to its
 * journal, in the same synchronous step that checks it, before the batch's signature leaves.
 * The one exception is DESIGN's: a refund after the destination's clock passed the deadline of a
 * settlement that never executed (it can no longer execute). So a compromised coordinator can stall
 * the corridor, but cannot collect m signatures for both outcomes of one transfer.
 */
import { DatabaseSync } from "node:sqlite";
import type { Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { z } from "zod";
import { signHash } from "../crypto/native.js";
import { CorridorError } from "../domain/errors.js";
import { finalityDigest, finalizeBatchDigest, hashMessage, hex32, idOf, refundBatchDigest, settleBatchDigest, type Message, type RefundTerms, type SettleTerms } from "../domain/message.js";
import { ChainView, type ChainViewOptions } from "./chain-view.js";

export const AttesterErrorCode = {
  Refused: "CORRIDOR_ATTESTER_REFUSED",
} as const;

export type Outcome = "settle" | "refund";

/** What an attester remembers of one id. */
export interface JournalEntry {
  id: Hex;
  outcome: Outcome;
  /** The settlement rate it signed (settle), or the refund reason (refund). */
  rate?: bigint;
  reason?: number;
  /** A refund that replaced an expired settlement. */
  afterExpiry?: boolean;
  at: number;
}

/** An attester's journal: one outcome per id, checked and written in one step. */
export interface AttesterJournal {
  get(id: Hex): JournalEntry | undefined;
  /**
   * Records `entry` if it is compatible with what the journal holds for its id (nothing; the same
   * outcome with the same rate or reason; or a settlement that `expired` allows to be replaced by a
   * refund). Returns the refusal's reason, or undefined when recorded. Atomic across processes.
   */
  claim(entry: JournalEntry, expired: boolean): string | undefined;
  close?(): void;
}

/** The rule itself, shared by both journals. */
export function judgeClaim(prev: JournalEntry | undefined, next: JournalEntry, expired: boolean): { refusal?: string; write: boolean } {
  if (!prev) return { write: true };
  if (prev.outcome === next.outcome) {
    if (next.outcome === "settle" && prev.rate !== next.rate) return { refusal: "SETTLED_AT_ANOTHER_RATE", write: false };
    if (next.outcome === "refund" && prev.reason !== next.reason) return { refusal: "REFUNDED_FOR_ANOTHER_REASON", write: false };
    return { write: false };
  }
  if (prev.outcome === "refund") return { refusal: "REFUND_ALREADY_SIGNED", write: false };
  // A settlement was signed: a refund only once it can no longer execute.
  if (!expired) return { refusal: "SETTLEMENT_ALREADY_SIGNED", write: false };
  return { write: true };
}

export class MemoryAttesterJournal implements AttesterJournal {
  private readonly entries = new Map<string, JournalEntry>();
  get(id: Hex) {
    return this.entries.get(id.toLowerCase());
  }
  claim(entry: JournalEntry, expired: boolean) {
    const j = judgeClaim(this.get(entry.id), entry, expired);
    if (j.write) this.entries.set(entry.id.toLowerCase(), { ...entry, afterExpiry: entry.outcome === "refund" && this.get(entry.id)?.outcome === "settle" });
    return j.refusal;
  }
}

/** The journal in its own SQLite file (WAL; several processes may share it, claims serialise on the write lock). */
export class SqliteAttesterJournal implements AttesterJournal {
  private readonly db: DatabaseSync;
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.db.exec("PRAGMA journal_mode = WAL");
    // FULL: a claim must survive a power cut before its signature leaves.
    this.db.exec("PRAGMA synchronous = FULL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS attester_journal (
      id TEXT PRIMARY KEY, outcome TEXT NOT NULL, rate TEXT, reason INTEGER, after_expiry INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL)`);
  }
  get(id: Hex): JournalEntry | undefined {
    const r = this.db.prepare("SELECT * FROM attester_journal WHERE id = ?").get(id.toLowerCase()) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      id: r.id as Hex,
      outcome: r.outcome as Outcome,
      ...(r.rate !== null ? { rate: BigInt(r.rate as string) } : {}),
      ...(r.reason !== null ? { reason: Number(r.reason) } : {}),
      afterExpiry: Number(r.after_expiry) === 1,
      at: Number(r.at),
    };
  }
  claim(entry: JournalEntry, expired: boolean): string | undefined {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const prev = this.get(entry.id);
      const j = judgeClaim(prev, entry, expired);
      if (j.write) {
        this.db
          .prepare(
            `INSERT INTO attester_journal (id, outcome, rate, reason, after_expiry, at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET outcome = excluded.outcome, rate = excluded.rate, reason = excluded.reason, after_expiry = excluded.after_expiry, at = excluded.at`,
          )
          .run(entry.id.toLowerCase(), entry.outcome, entry.rate?.toString() ?? null, entry.reason ?? null, prev?.outcome === "settle" ? 1 : 0, Math.floor(entry.at));
      }
      this.db.exec("COMMIT");
      return j.refusal;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }
  close() {
    this.db.close();
  }
}

/** A batch the attesters sign: the items of one gateway transaction, all for the same gateway. */
export type AttestBatch =
  | { kind: "settle"; items: SettleTerms[] }
  | { kind: "refund"; items: RefundTerms[] }
  | { kind: "finalize"; items: { message: Message }[] };

/** An item an attester would not sign, and why. */
export const RefusalSchema = z.object({ id: hex32, reason: z.string() });
export type Refusal = z.infer<typeof RefusalSchema>;

/** The digest of a batch, by its kind. */
export function batchDigest(batch: AttestBatch): Hex {
  return batch.kind === "settle" ? settleBatchDigest(batch.items) : batch.kind === "refund" ? refundBatchDigest(batch.items) : finalizeBatchDigest(batch.items.map((i) => i.message));
}

/** What a coordinator needs from an attester, in this process or behind a service. */
export interface AttesterClient {
  readonly address: Hex;
  /**
   * One signature over the whole batch, or CORRIDOR_ATTESTER_REFUSED whose details name every item
   * it would not sign (`refused`: id and reason); a batch without those may be asked again.
   */
  signBatch(batch: AttestBatch): Promise<Hex>;
  signFinality(dstChainId: bigint, dstGateway: Hex, messages: Message[]): Promise<Hex>;
  close?(): void;
}

export interface AttesterOptions extends ChainViewOptions {
  privateKey: Hex;
  journal?: AttesterJournal;
  /** Seconds now (for the journal's timestamps only). */
  now: () => number;
}

const refuse = (what: string, id: Hex | undefined, reason: string) =>
  new CorridorError(AttesterErrorCode.Refused, `attester refuses to sign ${what}${id ? ` for ${id}` : ""}: ${reason}`, { id, reason });

export class Attester implements AttesterClient {
  readonly address: Hex;
  private readonly view: ChainView;
  readonly journal: AttesterJournal;

  constructor(private readonly opts: AttesterOptions) {
    this.address = privateKeyToAddress(opts.privateKey);
    this.view = new ChainView(opts);
    this.journal = opts.journal ?? new MemoryAttesterJournal();
  }

  close(): void {
    this.journal.close?.();
  }

  /** libsecp256k1 where its binary loads (src/crypto/native.ts), else viem's pure-JS signer: the same signature either way. */
  private sign(hash: Hex): Promise<Hex> {
    return Promise.resolve(signHash(hash, this.opts.privateKey));
  }

  /**
   * Checks every item of the batch against the chains (the reads of all items at once, so that they
   * share calls) and claims each outcome in its journal; signs the batch only if none was refused.
   */
  async signBatch(batch: AttestBatch): Promise<Hex> {
    if (batch.items.length === 0) throw refuse("a batch", undefined, "EMPTY_BATCH");
    // The digest first: it throws on a batch for more than one gateway, before anything is claimed.
    const digest = batchDigest(batch);
    const what = batch.kind === "settle" ? "a settlement" : batch.kind === "refund" ? "a refund" : "a finalization";
    const checks: Promise<string | undefined>[] =
      batch.kind === "settle"
        ? batch.items.map((i) => this.checkSettle(i))
        : batch.kind === "refund"
          ? batch.items.map((i) => this.checkRefund(i))
          : batch.items.map((i) => this.checkFinalize(i.message));
    const outcomes = await Promise.allSettled(checks);
    const refused: Refusal[] = [];
    outcomes.forEach((o, i) => {
      const id = idOf(batch.items[i]!.message);
      if (o.status === "rejected") refused.push({ id, reason: (o.reason as CorridorError).details?.reason as string ?? (o.reason as Error).message });
      else if (o.value) refused.push({ id, reason: o.value });
    });
    if (refused.length > 0) {
      throw new CorridorError(AttesterErrorCode.Refused, `attester refuses to sign ${what} batch: ${refused.map((r) => `${r.id} ${r.reason}`).join("; ")}`, {
        reason: refused[0]!.reason,
        refused,
      });
    }
    return this.sign(digest);
  }

  /** A settlement, if the source holds this exact message at its tier's depth (and at finality, when `sourceFinal` is claimed). Returns a refusal's reason, or undefined once claimed. */
  private async checkSettle({ message: m, rate, sourceFinal }: SettleTerms): Promise<string | undefined> {
    const id = idOf(m);
    const route = this.view.place(id, m);
    const send = await this.view.sendDepths(route, m, id);
    if (!send.atTier) return "NOT_PENDING_ON_SOURCE_AT_TIER_DEPTH";
    if (sourceFinal && !send.final) return "SOURCE_NOT_FINAL";
    return this.journal.claim({ id, outcome: "settle", rate, at: this.opts.now() }, false);
  }

  /** A refund, if the message is still pending on its source and unsettled on its destination (and, after a settlement, past its deadline). */
  private async checkRefund({ message: m, reason }: RefundTerms): Promise<string | undefined> {
    const id = idOf(m);
    const route = this.view.place(id, m);
    const [outbound, consumed] = await Promise.all([this.view.outbound(route, id, 1), this.view.consumed(route, id)]);
    if (outbound !== hashMessage(m)) return "NOT_PENDING_ON_SOURCE";
    if (consumed) return "ALREADY_SETTLED";
    const settled = this.journal.get(id)?.outcome === "settle";
    // A settlement may be mined between the consumed read and the deadline read; once the destination's
    // head is past the deadline none can be mined any more, so reading `consumed` again then is final.
    const expired = settled && (await this.view.pastDeadline(route, m));
    if (settled && expired && (await this.view.consumed(route, id))) return "ALREADY_SETTLED";
    return this.journal.claim({ id, outcome: "refund", reason, at: this.opts.now() }, expired);
  }

  /** The source-side release of a settled lock-and-release escrow: only once the destination consumed the id. */
  private async checkFinalize(m: Message): Promise<string | undefined> {
    const id = idOf(m);
    const route = this.view.place(id, m);
    if (!(await this.view.consumed(route, id))) return "NOT_SETTLED";
    if (this.journal.get(id)?.outcome === "refund") return "REFUND_ALREADY_SIGNED";
    return undefined;
  }

  /** Source finality of Fast transfers, for the destination gateway that lent its Fast allowance. */
  async signFinality(dstChainId: bigint, dstGateway: Hex, messages: Message[]): Promise<Hex> {
    const placed = messages.map((m) => {
      const id = idOf(m);
      const route = this.view.place(id, m);
      if (m.dstChainId !== dstChainId || m.dstGateway.toLowerCase() !== dstGateway.toLowerCase()) throw refuse("finality", id, "OTHER_DESTINATION");
      return { id, route, m };
    });
    // All at once, so that the reads share calls.
    const final = await Promise.all(placed.map((p) => this.view.sourceFinal(p.route, p.m, p.id)));
    const notFinal = placed.find((_, i) => !final[i]);
    if (notFinal) throw refuse("finality", notFinal.id, "SOURCE_NOT_FINAL");
    return this.sign(finalityDigest(dstChainId, dstGateway, placed.map((p) => p.id)));
  }
}
