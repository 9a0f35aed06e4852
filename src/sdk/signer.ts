/**
 * The one place that knows which library a signer or a client comes from. The rest of the SDK
 * talks to a CorridorSigner (send) or a ChainReader (read), whether the application holds a
 * viem WalletClient or an ethers v6 Signer. ethers is only imported as types: a viem
 * application never loads it.
 */
import type { AbstractSigner, Provider as EthersProvider } from "ethers";
import { toHex, type Account, type Chain as ViemChain, type Client, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { call as viemCall, getBlock, getChainId, sendTransaction as viemSendTransaction, waitForTransactionReceipt } from "viem/actions";
import { CorridorError } from "../domain/errors.js";
import { SdkErrorCode } from "./errors.js";

/** A contract call or transaction: always to a contract, never a creation or a value transfer. */
export interface TxCall {
  to: Hex;
  data: Hex;
  /** Gas limit; the SDK passes fixed limits so that the wallet does not estimate. */
  gas?: bigint;
}

/** What a call returned: its data, or the revert data (undefined when the node gave none). */
export type CallResult = { reverted: false; data: Hex } | { reverted: true; data: Hex | undefined; error: unknown };

export interface ReceiptLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
}

export interface SdkReceipt {
  transactionHash: Hex;
  status: "success" | "reverted";
  blockNumber: bigint;
  logs: ReceiptLog[];
}

/** Which state a call runs against: "latest" or a block number. */
export type BlockRef = "latest" | bigint;

/** Reads from a chain with eth_call. */
export interface ChainReader {
  call(tx: TxCall, block?: BlockRef): Promise<CallResult>;
}

/** A signer as the SDK needs it, whatever library it comes from. */
export interface CorridorSigner extends ChainReader {
  readonly library: "viem" | "ethers";
  readonly address: Hex;
  readonly chainId: number;
  /**
   * Simulates `tx` from this address, at the latest block by default. Pass the block that holds a
   * transaction just mined to simulate on top of it (and past ethers' request cache, see fromEthers).
   */
  call(tx: TxCall, block?: BlockRef): Promise<CallResult>;
  /** Signs and submits; resolves with the hash once the node accepted it. */
  sendTransaction(tx: TxCall): Promise<Hex>;
  /** Waits for the receipt of `hash` (a reverted transaction resolves with status "reverted"). */
  waitForReceipt(hash: Hex): Promise<SdkReceipt>;
  /** The latest block's timestamp, unix seconds: deadlines count from chain time, not the local clock. */
  latestBlockTimestamp(): Promise<bigint>;
}

export type ViemWalletClient = WalletClient<Transport, ViemChain | undefined, Account>;
/** Either a viem WalletClient with an account or an ethers v6 Signer connected to a provider. */
export type SignerLike = ViemWalletClient | AbstractSigner;
/** Either a viem client (public or wallet) or an ethers v6 Provider. */
export type ReaderLike = PublicClient | Client | EthersProvider;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
/** viem clients carry their transport and a request function (the shape, not instanceof: there may be two copies of viem). */
const isViemClient = (x: unknown): x is Client => isObject(x) && typeof x.request === "function" && isObject(x.transport);
const isEthersSigner = (x: unknown): x is AbstractSigner =>
  isObject(x) && typeof x.getAddress === "function" && typeof x.sendTransaction === "function" && typeof x.signTransaction === "function";
const isEthersProvider = (x: unknown): x is EthersProvider =>
  isObject(x) && typeof x.call === "function" && typeof x.getNetwork === "function" && typeof x.getBlock === "function";

// ---------------------------------------------------------------- revert data

const REVERT_DATA = /^0x([0-9a-fA-F]{2})*$/;

/**
 * The revert data inside an error from viem (RawContractError in the cause chain), ethers
 * (CALL_EXCEPTION `data`, or `info.error.data`) or a bare EIP-1193 provider (`data`, sometimes
 * nested as `data.data`). Breadth-first over the usual keys, so the outermost data wins.
 */
export function revertDataOf(error: unknown): Hex | undefined {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    const x = queue.shift();
    if (!isObject(x) || seen.has(x)) continue;
    seen.add(x);
    const data = x.data;
    if (typeof data === "string" && REVERT_DATA.test(data) && data.length >= 10) return data as Hex;
    for (const key of ["data", "cause", "error", "info"]) if (isObject(x[key])) queue.push(x[key]);
  }
  return undefined;
}

/** Whether `error` says the call reverted (as opposed to a transport failure). */
function looksLikeRevert(error: unknown): boolean {
  for (let x: unknown = error, depth = 0; isObject(x) && depth < 8; x = x.cause ?? x.error ?? x.info, depth++) {
    if (x.code === "CALL_EXCEPTION" || x.name === "ContractFunctionRevertedError" || x.name === "CallExecutionError") return true;
    if (typeof x.message === "string" && /revert/i.test(x.message)) return true;
  }
  return false;
}

function callFailed(error: unknown): CallResult {
  const data = revertDataOf(error);
  if (data !== undefined || looksLikeRevert(error)) return { reverted: true, data, error };
  throw new CorridorError(SdkErrorCode.RpcFailed, `eth_call failed: ${(error as Error)?.message ?? String(error)}`, {}, error);
}

function rpcFailed(what: string, error: unknown): CorridorError {
  if (error instanceof CorridorError) return error;
  return new CorridorError(SdkErrorCode.RpcFailed, `${what} failed: ${(error as Error)?.message ?? String(error)}`, { step: what }, error);
}

// ---------------------------------------------------------------- viem

async function fromViem(client: ViemWalletClient, opts: AdapterOptions): Promise<CorridorSigner> {
  const account = client.account;
  if (!account) {
    throw new CorridorError(SdkErrorCode.InvalidSigner, "the viem WalletClient has no account: create it with `account` (e.g. privateKeyToAccount)");
  }
  const chainId = await getChainId(client).catch((e: unknown) => {
    throw rpcFailed("eth_chainId", e);
  });
  return {
    library: "viem",
    address: account.address,
    chainId,
    call: async (tx, block = "latest") => {
      try {
        const at = block === "latest" ? { blockTag: "latest" as const } : { blockNumber: block };
        const r = await viemCall(client, { account, to: tx.to, data: tx.data, gas: tx.gas, ...at });
        return { reverted: false, data: r.data ?? "0x" };
      } catch (e) {
        return callFailed(e);
      }
    },
    sendTransaction: async (tx) => {
      try {
        // chain: null skips viem's "wallet is on the client's chain" assertion when the client has no chain;
        // with one, viem checks it against the wallet.
        return await viemSendTransaction(client, { account, chain: client.chain ?? null, to: tx.to, data: tx.data, gas: tx.gas } as never);
      } catch (e) {
        throw rpcFailed("sendTransaction", e);
      }
    },
    waitForReceipt: async (hash) => {
      try {
        const r = await waitForTransactionReceipt(client, { hash, pollingInterval: opts.pollingIntervalMs, timeout: opts.receiptTimeoutMs });
        return {
          transactionHash: r.transactionHash,
          status: r.status,
          blockNumber: r.blockNumber,
          logs: r.logs.map((l) => ({ address: l.address, topics: [...l.topics] as Hex[], data: l.data })),
        };
      } catch (e) {
        throw rpcFailed("waitForTransactionReceipt", e);
      }
    },
    latestBlockTimestamp: async () => {
      try {
        return (await getBlock(client, { blockTag: "latest" })).timestamp;
      } catch (e) {
        throw rpcFailed("eth_getBlockByNumber", e);
      }
    },
  };
}

// ---------------------------------------------------------------- ethers

/**
 * ethers v6 providers answer a request identical to one made in the last `cacheTimeout` ms (250 by
 * default) from a cache. On a chain that mines at once, that bites three times in approve-then-send:
 * - the pending nonce for the send is the cached one from the approval (or from the previous send): it
 *   would be reused and rejected as "nonce too low". So the adapter reads the count with `provider.send`
 *   (uncached) where the provider has it, remembers the last nonce it used per provider and address,
 *   and passes max(last + 1, the count) explicitly (for keys it signs with locally; a browser wallet
 *   behind a JsonRpcSigner keeps choosing its own nonces);
 * - the simulation after the approval would be answered with the one before it (still short of
 *   allowance). So callers simulate at the approval's block number, which is a different request;
 * - waitForTransaction compares the receipt's block with a cached block number and then waits for the
 *   next polled block (4 s for a BrowserProvider). So the adapter polls for the receipt itself.
 */
/** The last nonce the SDK used, per provider and address, across calls (see fromEthers). */
const lastNonces = new WeakMap<object, Map<string, number>>();

/** The pending nonce from the node itself: JSON-RPC providers' `send` bypasses ethers' request cache. */
async function pendingNonce(provider: EthersProvider, address: Hex): Promise<number> {
  const send = (provider as { send?: (method: string, params: unknown[]) => Promise<unknown> }).send;
  if (typeof send === "function") return Number(await send.call(provider, "eth_getTransactionCount", [address, "pending"]));
  return provider.getTransactionCount(address, "pending");
}

async function fromEthers(signer: AbstractSigner, opts: AdapterOptions): Promise<CorridorSigner> {
  const provider = signer.provider;
  if (!provider) throw new CorridorError(SdkErrorCode.InvalidSigner, "the ethers Signer has no provider: connect it (wallet.connect(provider))");
  let address: Hex;
  let chainId: number;
  try {
    address = (await signer.getAddress()) as Hex;
    chainId = Number((await provider.getNetwork()).chainId);
  } catch (e) {
    throw rpcFailed("signer address and network", e);
  }
  // A JsonRpcSigner (a browser wallet behind eth_sendTransaction) picks its own nonce: leave it to the wallet.
  const signsLocally = typeof (signer as { sendUncheckedTransaction?: unknown }).sendUncheckedTransaction !== "function";
  const nonces = lastNonces.get(provider) ?? new Map<string, number>();
  lastNonces.set(provider, nonces);
  const pollMs = opts.pollingIntervalMs ?? 500;
  return {
    library: "ethers",
    address,
    chainId,
    call: async (tx, block = "latest") => {
      try {
        const data = await signer.call({ to: tx.to, data: tx.data, gasLimit: tx.gas, blockTag: block === "latest" ? block : toHex(block) });
        return { reverted: false, data: data as Hex };
      } catch (e) {
        return callFailed(e);
      }
    },
    sendTransaction: async (tx) => {
      try {
        let nonce: number | undefined;
        if (signsLocally) {
          const pending = await pendingNonce(provider, address);
          const last = nonces.get(address);
          nonce = last === undefined ? pending : Math.max(pending, last + 1);
        }
        const response = await signer.sendTransaction({ to: tx.to, data: tx.data, gasLimit: tx.gas, nonce });
        if (signsLocally) nonces.set(address, response.nonce);
        return response.hash as Hex;
      } catch (e) {
        throw rpcFailed("sendTransaction", e);
      }
    },
    waitForReceipt: async (hash) => {
      const giveUpAt = opts.receiptTimeoutMs === undefined ? Infinity : Date.now() + opts.receiptTimeoutMs;
      let r: Awaited<ReturnType<EthersProvider["getTransactionReceipt"]>>;
      for (;;) {
        try {
          r = await provider.getTransactionReceipt(hash);
        } catch (e) {
          throw rpcFailed("getTransactionReceipt", e);
        }
        if (r) break;
        if (Date.now() > giveUpAt) throw new CorridorError(SdkErrorCode.RpcFailed, `no receipt for ${hash} after ${opts.receiptTimeoutMs} ms`, { hash });
        await new Promise((res) => setTimeout(res, pollMs));
      }
      return {
        transactionHash: r.hash as Hex,
        status: r.status === 1 ? "success" : "reverted",
        blockNumber: BigInt(r.blockNumber),
        logs: r.logs.map((l) => ({ address: l.address as Hex, topics: [...l.topics] as Hex[], data: l.data as Hex })),
      };
    },
    latestBlockTimestamp: async () => {
      let block: Awaited<ReturnType<EthersProvider["getBlock"]>>;
      try {
        block = await provider.getBlock("latest");
      } catch (e) {
        throw rpcFailed("getBlock", e);
      }
      if (!block) throw new CorridorError(SdkErrorCode.RpcFailed, "the node returned no latest block");
      return BigInt(block.timestamp);
    },
  };
}

// ---------------------------------------------------------------- factories

export interface AdapterOptions {
  /** How often to poll for a receipt (viem: default the client's pollingInterval; ethers: default 500 ms). */
  pollingIntervalMs?: number;
  /** Give up waiting for a receipt after this long (default: the library's, which waits forever). */
  receiptTimeoutMs?: number;
}

/** Wraps a viem WalletClient (with an account) or an ethers v6 Signer (with a provider). */
export async function toCorridorSigner(signer: SignerLike, opts: AdapterOptions = {}): Promise<CorridorSigner> {
  if (isViemClient(signer)) return fromViem(signer as ViemWalletClient, opts);
  if (isEthersSigner(signer)) return fromEthers(signer, opts);
  throw new CorridorError(SdkErrorCode.InvalidSigner, "signer must be a viem WalletClient with an account or an ethers v6 Signer");
}

/** Wraps a viem client or an ethers v6 Provider for reads. */
export function toChainReader(client: ReaderLike): ChainReader {
  if (isViemClient(client)) {
    return {
      call: async (tx, block = "latest") => {
        try {
          const at = block === "latest" ? { blockTag: "latest" as const } : { blockNumber: block };
          const r = await viemCall(client, { to: tx.to, data: tx.data, gas: tx.gas, ...at });
          return { reverted: false, data: r.data ?? "0x" };
        } catch (e) {
          return callFailed(e);
        }
      },
    };
  }
  if (isEthersProvider(client)) {
    return {
      call: async (tx, block = "latest") => {
        try {
          const blockTag = block === "latest" ? block : toHex(block);
          return { reverted: false, data: (await client.call({ to: tx.to, data: tx.data, gasLimit: tx.gas, blockTag })) as Hex };
        } catch (e) {
          return callFailed(e);
        }
      },
    };
  }
  throw new CorridorError(SdkErrorCode.InvalidClient, "client must be a viem PublicClient or an ethers v6 Provider");
}
