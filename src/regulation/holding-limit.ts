/**
 * Holding limits (a regime's most a holder may hold of a coin, by kind of holder): the issuer refuses
 * a mint, and the operator's screening denies a transfer, that would take a holder beyond the limit.
 * A transfer's recipient holds what it held when first screened plus every payout approved to it
 * since: recipients do not spend during a run, and a payout approved and then refunded still counts
 * (the limit errs on the side of refusing).
 */
import type { ComplianceHook, Decision, ScreeningContext } from "../domain/compliance/types.js";
import { fromBaseUnits, toBaseUnits } from "../domain/money.js";

/** The reason a denied transfer carries in the audit trail and results. */
export const HOLDING_LIMIT_REASON = "HOLDING_LIMIT";

export interface HoldingLimitsOptions {
  /** Limits per coin, whole units. */
  limits: Record<string, { individual: number; business: number }>;
  /** What `address` holds of `currency` on every chain now (base units). */
  balanceOf: (currency: string, address: string) => Promise<bigint>;
}

export class HoldingLimits {
  private readonly base = new Map<string, bigint>();
  private readonly approved = new Map<string, bigint>();
  private readonly deniedBy = new Map<string, number>();

  constructor(private readonly o: HoldingLimitsOptions) {}

  /** Whether any coin has holding limits. */
  get any(): boolean {
    return Object.keys(this.o.limits).length > 0;
  }

  /** Why taking `amount` more would break the limit for a holder that holds `held`, or undefined if it would not. */
  refusal(currency: string, address: string, amount: bigint, kind: "individual" | "business", held: bigint): string | undefined {
    const limit = this.o.limits[currency]?.[kind];
    if (limit === undefined) return undefined;
    const total = held + (this.approved.get(key(currency, address)) ?? 0n) + amount;
    return total > toBaseUnits(limit) ? `holding limit: ${fromBaseUnits(total).toFixed()} would exceed the ${kind} limit of ${limit} ${currency}` : undefined;
  }

  /** Transfers denied for a holding limit, per coin. */
  denied(currency: string): number {
    return this.deniedBy.get(currency) ?? 0;
  }

  /**
   * The screening hook: `outputOf` names a transfer's output coin (from the relayer's record); the
   * payout is the amount at mid in that coin. Recipients are individuals.
   */
  hook(outputOf: (transferId: string) => string | undefined): ComplianceHook {
    const pending = new Map<string, { currency: string; amount: bigint }>();
    return {
      name: "holdingLimit",
      check: async (ctx: ScreeningContext): Promise<Decision> => {
        const currency = outputOf(ctx.transferId);
        if (currency === undefined || this.o.limits[currency] === undefined) return { outcome: "allow" };
        const amount = toBaseUnits(ctx.convert(fromBaseUnits(ctx.amount), ctx.currency, currency).toDecimalPlaces(6));
        const k = key(currency, ctx.recipient);
        if (!this.base.has(k)) this.base.set(k, await this.o.balanceOf(currency, ctx.recipient));
        const why = this.refusal(currency, ctx.recipient, amount, "individual", this.base.get(k)!);
        pending.set(ctx.transferId, { currency, amount });
        if (!why) return { outcome: "allow", data: { currency, payout: fromBaseUnits(amount).toFixed() } };
        return { outcome: "deny", reason: HOLDING_LIMIT_REASON, details: { currency, limit: this.o.limits[currency]!.individual, why } };
      },
      observe: (ctx: ScreeningContext, final: Decision) => {
        const p = pending.get(ctx.transferId);
        pending.delete(ctx.transferId);
        if (!p) return;
        const k = key(p.currency, ctx.recipient);
        if (final.outcome === "deny") {
          if ("reason" in final && final.reason === HOLDING_LIMIT_REASON) this.deniedBy.set(p.currency, this.denied(p.currency) + 1);
          return;
        }
        this.approved.set(k, (this.approved.get(k) ?? 0n) + p.amount);
      },
    };
  }
}

const key = (currency: string, address: string) => `${currency}/${address.toLowerCase()}`;
