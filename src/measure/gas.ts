import { encodeEventTopics, type Hex } from "viem";
import { gatewayAbi } from "../contracts/gateway.js";

/**
 * Gas: what a transfer's transactions burn, priced at its chains' gas price and native token
 * price in the corridor's numeraire (spec.numeraire; the fields keep their results.json names,
 * `nativeUsd` and `usd`). Units are measured from receipts, never estimated:
 * - the sender's `send` transaction on the source chain (its whole gasUsed);
 * - its share of the relayer's batch that settled it on the destination (the batch's gasUsed
 *   divided by the items in the batch), and of any earlier batch that tried and failed;
 * - for a refunded transfer, its share of the refund batch on the source chain instead.
 * Finalization (escrow to liquidity) and Fast-allowance credits are the liquidity provider's and
 * the corridor's running costs and are left out.
 */

export interface GasPrice {
  /** Gas price in gwei (1e-9 of the native token). */
  gasPriceGwei: number;
  /** Price of the chain's native token in the numeraire. */
  nativeUsd: number;
}

/**
 * Defaults per chain profile, round figures of the order of mid-2020s fees, native tokens priced in
 * the preset numeraire (src/spec/presets.ts): Ethereum L1 at 10 gwei and ETH at 3,000; rollups at
 * 0.01 gwei of ETH (their L1 data fee is not modelled); Avalanche C-Chain at 25 nAVAX and AVAX at
 * 25; Polygon PoS at 30 gwei of POL at 0.50. A scenario overrides them per chain
 * (`chains.<name>.gasPriceGwei`, `chains.<name>.nativeUsd`).
 */
export const GAS_PRICE_DEFAULTS: Record<string, GasPrice> = {
  ethereum: { gasPriceGwei: 10, nativeUsd: 3000 },
  base: { gasPriceGwei: 0.01, nativeUsd: 3000 },
  arbitrum: { gasPriceGwei: 0.01, nativeUsd: 3000 },
  optimism: { gasPriceGwei: 0.01, nativeUsd: 3000 },
  avalanche: { gasPriceGwei: 25, nativeUsd: 25 },
  polygon: { gasPriceGwei: 30, nativeUsd: 0.5 },
  local: { gasPriceGwei: 0.01, nativeUsd: 3000 },
};

/** The gas price of a scenario chain: its own figures, else its profile's defaults. */
export function gasPriceFor(chain: { profile: string; gasPriceGwei?: number; nativeUsd?: number }): GasPrice {
  const d = GAS_PRICE_DEFAULTS[chain.profile] ?? GAS_PRICE_DEFAULTS.local!;
  return { gasPriceGwei: chain.gasPriceGwei ?? d.gasPriceGwei, nativeUsd: chain.nativeUsd ?? d.nativeUsd };
}

/** Numeraire units per unit of gas. */
export const usdPerGas = (p: GasPrice): number => p.gasPriceGwei * 1e-9 * p.nativeUsd;

/** Gas of one transfer as results.json shows it. */
export interface TransferGas {
  /** Gas units: send + share of the settle (or refund) batches. */
  units: number;
  /** Those units at each chain's gas price, in the numeraire. */
  usd: number;
  /** usd as a percentage of the amount sent (valued in the numeraire at the mid). */
  pct: number;
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
    for (const id of settleIds) this.settle.set(id, (this.settle.get(id) ?? 0) + share);
    for (const id of refundIds) this.refund.set(id, (this.refund.get(id) ?? 0) + share);
  }

  /**
   * A transfer's gas: units on each chain priced at that chain's price. `amountInNumeraire` is the
   * amount sent valued in the numeraire; null when the send's receipt was never seen.
   */
  forTransfer(t: { id: Hex; srcTxHash: Hex }, prices: { src: GasPrice; dst: GasPrice }, amountInNumeraire: number): TransferGas | null {
    const send = this.sends.get(t.srcTxHash);
    if (send === undefined) return null;
    const onSrc = send + (this.refund.get(t.id) ?? 0);
    const onDst = this.settle.get(t.id) ?? 0;
    const usd = onSrc * usdPerGas(prices.src) + onDst * usdPerGas(prices.dst);
    return {
      units: Math.round(onSrc + onDst),
      usd: round(usd, 6),
      pct: amountInNumeraire > 0 ? round((usd / amountInNumeraire) * 100, 6) : 0,
    };
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
