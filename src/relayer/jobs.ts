/**
 * The jobs the relayer carries to a chain (settlements, Fast allowance credits, refunds,
 * finalizations), how a batch of them is keyed and encoded, and a batch in flight.
 */
import type { Hex } from "viem";
import {
  encodeCreditFastAllowance,
  encodeFinalizeBatch,
  encodeRefundBatch,
  encodeSettleBatch,
  type FinalizeItem,
  type RefundItem,
  type SettleItem,
} from "../contracts/gateway.js";
import type { InflightBatch } from "./store.js";
import type { AttestBatch } from "../operator/attester.js";

/** Jobs the relayer carries to a chain. */
export type Job =
  | { kind: "settle"; id: Hex; item: SettleItem }
  | { kind: "credit"; id: Hex; ids: Hex[]; signatures: Hex[] }
  | { kind: "refund"; id: Hex; item: RefundItem }
  | { kind: "finalize"; id: Hex; item: FinalizeItem };

/** A batch sent and not yet seen mined: every hash sent under its nonce, its fees, its jobs (kept in the store too). */
export type Inflight = InflightBatch<Job>;

function creditArgs(batch: Job[]): [Hex[], Hex[]] {
  const first = batch[0] as Extract<Job, { kind: "credit" }>;
  return [first.ids, first.signatures];
}

/** The calldata of a batch of jobs of one kind, with the attesters' signatures over the batch (a credit carries its own). */
export function encodeBatch(kind: Job["kind"], batch: Job[], signatures: Hex[] = []): Hex {
  return kind === "settle"
    ? encodeSettleBatch(batch.map((j) => (j as Extract<Job, { kind: "settle" }>).item), signatures)
    : kind === "refund"
      ? encodeRefundBatch(batch.map((j) => (j as Extract<Job, { kind: "refund" }>).item), signatures)
      : kind === "finalize"
        ? encodeFinalizeBatch(batch.map((j) => (j as Extract<Job, { kind: "finalize" }>).item), signatures)
        : encodeCreditFastAllowance(...creditArgs(batch));
}

/** What the attesters sign for a batch of settle, refund or finalize jobs. */
export function attestBatchOf(kind: Exclude<Job["kind"], "credit">, batch: Job[]): AttestBatch {
  if (kind === "settle") {
    return { kind, items: batch.map((j) => (j as Extract<Job, { kind: "settle" }>).item).map(({ message, rate, sourceFinal }) => ({ message, rate, sourceFinal })) };
  }
  if (kind === "refund") return { kind, items: batch.map((j) => (j as Extract<Job, { kind: "refund" }>).item) };
  return { kind, items: batch.map((j) => (j as Extract<Job, { kind: "finalize" }>).item) };
}

/** The transfers a job is about (a credit covers several). */
export const jobIds = (j: Job): Hex[] => (j.kind === "credit" ? j.ids : [j.id]);
/** Equal for the same job queued twice, or queued and in flight. */
export const jobKey = (j: Job): string => `${j.kind}:${jobIds(j).join(",")}`;
