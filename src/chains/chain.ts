import { createPublicClient, custom, http, type EIP1193RequestFn, type PublicClient } from "viem";
import { CorridorError } from "../domain/errors.js";

/**
 * One EVM chain as the corridor sees it: a JSON-RPC request function (EIP-1193), a
 * viem public client over the same transport, and its chain id. Embedded Hardhat
 * chains and JSON-RPC endpoints look the same from here on.
 */
export interface Chain {
  /** The corridor's name for it: a chain name of the corridor spec. */
  readonly name: string;
  readonly chainId: number;
  /** embedded: in this process (Hardhat EDR); anvil: a child process the corridor started (src/chains/anvil.ts); rpc: a node behind a URL. */
  readonly kind: "embedded" | "anvil" | "rpc";
  /** Where it lives: the network name for embedded chains, the socket or URL otherwise. */
  readonly endpoint: string;
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  readonly client: PublicClient;
  close(): Promise<void>;
}

export interface Eip1193Like {
  request(args: { method: string; params?: readonly unknown[] | object }): Promise<unknown>;
}

/** Wraps an EIP-1193 provider (embedded chain or JSON-RPC) as a Chain. */
export async function chainFromProvider(opts: {
  name: string;
  kind: Chain["kind"];
  endpoint: string;
  provider: Eip1193Like;
  close?: () => Promise<void>;
}): Promise<Chain> {
  const { provider } = opts;
  const request = async <T>(method: string, params: readonly unknown[] = []): Promise<T> =>
    (await provider.request({ method, params })) as T;
  const chainId = Number(await request<string>("eth_chainId"));
  const client = createPublicClient({
    transport: custom({ request: provider.request.bind(provider) as unknown as EIP1193RequestFn }),
  }) as PublicClient;
  return {
    name: opts.name,
    chainId,
    kind: opts.kind,
    endpoint: opts.endpoint,
    request,
    client,
    close: opts.close ?? (async () => {}),
  };
}

/** Calls that are safe to repeat: everything but submitting a transaction (the sender handles that). */
const NOT_RETRIED = new Set(["eth_sendRawTransaction", "eth_sendTransaction"]);

/** A revert or a rejected call is an answer, not a transient failure. */
function isDeterministic(err: unknown): boolean {
  const e = err as { code?: number; cause?: { code?: number }; details?: string; message?: string };
  const code = e.code ?? e.cause?.code;
  return code === 3 || code === -32000 || /revert/i.test(`${e.details ?? ""} ${e.message ?? ""}`);
}

/**
 * Retries transient failures (HTTP 5xx, timeouts, internal errors) of read calls with exponential
 * back-off: a flaky endpoint slows the corridor down but does not stop it.
 */
export function withRetries(provider: Eip1193Like, opts: { attempts: number; baseDelayMs: number; onRetry?: (err: unknown) => void }): Eip1193Like {
  return {
    async request(args) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await provider.request(args);
        } catch (err) {
          if (attempt >= opts.attempts || NOT_RETRIED.has(args.method) || isDeterministic(err)) throw err;
          opts.onRetry?.(err);
          await new Promise((r) => setTimeout(r, opts.baseDelayMs * 2 ** (attempt - 1)));
        }
      }
    },
  };
}

/** A chain behind a JSON-RPC URL (hardhat node, anvil, or a public testnet). */
export async function connectRpcChain(
  name: string,
  url: string,
  opts: { timeoutMs?: number; attempts?: number; onRetry?: (err: unknown) => void } = {},
): Promise<Chain> {
  const transport = http(url, { timeout: opts.timeoutMs ?? 10_000, retryCount: 0 })({});
  const raw: Eip1193Like = { request: (args) => transport.request(args as never) };
  try {
    return await chainFromProvider({
      name,
      kind: "rpc",
      endpoint: url,
      provider: withRetries(raw, { attempts: opts.attempts ?? 4, baseDelayMs: 50, onRetry: opts.onRetry }),
    });
  } catch (cause) {
    throw new CorridorError("CORRIDOR_RPC_UNREACHABLE", `cannot reach chain "${name}" at ${url}`, { chain: name, url }, cause);
  }
}
