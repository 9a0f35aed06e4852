import type { Hex, PrivateKeyAccount } from "viem";
import { keccak256, localAccount } from "../crypto/native.js";
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

/** A transaction signed for sending: its hash is known before the node sees it. */
export interface SignedTx {
  hash: Hex;
  raw: Hex;
  nonce: number;
  fees: FeeSettings;
  /** Signed at a nonce given by the caller (a replacement or a re-broadcast), not the sender's next one. */
  replacement: boolean;
}

/** How a stuck transaction is replaced (same nonce, higher fees). */
export interface ReplacementPolicy {
  /**
   * Each fee (max fee and priority fee) rises by at least this many percent per replacement.
   * Nodes refuse a replacement below +10% on either (geth, Hardhat, anvil); default 12.5.
   */
  bumpPercent?: number;
  /** The highest maxFeePerGas a replacement may offer (wei); default 100 gwei. */
  maxFeePerGasCap?: bigint;
}

export const DEFAULT_BUMP_PERCENT = 12.5;
export const DEFAULT_MAX_FEE_CAP = 100n * 10n ** 9n;

/**
 * Sends transactions for one key on one chain. Signs locally (real ECDSA signatures, so
 * the same code works against any JSON-RPC endpoint), tracks its own nonce and passes
 * nonce, gas and fees explicitly: asking the node for them would rebuild the pending
 * block on every call. A transaction that is not mined can be replaced: same nonce, each
 * fee raised by at least `bumpPercent` (and to the chain's current level), up to a cap.
 */
export class TxSender {
  readonly account: PrivateKeyAccount;
  private nonce: number | undefined;
  private fees: FeeSettings | undefined;
  /**
   * The lowest nonce a new transaction may take: one above the highest this sender saw accepted.
   * A node's "pending" count leaves out transactions it holds but cannot mine yet (below the base
   * fee, or behind a gap), so re-reading the nonce alone would reuse a stuck transaction's nonce.
   */
  private floor = 0;
  readonly bumpPercent: number;
  readonly maxFeePerGasCap: bigint;

  constructor(
    readonly chain: Chain,
    privateKey: Hex,
    private readonly feeOverride?: FeeSettings,
    policy: ReplacementPolicy = {},
  ) {
    // Signs with native secp256k1 and keccak where they load (src/crypto/native.ts); same bytes as viem's account.
    this.account = localAccount(privateKey);
    this.bumpPercent = Math.max(10, policy.bumpPercent ?? DEFAULT_BUMP_PERCENT);
    this.maxFeePerGasCap = policy.maxFeePerGasCap ?? DEFAULT_MAX_FEE_CAP;
  }

  get address(): Hex {
    return this.account.address;
  }

  /** Re-reads the nonce and fee level from the chain (after a restart or a dropped transaction). */
  async sync(): Promise<void> {
    const pending = Number(await this.chain.request<string>("eth_getTransactionCount", [this.address, "pending"]));
    this.nonce = Math.max(pending, this.floor);
    this.fees = this.feeOverride ?? (await suggestFees(this.chain));
  }

  /** Notes that a transaction with `nonce` from this key is in a node's pool (one sent before a restart). */
  noteInFlight(nonce: number): void {
    this.floor = Math.max(this.floor, nonce + 1);
    if (this.nonce !== undefined && this.nonce < this.floor) this.nonce = this.floor;
  }

  /** Re-reads the nonce and fee level before the next send (never below a nonce still in flight). */
  invalidate(): void {
    this.nonce = undefined;
    this.fees = undefined;
  }

  /** How many transactions from this key are mined (the next nonce the chain will accept in a block). */
  async minedNonce(): Promise<number> {
    return Number(await this.chain.request<string>("eth_getTransactionCount", [this.address, "latest"]));
  }

  /**
   * Signs `tx` without sending it: at the next nonce and the current fee level, or at the given
   * ones (a replacement). Taking the next nonce advances the sender's count.
   */
  async sign(tx: TxRequest, at?: { nonce: number; fees: FeeSettings }): Promise<SignedTx> {
    if (!at && (this.nonce === undefined || this.fees === undefined)) await this.sync();
    const nonce = at?.nonce ?? this.nonce!;
    const fees = at?.fees ?? this.fees!;
    const raw = await this.account.signTransaction({
      chainId: this.chain.chainId,
      type: "eip1559",
      nonce,
      gas: tx.gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      to: tx.to,
      data: tx.data,
      value: tx.value,
    });
    if (!at) this.nonce = nonce + 1;
    return { hash: keccak256(raw), raw, nonce, fees, replacement: at !== undefined };
  }

  /** Submits a signed transaction; returns its hash without waiting for inclusion. */
  async broadcast(signed: SignedTx, to?: Hex): Promise<Hex> {
    try {
      const hash = await this.chain.request<Hex>("eth_sendRawTransaction", [signed.raw]);
      this.floor = Math.max(this.floor, signed.nonce + 1);
      return hash;
    } catch (cause) {
      // Unknown whether it reached the pool: re-read before the next send. A replacement leaves the count alone.
      if (!signed.replacement) this.nonce = undefined;
      throw new CorridorError("CORRIDOR_TX_REJECTED", `transaction from ${this.address} rejected by ${this.chain.name}: ${shortReason(cause)}`, { chain: this.chain.name, to, nonce: signed.nonce }, cause);
    }
  }

  /** Signs and submits; returns the transaction hash without waiting for inclusion. */
  async send(tx: TxRequest): Promise<Hex> {
    const signed = await this.sign(tx);
    return this.broadcast(signed, tx.to);
  }

  /**
   * Fees for replacing a transaction that offered `prev`: each at least `bumpPercent` higher
   * (rounded up), and at least what the chain asks now (a base-fee rise is the usual reason a
   * transaction is stuck), the max fee at most the cap. Undefined when the cap leaves no room
   * for a valid replacement.
   */
  async replacementFees(prev: FeeSettings): Promise<FeeSettings | undefined> {
    const now = this.feeOverride ?? (await suggestFees(this.chain));
    const tip = maxBig(bump(prev.maxPriorityFeePerGas, this.bumpPercent), now.maxPriorityFeePerGas);
    let maxFee = maxBig(bump(prev.maxFeePerGas, this.bumpPercent), now.maxFeePerGas, tip);
    if (maxFee > this.maxFeePerGasCap) maxFee = this.maxFeePerGasCap;
    if (maxFee < bump(prev.maxFeePerGas, this.bumpPercent) || tip > maxFee) return undefined;
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
  }

  /** Whether the node knows the transaction (in its pool or mined); false once it was dropped or replaced. */
  async isKnown(hash: Hex): Promise<boolean> {
    return (await this.chain.request<unknown>("eth_getTransactionByHash", [hash])) != null;
  }
}

/** `value` raised by `percent` percent, rounded up, and by at least one wei. */
export function bump(value: bigint, percent: number): bigint {
  const bp = BigInt(Math.round(percent * 100));
  const raised = (value * (10_000n + bp) + 9_999n) / 10_000n;
  return raised > value ? raised : value + 1n;
}

const maxBig = (...xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a));

function shortReason(cause: unknown): string {
  const e = cause as { details?: string; shortMessage?: string; message?: string };
  return (e?.details ?? e?.shortMessage ?? e?.message ?? String(cause)).split("\n")[0]!.slice(0, 200);
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
