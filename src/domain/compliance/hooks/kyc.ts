import type { ComplianceHook } from "../types.js";
import { ALLOW, Reason } from "../types.js";

export interface KycHookOptions {
  /** Customers who passed KYC, lowercase. Undefined: the check is off (everyone passes). */
  allowlist?: ReadonlySet<string>;
  /** Which parties must be on the list; default both. */
  parties?: "sender" | "both";
  name?: string;
}

/** Denies (NOT_KYCED) a transfer whose sender, or recipient, is not on the KYC allowlist. */
export function kycHook(options: KycHookOptions = {}): ComplianceHook {
  const { allowlist } = options;
  const parties = options.parties ?? "both";
  return {
    name: options.name ?? "kyc",
    check(ctx) {
      if (allowlist === undefined) return { ...ALLOW, data: { enabled: false } };
      const data = { enabled: true, parties, sender: ctx.sender, recipient: ctx.recipient, listSize: allowlist.size };
      if (!allowlist.has(ctx.sender.toLowerCase())) return { outcome: "deny", reason: Reason.NotKyced, details: { party: "sender", account: ctx.sender }, data };
      if (parties === "both" && !allowlist.has(ctx.recipient.toLowerCase())) {
        return { outcome: "deny", reason: Reason.NotKyced, details: { party: "recipient", account: ctx.recipient }, data };
      }
      return { ...ALLOW, data };
    },
  };
}
