import { describe, expect, it } from "vitest";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { startRelayerService } from "../../src/live/runtime.js";
import { silentLogger } from "../../src/logger.js";
import { corridorEvents, nextPort, sendTransfers, sleep, startLiveHarness } from "../helpers/live.js";

const SENT = 6;

async function scrape(url: string): Promise<{ type: string; text: string; families: Map<string, ParsedFamily> }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { type: res.headers.get("content-type") ?? "", text, families: new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])) };
}

/** The value of the sample of `family` with `labels`, as a number (undefined when there is none). */
function sample(families: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}): number | undefined {
  const s = families.get(family)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return s?.value === undefined ? undefined : Number(s.value);
}

describe("the relayer's /metrics endpoint", () => {
  it("serves Prometheus text with settlement-time buckets, per-stage times, counters by state after real transfers, queue gauges and the process's own metrics", async () => {
    const h = await startLiveHarness("hardhat", { senders: 2 });
    const port = await nextPort();
    const config = { ...h.config, relayer: { ...h.config.relayer, metricsPort: port } };
    const relayer = await startRelayerService(config, { logger: silentLogger, chains: h.corridor.chains, operator: h.operator.operator });
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      await sendTransfers(h, SENT, 5);
      for (let i = 0; i < 100 && !(await corridorEvents(h)).done; i++) await sleep(300);
      expect((await corridorEvents(h)).done).toBe(true);
      // The chains are done; scrape until the relayer has read every settlement.
      let m = await scrape(url);
      for (let i = 0; i < 50 && sample(m.families, "corridor_transfers_total", { state: "settled" }) !== SENT; i++, m = await scrape(url)) await sleep(200);
      const { families, text } = m;
      expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);

      for (const f of families.values()) if (f.name.startsWith("corridor_")) expect(f.help, f.name).not.toBe("");

      // Settlement time: a histogram with the buckets from sub-second to two hours, every settlement counted.
      const settlement = families.get("corridor_settlement_seconds")!;
      expect(settlement.type).toBe("HISTOGRAM");
      const { buckets, count, sum } = settlement.metrics[0]!;
      // (A JavaScript object lists integer keys first: the bounds are put back in order.)
      const bounds = Object.keys(buckets!).sort((a, b) => Number(a) - Number(b));
      expect(bounds).toEqual(["0.5", "1", "2", "5", "10", "15", "30", "60", "120", "300", "600", "900", "1200", "1800", "2700", "3600", "5400", "7200", "+Inf"]);
      const cumulative = bounds.map((b) => Number(buckets![b]));
      expect(cumulative).toEqual([...cumulative].sort((a, b) => a - b));
      expect(cumulative.at(-1)).toBe(SENT);
      expect(Number(buckets!["60"])).toBe(SENT); // local chains: seconds, not minutes
      expect(Number(count)).toBe(SENT);
      expect(Number(sum)).toBeGreaterThanOrEqual(0);

      // Counters by state: every transfer initiated, attested and settled once; none refunded.
      expect(families.get("corridor_transfers_total")!.type).toBe("COUNTER");
      for (const state of ["initiated", "confirmed", "screened", "attested", "settled"]) expect(sample(families, "corridor_transfers_total", { state }), state).toBe(SENT);
      expect(sample(families, "corridor_transfers_total", { state: "refunded" })).toBeUndefined();
      expect(families.get("corridor_refunds_total")!.metrics).toEqual([]);
      expect(sample(families, "corridor_rpc_errors_total")).toBe(0);

      // Per-stage times, labelled by stage (read from the text: the parser keeps labels only on unlabelled histograms).
      expect(families.get("corridor_stage_seconds")!.type).toBe("HISTOGRAM");
      const stageCount = (stage: string) => Number(text.match(new RegExp(`^corridor_stage_seconds_count\\{stage="${stage}"\\} (\\d+)$`, "m"))?.[1]);
      for (const stage of ["confirmed", "attested", "settled"]) expect(stageCount(stage), stage).toBe(SENT);
      expect(text).toMatch(/^corridor_stage_seconds_bucket\{le="3600",stage="settled"\} 6$/m);

      // Batches: at least one, carrying at least every settlement.
      const batches = families.get("corridor_batch_items")!.metrics[0]!;
      expect(Number(batches.count)).toBeGreaterThanOrEqual(1);
      expect(Number(batches.sum)).toBeGreaterThanOrEqual(SENT);

      // Queue gauges: one sample per chain.
      for (const gauge of ["corridor_queued_jobs", "corridor_inflight_batches", "corridor_liquidity_parked_transfers"]) {
        expect(families.get(gauge)!.type, gauge).toBe("GAUGE");
        expect(families.get(gauge)!.metrics.map((s) => s.labels?.chain).sort(), gauge).toEqual(["uk", "us"]);
      }
      expect(sample(families, "corridor_liquidity_parked_transfers", { chain: "uk" })).toBe(0);

      // The process's own metrics, from this registry.
      expect(families.get("process_cpu_seconds_total")!.type).toBe("COUNTER");
      expect(sample(families, "process_cpu_seconds_total")).toBeGreaterThan(0);
      expect(sample(families, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await relayer.stop();
      await h.close();
    }
  }, 120_000);
});
