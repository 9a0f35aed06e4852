/**
 * One attester: an independent signer with its own key, its own reading of the chains and its own
 * journal. Whoever asks it (the operator's coordinator, or anyone else), it signs a settlement only
 * for a message its source gateway holds at the tier's depth, a refund only for a message still
 * pending on its source and unsettled on its destination, and never both for one id: the outcome is
 * written to its journal, in the same synchronous step that checks it, before the signature leaves.
 * The one exception is DESIGN's: a refund after the destination's clock passed the deadline of a
 * settlement that never executed (it can no longer execute). So a compromised coordinator can stall
 * the corridor, but cannot collect m signatures for both outcomes of one transfer.
 */
import { DatabaseSync } from "node:sqlite";
import type { Hex } from "viem";
import { privateKeyToAddress, sign } from "viem/accounts";
import { CorridorError } from "../domain/errors.js";
import { finalityDigest, finalizeDigest, hashMessage, idOf, refundDigest, settleDigest, type Message } from "../domain/message.js";
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

/** What a coordinator needs from an attester, in this process or behind a service. */
export interface AttesterClient {
  readonly address: Hex;
  signSettle(id: Hex, m: Message, rate: bigint, sourceFinal: boolean): Promise<Hex>;
  signRefund(id: Hex, m: Message, reason: number): Promise<Hex>;
  signFinalize(id: Hex, m: Message): Promise<Hex>;
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

  private sign(hash: Hex): Promise<Hex> {
    return sign({ hash, privateKey: this.opts.privateKey, to: "hex" });
  }

  /** A settlement, if the source holds this exact message at its tier's depth (and at finality, when `sourceFinal` is claimed). */
  async signSettle(id: Hex, m: Message, rate: bigint, sourceFinal: boolean): Promise<Hex> {
    const route = this.view.place(id, m);
    const send = await this.view.sendDepths(route, m, id);
    if (!send.atTier) throw refuse("a settlement", id, "NOT_PENDING_ON_SOURCE_AT_TIER_DEPTH");
    if (sourceFinal && !send.final) throw refuse("a settlement", id, "SOURCE_NOT_FINAL");
    const refusal = this.journal.claim({ id, outcome: "settle", rate, at: this.opts.now() }, false);
    if (refusal) throw refuse("a settlement", id, refusal);
    return this.sign(settleDigest(m, rate, sourceFinal));
  }

  /** A refund, if the message is still pending on its source and unsettled on its destination (and, after a settlement, past its deadline). */
  async signRefund(id: Hex, m: Message, reason: number): Promise<Hex> {
    const route = this.view.place(id, m);
    if ((await this.view.outbound(route, id, 1)) !== hashMessage(m)) throw refuse("a refund", id, "NOT_PENDING_ON_SOURCE");
    if (await this.view.consumed(route, id)) throw refuse("a refund", id, "ALREADY_SETTLED");
    const settled = this.journal.get(id)?.outcome === "settle";
    // A settlement may be mined between the consumed read and the deadline read; once the destination's
    // head is past the deadline none can be mined any more, so reading `consumed` again then is final.
    const expired = settled && (await this.view.pastDeadline(route, m));
    if (settled && expired && (await this.view.consumed(route, id))) throw refuse("a refund", id, "ALREADY_SETTLED");
    const refusal = this.journal.claim({ id, outcome: "refund", reason, at: this.opts.now() }, expired);
    if (refusal) throw refuse("a refund", id, refusal);
    return this.sign(refundDigest(m, reason));
  }

  /** The source-side release of a settled lock-and-release escrow: only once the destination consumed the id. */
  async signFinalize(id: Hex, m: Message): Promise<Hex> {
    const route = this.view.place(id, m);
    if (!(await this.view.consumed(route, id))) throw refuse("a finalization", id, "NOT_SETTLED");
    if (this.journal.get(id)?.outcome === "refund") throw refuse("a finalization", id, "REFUND_ALREADY_SIGNED");
    return this.sign(finalizeDigest(m));
  }

  /** Source finality of Fast transfers, for the destination gateway that lent its Fast allowance. */
  async signFinality(dstChainId: bigint, dstGateway: Hex, messages: Message[]): Promise<Hex> {
    const ids: Hex[] = [];
    for (const m of messages) {
      const id = idOf(m);
      const route = this.view.place(id, m);
      if (m.dstChainId !== dstChainId || m.dstGateway.toLowerCase() !== dstGateway.toLowerCase()) throw refuse("finality", id, "OTHER_DESTINATION");
      if (!(await this.view.sourceFinal(route, m, id))) throw refuse("finality", id, "SOURCE_NOT_FINAL");
      ids.push(id);
    }
    return this.sign(finalityDigest(dstChainId, dstGateway, ids));
  }
}

