import type { Logger } from "pino";
import { REFUND_REASON } from "../domain/message.js";
import type { Scheduler } from "../domain/clock.js";
import type { TransferRecord } from "../domain/transfer.js";
import { LifecycleErrorCode, type LifecycleEvent } from "../domain/lifecycle.js";
import { isCorridorError } from "../domain/errors.js";
import type { AttestationService, Relayer } from "../relayer/relayer.js";
import type { Attestation, OperatorApi } from "./operator.js";

export interface ServiceOptions {
  operator: OperatorApi;
  relayer: Relayer;
  scheduler: Scheduler;
  logger: Logger;
  /** Modelled (virtual time) or extra (wall time) latencies, seconds. */
  screeningSeconds: number;
  attestationSeconds: number;
  /** The modelled attestation latency of one transfer (a seeded draw under virtual time); default `attestationSeconds`. */
  attestationDelay?: (r: TransferRecord) => number;
  /** Seconds between asks while a transfer is held for review (default 2). */
  reviewPollSeconds?: number;
  /**
   * Under virtual time a hold that names its modelled review time is asked again just after it (default
   * true). A live relayer says false: a person decides at the review desk whenever they do, so it asks
   * every `reviewPollSeconds` and the transfer moves on soon after the decision.
   */
  waitModelledReview?: boolean;
  /** Most operator calls in flight at once (default 16). */
  concurrency?: number;
  /** Told when an operator call fails (unreachable, attesters offline): the step is retried after a back-off. */
  onError?: (err: unknown, step: string) => void;
}

/**
 * Connects the relayer's needs to the operator through a scheduler: under virtual time the engine
 * runs each step after its modelled latency; under wall time the latencies are zero and the steps run
 * as soon as the work allows. Every step asks the operator the same question (the attestation for
 * this id) and acts on its answer; the relayer tells the operator nothing it would believe.
 */
export function connectOperator(opts: ServiceOptions): AttestationService {
  const { operator, relayer, scheduler } = opts;
  const log = opts.logger.child({ module: "operator" });
  const ask = (r: TransferRecord) => operator.attestation(r.id, r.message);
  /**
   * Moves a record on by the operator's answer. An answer its state does not allow (a settlement after
   * a refund was signed, a hold after a signature: the operator gives one outcome per id) is logged
   * and not acted on; false then, and for a late answer the record has moved past.
   */
  const step = (r: TransferRecord, event: LifecycleEvent, at: number): boolean => {
    try {
      return !relayer.advance(r, event, at).ignored;
    } catch (err) {
      if (!isCorridorError(err, LifecycleErrorCode.Illegal)) throw err;
      log.error({ id: r.id, state: r.state, event: event.kind, err: err.toJSON() }, "operator answer not allowed in the transfer's state; not acted on");
      return false;
    }
  };

  const deliver = (r: TransferRecord, res: Attestation) => {
    // The chain may have answered first (a resumed transfer settled by an earlier run): a late attestation changes nothing.
    if (r.state === "settled" || r.state === "refunded" || r.state === "dropped") return;
    const now = scheduler.now();
    if (res.kind === "settle" || res.kind === "refund" || res.kind === "hold") {
      if (res.compliance) r.compliance = res.compliance;
    }
    // The lifecycle sets the stage times (a held record's review time too); an answer its state does not allow changes nothing else.
    if (res.kind === "settle") {
      if (!step(r, { kind: "attested", rate: res.rate, mid: res.mid }, now)) return relayer.touch(r);
      relayer.enqueueSettle(r, { message: r.message, rate: res.rate, sourceFinal: res.sourceFinal, quote: res.quote, quoteSignature: res.quoteSignature });
    } else if (res.kind === "refund") {
      if (!step(r, { kind: "refundAttested", reason: res.detail ? `${res.reason}:${res.detail}` : res.reason }, now)) return relayer.touch(r);
      relayer.enqueueRefund(r, { message: r.message, reason: REFUND_REASON[res.reason] });
    } else if (res.kind === "hold") {
      const first = r.state !== "held";
      if (!step(r, { kind: "held" }, now)) return relayer.touch(r);
      // Just after the modelled review time the first time, then every poll interval.
      const modelled = opts.waitModelledReview !== false && first && res.reviewSeconds !== undefined;
      pollHeld(r, modelled ? res.reviewSeconds! + 1 : (opts.reviewPollSeconds ?? 2));
    } else if (res.kind === "finalize") {
      relayer.enqueueFinalize(r, { message: r.message });
    } else if (res.kind === "pending") {
      log.debug({ id: r.id, reason: res.reason }, "nothing to attest yet");
      // Not (yet) at its tier's depth on the source as the operator reads it: ask again, unless the relayer dropped it meanwhile.
      scheduler.after(opts.attestationSeconds + 5, () => {
        if (r.state !== "dropped") service.requestAttestation(r);
      });
    }
    relayer.touch(r);
  };

  // At most `concurrency` operator calls at once: a burst (a restart resumes every open transfer)
  // must queue here rather than time out in flight.
  let active = 0;
  const waiting: (() => void)[] = [];
  const limit = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= (opts.concurrency ?? 16)) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
  /** Runs an operator step; on failure retries with a growing back-off (the operator may be down). */
  const attempt = (step: string, fn: () => Promise<void>, delay: number, tries = 0) => {
    scheduler.after(delay, async () => {
      try {
        await limit(fn);
      } catch (err) {
        opts.onError?.(err, step);
        log.warn({ step, err: (err as Error).message }, "operator step failed; will retry");
        attempt(step, fn, Math.min(10, 0.5 * 2 ** Math.min(tries, 5)), tries + 1);
      }
    });
  };
  const pollHeld = (r: TransferRecord, after: number) =>
    attempt(
      "review",
      async () => {
        if (r.state !== "held") return;
        deliver(r, await ask(r));
      },
      after,
    );

  const service: AttestationService = {
    requestAttestation(r: TransferRecord) {
      scheduler.after(opts.screeningSeconds, () => {
        // Screening starts from CONFIRMED (or INITIATED: a re-mined send); later states have been screened.
        if (step(r, { kind: "screened" }, scheduler.now())) relayer.touch(r);
        attempt("attest", async () => deliver(r, await ask(r)), opts.attestationDelay?.(r) ?? opts.attestationSeconds);
      });
    },
    requestRefund(r: TransferRecord) {
      attempt(
        "refund",
        async () => {
          const res = await ask(r);
          if (res.kind === "refund") deliver(r, res);
          else relayer.retryRefundLater(r.id);
        },
        opts.attestationSeconds,
      );
    },
    requestFinalize(r: TransferRecord) {
      const once = async () => {
        const res = await ask(r);
        if (res.kind === "finalize") relayer.enqueueFinalize(r, { message: r.message });
        else if (res.kind !== "done") attempt("finalize", once, opts.attestationSeconds + 1);
      };
      attempt("finalize", once, opts.attestationSeconds);
    },
    // The relayer asks for a batch's signatures as it sends the batch: no modelled latency here (the
    // attestation's modelled time was spent when the transfer was decided).
    signBatch: (batch) =>
      limit(() => operator.signBatch(batch)).catch((err: unknown) => {
        // The relayer requeues the batch and asks again with its next flush.
        opts.onError?.(err, "sign");
        throw err;
      }),
    requestFinality(records: TransferRecord[]) {
      attempt(
        "finality",
        async () => {
          const res = await operator.finality(records.map((r) => r.id));
          if (res) relayer.enqueueCredit(records[0]!.dstChain, res.ids, res.signatures);
        },
        opts.attestationSeconds,
      );
    },
  };
  return service;
}
