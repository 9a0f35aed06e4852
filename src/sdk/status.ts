/** Where a transfer stands, from the gateways' own storage (no indexer, no relayer). */
import type { Hex } from "viem";
import { gatewayAbi, OUTBOUND_FINALIZED, OUTBOUND_REFUNDED } from "../contracts/gateway.js";
import { ZERO_HASH } from "../domain/message.js";
import { readContract } from "./read.js";
import { toChainReader, type ReaderLike } from "./signer.js";
import { parseAddress, parseBytes32 } from "./validate.js";

/** Source side: outbound(id) is zero (never sent here), the message hash (pending), or a closed marker. */
export type OutboundStatus = "unknown" | "pending" | "refunded" | "finalized";
/** Overall: settled once the destination consumed the id; refunded or finalized once the source closed it. */
export type TransferStatus = "unknown" | "pending" | "settled" | "refunded" | "finalized";

/** A gateway and something to read it with: a viem client (`publicClient`) or an ethers Provider (`provider`). */
export type GatewayTarget = { gateway: string } & ({ publicClient: ReaderLike; provider?: never } | { provider: ReaderLike; publicClient?: never });

export interface TransferStatusOptions {
  /** The source chain's gateway. */
  source: GatewayTarget;
  /** The destination chain's gateway; without it `settled` is not known (a pending source stays "pending"). */
  destination?: GatewayTarget;
  id: Hex;
}

export interface TransferStatusResult {
  status: TransferStatus;
  outbound: OutboundStatus;
  /** consumed(id) on the destination; undefined when no destination was given. */
  settled: boolean | undefined;
}


const readerOf = (t: GatewayTarget) => toChainReader((t.publicClient ?? t.provider)!);

export async function getTransferStatus(opts: TransferStatusOptions): Promise<TransferStatusResult> {
  const id = parseBytes32("id", opts.id);
  const srcGateway = parseAddress("source.gateway", opts.source.gateway);
  const [stored, settled] = await Promise.all([
    readContract<Hex>(readerOf(opts.source), srcGateway, gatewayAbi(), "outbound", [id]),
    opts.destination
      ? readContract<boolean>(readerOf(opts.destination), parseAddress("destination.gateway", opts.destination.gateway), gatewayAbi(), "consumed", [id])
      : Promise.resolve(undefined),
  ]);
  const outbound: OutboundStatus =
    stored === ZERO_HASH ? "unknown" : isHexEqual(stored, OUTBOUND_REFUNDED) ? "refunded" : isHexEqual(stored, OUTBOUND_FINALIZED) ? "finalized" : "pending";
  // A refund is only signed for a transfer that was not settled, and a finalization only after settlement.
  const status: TransferStatus = outbound === "refunded" || outbound === "finalized" ? outbound : settled ? "settled" : outbound;
  return { status, outbound, settled };
}

const isHexEqual = (a: Hex, b: Hex): boolean => a.toLowerCase() === b.toLowerCase();
