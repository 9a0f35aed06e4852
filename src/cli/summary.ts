import type { SimulationResults } from "../sim/results.js";
import { duration, table } from "./table.js";

/** The readable summary `corridor simulate` prints. */
export function formatSummary(r: SimulationResults): string {
  const s = r.summary;
  const t = s.transfers;
  const out: string[] = [];
  out.push(`Scenario ${r.scenario.name} (seed ${r.seed}): ${duration(s.virtualSeconds)} simulated in ${duration(s.wallClock.seconds)}`);
  out.push("");
  out.push(
    table(
      ["sent", "settled", "refunded", "in flight", "rejected at send", "p50", "p95", "p99"],
      [[t.sent, t.settled, t.refunded, t.inFlight, t.rejectedAtSend, duration(s.settlementSeconds.p50), duration(s.settlementSeconds.p95), duration(s.settlementSeconds.p99)]],
    ),
  );
  out.push("");
  out.push("Settlement time by corridor and tier (destination block time minus source block time)");
  out.push(
    table(
      ["corridor", "tier", "transfers", "settled", "refunded", "p50", "p95"],
      Object.entries(s.byCorridor)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, c]) => {
          const [corridor, tier] = k.split(" ");
          return [corridor!, tier!, c.count, c.settled, c.refunded, duration(c.settlementSeconds.p50), duration(c.settlementSeconds.p95)];
        }),
    ),
  );
  if (Object.keys(s.refundsByReason).length > 0) {
    out.push("");
    out.push("Refunds by reason: " + Object.entries(s.refundsByReason).map(([k, v]) => `${k} ${v}`).join(", "));
  }
  out.push("");
  out.push(`Conservation check (to the base unit): ${s.conservation.ok ? "HOLDS" : "FAILS"}`);
  out.push(
    table(
      ["chain", "token", "holder", "expected change", "on-chain change", "ok"],
      s.conservation.lines.filter((l) => l.expected !== "0" || l.actual !== "0").map((l) => [l.chain, l.token, l.holder, l.expected, l.actual, l.ok ? "yes" : "NO"]),
    ),
  );
  if (s.conservation.burnAndMint.length > 0) {
    out.push("");
    out.push("Same-currency transfers: burned = minted + refunded + in flight, and total supply across chains fell by exactly what is in flight");
    out.push(
      table(
        ["currency", "burned", "minted", "refunded", "in flight", "supply change", "ok"],
        s.conservation.burnAndMint.map((b) => [b.currency, b.burned, b.minted, b.refunded, b.inFlight, b.supplyChange, b.ok ? "yes" : "NO"]),
      ),
    );
  }
  return out.join("\n");
}
