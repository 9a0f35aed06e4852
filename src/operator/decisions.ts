/**
 * The operator's decision record, one per message id, and where it is kept: what screening decided
 * (with hook and reason), the review's state (who decided, when), and which of settle or refund the
 * operator signed, with the rate and `sourceFinal` it signed with. The outcome is claimed in one
 * synchronous step (one SQLite transaction across processes) before any signature leaves, and a
 * claimed settlement gives way to a refund only once it expired unexecuted.
 */
import { DatabaseSync } from "node:sqlite";
import type { Hex } from "viem";
import { z } from "zod";
import type { AuditEntry } from "../domain/compliance/types.js";
import { parseWithBigints, stringifyWithBigints } from "../domain/json.js";
import type { LockedQuote, Message, RefundReason } from "../domain/message.js";
import type { Route } from "./chain-view.js";

export const ScreeningOutcomeSchema = z.object({
  outcome: z.enum(["allow", "deny", "hold"]),
  reason: z.string().optional(),
  hook: z.string().optional(),
  /** The jurisdiction whose rule decided a deny or hold, when the hook names one. */
  jurisdiction: z.string().optional(),
  reviewSeconds: z.number().optional(),
  at: z.number(),
});
export type ScreeningOutcome = z.infer<typeof ScreeningOutcomeSchema>;

export const ReviewStateSchema = z.enum(["pending", "approved", "denied", "expired"]);
export type ReviewState = z.infer<typeof ReviewStateSchema>;

export const ReviewRecordSchema = z.object({
  state: ReviewStateSchema,
  reason: z.string().optional(),
  openedAt: z.number(),
  /** Who decided (the reviewer's name from the operator's config) and when. */
  by: z.string().optional(),
  decidedAt: z.number().optional(),
});
export type ReviewRecord = z.infer<typeof ReviewRecordSchema>;

export type SignedOutcome =
  | { outcome: "settle"; rate: bigint; mid: bigint; sourceFinal: boolean; quote: LockedQuote; quoteSignature: Hex; at: number }
  | { outcome: "refund"; reason: RefundReason; detail?: string; at: number; afterSettleExpired?: boolean };

export interface Decision {
  id: Hex;
  message: Message;
  route: Route;
  screening?: ScreeningOutcome;
  review?: ReviewRecord;
  signed?: SignedOutcome;
}

export interface DecisionStore {
  get(id: Hex): Decision | undefined;
  /** The stored decision for `d.id`, inserting `d` if there is none. */
  getOrCreate(d: Decision): Decision;
  /**
   * Reads, changes and writes one decision in one atomic step (`change` is synchronous and may
   * return undefined to leave it as it is). Returns the decision as stored afterwards.
   */
  update(id: Hex, change: (d: Decision) => Decision | undefined): Decision | undefined;
  /** Reviews in a state (pending by default), oldest first. */
  reviews(state?: ReviewState | "all"): Decision[];
  appendAudit(entries: readonly AuditEntry[]): void;
  auditFor(id: Hex): AuditEntry[];
  close(): void;
}

export class MemoryDecisionStore implements DecisionStore {
  private readonly decisions = new Map<string, Decision>();
  private readonly audit: AuditEntry[] = [];
  /**
   * A copy in, frozen to its leaves, and handed out as it is: a caller can never change the stored
   * decision (changing it throws), as with the SQLite store, without a copy per read (issue 14: the
   * operator and its batch checks read a decision several times per transfer).
   */
  private keep = (d: Decision): Decision => frozenCopy(d);
  get(id: Hex) {
    return this.decisions.get(id.toLowerCase());
  }
  getOrCreate(d: Decision) {
    const key = d.id.toLowerCase();
    if (!this.decisions.has(key)) this.decisions.set(key, this.keep(d));
    return this.decisions.get(key)!;
  }
  update(id: Hex, change: (d: Decision) => Decision | undefined) {
    const cur = this.get(id);
    if (!cur) return undefined;
    const next = change(cur);
    if (next) this.decisions.set(id.toLowerCase(), this.keep(next));
    return this.get(id);
  }
  reviews(state: ReviewState | "all" = "pending") {
    return [...this.decisions.values()].filter((d) => d.review && (state === "all" || d.review.state === state)).sort((a, b) => a.review!.openedAt - b.review!.openedAt);
  }
  appendAudit(entries: readonly AuditEntry[]) {
    this.audit.push(...entries);
  }
  auditFor(id: Hex) {
    return this.audit.filter((e) => e.transferId.toLowerCase() === id.toLowerCase());
  }
  close() {}
}

/**
 * A copy of `x` frozen to its leaves (a decision is a tree of plain objects, arrays and primitives);
 * a part already frozen is immutable and is shared, not copied (a message whose hash is kept, say).
 */
function frozenCopy<T>(x: T): T {
  if (x === null || typeof x !== "object" || Object.isFrozen(x)) return x;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(x) ? x.map(frozenCopy) : Object.fromEntries(Object.entries(x).map(([k, v]) => [k, frozenCopy(v)]));
  return Object.freeze(copy) as T;
}

/** The operator's store in SQLite (its own file; WAL, so several operator processes may share it). */
export class SqliteDecisionStore implements DecisionStore {
  private readonly db: DatabaseSync;
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    try {
      this.db.exec("PRAGMA busy_timeout = 5000");
      this.db.exec("PRAGMA journal_mode = WAL");
      // FULL: a claimed outcome must survive a power cut before its signatures leave.
      this.db.exec("PRAGMA synchronous = FULL");
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS decisions (
          id TEXT PRIMARY KEY,
          review_state TEXT,
          review_opened_at INTEGER,
          outcome TEXT,
          body TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS decisions_review ON decisions (review_state, review_opened_at);
        CREATE TABLE IF NOT EXISTS audit (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          transfer_id TEXT NOT NULL,
          body TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_transfer ON audit (transfer_id, seq);
      `);
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  private read(id: Hex): Decision | undefined {
    const r = this.db.prepare("SELECT body FROM decisions WHERE id = ?").get(id.toLowerCase()) as { body: string } | undefined;
    return r ? parseWithBigints<Decision>(r.body) : undefined;
  }

  private write(d: Decision): void {
    this.db
      .prepare(
        `INSERT INTO decisions (id, review_state, review_opened_at, outcome, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET review_state = excluded.review_state, review_opened_at = excluded.review_opened_at, outcome = excluded.outcome, body = excluded.body`,
      )
      .run(d.id.toLowerCase(), d.review?.state ?? null, d.review?.openedAt ?? null, d.signed?.outcome ?? null, stringifyWithBigints(d));
  }

  private atomically<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  get(id: Hex) {
    return this.read(id);
  }

  getOrCreate(d: Decision) {
    return this.atomically(() => {
      const cur = this.read(d.id);
      if (cur) return cur;
      this.write(d);
      return d;
    });
  }

  update(id: Hex, change: (d: Decision) => Decision | undefined) {
    return this.atomically(() => {
      const cur = this.read(id);
      if (!cur) return undefined;
      const next = change(cur);
      if (next) this.write(next);
      return next ?? cur;
    });
  }

  reviews(state: ReviewState | "all" = "pending") {
    const rows = (
      state === "all"
        ? this.db.prepare("SELECT body FROM decisions WHERE review_state IS NOT NULL ORDER BY review_opened_at, id").all()
        : this.db.prepare("SELECT body FROM decisions WHERE review_state = ? ORDER BY review_opened_at, id").all(state)
    ) as { body: string }[];
    return rows.map((r) => parseWithBigints<Decision>(r.body));
  }

  appendAudit(entries: readonly AuditEntry[]) {
    if (entries.length === 0) return;
    this.atomically(() => {
      const st = this.db.prepare("INSERT INTO audit (transfer_id, body) VALUES (?, ?)");
      for (const e of entries) st.run(e.transferId.toLowerCase(), stringifyWithBigints(e));
    });
  }

  auditFor(id: Hex): AuditEntry[] {
    return (this.db.prepare("SELECT body FROM audit WHERE transfer_id = ? ORDER BY seq").all(id.toLowerCase()) as { body: string }[]).map((r) => parseWithBigints<AuditEntry>(r.body));
  }

  close() {
    this.db.close();
  }
}
