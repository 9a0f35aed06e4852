/**
 * The transfer lifecycle as one state machine: every change of a record's `state` (and of the stage
 * times and chain facts the change implies) goes through `transition`. Pure: no I/O, no clock (the
 * caller passes the time), no logging.
 *
 * ```
 * INITIATED --confirmed--> CONFIRMED --screened--> SCREENED --attested--> ATTESTED --submitted--> SUBMITTED --settled--> SETTLED
 *                                                     |  \--held--> HELD --(review: attested | refundAttested)
 *                                                     \--refundAttested (deny / expiry)--> REFUND_ATTESTED --refunded--> REFUNDED
 * ```
 * and the paths that move a record back or aside:
 * - `liquidityShort`: a settlement the destination pool could not pay: SUBMITTED -> ATTESTED (parked);
 * - `allowanceExceeded`: a Fast settlement the Fast allowance refused: SUBMITTED -> CONFIRMED (waits for source finality);
 * - `sendVanished`: a source reorganisation took the send away: any unsettled state (and REFUNDED, whose
 *   refund went with it) -> DROPPED; a SETTLED one stays settled, marked as reorg exposure;
 * - `sendRemined`: the same send mined again: DROPPED -> INITIATED (an exposed SETTLED one is backed again);
 * - `settlementVanished`: a destination reorganisation took the settlement away: SETTLED -> CONFIRMED;
 * - `refundVanished`: a source reorganisation took the refund away (the send still there): REFUNDED -> SCREENED;
 * - `settled` on a DROPPED record: attested before its send vanished and paid anyway: SETTLED, exposed;
 * - `finalized` / `finalizedElsewhere` / `finalizeVanished`: the source escrow of a lock-and-release
 *   transfer released (or that release reorganised away); the state does not change.
 *
 * Late events (a chain or the operator answering for a record that has moved on) are ignored: the
 * record is returned unchanged. Events that contradict the record (a refund for a settled transfer,
 * a settlement for a refunded one) are illegal and raise CORRIDOR_LIFECYCLE_ILLEGAL.
 */
import type { Hex } from "viem";
import { CorridorError } from "./errors.js";
import type { StageTimes, TransferRecord, TransferState } from "./transfer.js";

export const LifecycleErrorCode = {
  Illegal: "CORRIDOR_LIFECYCLE_ILLEGAL",
} as const;

/** What can happen to a transfer. Each carries the facts its transition records. */
export type LifecycleEvent =
  /** The send has its tier's confirmations. */
  | { kind: "confirmed" }
  /** Screening started (the operator's screening step ran). */
  | { kind: "screened" }
  /** Screening held it for manual review. */
  | { kind: "held" }
  /** The attesters signed its settlement at `rate` (the mid when the rate was set). */
  | { kind: "attested"; rate: bigint; mid: bigint }
  /** The attesters signed its refund (denied, expired, or a settlement that cannot succeed). */
  | { kind: "refundAttested"; reason: string }
  /** Its settlement went out in a batch transaction. */
  | { kind: "submitted" }
  /** The destination pool could not pay it: parked until liquidity arrives. */
  | { kind: "liquidityShort" }
  /** The Fast allowance refused it: it waits for source finality and is attested again. */
  | { kind: "allowanceExceeded" }
  /** The destination paid it (TransferSettled, block timestamp as `at`). */
  | { kind: "settled"; block: number; tx: Hex; amountOut: bigint; rate: bigint }
  /** The source refunded it (TransferRefunded, block timestamp as `at`). `reason` is kept only if none is known yet. */
  | { kind: "refunded"; block: number; reason: string }
  /** The source escrow was released to liquidity (TransferFinalized, block timestamp as `at`). */
  | { kind: "finalized"; block: number }
  /** The source answered "already finalized" (by an earlier run or another relayer); no block known. */
  | { kind: "finalizedElsewhere" }
  /** A reorganisation of the source took its finalization away. */
  | { kind: "finalizeVanished" }
  /** A reorganisation of the source took its send away. */
  | { kind: "sendVanished" }
  /** Its send, gone in a reorganisation, is mined again. */
  | { kind: "sendRemined" }
  /** A reorganisation of the destination took its settlement away: it is attested and delivered again. */
  | { kind: "settlementVanished" }
  /** A reorganisation of the source took its refund away (the send still there): it is refunded again. */
  | { kind: "refundVanished" };

export type LifecycleEventKind = LifecycleEvent["kind"];

/** `to` for an event that records a fact without changing the state. */
export const UNCHANGED = "unchanged" as const;

export interface LifecycleRule {
  /** States in which the event is legal, and the state each leads to. */
  readonly to: Readonly<Partial<Record<TransferState, TransferState | typeof UNCHANGED>>>;
  /** States in which the event is late (the record has moved on): ignored, the record is unchanged. */
  readonly ignored: readonly TransferState[];
}

const ALL: readonly TransferState[] = ["initiated", "confirmed", "screened", "held", "attested", "submitted", "settled", "refund_attested", "refunded", "dropped"];
/** States before any outcome (not settled, refunded or dropped). */
const OPEN: readonly TransferState[] = ["initiated", "confirmed", "screened", "held", "attested", "submitted", "refund_attested"];
const all = (states: readonly TransferState[], to: TransferState | typeof UNCHANGED) => Object.fromEntries(states.map((s) => [s, to])) as Partial<Record<TransferState, TransferState | typeof UNCHANGED>>;
const TERMINAL: readonly TransferState[] = ["settled", "refunded", "dropped"];

/**
 * The allowed transitions: for each event, the states it is legal in (and where it leads) and the
 * states in which it is late and ignored. Any other (state, event) pair is illegal.
 */
export const LIFECYCLE: Readonly<Record<LifecycleEventKind, LifecycleRule>> = {
  // Confirmations are counted once, from INITIATED; the screening step may have run first (a re-mined send).
  confirmed: { to: { initiated: "confirmed" }, ignored: ALL.filter((s) => s !== "initiated") },
  screened: { to: { initiated: "screened", confirmed: "screened" }, ignored: ALL.filter((s) => s !== "initiated" && s !== "confirmed") },
  // The operator holds only what it has not signed; it reads the send's depth itself, so INITIATED is possible (a re-mined send).
  held: { to: all(["initiated", "confirmed", "screened", "held"], "held"), ignored: TERMINAL },
  // Attested again after a restart (SUBMITTED) or a re-ask (ATTESTED). Never after a refund was signed (one outcome per id).
  attested: { to: all(["initiated", "confirmed", "screened", "held", "attested", "submitted"], "attested"), ignored: TERMINAL },
  refundAttested: { to: all(OPEN, "refund_attested"), ignored: TERMINAL },
  // A batch item from an earlier attestation, sent after the record moved on, does not move it back.
  submitted: { to: { attested: "submitted", submitted: "submitted" }, ignored: ALL.filter((s) => s !== "attested" && s !== "submitted") },
  liquidityShort: { to: { attested: "attested", submitted: "attested" }, ignored: ALL.filter((s) => s !== "attested" && s !== "submitted") },
  allowanceExceeded: { to: { attested: "confirmed", submitted: "confirmed" }, ignored: ALL.filter((s) => s !== "attested" && s !== "submitted") },
  // Chain facts: accepted from any open state (another relayer may have delivered it). A settlement of a
  // dropped send is the corridor's reorg exposure. A settlement of a refunded transfer (or the reverse) cannot happen.
  settled: { to: { ...all(OPEN, "settled"), dropped: "settled" }, ignored: ["settled"] },
  refunded: { to: all(OPEN, "refunded"), ignored: ["refunded"] },
  // Finalization is read from the source whatever this relayer believes of the destination (it may lag behind).
  finalized: { to: all(ALL, UNCHANGED), ignored: [] },
  finalizedElsewhere: { to: { settled: UNCHANGED }, ignored: [] },
  finalizeVanished: { to: all(ALL, UNCHANGED), ignored: [] },
  sendVanished: { to: { ...all(OPEN, "dropped"), refunded: "dropped", settled: UNCHANGED }, ignored: ["dropped"] },
  // From any other state it only clears the exposure mark (a settled payout whose send is back).
  sendRemined: { to: { ...all(ALL, UNCHANGED), dropped: "initiated" }, ignored: [] },
  settlementVanished: { to: { settled: "confirmed" }, ignored: [] },
  refundVanished: { to: { refunded: "screened" }, ignored: [] },
};

/** One row per legal (event, from) pair: for docs and tests. */
export function lifecycleTable(): { event: LifecycleEventKind; from: TransferState; to: TransferState }[] {
  const rows: { event: LifecycleEventKind; from: TransferState; to: TransferState }[] = [];
  for (const [event, rule] of Object.entries(LIFECYCLE) as [LifecycleEventKind, LifecycleRule][]) {
    for (const from of ALL) {
      const to = rule.to[from];
      if (to !== undefined) rows.push({ event, from, to: to === UNCHANGED ? from : to });
    }
  }
  return rows;
}

/** What the event does in `state`: the next state, "ignored" (late), or "illegal". */
export function outcomeOf(state: TransferState, kind: LifecycleEventKind): TransferState | "ignored" | "illegal" {
  const rule = LIFECYCLE[kind];
  const to = rule.to[state];
  if (to !== undefined) return to === UNCHANGED ? state : to;
  return rule.ignored.includes(state) ? "ignored" : "illegal";
}

/**
 * The record after `event` at `at` (unix seconds; a block timestamp for chain events): a new record
 * with its state, stage times and the event's facts set, or `record` itself when the event is late
 * and ignored. Throws CORRIDOR_LIFECYCLE_ILLEGAL for an event the record's state does not allow.
 * Never changes `record`.
 */
export function transition(record: TransferRecord, event: LifecycleEvent, at: number): TransferRecord {
  const outcome = outcomeOf(record.state, event.kind);
  if (outcome === "ignored") return record;
  if (outcome === "illegal") {
    throw new CorridorError(LifecycleErrorCode.Illegal, `transfer ${record.id}: "${event.kind}" is not allowed when ${record.state}`, {
      id: record.id,
      state: record.state,
      event: event.kind,
      at,
    });
  }
  const r: TransferRecord = { ...record, stages: { ...record.stages }, state: outcome };
  const s: StageTimes = r.stages;
  switch (event.kind) {
    case "confirmed":
      s.confirmed = at;
      break;
    case "screened":
      s.screened ??= at;
      break;
    case "held":
      s.held ??= at;
      break;
    case "attested":
      if (record.state === "held") s.reviewed ??= at;
      s.attested = at;
      r.rate = event.rate;
      r.mid = event.mid;
      break;
    case "refundAttested":
      if (record.state === "held") s.reviewed ??= at;
      s.refundAttested = at;
      r.refundReason = event.reason;
      break;
    case "submitted":
      s.submitted ??= at;
      break;
    case "liquidityShort":
    case "allowanceExceeded":
      break;
    case "settled":
      if (record.state === "dropped") {
        // Attested before its send vanished, delivered anyway: the payout is the corridor's exposure.
        r.sourceReorgedAt = s.dropped;
        delete s.dropped;
      }
      s.settled = at;
      r.dstBlock = event.block;
      r.dstTxHash = event.tx;
      r.amountOut = event.amountOut;
      r.rate = event.rate;
      break;
    case "refunded":
      s.refunded = at;
      r.refundedBlock = event.block;
      r.refundReason ??= event.reason;
      break;
    case "finalized":
      r.finalized = true;
      s.finalized = at;
      r.finalizedBlock = event.block;
      break;
    case "finalizedElsewhere":
      r.finalized = true;
      break;
    case "finalizeVanished":
      r.finalized = false;
      delete s.finalized;
      delete r.finalizedBlock;
      break;
    case "sendVanished":
      // A settled one keeps its settlement: the payout is exposed. Anything else never happened.
      if (record.state === "settled") r.sourceReorgedAt ??= at;
      else s.dropped = at;
      break;
    case "sendRemined":
      if (record.state === "dropped") delete s.dropped;
      else delete r.sourceReorgedAt; // paid out, its send gone and now back: backed after all
      break;
    case "settlementVanished":
      delete s.settled;
      delete r.dstBlock;
      delete r.dstTxHash;
      delete r.amountOut;
      break;
    case "refundVanished":
      delete s.refunded;
      delete r.refundedBlock;
      break;
  }
  return r;
}

/** What `advance` did: the state before and after, and whether the event was ignored as late. */
export interface Advanced {
  from: TransferState;
  to: TransferState;
  ignored: boolean;
}

/**
 * Applies `transition` to a working copy in place (the relayer and the operator service share one
 * object per transfer, so it must stay the same object): fields the transition set are written,
 * fields it removed are deleted, nothing else is touched.
 */
export function advance(record: TransferRecord, event: LifecycleEvent, at: number): Advanced {
  const from = record.state;
  const next = transition(record, event, at);
  if (next === record) return { from, to: from, ignored: true };
  assignInPlace(record.stages as Record<string, unknown>, next.stages as Record<string, unknown>);
  const { stages: _stages, ...rest } = next;
  const target = record as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(rest)) if (target[k] !== v) target[k] = v;
  for (const k of Object.keys(target)) if (k !== "stages" && !(k in rest)) delete target[k];
  return { from, to: next.state, ignored: false };
}

function assignInPlace(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) if (target[k] !== v) target[k] = v;
  for (const k of Object.keys(target)) if (!(k in source)) delete target[k];
}
