import { request as httpRequest, Agent } from "node:http";
import { createPublicClient, custom, http, HttpRequestError, RpcRequestError, TimeoutError, type EIP1193RequestFn, type PublicClient } from "viem";
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

interface Pending {
  body: { jsonrpc: "2.0"; id: number; method: string; params: readonly unknown[] | object };
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * JSON-RPC over plain HTTP with kept-alive connections, and the requests made in one event-loop turn
 * sent as one JSON-RPC batch. viem's fetch-based transport opens no pooled connection per call in
 * Node and costs ~2 ms a request on this machine against ~0.5 ms here; a corridor transfer makes a
 * few requests, and a simulated day millions. For `http:` URLs (local nodes); others use viem's.
 */
export function keepAliveHttp(url: string, timeoutMs: number): Eip1193Like {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const target = new URL(url);
  let nextId = 1;
  let queue: Pending[] = [];
  const post = (payload: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode && res.statusCode >= 400) reject(new HttpRequestError({ url, status: res.statusCode, body: JSON.parse(payload) as never, details: text.slice(0, 200) }));
            else resolve(text);
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new TimeoutError({ url, body: JSON.parse(payload) as never })));
      req.on("error", reject);
      req.end(payload);
    });
  // Errors as viem's http transport raises them, so that everything above reads them the same way.
  const settle = (p: Pending, answer: { result?: unknown; error?: { code: number; message: string; data?: unknown } } | undefined) => {
    if (!answer) p.reject(new HttpRequestError({ url, body: p.body as never, details: `no answer to ${p.body.method} in the batch` }));
    else if (answer.error) p.reject(new RpcRequestError({ url, body: p.body as never, error: answer.error as never }));
    else p.resolve(answer.result);
  };
  const flush = () => {
    const batch = queue.splice(0, 100);
    if (queue.length) setImmediate(flush);
    const single = batch.length === 1;
    post(JSON.stringify(single ? batch[0]!.body : batch.map((p) => p.body))).then(
      (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          for (const p of batch) p.reject(new HttpRequestError({ url, body: p.body as never, details: `an answer that is not JSON: ${text.slice(0, 120)}` }));
          return;
        }
        if (single && !Array.isArray(parsed)) return settle(batch[0]!, parsed as never);
        const byId = new Map((Array.isArray(parsed) ? parsed : [parsed]).map((a: { id?: number }) => [a.id, a]));
        for (const p of batch) settle(p, byId.get(p.body.id) as never);
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  };
  return {
    request({ method, params }) {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ body: { jsonrpc: "2.0", id: nextId++, method, params: params ?? [] }, resolve, reject });
      });
    },
  };
}

/** A chain behind a JSON-RPC URL (hardhat node, anvil, or a public testnet). */
export async function connectRpcChain(
  name: string,
  url: string,
  opts: { timeoutMs?: number; attempts?: number; onRetry?: (err: unknown) => void } = {},
): Promise<Chain> {
  let raw: Eip1193Like;
  if (url.startsWith("http://")) {
    raw = keepAliveHttp(url, opts.timeoutMs ?? 10_000);
  } else {
    const transport = http(url, { timeout: opts.timeoutMs ?? 10_000, retryCount: 0 })({});
    raw = { request: (args) => transport.request(args as never) };
  }
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
