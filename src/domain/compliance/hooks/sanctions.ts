import type { ComplianceHook } from "../types.js";
import { ALLOW, Reason } from "../types.js";

export interface SanctionsHookOptions {
  /** Listed addresses, lowercase (as loadAddressList returns them). */
  addresses: ReadonlySet<string>;
  name?: string;
}

/** Denies a transfer whose sender (SANCTIONED_SENDER) or recipient (SANCTIONED_RECIPIENT) is listed. */
export function sanctionsHook(options: SanctionsHookOptions): ComplianceHook {
  const list = options.addresses;
  return {
    name: options.name ?? "sanctions",
    check(ctx) {
      const data = { sender: ctx.sender, recipient: ctx.recipient, listSize: list.size };
      if (list.has(ctx.sender.toLowerCase())) return { outcome: "deny", reason: Reason.SanctionedSender, details: { account: ctx.sender }, data };
      if (list.has(ctx.recipient.toLowerCase())) return { outcome: "deny", reason: Reason.SanctionedRecipient, details: { account: ctx.recipient }, data };
      return { ...ALLOW, data };
    },
  };
}
