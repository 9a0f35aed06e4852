/**
 * One transfer as the results show it (results.json, transfers.csv, the dashboard, the G20
 * scorecard): amounts as decimal strings of whole units, costs against the mid, stage times.
 */
import type { Hex } from "viem";
import { Decimal, fromBaseUnits } from "../domain/money.js";
import { allInCost, fxCost, fixed18ToRate } from "../domain/fx/quote.js";
import { modeName, tierName } from "../domain/message.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { TransferGas } from "./gas.js";

export const units = (v: bigint) => fromBaseUnits(v).toFixed();
export const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
export const pct = (part: bigint, whole: bigint) => (whole === 0n ? 0 : round(new Decimal(part.toString()).div(whole.toString()).times(100).toNumber(), 6));

/** One transfer as results.json shows it. Amounts are decimal strings of whole units. */
export interface TransferOut {
  id: Hex;
  index: number | null;
  sender: Hex;
  recipient: Hex;
  srcChain: string;
  dstChain: string;
  inputToken: { currency: string; address: Hex };
  outputToken: { currency: string; address: Hex };
  tier: string;
  mode: string;
  amountIn: string;
  fee: string;
  amountOut: string | null;
  /** Fee as a percentage of the amount sent. */
  feePct: number;
  /** Rate paid (output per input) and the mid at that moment; FX cost against the mid in output currency and bps. */
  rate: string | null;
  mid: string | null;
  fxCost: { amount: string; bps: number } | null;
  /** Cost against the mid (fee + FX spread + rounding), in output currency and as a percentage (gas apart: see `gas`). */
  cost: { amount: string; pct: number } | null;
  /** Gas of the send and of its share of the settle (or refund) batches, at each chain's gas price; pct of the amount sent. */
  gas?: TransferGas | null;
  state: string;
  refundReason: string | null;
  /** Paid out by the destination, then its send was reorganised away on the source: the corridor's exposure. */
  sourceReorged: boolean;
  compliance: { outcome: string; reason?: string; hook?: string; jurisdiction?: string; reviewed?: string } | null;
  liquidityWaitSeconds: number | null;
  fastAllowanceUsed: string | null;
  /** Unix seconds of each stage that happened. */
  stages: Record<string, number>;
  /** Destination block time minus source block time, seconds (settled transfers). */
  settlementSeconds: number | null;
  srcTxHash: Hex;
  dstTxHash: Hex | null;
}

/** One transfer record as results.json shows it (also what the live dashboard and the G20 scorecard read). */
export function toTransferOut(r: TransferRecord, index: number | null, gas: TransferGas | null): TransferOut {
  const m = r.message;
  const mid = r.mid === undefined ? null : fixed18ToRate(r.mid);
  const fx = r.state === "settled" && r.rate !== undefined && mid ? fxCost(m.amount - m.fee, fixed18ToRate(r.rate), mid) : null;
  const all = r.state === "settled" && r.rate !== undefined && mid ? allInCost(m.amount, m.fee, r.rate, mid) : null;
  const settlementSeconds = r.state === "settled" && r.stages.settled !== undefined && r.stages.initiated !== undefined ? r.stages.settled - r.stages.initiated : null;
  return {
    id: r.id,
    index,
    sender: m.sender,
    recipient: m.recipient,
    srcChain: r.srcChain,
    dstChain: r.dstChain,
    inputToken: { currency: r.inputCurrency, address: m.inputToken },
    outputToken: { currency: r.outputCurrency, address: m.outputToken },
    tier: tierName(m.tier),
    mode: modeName(m.mode),
    amountIn: units(m.amount),
    fee: units(m.fee),
    amountOut: r.amountOut === undefined ? null : units(r.amountOut),
    feePct: pct(m.fee, m.amount),
    rate: r.rate === undefined ? null : fromBaseUnits(r.rate, 18).toFixed(),
    mid: mid ? mid.toFixed() : null,
    fxCost: fx ? { amount: units(fx.cost), bps: round(fx.bps.toNumber(), 4) } : null,
    cost: all ? { amount: units(all.cost), pct: round(all.bps.toNumber() / 100, 6) } : null,
    gas,
    state: r.state,
    refundReason: r.state === "refunded" ? (r.refundReason ?? "other") : null,
    sourceReorged: r.sourceReorgedAt !== undefined,
    compliance: r.compliance ?? null,
    liquidityWaitSeconds: r.liquidityWaitSeconds ?? null,
    fastAllowanceUsed: r.fastAllowanceUsed === undefined ? null : units(r.fastAllowanceUsed),
    stages: Object.fromEntries(Object.entries(r.stages).filter(([, v]) => v !== undefined)) as Record<string, number>,
    settlementSeconds,
    srcTxHash: r.srcTxHash,
    dstTxHash: r.dstTxHash ?? null,
  };
}
