/**
 * Sanctions screening: denies a transfer whose sender (SANCTIONED_SENDER) or recipient
 * (SANCTIONED_RECIPIENT) is on a list. A list applies to every transfer, or, scoped to a
 * jurisdiction, to transfers with that jurisdiction on either side (source or destination), so each
 * side's lists are screened. The decision names the list that matched, its as-of date and, for a
 * scoped list, the jurisdiction whose list decided.
 */
import type { ComplianceHook, Jurisdiction, ScreeningContext } from "../types.js";
import { ALLOW, Reason } from "../types.js";

export interface SanctionsList {
  /** Listed addresses, lowercase (as loadSanctionsList returns them). */
  addresses: ReadonlySet<string>;
  /** The list's as-of date (YYYY-MM-DD), recorded with every decision. */
  asOf?: string;
  /** Where it came from (a file), for the audit trail. */
  file?: string;
  /** Only for transfers with this jurisdiction on either side; every transfer when absent. */
  jurisdiction?: Jurisdiction;
}

export interface SanctionsHookOptions {
  lists: readonly SanctionsList[];
  name?: string;
}

export function sanctionsHook(options: SanctionsHookOptions): ComplianceHook {
  const describe = (l: SanctionsList) => ({
    ...(l.jurisdiction === undefined ? {} : { jurisdiction: l.jurisdiction }),
    ...(l.file === undefined ? {} : { file: l.file }),
    ...(l.asOf === undefined ? {} : { asOf: l.asOf }),
    size: l.addresses.size,
  });
  const applies = (l: SanctionsList, ctx: ScreeningContext) =>
    l.jurisdiction === undefined || l.jurisdiction === ctx.jurisdictions.source.id || l.jurisdiction === ctx.jurisdictions.destination.id;
  return {
    name: options.name ?? "sanctions",
    check(ctx) {
      const lists = options.lists.filter((l) => applies(l, ctx));
      const data = { sender: ctx.sender, recipient: ctx.recipient, lists: lists.map(describe) };
      for (const [party, reason] of [
        [ctx.sender, Reason.SanctionedSender],
        [ctx.recipient, Reason.SanctionedRecipient],
      ] as const) {
        const hit = lists.find((l) => l.addresses.has(party.toLowerCase()));
        if (hit) return { outcome: "deny", reason, ...(hit.jurisdiction === undefined ? {} : { jurisdiction: hit.jurisdiction }), details: { account: party, list: describe(hit) }, data };
      }
      return { ...ALLOW, data };
    },
  };
}
