import { encodeEventTopics, type Hex } from "viem";
import { gatewayAbi } from "../contracts/gateway.js";
import { gasPriceData } from "../data/gas-prices.js";
import { CorridorError, ErrorCode } from "../domain/errors.js";

/**
 * Gas: what a transfer's transactions burn, priced at its chains' gas price and native token
 * price in the corridor's numeraire (spec.numeraire; the fields keep their results.json names,
 * `nativeUsd` and `usd`). Units are measured from receipts, never estimated:
 * - the sender's `send` transaction on the source chain (its whole gasUsed);
 * - its share of the relayer's batch that settled it on the destination (the batch's gasUsed
 *   divided by the items in the batch), and of any earlier batch that tried and failed;
 * - for a refunded transfer, its share of the refund batch on the source chain instead.
 * - on a rollup, an L1 data fee per transaction: the send's, and the transfer's share of each batch.
 * Finalization (escrow to liquidity) and Fast-allowance credits are the liquidity provider's and
 * the corridor's running costs and are left out.
 */

export interface GasPrice {
  /** Gas price in gwei (1e-9 of the native token). */
  gasPriceGwei: number;
  /** Price of the chain's native token in the numeraire. */
  nativeUsd: number;
  /** A rollup's L1 data fee per transaction, in the numeraire (charged per transaction on top of the gas). */
  l1DataFeeUsd?: number;
}

/** The figures a chain's gas is priced at, with where each comes from (results.json `assumptions.gas`). */
export interface GasAssumption extends GasPrice {
  profile: string;
  native: string;
  /** "scenario" when the scenario set the figure, else "data/gas-prices.json". */
  gasPriceFrom: string;
  gasPriceBasis: string;
  /** The low and high of the cited points (the sensitivity table's levels). */
  gasPriceRange: [number, number];
  nativeUsdFrom: string;
  nativeUsdAsOf: string | null;
  l1DataFeeSource?: string;
  l1DataFeeAsOf?: string;
}

/**
 * Defaults per chain profile from data/gas-prices.json (src/data/gas-prices.ts), each with its date
 * and source: Ethereum L1 at the median of the cited 2025–2026 daily averages, rollups at their L2
 * execution price plus an L1 data fee per transaction. A scenario overrides them per chain
 * (`chains.<name>.gasPriceGwei`, `chains.<name>.nativeUsd`).
 */
export function gasAssumptionFor(chain: { profile: string; gasPriceGwei?: number; nativeUsd?: number }): GasAssumption {
  const data = gasPriceData();
  const p = data.profiles[chain.profile] ?? data.profiles.local;
  if (!p) throw new CorridorError(ErrorCode.DataInvalid, `data/gas-prices.json has no profile "${chain.profile}" nor "local"`, { profile: chain.profile });
  const native = data.nativeTokens[p.native]!;
  return {
    profile: chain.profile,
    native: p.native,
    gasPriceGwei: chain.gasPriceGwei ?? p.gasPriceGwei.default,
    gasPriceFrom: chain.gasPriceGwei === undefined ? "data/gas-prices.json" : "scenario",
    gasPriceBasis: chain.gasPriceGwei === undefined ? p.gasPriceGwei.basis : "set by the scenario",
    gasPriceRange: [p.gasPriceGwei.low, p.gasPriceGwei.high],
    nativeUsd: chain.nativeUsd ?? native.usd,
    nativeUsdFrom: chain.nativeUsd === undefined ? native.source : "set by the scenario",
    nativeUsdAsOf: chain.nativeUsd === undefined ? native.asOf : null,
    ...(p.l1DataFeeUsd ? { l1DataFeeUsd: p.l1DataFeeUsd.value, l1DataFeeSource: p.l1DataFeeUsd.source, l1DataFeeAsOf: p.l1DataFeeUsd.asOf } : {}),
  };
}

/** The gas price of a scenario chain: its own figures, else its profile's defaults. */
export function gasPriceFor(chain: { profile: string; gasPriceGwei?: number; nativeUsd?: number }): GasPrice {
  const a = gasAssumptionFor(chain);
  return { gasPriceGwei: a.gasPriceGwei, nativeUsd: a.nativeUsd, ...(a.l1DataFeeUsd !== undefined ? { l1DataFeeUsd: a.l1DataFeeUsd } : {}) };
}

/** Numeraire units per unit of gas. */
export const usdPerGas = (p: GasPrice): number => p.gasPriceGwei * 1e-9 * p.nativeUsd;

/** Gas units and transactions (shares of batches) of one transfer on one chain. */
export interface ChainGas {
  units: number;
  txs: number;
}

/** A transfer's cost in the numeraire at given prices (its source's and destination's). */
export function gasUsd(src: ChainGas, dst: ChainGas, prices: { src: GasPrice; dst: GasPrice }): number {
  const on = (g: ChainGas, p: GasPrice) => g.units * usdPerGas(p) + g.txs * (p.l1DataFeeUsd ?? 0);
  return on(src, prices.src) + on(dst, prices.dst);
}

/** Gas of one transfer as results.json shows it. */
export interface TransferGas {
  /** Gas units: send + share of the settle (or refund) batches. */
  units: number;
  /** Those units at each chain's gas price, in the numeraire. */
  usd: number;
  /** usd as a percentage of the amount sent (valued in the numeraire at the mid). */
  pct: number;
  /** Units and transactions on each side, to price the transfer again at other gas prices (the sensitivity table). */
  src?: ChainGas;
  dst?: ChainGas;
  /** The amount sent in the numeraire (what pct divides by). */
  amountUsd?: number;
}

interface RawReceipt {
  transactionHash: Hex;
  gasUsed: Hex;
  logs: { address: Hex; topics: Hex[] }[];
}

const topic = (eventName: string): Hex => encodeEventTopics({ abi: gatewayAbi(), eventName } as never)[0] as Hex;

/** Collects gas per transfer from the receipts the simulation and the relayer read anyway. */
export class GasMeter {
  /** Source `send` gas by source transaction hash. */
  private readonly sends = new Map<Hex, number>();
  /** Batch shares by transfer id: settle attempts on the destination, refunds on the source. */
  private readonly settle = new Map<Hex, number>();
  private readonly refund = new Map<Hex, number>();
  /** Transactions' shares by transfer id (1 / items of each batch), for per-transaction L1 data fees. */
  private readonly settleTxs = new Map<Hex, number>();
  private readonly refundTxs = new Map<Hex, number>();
  /** Batch receipts already counted (a receipt may be read twice after a failed poll). */
  private readonly seen = new Set<Hex>();
  private readonly topics: { settled: Hex; settleFailed: Hex; refunded: Hex; refundFailed: Hex };

  constructor(private readonly gateways: ReadonlySet<string>) {
    this.topics = { settled: topic("TransferSettled"), settleFailed: topic("SettleFailed"), refunded: topic("TransferRefunded"), refundFailed: topic("RefundFailed") };
  }

  observeSend(txHash: Hex, gasUsed: bigint): void {
    this.sends.set(txHash, Number(gasUsed));
  }

  /** A raw eth_getTransactionReceipt result: settle and refund batches are split among their items. */
  observeReceipt(raw: unknown): void {
    const r = raw as RawReceipt | null;
    if (!r || !Array.isArray(r.logs) || this.seen.has(r.transactionHash)) return;
    const settleIds: Hex[] = [];
    const refundIds: Hex[] = [];
    const t = this.topics;
    for (const log of r.logs) {
      if (!this.gateways.has(log.address.toLowerCase())) continue;
      const t0 = log.topics[0];
      const id = log.topics[1];
      if (!id) continue;
      if (t0 === t.settled || t0 === t.settleFailed) settleIds.push(id);
      else if (t0 === t.refunded || t0 === t.refundFailed) refundIds.push(id);
    }
    const items = settleIds.length + refundIds.length;
    if (items === 0) return;
    this.seen.add(r.transactionHash);
    const share = Number(BigInt(r.gasUsed)) / items;
    for (const id of settleIds) {
      this.settle.set(id, (this.settle.get(id) ?? 0) + share);
      this.settleTxs.set(id, (this.settleTxs.get(id) ?? 0) + 1 / items);
    }
    for (const id of refundIds) {
      this.refund.set(id, (this.refund.get(id) ?? 0) + share);
      this.refundTxs.set(id, (this.refundTxs.get(id) ?? 0) + 1 / items);
    }
  }

  /**
   * A transfer's gas: units on each chain priced at that chain's price. `amountInNumeraire` is the
   * amount sent valued in the numeraire; null when the send's receipt was never seen.
   */
  forTransfer(t: { id: Hex; srcTxHash: Hex }, prices: { src: GasPrice; dst: GasPrice }, amountInNumeraire: number): TransferGas | null {
    const send = this.sends.get(t.srcTxHash);
    if (send === undefined) return null;
    const src = { units: send + (this.refund.get(t.id) ?? 0), txs: 1 + (this.refundTxs.get(t.id) ?? 0) };
    const dst = { units: this.settle.get(t.id) ?? 0, txs: this.settleTxs.get(t.id) ?? 0 };
    const usd = gasUsd(src, dst, prices);
    const r = (g: ChainGas) => ({ units: Math.round(g.units), txs: round(g.txs, 6) });
    return {
      units: Math.round(src.units + dst.units),
      usd: round(usd, 6),
      pct: amountInNumeraire > 0 ? round((usd / amountInNumeraire) * 100, 6) : 0,
      src: r(src),
      dst: r(dst),
      amountUsd: round(amountInNumeraire, 6),
    };
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
