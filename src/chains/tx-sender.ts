import type { Hex, PrivateKeyAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Chain } from "./chain.js";
import { CorridorError } from "../domain/errors.js";

export interface TxRequest {
  /** Omitted for a contract creation. */
  to?: Hex;
  data?: Hex;
  value?: bigint;
  /** A fixed gas limit: estimating against a large mempool costs far more than it saves. */
  gas: bigint;
}

export interface FeeSettings {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface Receipt {
  transactionHash: Hex;
  status: "success" | "reverted";
  blockNumber: number;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: { address: Hex; topics: Hex[]; data: Hex; logIndex: number; transactionHash: Hex; blockNumber: number }[];
}

/**
 * Sends transactions for one key on one chain. Signs locally (real ECDSA signatures, so
 * the same code works against any JSON-RPC endpoint), tracks its own nonce and passes
 * nonce, gas and fees explicitly: asking the node for them would rebuild the pending
 * block on every call.
 */
export class TxSender {
  readonly account: PrivateKeyAccount;
  private nonce: number | undefined;
  private fees: FeeSettings | undefined;

  constructor(
    readonly chain: Chain,
    privateKey: Hex,
    private readonly feeOverride?: FeeSettings,
  ) {
    this.account = privateKeyToAccount(privateKey);
  }

  get address(): Hex {
    return this.account.address;
  }

  /** Re-reads the nonce and fee level from the chain (after a restart or a dropped transaction). */
  async sync(): Promise<void> {
    this.nonce = Number(await this.chain.request<string>("eth_getTransactionCount", [this.address, "pending"]));
    this.fees = this.feeOverride ?? (await suggestFees(this.chain));
  }

  /** Signs and submits; returns the transaction hash without waiting for inclusion. */
  async send(tx: TxRequest): Promise<Hex> {
    if (this.nonce === undefined || this.fees === undefined) await this.sync();
    const nonce = this.nonce!;
    const raw = await this.account.signTransaction({
      chainId: this.chain.chainId,
      type: "eip1559",
      nonce,
      gas: tx.gas,
      maxFeePerGas: this.fees!.maxFeePerGas,
      maxPriorityFeePerGas: this.fees!.maxPriorityFeePerGas,
      to: tx.to,
      data: tx.data,
      value: tx.value,
    });
    this.nonce = nonce + 1;
    try {
      return await this.chain.request<Hex>("eth_sendRawTransaction", [raw]);
    } catch (cause) {
      this.nonce = undefined; // unknown whether it reached the pool: re-read before the next send
      throw new CorridorError("CORRIDOR_TX_REJECTED", `transaction from ${this.address} rejected by ${this.chain.name}`, { chain: this.chain.name, to: tx.to }, cause);
    }
  }
}

/** A fee level that stays valid for a while: three times the current base fee plus a small tip. */
export async function suggestFees(chain: Chain): Promise<FeeSettings> {
  const block = await chain.request<{ baseFeePerGas?: string }>("eth_getBlockByNumber", ["latest", false]);
  const base = BigInt(block.baseFeePerGas ?? "0");
  const tip = 1_000_000n;
  return { maxFeePerGas: base * 3n + tip + 1_000_000_000n, maxPriorityFeePerGas: tip };
}

interface RawReceipt {
  transactionHash: Hex;
  status: Hex;
  blockNumber: Hex;
  gasUsed: Hex;
  effectiveGasPrice: Hex;
  logs: { address: Hex; topics: Hex[]; data: Hex; logIndex: Hex; transactionHash: Hex; blockNumber: Hex }[];
}

export async function getReceipt(chain: Chain, hash: Hex): Promise<Receipt | null> {
  const r = await chain.request<RawReceipt | null>("eth_getTransactionReceipt", [hash]);
  if (!r) return null;
  return {
    transactionHash: r.transactionHash,
    status: r.status === "0x1" ? "success" : "reverted",
    blockNumber: Number(r.blockNumber),
    gasUsed: BigInt(r.gasUsed),
    effectiveGasPrice: BigInt(r.effectiveGasPrice ?? "0"),
    logs: r.logs.map((l) => ({ ...l, logIndex: Number(l.logIndex), blockNumber: Number(l.blockNumber) })),
  };
}

/** Polls for a receipt (for set-up steps and automining chains). */
export async function waitForReceipt(chain: Chain, hash: Hex, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<Receipt> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const r = await getReceipt(chain, hash);
    if (r) return r;
    if (Date.now() > deadline) throw new CorridorError("CORRIDOR_TX_TIMEOUT", `no receipt for ${hash} on ${chain.name}`, { hash, chain: chain.name });
    await new Promise((res) => setTimeout(res, opts.pollMs ?? 20));
  }
}
