import type { AuditEntry, ComplianceHook, Decision, ScreeningContext } from "./types.js";
import { ALLOW, Reason } from "./types.js";

export interface ScreeningResult {
  decision: Decision;
  /** The hook that denied or held; undefined when all allowed. */
  decidedBy?: string;
  /** One entry per hook that ran, in order. */
  audit: AuditEntry[];
}

/**
 * Runs `hooks` in order and stops at the first deny or hold. Every decision is recorded.
 * A hook that throws fails closed: the transfer is held (HOOK_FAILED) for a human to look at.
 * Afterwards each hook that ran is told the final decision (ComplianceHook.observe).
 */
export async function runPipeline(hooks: readonly ComplianceHook[], ctx: ScreeningContext): Promise<ScreeningResult> {
  const audit: AuditEntry[] = [];
  const ran: ComplianceHook[] = [];
  let decision: Decision = ALLOW;
  let decidedBy: string | undefined;
  for (const hook of hooks) {
    let d: Decision;
    try {
      d = await hook.check(ctx);
    } catch (error) {
      d = { outcome: "hold", reason: Reason.HookFailed, data: { error: error instanceof Error ? error.message : String(error) } };
    }
    ran.push(hook);
    audit.push(toAuditEntry(hook.name, ctx, d));
    if (d.outcome !== "allow") {
      decision = d;
      decidedBy = hook.name;
      break;
    }
  }
  for (const hook of ran) hook.observe?.(ctx, decision);
  return decidedBy === undefined ? { decision, audit } : { decision, decidedBy, audit };
}

function toAuditEntry(hook: string, ctx: ScreeningContext, d: Decision): AuditEntry {
  const base = { time: ctx.now, transferId: ctx.transferId, hook, outcome: d.outcome };
  if (d.outcome === "allow") return { ...base, data: d.data ?? {} };
  const data = {
    ...(d.data ?? {}),
    ...(d.details ?? {}),
    ...(d.jurisdiction !== undefined ? { decidedByJurisdiction: d.jurisdiction } : {}),
    ...(d.outcome === "hold" && d.reviewSeconds !== undefined ? { reviewSeconds: d.reviewSeconds } : {}),
  };
  return { ...base, reason: d.reason, data };
}
