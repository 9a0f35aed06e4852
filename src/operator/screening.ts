import type { Hex } from "viem";
import { runPipeline } from "../domain/compliance/pipeline.js";
import { converterAt } from "../domain/compliance/convert.js";
import type { AuditEntry, ComplianceHook } from "../domain/compliance/types.js";
import type { RateSource } from "../domain/fx/rate-source.js";
import type { Message } from "../domain/message.js";
import { jurisdictionOf, type CorridorSpec } from "../spec/spec.js";
import type { Screen } from "./operator.js";

export interface ScreeningOptions {
  hooks: readonly ComplianceHook[];
  /** Mids for threshold and limit conversions (every currency of the spec, against its numeraire). */
  rates: RateSource;
  /** The corridor: each chain's jurisdiction (and its travel rule), the numeraire, and where each currency's mid comes from. */
  spec: CorridorSpec;
  /** The off-chain travel-rule payload the sender's VASP submitted for a message (the message's extraHash commits to it). */
  travelRuleFor: (message: Message) => unknown;
  /** Where every hook decision goes (the audit trail). */
  audit: (entries: AuditEntry[]) => void;
}

/** The operator's screening step: the compliance pipeline over a transfer, recorded in the audit trail. */
export function createScreen(opts: ScreeningOptions): Screen {
  const rateSources = Object.fromEntries(Object.values(opts.spec.currencies).flatMap((c) => (c.source ? [[c.code, c.source]] : [])));
  return async (record, now) => {
    const m = record.message;
    const party = (chain: string) => {
      const j = jurisdictionOf(opts.spec, chain);
      return { id: j.id, travelRule: j.travelRule };
    };
    const result = await runPipeline(opts.hooks, {
      transferId: record.id,
      sender: m.sender,
      recipient: m.recipient,
      amount: m.amount,
      currency: record.inputCurrency,
      sourceChain: record.srcChain,
      destinationChain: record.dstChain,
      jurisdictions: { source: party(record.srcChain), destination: party(record.dstChain) },
      numeraire: opts.spec.numeraire,
      now,
      travelRule: opts.travelRuleFor(m),
      extraHash: m.extraHash as Hex,
      convert: converterAt(opts.rates, now),
      rateSources,
    });
    opts.audit(result.audit);
    const d = result.decision;
    if (d.outcome === "allow") return { outcome: "allow" };
    const decidedBy = { hook: result.decidedBy, ...(d.jurisdiction === undefined ? {} : { jurisdiction: d.jurisdiction }) };
    if (d.outcome === "deny") return { outcome: "deny", reason: d.reason, ...decidedBy };
    return { outcome: "hold", reason: d.reason, ...decidedBy, reviewSeconds: d.reviewSeconds };
  };
}
