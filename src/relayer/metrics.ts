import { createServer, type Server } from "node:http";

/** A Prometheus histogram with fixed buckets. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private n = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.n++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
  lines(name: string, labels = ""): string[] {
    const l = (extra: string) => `{${[labels, extra].filter(Boolean).join(",")}}`;
    return [
      ...this.buckets.map((b, i) => `${name}_bucket${l(`le="${b}"`)} ${this.counts[i]}`),
      `${name}_bucket${l('le="+Inf"')} ${this.n}`,
      `${name}_sum${labels ? `{${labels}}` : ""} ${this.sum}`,
      `${name}_count${labels ? `{${labels}}` : ""} ${this.n}`,
    ];
  }
}

/** What the relayer reports: transfers by state, settlement latency, batch sizes, RPC errors, queue depth. */
export class RelayerMetrics {
  readonly settlementSeconds = new Histogram([1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200]);
  readonly batchSize = new Histogram([1, 2, 5, 10, 20, 50, 100, 200, 500]);
  rpcErrors = 0;
  /** Reorganisations seen on source or destination chains. */
  reorgs = 0;

  constructor(private readonly sample: () => { states: Record<string, number>; queueDepth: Record<string, number>; parked: Record<string, number> }) {}

  /** The Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const s = this.sample();
    const out: string[] = [];
    out.push("# HELP corridor_transfers Transfers seen by this relayer, by lifecycle state.", "# TYPE corridor_transfers gauge");
    for (const [state, n] of Object.entries(s.states)) out.push(`corridor_transfers{state="${state}"} ${n}`);
    out.push("# HELP corridor_settlement_seconds Destination block time minus source block time.", "# TYPE corridor_settlement_seconds histogram");
    out.push(...this.settlementSeconds.lines("corridor_settlement_seconds"));
    out.push("# HELP corridor_batch_size Messages per batch transaction.", "# TYPE corridor_batch_size histogram");
    out.push(...this.batchSize.lines("corridor_batch_size"));
    out.push("# HELP corridor_rpc_errors_total Failed JSON-RPC calls (retried).", "# TYPE corridor_rpc_errors_total counter", `corridor_rpc_errors_total ${this.rpcErrors}`);
    out.push("# HELP corridor_reorgs_total Chain reorganisations the watcher reconciled.", "# TYPE corridor_reorgs_total counter", `corridor_reorgs_total ${this.reorgs}`);
    out.push("# HELP corridor_queue_depth Jobs queued for each chain.", "# TYPE corridor_queue_depth gauge");
    for (const [chain, n] of Object.entries(s.queueDepth)) out.push(`corridor_queue_depth{chain="${chain}"} ${n}`);
    out.push("# HELP corridor_liquidity_queue Settlements waiting for destination liquidity.", "# TYPE corridor_liquidity_queue gauge");
    for (const [chain, n] of Object.entries(s.parked)) out.push(`corridor_liquidity_queue{chain="${chain}"} ${n}`);
    return out.join("\n") + "\n";
  }
}

/** Serves GET /metrics on 127.0.0.1. */
export function serveMetrics(metrics: RelayerMetrics, port: number, host = "127.0.0.1"): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(metrics.render());
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
