import type { Logger } from "pino";
import { REFUND_REASON } from "../domain/message.js";
import type { Scheduler } from "../domain/clock.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { AttestationService, Relayer } from "../relayer/relayer.js";
import type { AttestationResult, OperatorApi } from "./operator.js";

export interface ServiceOptions {
  operator: OperatorApi;
  relayer: Relayer;
  scheduler: Scheduler;
  logger: Logger;
  /** Modelled (virtual time) or extra (wall time) latencies, seconds. */
  screeningSeconds: number;
  attestationSeconds: number;
  /** How a hold ends in a simulation: approve (true) or deny after the modelled review time. Live runs leave it undefined: holds wait for `corridor review`, polled every `reviewPollSeconds`. */
  review?: (record: TransferRecord) => boolean | undefined;
  reviewPollSeconds?: number;
  /** Most operator calls in flight at once (default 16). */
  concurrency?: number;
  /** Told when an operator call fails (unreachable, attesters offline): the step is retried after a back-off. */
  onError?: (err: unknown, step: string) => void;
  /** Told of each hold, so a person can review it. */
  onHold?: (record: TransferRecord, reason: string) => void;
}

/**
 * Connects the relayer's requests to the operator through a scheduler: under virtual time the
 * engine runs each step after its modelled latency; under wall time the latencies are zero and
 * the steps run as soon as the work allows. One code path for both.
 */
export function connectOperator(opts: ServiceOptions): AttestationService & { resolveHold(record: TransferRecord, approve: boolean): Promise<void> } {
  const { operator, relayer, scheduler } = opts;
  const log = opts.logger.child({ module: "operator" });

  const deliver = (r: TransferRecord, res: AttestationResult) => {
    // The chain may have answered first (a resumed transfer settled by an earlier run): a late attestation changes nothing.
    if (r.state === "settled" || r.state === "refunded" || r.state === "dropped") return;
    const now = scheduler.now();
    if (res.kind === "settle") {
      r.state = "attested";
      r.stages.attested = now;
      r.rate = res.rate;
      r.mid = res.mid;
      relayer.enqueueSettle(r, { message: r.message, rate: res.rate, sourceFinal: res.sourceFinal, signatures: res.signatures, quote: res.quote, quoteSignature: res.quoteSignature });
    } else if (res.kind === "refund") {
      r.state = "refund_attested";
      r.stages.refundAttested = now;
      r.refundReason = res.detail ? `${res.reason}:${res.detail}` : res.reason;
      relayer.enqueueRefund(r, { message: r.message, reason: REFUND_REASON[res.reason], signatures: res.signatures });
    } else if (res.kind === "hold") {
      r.state = "held";
      r.stages.held = now;
      opts.onHold?.(r, res.reason);
      const decision = opts.review?.(r);
      if (decision !== undefined) scheduler.after(res.reviewSeconds ?? 900, () => service.resolveHold(r, decision));
      else if (!opts.review) pollReview(r);
    } else {
      log.warn({ id: r.id, reason: res.reason }, "operator declined to attest");
      // Not (yet) at its tier's depth on the source as the operator sees it: ask again, unless the relayer dropped it meanwhile.
      if (res.reason === "NOT_PENDING_ON_SOURCE") scheduler.after(opts.attestationSeconds + 5, () => {
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
  const pollReview = (r: TransferRecord) =>
    attempt(
      "review",
      async () => {
        const res = await operator.reviewOutcome(r);
        if (res.kind === "hold") pollReview(r);
        else {
          r.stages.reviewed = scheduler.now();
          deliver(r, res);
        }
      },
      opts.reviewPollSeconds ?? 2,
    );

  const service = {
    requestAttestation(r: TransferRecord) {
      scheduler.after(opts.screeningSeconds, () => {
        if (r.state === "confirmed" || r.state === "initiated") {
          r.state = "screened";
          r.stages.screened ??= scheduler.now();
          relayer.touch(r);
        }
        // Screened once: a retried or resumed transfer is not screened again (stateful hooks such as the
        // daily limit would count it twice); an allowed one is only quoted and signed, a denied one refunded.
        attempt(
          "attest",
          async () => {
            const c = r.compliance;
            const res =
              c?.outcome === "allow" || c?.reviewed === "approved"
                ? await operator.quoteAndSign(r)
                : c?.outcome === "deny" || c?.reviewed === "denied"
                  ? await operator.refundDenied(r)
                  : await operator.attestTransfer(r);
            deliver(r, res);
          },
          opts.attestationSeconds,
        );
      });
    },
    requestRefund(r: TransferRecord, reason: keyof typeof REFUND_REASON) {
      attempt(
        "refund",
        async () => {
          const res = await operator.attestRefund(r, reason);
          if (res.kind === "refund") deliver(r, res);
          else relayer.retryRefundLater(r.id);
        },
        opts.attestationSeconds,
      );
    },
    requestFinalize(r: TransferRecord) {
      const once = async () => {
        const signatures = await operator.attestFinalize(r);
        if (signatures) relayer.enqueueFinalize(r, { message: r.message, signatures });
        else attempt("finalize", once, opts.attestationSeconds + 1);
      };
      attempt("finalize", once, opts.attestationSeconds);
    },
    requestFinality(records: TransferRecord[]) {
      attempt(
        "finality",
        async () => {
          const res = await operator.attestFinality(records);
          if (res) relayer.enqueueCredit(records[0]!.dstChain, res.ids, res.signatures);
        },
        opts.attestationSeconds,
      );
    },
    /** A person's (or the model's) review decision on a held transfer. */
    async resolveHold(r: TransferRecord, approve: boolean) {
      r.stages.reviewed = scheduler.now();
      r.compliance = { ...(r.compliance ?? { outcome: "hold" }), reviewed: approve ? "approved" : "denied" };
      deliver(r, approve ? await operator.quoteAndSign(r) : await operator.refundDenied(r));
    },
  };
  return service;
}
