import { decodeAbiParameters, decodeErrorResult, encodeFunctionData, toEventSelector, type Abi, type AbiParameter, type Hex } from "viem";
import { loadArtifact } from "./artifacts.js";
import type { LockedQuote, Message } from "../domain/message.js";
import { CorridorError } from "../domain/errors.js";


/** What `outbound(id)` holds on the source once a message was refunded or finalized (CorridorGateway's closed markers). */
export const OUTBOUND_REFUNDED: Hex = `0x${"0".repeat(63)}1`;
export const OUTBOUND_FINALIZED: Hex = `0x${"0".repeat(63)}2`;

export const gatewayAbi = (): Abi => loadArtifact("CorridorGateway").abi;
export const tokenAbi = (): Abi => loadArtifact("CorridorToken").abi;

/** What a sender asks the source gateway for (CorridorGateway.SendParams). */
export interface SendParams {
  inputToken: Hex;
  dstChainId: bigint;
  outputToken: Hex;
  recipient: Hex;
  amount: bigint;
  maxFee: bigint;
  minAmountOut: bigint;
  deadline: bigint;
  tier: number;
  extraHash: Hex;
  /** NO_QUOTE when the sender locks no quote. */
  quote: LockedQuote;
}

/**
 * One settlement of a batch (CorridorGateway.SettleItem). The attesters' signatures cover the whole
 * batch (`settleBatchDigest` in src/domain/message.ts), so they travel beside the items.
 */
export interface SettleItem {
  message: Message;
  rate: bigint;
  /** The attesters saw the source final: a Fast transfer then takes nothing from the Fast allowance. */
  sourceFinal: boolean;
  /** The locked quote and its quoter signature (NO_QUOTE and "0x" when none). */
  quote: LockedQuote;
  quoteSignature: Hex;
}
export interface RefundItem {
  message: Message;
  reason: number;
}
export interface FinalizeItem {
  message: Message;
}

/** Fixed gas limits (estimation against a busy mempool costs more than it saves); generous, never binding. */
export const GAS = {
  send: 400_000n,
  approve: 80_000n,
  deposit: 200_000n,
  settleBase: 80_000n,
  settlePerItem: 200_000n,
  refundPerItem: 150_000n,
  finalizePerItem: 150_000n,
  creditPerItem: 30_000n,
  admin: 200_000n,
  deploy: 8_000_000n,
} as const;

export const encodeSend = (p: SendParams): Hex => encodeFunctionData({ abi: gatewayAbi(), functionName: "send", args: [p] });
/** Batches carry the attesters' signatures over the batch (signers ascending), once. */
export const encodeSettleBatch = (items: SettleItem[], signatures: Hex[]): Hex =>
  encodeFunctionData({ abi: gatewayAbi(), functionName: "settleBatch", args: [items, signatures] });
export const encodeRefundBatch = (items: RefundItem[], signatures: Hex[]): Hex =>
  encodeFunctionData({ abi: gatewayAbi(), functionName: "refundBatch", args: [items, signatures] });
export const encodeCreditFastAllowance = (ids: Hex[], signatures: Hex[]): Hex =>
  encodeFunctionData({ abi: gatewayAbi(), functionName: "creditFastAllowance", args: [ids, signatures] });
export const encodeFinalizeBatch = (items: FinalizeItem[], signatures: Hex[]): Hex =>
  encodeFunctionData({ abi: gatewayAbi(), functionName: "finalizeBatch", args: [items.map((i) => i.message), signatures] });

export type GatewayEvent =
  | { name: "TransferSent"; id: Hex; message: Message }
  | { name: "TransferSettled"; id: Hex; recipient: Hex; outputToken: Hex; amountOut: bigint; fee: bigint; rate: bigint }
  | { name: "SettleFailed"; id: Hex; reason: Hex }
  | { name: "TransferRefunded"; id: Hex; sender: Hex; amount: bigint; reason: number }
  | { name: "RefundFailed"; id: Hex; reason: Hex }
  | { name: "TransferFinalized"; id: Hex; toLiquidity: bigint; fee: bigint }
  | { name: "FinalizeFailed"; id: Hex; reason: Hex }
  | { name: "FastAllowanceDebited"; id: Hex; token: Hex; amount: bigint }
  | { name: "FastAllowanceCredited"; id: Hex; token: Hex; amount: bigint };

const WANTED = new Set(["TransferSent", "TransferSettled", "SettleFailed", "TransferRefunded", "RefundFailed", "TransferFinalized", "FinalizeFailed", "FastAllowanceDebited", "FastAllowanceCredited"]);

/**
 * The corridor events' decoders by topic0, built once: the event's indexed inputs from the topics, the
 * rest from the data, with viem's ABI decoder (so values come out exactly as `decodeEventLog` gives
 * them; test/unit/gateway-events.test.ts compares the two). `decodeEventLog` looks the event up by
 * hashing the signature of each of the gateway's ~30 events for every log it decodes (issue 14).
 */
interface EventDecoder {
  name: string;
  indexed: readonly AbiParameter[];
  data: readonly AbiParameter[];
}
let decoders: Map<string, EventDecoder> | undefined;
function eventDecoders(): Map<string, EventDecoder> {
  if (!decoders) {
    decoders = new Map();
    for (const e of gatewayAbi()) {
      if (e.type !== "event" || e.anonymous || !WANTED.has(e.name)) continue;
      const indexed = e.inputs.filter((i) => i.indexed);
      // A dynamic indexed input is logged as its hash, which this decoder does not handle: none of these events has one.
      if (indexed.some((i) => /^(string|bytes|tuple)$|\]$/.test(i.type))) throw new Error(`event ${e.name} has a dynamic indexed input`);
      decoders.set(toEventSelector(e), { name: e.name, indexed, data: e.inputs.filter((i) => !i.indexed) });
    }
  }
  return decoders;
}

/** Decodes the corridor events among `logs`; other logs (token transfers, admin events, malformed ones) are skipped. */
export function decodeGatewayLogs<L extends { topics: Hex[]; data: Hex }>(logs: L[]): (GatewayEvent & { log: L })[] {
  const table = eventDecoders();
  const out: (GatewayEvent & { log: L })[] = [];
  for (const log of logs) {
    const d = log.topics[0] && table.get(log.topics[0].toLowerCase());
    if (!d || log.topics.length < d.indexed.length + 1) continue; // as viem: topics beyond the indexed inputs are ignored
    const ev: Record<string, unknown> = { name: d.name };
    try {
      // Indexed inputs here are all static (bytes32, address): each topic is its ABI encoding.
      d.indexed.forEach((p, i) => (ev[p.name!] = decodeAbiParameters([p], log.topics[i + 1]!)[0]));
      const values = decodeAbiParameters(d.data, log.data);
      d.data.forEach((p, i) => (ev[p.name!] = values[i]));
    } catch {
      continue;
    }
    out.push({ ...ev, log } as never);
  }
  return out;
}

/** Every custom error the corridor's contracts can raise, for decoding revert data. */
function errorAbis(): Abi {
  const names: [string, string?][] = [["CorridorGateway"], ["CorridorToken"]];
  const abis: Abi[] = names.map(([n, s]) => loadArtifact(n, s).abi);
  return abis.flat().filter((x) => x.type === "error") as Abi;
}

export interface DecodedRevert {
  errorName: string;
  args: readonly unknown[];
}

/** Decodes revert data into the contract's custom error name and arguments (undefined if unknown). */
export function decodeRevert(data: Hex, extraAbis: Abi[] = []): DecodedRevert | undefined {
  if (!data || data === "0x") return undefined;
  try {
    const r = decodeErrorResult({ abi: [...errorAbis(), ...extraAbis.flat()] as Abi, data });
    return { errorName: r.errorName, args: r.args ?? [] };
  } catch {
    return undefined;
  }
}

/** A contract revert as a CorridorError: code CORRIDOR_REVERT_<ErrorName>, the decoded arguments in details. */
export function revertError(data: Hex, context: Record<string, unknown> = {}): CorridorError {
  const d = decodeRevert(data);
  const name = d?.errorName ?? "Unknown";
  const args = (d?.args ?? []).map((a) => (typeof a === "bigint" ? a.toString() : a));
  return new CorridorError(`CORRIDOR_REVERT_${name}`, `contract reverted with ${name}(${args.join(", ")})`, { ...context, error: name, args, data });
}
