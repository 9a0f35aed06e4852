/**
 * The service level a corridor is sized for (`corridor size --target …`): a small grammar, one
 * figure of a run's summary and a bound on it. Anything else is refused with
 * CORRIDOR_SIZE_TARGET_INVALID, naming what is accepted.
 *
 *   p50|p95|p99 <= <duration>             settlement time (destination minus source block time) at that percentile
 *   share within one hour >= <share>       share of transfers with an outcome settled within one hour (0..1 or a percentage)
 *   no settlement queued longer than <duration>
 *                                          the longest wait of a settlement for destination liquidity; a transfer
 *                                          refunded at its deadline ("expired") counts as queued for its whole deadline
 *
 * Durations: a number with s, m or h (or none: seconds), e.g. 60s, 15m, 1.5h. Spaces around the
 * operator are optional; `<` and `>` are accepted as `<=` and `>=` would be for a sized figure.
 */
import { CorridorError } from "../domain/errors.js";

export const SizeCode = {
  TargetInvalid: "CORRIDOR_SIZE_TARGET_INVALID",
  /** The target is not met even with the largest prefunding the search may try. */
  Unreachable: "CORRIDOR_SIZE_UNREACHABLE",
  /** A run of the search failed (not a failed conservation check, which fails the size as well). */
  RunFailed: "CORRIDOR_SIZE_RUN_FAILED",
} as const;

/** What a target reads from a run's summary (results.json `summary`, as simulate writes it). */
export interface TargetSummary {
  transfers: { refunded: number };
  settlementSeconds: { p50?: number; p95?: number; p99?: number; count: number };
  withinOneHour?: { share: number | null };
  liquidity: { maxWaitSeconds: number | null };
  refundsByReason: Record<string, number>;
}

export type TargetKind = "percentile" | "withinOneHour" | "maxQueue";

export interface Target {
  kind: TargetKind;
  /** The text it was parsed from, normalised ("p95 <= 60s"). */
  text: string;
  /** What the figure is, as a heading. */
  title: string;
  unit: "seconds" | "share";
  /** "le": the figure must be at most `bound`; "ge": at least. */
  op: "le" | "ge";
  bound: number;
  percentile?: 50 | 95 | 99;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?$/i;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

function parseDuration(text: string, whole: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw invalid(whole, `"${text.trim()}" is not a duration (a number with s, m or h, e.g. 60s, 15m, 2h)`);
  const seconds = Number(m[1]) * UNIT_SECONDS[(m[2] ?? "s")[0]!.toLowerCase()]!;
  if (!Number.isFinite(seconds) || seconds > 31 * 86_400) throw invalid(whole, `${text.trim()} is beyond 31 days`);
  return seconds;
}

function parseShare(text: string, whole: string): number {
  const t = text.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(%)?$/.exec(t);
  if (!m) throw invalid(whole, `"${t}" is not a share (0 to 1, or a percentage such as 75%)`);
  const v = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  if (!(v > 0 && v <= 1)) throw invalid(whole, `a share must be above 0 and at most 1 (or 100%); found ${t}`);
  return v;
}

const GRAMMAR = '"p95<=60s" (p50, p95 or p99, a duration in s, m or h), "share within one hour >= 0.75", or "no settlement queued longer than 300s"';

function invalid(text: string, why: string): CorridorError {
  return new CorridorError(SizeCode.TargetInvalid, `--target "${text}": ${why}; expected ${GRAMMAR}`, { target: text });
}

/** Parses a target; throws CORRIDOR_SIZE_TARGET_INVALID for anything outside the grammar. */
export function parseTarget(input: string): Target {
  const text = String(input);
  if (text.length > 200) throw invalid(text.slice(0, 40) + "…", "longer than 200 characters");
  const t = text.trim().replace(/\s+/g, " ");
  if (t === "") throw invalid(text, "empty");
  const pct = /^p(\d+)\s*(<=|<|≤)\s*(.+)$/i.exec(t);
  if (pct) {
    const p = Number(pct[1]);
    if (p !== 50 && p !== 95 && p !== 99) throw invalid(text, `percentile p${pct[1]} is not measured (p50, p95 or p99)`);
    const bound = parseDuration(pct[3]!, text);
    return { kind: "percentile", text: `p${p} <= ${bound}s`, title: `${p === 50 ? "Median" : `${p}th percentile`} settlement time`, unit: "seconds", op: "le", bound, percentile: p as 50 | 95 | 99 };
  }
  const share = /^share within (?:one hour|1 ?h|1 hour|60 ?m|3600 ?s)\s*(>=|>|≥)\s*(.+)$/i.exec(t);
  if (share) {
    const bound = parseShare(share[2]!, text);
    return { kind: "withinOneHour", text: `share within one hour >= ${bound}`, title: "Share settled within one hour", unit: "share", op: "ge", bound };
  }
  if (/^share within (?:one hour|1 ?h|1 hour|60 ?m|3600 ?s)\b/i.test(t)) throw invalid(text, "a share is sized from below: share within one hour >= <share>");
  if (/^share within /i.test(t)) throw invalid(text, "only the share within one hour is measured");
  const queue = /^no settlement queued (?:for )?longer than (.+)$/i.exec(t);
  if (queue) {
    const bound = parseDuration(queue[1]!, text);
    return { kind: "maxQueue", text: `no settlement queued longer than ${bound}s`, title: "Longest wait for destination liquidity", unit: "seconds", op: "le", bound };
  }
  throw invalid(text, "not a target");
}

/**
 * The target's figure in one run; null when the run has none (no settled transfer: the target is
 * not met). `deadlineSeconds` is the scenario's transfer deadline (an expired refund queued that long).
 */
export function measureOf(target: Target, s: TargetSummary, deadlineSeconds: number): number | null {
  switch (target.kind) {
    case "percentile": {
      const v = s.settlementSeconds[`p${target.percentile!}` as "p50" | "p95" | "p99"];
      return v === undefined ? null : v;
    }
    case "withinOneHour":
      return s.withinOneHour?.share ?? null;
    case "maxQueue": {
      const expired = s.refundsByReason.expired ?? 0;
      return Math.max(s.liquidity.maxWaitSeconds ?? 0, expired > 0 ? deadlineSeconds : 0);
    }
  }
}

/** Whether a figure meets the target (no figure never does). */
export function meets(target: Target, value: number | null): boolean {
  if (value === null) return false;
  return target.op === "le" ? value <= target.bound : value >= target.bound;
}
