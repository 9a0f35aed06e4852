/**
 * The relayer's Prometheus metrics (prom-client), one registry per relayer (a process may run
 * several: the simulator, tests), and the HTTP endpoint that serves them.
 */
import type { Logger } from "pino";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Advanced } from "../domain/lifecycle.js";
import type { StageTimes, TransferRecord } from "../domain/transfer.js";
import type { HttpApp } from "../http/app.js";

/** Seconds, from a local chain's sub-second blocks to past an hour (Ethereum finality and slower). */
const SECONDS_BUCKETS = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200];

/** What the gauges show, read at each scrape. */
export interface RelayerQueues {
  /** Unfinished transfers by lifecycle state ("held": waiting for a manual review). */
  open: Record<string, number>;
  /** Jobs queued for a batch, by chain. */
  queued: Record<string, number>;
  /** Batch transactions sent and not yet mined, by chain. */
  inFlight: Record<string, number>;
  /** Settlements parked until the destination pool holds enough, by destination chain. */
  parked: Record<string, number>;
}

export class RelayerMetrics {
  readonly registry = new Registry();
  readonly settlementSeconds = new Histogram({
    name: "corridor_settlement_seconds",
    help: "Destination block time of a settlement minus source block time of its send.",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly stageSeconds = new Histogram({
    name: "corridor_stage_seconds",
    help: "Seconds from a transfer's previous stage to the stage named (confirmed, screened, attested, submitted, settled, finalized, ...).",
    labelNames: ["stage"] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly batchItems = new Histogram({
    name: "corridor_batch_items",
    help: "Items (settlements, refunds, finalizations, credits) per batch transaction.",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly transfers = new Counter({
    name: "corridor_transfers_total",
    help: "Transfers entering each lifecycle state (one a reorganisation takes back counts again as it moves forward).",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  readonly refunds = new Counter({
    name: "corridor_refunds_total",
    help: "Refunds read from source chains, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({
    name: "corridor_rpc_errors_total",
    help: "Failed JSON-RPC and operator calls (retried).",
    registers: [this.registry],
  });
  readonly reorgs = new Counter({
    name: "corridor_reorgs_total",
    help: "Chain reorganisations the watcher reconciled, by chain.",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  constructor(sample: () => RelayerQueues) {
    const gauge = (name: string, help: string, label: "state" | "chain", pick: (q: RelayerQueues) => Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers: [this.registry],
        collect() {
          // Labels that went away (a state with no transfers left) go from the scrape too.
          this.reset();
          for (const [k, n] of Object.entries(pick(sample()))) this.set({ [label]: k }, n);
        },
      });
    gauge("corridor_open_transfers", "Unfinished transfers by lifecycle state (held: waiting for a manual review).", "state", (q) => q.open);
    gauge("corridor_queued_jobs", "Jobs queued for a batch transaction, by chain.", "chain", (q) => q.queued);
    gauge("corridor_inflight_batches", "Batch transactions sent and not yet mined, by chain.", "chain", (q) => q.inFlight);
    gauge("corridor_liquidity_parked_transfers", "Settlements parked until the destination pool holds enough, by destination chain.", "chain", (q) => q.parked);
  }

  /**
   * Counts a change of a record's state and times the stages it reached (called by Records.apply,
   * the one place the relayer changes a state). `before` is the record's stage times before the step.
   */
  stepped(r: TransferRecord, before: StageTimes, step: Advanced): void {
    if (step.ignored) return;
    if (step.from !== step.to) {
      this.transfers.inc({ state: step.to });
      if (step.to === "settled" && r.stages.settled !== undefined && r.stages.initiated !== undefined) this.settlementSeconds.observe(r.stages.settled - r.stages.initiated);
      if (step.to === "refunded") this.refunds.inc({ reason: r.refundReason ?? "other" });
    }
    const previous = Math.max(...Object.values(before));
    if (!Number.isFinite(previous)) return;
    for (const [stage, at] of Object.entries(r.stages)) {
      // Stage times come from different clocks (each chain's blocks, the relayer's clock): a step back is skew, counted as 0.
      if (before[stage as keyof StageTimes] === undefined) this.stageSeconds.observe({ stage: snakeCase(stage) }, Math.max(0, at - previous));
    }
  }

  /** A new transfer seen on its source chain (records start INITIATED, not through a step). */
  sent(): void {
    this.transfers.inc({ state: "initiated" });
  }

  /** The Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

const snakeCase = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Serves GET /metrics on 127.0.0.1 (on the HTTP edge the operator's API uses), with the process's own
 * metrics (CPU, memory, event loop, GC) added to the registry: only a served registry gets them,
 * since they watch the event loop and the garbage collector for as long as the process lives.
 */
export async function serveMetrics(metrics: RelayerMetrics, port: number, logger: Logger, host = "127.0.0.1"): Promise<HttpApp> {
  collectDefaultMetrics({ register: metrics.registry });
  // Loaded here, so that the simulator's relayers do not load the HTTP stack.
  const { createHttpApp } = await import("../http/app.js");
  const app = createHttpApp({ logger, bodyLimit: 1024, failureCode: "CORRIDOR_METRICS_FAILED" });
  app.get("/metrics", async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.render()));
  await app.listen({ port, host });
  return app;
}
