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

/** The calldata of a batch of jobs of one kind. */
export function encodeBatch(kind: Job["kind"], batch: Job[]): Hex {
  return kind === "settle"
    ? encodeSettleBatch(batch.map((j) => (j as Extract<Job, { kind: "settle" }>).item))
    : kind === "refund"
      ? encodeRefundBatch(batch.map((j) => (j as Extract<Job, { kind: "refund" }>).item))
      : kind === "finalize"
        ? encodeFinalizeBatch(batch.map((j) => (j as Extract<Job, { kind: "finalize" }>).item))
        : encodeCreditFastAllowance(...creditArgs(batch));
}

/** The transfers a job is about (a credit covers several). */
export const jobIds = (j: Job): Hex[] => (j.kind === "credit" ? j.ids : [j.id]);
/** Equal for the same job queued twice, or queued and in flight. */
export const jobKey = (j: Job): string => `${j.kind}:${jobIds(j).join(",")}`;
