/**
 * FX quotes and what they cost. Rates that cross into contracts are 18-decimal fixed-point
 * bigints, rounded down; the payout is (amount - fee) * rate / 1e18 rounded down, exactly
 * CorridorGateway.amountOut. The corridor's tokens all have 6 decimals, so a rate in output units
 * per input unit is also output base units per input base unit.
 */
import { CorridorError, ErrorCode } from "../errors.js";
import { Decimal, fromBaseUnits, toBaseUnits } from "../money.js";

export const RATE_DECIMALS = 18;
export const RATE_SCALE = 10n ** 18n;

/** A rate as the contracts take it: floor(rate * 1e18). */
export function rateToFixed18(rate: Decimal): bigint {
  return toBaseUnits(rate, RATE_DECIMALS);
}

/** The rate a fixed-point value stands for (exact). */
export function fixed18ToRate(rate: bigint): Decimal {
  return fromBaseUnits(rate, RATE_DECIMALS);
}

/** What the gateway pays out: floor((amount - fee) * rateFixed18 / 1e18). */
export function payoutFor(amount: bigint, fee: bigint, rateFixed18: bigint): bigint {
  if (amount < 0n || fee < 0n || fee > amount || rateFixed18 < 0n) {
    throw new CorridorError(ErrorCode.InvalidAmount, "payoutFor needs 0 <= fee <= amount and a non-negative rate", { amount, fee, rateFixed18 });
  }
  return ((amount - fee) * rateFixed18) / RATE_SCALE;
}

/** baseToQuote: the customer pays the pair's base currency and receives its quote currency; quoteToBase the reverse. */
export type QuoteSide = "baseToQuote" | "quoteToBase";

export interface QuoteRequest {
  /** The pair's mid: quote currency per base currency (midFor(source, base, quote, t)). */
  mid: Decimal;
  /** The whole markup against the customer, in bps of the mid (not a half-spread). */
  spreadBps: number;
  side: QuoteSide;
  id: string;
  /** Simulated seconds. */
  issuedAt: number;
  ttlSeconds: number;
}

export interface Quote {
  id: string;
  side: QuoteSide;
  /** Output per input, after the spread, truncated to 18 decimals: exactly fixed18ToRate(rateFixed18). */
  rate: Decimal;
  rateFixed18: bigint;
  /** Output per input at mid. */
  mid: Decimal;
  spreadBps: number;
  issuedAt: number;
  /** Last second at which the quote may be used. */
  expiresAt: number;
}

export function makeQuote(request: QuoteRequest): Quote {
  const { mid, spreadBps, side, id, issuedAt, ttlSeconds } = request;
  if (!mid.isFinite() || mid.lte(0)) throw new CorridorError(ErrorCode.InvalidConfig, `quote mid must be positive, got ${mid.toString()}`, { id });
  if (!Number.isFinite(spreadBps) || spreadBps < 0 || spreadBps >= 10_000) {
    throw new CorridorError(ErrorCode.InvalidConfig, `spreadBps must be in [0, 10000), got ${spreadBps}`, { id, spreadBps });
  }
  if (!(ttlSeconds >= 0)) throw new CorridorError(ErrorCode.InvalidConfig, `ttlSeconds must be >= 0, got ${ttlSeconds}`, { id, ttlSeconds });
  const directional = side === "baseToQuote" ? mid : new Decimal(1).div(mid);
  // Rounding down (to 18 decimals): the customer never gets more than the spread allows.
  const rateFixed18 = rateToFixed18(directional.times(new Decimal(10_000).minus(spreadBps)).div(10_000));
  return { id, side, rate: fixed18ToRate(rateFixed18), rateFixed18, mid: directional, spreadBps, issuedAt, expiresAt: issuedAt + ttlSeconds };
}

/** True once `now` is past the quote's last valid second. */
export function isQuoteExpired(quote: Quote, now: number): boolean {
  return now > quote.expiresAt;
}

/** Throws CORRIDOR_QUOTE_EXPIRED if the quote cannot be used at `now`. */
export function assertQuoteValid(quote: Quote, now: number): void {
  if (isQuoteExpired(quote, now)) {
    throw new CorridorError(ErrorCode.QuoteExpired, `quote ${quote.id} expired at ${quote.expiresAt} (now ${now})`, { id: quote.id, expiresAt: quote.expiresAt, now });
  }
}

export interface FxCost {
  /** Output base units at mid, rounded down. */
  atMid: bigint;
  /** Output base units actually paid at the rate (payoutFor with no fee). */
  atRate: bigint;
  /** atMid - atRate, in output base units. */
  cost: bigint;
  /** cost / atMid in basis points (0 if atMid is 0). */
  bps: Decimal;
}

/** The FX cost of converting `amountIn` at `rate` rather than at `mid` (both output per input). */
export function fxCost(amountIn: bigint, rate: Decimal, mid: Decimal): FxCost {
  return costAgainstMid(amountIn, payoutFor(amountIn, 0n, rateToFixed18(rate)), mid);
}

/**
 * The all-in cost of a transfer against the mid (the G20 measure): what the sender pays,
 * valued at mid, less what the recipient gets. Includes the fee, the spread and rounding.
 */
export function allInCost(amount: bigint, fee: bigint, rateFixed18: bigint, mid: Decimal): FxCost {
  return costAgainstMid(amount, payoutFor(amount, fee, rateFixed18), mid);
}

function costAgainstMid(amountIn: bigint, delivered: bigint, mid: Decimal): FxCost {
  const atMid = toBaseUnits(fromBaseUnits(amountIn).times(mid));
  const cost = atMid - delivered;
  const bps = atMid === 0n ? new Decimal(0) : new Decimal(cost.toString()).times(10_000).div(atMid.toString());
  return { atMid, atRate: delivered, cost, bps };
}
