/**
 * Limits: a per-transfer maximum and a per-sender rolling total over a window (default 24 hours),
 * in a limit currency (default the corridor's numeraire, ctx.numeraire; at the context's conversion).
 *
 * State: per sender, a queue of (time, amount) in time order and its running sum. A check evicts
 * the entries that left the window from the front, so each entry is added and removed once:
 * amortised O(1) per check, whatever the history length. Usage is committed in `observe` when the
 * pipeline's final decision is allow or hold (a held transfer counts until it is resolved), so a
 * transfer denied by a later hook does not use up the allowance.
 */
import { toBaseUnits, type Currency, type DecimalValue } from "../../money.js";
import type { ComplianceHook, ScreeningContext } from "../types.js";
import { ALLOW, Reason, amountIn } from "../types.js";

export interface LimitsHookOptions {
  /** Largest single transfer, in `currency` whole units. */
  perTransfer?: DecimalValue;
  /** Largest total per sender within `windowSeconds`, in `currency` whole units. */
  daily?: DecimalValue;
  /** The limits' currency; default the context's numeraire. */
  currency?: Currency;
  windowSeconds?: number;
  name?: string;
}

export interface LimitsHook extends ComplianceHook {
  /**
   * Base units (6 decimals) of the limit currency that `sender` has used in the window ending at
   * `now` (the numeraire, when no currency was given, as each transfer was valued when screened).
   */
  usedInWindow(sender: string, now: number): bigint;
}

interface SenderWindow {
  times: number[];
  amounts: bigint[];
  head: number;
  sum: bigint;
  last: number;
}

export function limitsHook(options: LimitsHookOptions): LimitsHook {
  const currencyOf = (ctx: ScreeningContext): Currency => options.currency ?? ctx.numeraire;
  const windowSeconds = options.windowSeconds ?? 86_400;
  const perTransfer = options.perTransfer === undefined ? undefined : toBaseUnits(options.perTransfer);
  const daily = options.daily === undefined ? undefined : toBaseUnits(options.daily);
  const senders = new Map<string, SenderWindow>();

  /** Drops entries at or before now - window; compacts the arrays once half of them are dead. */
  function windowAt(sender: string, now: number): SenderWindow | undefined {
    const w = senders.get(sender.toLowerCase());
    if (w === undefined) return undefined;
    const cutoff = now - windowSeconds;
    while (w.head < w.times.length && (w.times[w.head] as number) <= cutoff) {
      w.sum -= w.amounts[w.head] as bigint;
      w.head++;
    }
    if (w.head > 64 && w.head * 2 > w.times.length) {
      w.times = w.times.slice(w.head);
      w.amounts = w.amounts.slice(w.head);
      w.head = 0;
    }
    return w;
  }

  const value = (ctx: ScreeningContext) => toBaseUnits(amountIn(ctx, currencyOf(ctx)));

  return {
    name: options.name ?? "limits",
    usedInWindow: (sender, now) => windowAt(sender, now)?.sum ?? 0n,
    check(ctx) {
      const amount = value(ctx);
      const used = windowAt(ctx.sender, ctx.now)?.sum ?? 0n;
      const data = {
        currency: currencyOf(ctx),
        amount: amount.toString(),
        usedInWindow: used.toString(),
        perTransfer: perTransfer?.toString(),
        daily: daily?.toString(),
        windowSeconds,
      };
      if (perTransfer !== undefined && amount > perTransfer) {
        return { outcome: "deny", reason: Reason.LimitPerTransfer, details: { limit: perTransfer.toString(), amount: amount.toString() }, data };
      }
      if (daily !== undefined && used + amount > daily) {
        return { outcome: "deny", reason: Reason.LimitDaily, details: { limit: daily.toString(), used: used.toString(), amount: amount.toString() }, data };
      }
      return { ...ALLOW, data };
    },
    observe(ctx, final) {
      if (final.outcome === "deny" || daily === undefined) return;
      const key = ctx.sender.toLowerCase();
      let w = senders.get(key);
      if (w === undefined) {
        w = { times: [], amounts: [], head: 0, sum: 0n, last: Number.NEGATIVE_INFINITY };
        senders.set(key, w);
      }
      // Keep the queue in time order: a check reported out of order counts from the latest time seen.
      const t = Math.max(ctx.now, w.last);
      const amount = value(ctx);
      w.times.push(t);
      w.amounts.push(amount);
      w.sum += amount;
      w.last = t;
    },
  };
}
