/**
 * Money: amounts are `bigint` base units everywhere except inside domain math.
 *
 * Rounding mode: ROUND_DOWN (toward zero) for everything, stated once here. It is
 * the rounding that never pays out more than is owed, and it is what Solidity's
 * integer division does for non-negative values, so TypeScript and the contracts
 * agree to the base unit. Display rounds the same way (truncates).
 *
 * `toBaseUnits` and `fromBaseUnits` are the only conversions between the two.
 */
import { Decimal as DecimalJs } from "decimal.js";
import { CorridorError, ErrorCode } from "./errors.js";

/** Our Decimal: 40 significant digits, ROUND_DOWN. Use it instead of importing decimal.js directly. */
export const Decimal: typeof DecimalJs = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_DOWN });
export type Decimal = DecimalJs;
/** Anything Decimal accepts: a Decimal, a decimal string ("12.34", "1e-6") or a number. */
export type DecimalValue = DecimalJs.Value;

/** Decimals of the corridor's tokens (as USDC). */
export const TOKEN_DECIMALS = 6;
/**
 * An ISO 4217 currency code: a token's currency, the numeraire, or a unit of account such as a
 * travel-rule threshold's. Which ones exist is the corridor spec's business (src/spec).
 */
export type Currency = string;

function checkDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) {
    throw new CorridorError(ErrorCode.InvalidAmount, `decimals must be an integer in [0, 36], got ${decimals}`, { decimals });
  }
}

/**
 * Whole units to base units, rounding toward zero: `toBaseUnits("1.2345678") === 1_234_567n`.
 * Throws CORRIDOR_INVALID_AMOUNT for NaN, infinities and unparsable input.
 */
export function toBaseUnits(value: DecimalValue, decimals: number = TOKEN_DECIMALS): bigint {
  checkDecimals(decimals);
  let d: DecimalJs;
  try {
    d = new Decimal(value);
  } catch (cause) {
    throw new CorridorError(ErrorCode.InvalidAmount, `not a decimal amount: ${String(value)}`, { value: String(value) }, cause);
  }
  if (!d.isFinite()) throw new CorridorError(ErrorCode.InvalidAmount, `amount is not finite: ${d.toString()}`, { value: d.toString() });
  // Scaling by 10^decimals and truncating are exact in decimal.js (neither rounds to `precision`).
  const scaled = new Decimal(`${d.toFixed()}e${decimals}`).toDecimalPlaces(0, Decimal.ROUND_DOWN);
  return BigInt(scaled.toFixed(0));
}

/** Base units to whole units, exactly (the Decimal constructor does not round). */
export function fromBaseUnits(amount: bigint, decimals: number = TOKEN_DECIMALS): Decimal {
  checkDecimals(decimals);
  return new Decimal(`${amount.toString()}e-${decimals}`);
}

/**
 * "1,234.56 <currency>": thousands separators, `displayDecimals` places (default 2), truncated toward zero.
 */
export function formatAmount(amount: bigint, currency: string, options: { decimals?: number; displayDecimals?: number } = {}): string {
  const decimals = options.decimals ?? TOKEN_DECIMALS;
  const shown = options.displayDecimals ?? 2;
  const fixed = fromBaseUnits(amount, decimals).toFixed(shown, Decimal.ROUND_DOWN);
  const negative = fixed.startsWith("-") && /[1-9]/.test(fixed);
  const [intPart = "0", frac] = fixed.replace("-", "").split(".");
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${frac === undefined ? "" : `.${frac}`} ${currency}`;
}
