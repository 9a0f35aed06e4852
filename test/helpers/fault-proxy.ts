import { createServer, type Server } from "node:http";

export interface FaultProxy {
  url: string;
  stats: { requests: number; errors: number; timeouts: number };
  close(): Promise<void>;
}

/**
 * A JSON-RPC proxy on 127.0.0.1 that fails a share of calls: `errorRate` answer with a JSON-RPC
 * error (or HTTP 503), `timeoutRate` hang for `hangMs` before answering. Seeded, so a run is
 * repeatable. For tests only: the relayer must retry through it.
 */
export async function startFaultProxy(target: string, opts: { errorRate: number; timeoutRate: number; hangMs: number; seed: number }): Promise<FaultProxy> {
  let s = opts.seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const stats = { requests: 0, errors: 0, timeouts: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    stats.requests++;
    const roll = rand();
    if (roll < opts.errorRate) {
      stats.errors++;
      if (roll < opts.errorRate / 2) {
        res.writeHead(503).end("injected outage");
      } else {
        let id: unknown = null;
        try {
          id = (JSON.parse(body) as { id?: unknown }).id ?? null;
        } catch {
          /* batch or junk: id stays null */
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32603, message: "injected failure" } }));
      }
      return;
    }
    if (roll < opts.errorRate + opts.timeoutRate) {
      stats.timeouts++;
      await new Promise((r) => setTimeout(r, opts.hangMs));
    }
    try {
      const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    } catch {
      if (!res.headersSent) res.writeHead(502).end("upstream unreachable");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
