/**
 * Input checks for the SDK's options. Pure: each returns the normalized value or throws a
 * CorridorError with a stable code (SdkErrorCode) naming the field.
 */
import { getAddress, isAddress, isHex, size, type Hex } from "viem";
import { CorridorError } from "../domain/errors.js";
import { TIER, type Tier } from "../domain/message.js";
import { TOKEN_DECIMALS, toBaseUnits } from "../domain/money.js";
import { SdkErrorCode } from "./errors.js";

const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** An amount in base units (bigint) or in whole units as a decimal string ("12.5", at most 6 decimals). */
export type AmountInput = bigint | string;

/**
 * A checksummed address. All-lowercase input is accepted (it carries no checksum); mixed case
 * must match EIP-55, since a wrong checksum usually means a mistyped address.
 */
export function parseAddress(field: string, value: unknown, opts: { allowZero?: boolean } = {}): Hex {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new CorridorError(SdkErrorCode.InvalidAddress, `${field} is not an address: ${String(value)}`, { field, value: String(value) });
  }
  if (!isAddress(value, { strict: true })) {
    throw new CorridorError(SdkErrorCode.AddressChecksum, `${field} has a wrong EIP-55 checksum: ${value} (expected ${getAddress(value)})`, {
      field,
      value,
      expected: getAddress(value),
    });
  }
  if (!opts.allowZero && value.toLowerCase() === ZERO_ADDRESS) {
    throw new CorridorError(SdkErrorCode.InvalidAddress, `${field} may not be the zero address`, { field, value });
  }
  return getAddress(value);
}

/**
 * Base units from a bigint or a decimal string of whole units. Strings must be plain decimals
 * with at most TOKEN_DECIMALS places: "1.2345678" is refused rather than silently truncated.
 */
export function parseAmount(field: string, value: unknown, opts: { allowZero?: boolean } = {}): bigint {
  let amount: bigint;
  if (typeof value === "bigint") {
    amount = value;
  } else if (typeof value === "string") {
    const s = value.trim();
    if (!/^\d+(\.\d+)?$/.test(s)) {
      throw new CorridorError(SdkErrorCode.InvalidAmount, `${field} is not a decimal amount of whole units: "${value}"`, { field, value });
    }
    const places = s.split(".")[1]?.length ?? 0;
    if (places > TOKEN_DECIMALS) {
      throw new CorridorError(SdkErrorCode.InvalidAmount, `${field} has ${places} decimals, the token has ${TOKEN_DECIMALS}: "${value}"`, { field, value });
    }
    amount = toBaseUnits(s, TOKEN_DECIMALS);
  } else {
    // Numbers are refused: a float cannot hold every base-unit amount exactly.
    throw new CorridorError(SdkErrorCode.InvalidAmount, `${field} must be a bigint (base units) or a decimal string (whole units), got ${typeof value}`, {
      field,
      value: String(value),
    });
  }
  if (amount < 0n || amount > MAX_UINT256) {
    throw new CorridorError(SdkErrorCode.InvalidAmount, `${field} is out of range: ${amount}`, { field, value: amount.toString() });
  }
  if (amount === 0n && !opts.allowZero) {
    throw new CorridorError(SdkErrorCode.InvalidAmount, `${field} must be above zero`, { field, value: "0" });
  }
  return amount;
}

export function parseChainId(field: string, value: unknown): bigint {
  const ok = (typeof value === "bigint" && value > 0n && value <= MAX_UINT64) || (typeof value === "number" && Number.isSafeInteger(value) && value > 0);
  if (!ok) throw new CorridorError(SdkErrorCode.InvalidChainId, `${field} must be a positive uint64 chain id, got ${String(value)}`, { field, value: String(value) });
  return BigInt(value as bigint | number);
}

export function parseTier(value: unknown): number {
  if (value === undefined) return TIER.standard;
  if (typeof value !== "string" || !(value in TIER)) {
    throw new CorridorError(SdkErrorCode.InvalidTier, `tier must be "standard" or "fast", got ${String(value)}`, { value: String(value) });
  }
  return TIER[value as Tier];
}

export function parseDeadlineSeconds(value: unknown): bigint {
  if (value === undefined) return 3600n;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new CorridorError(SdkErrorCode.InvalidDeadline, `deadlineSeconds must be a positive whole number of seconds, got ${String(value)}`, { value: String(value) });
  }
  return BigInt(value);
}

export function parseBytes32(field: string, value: unknown): Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || size(value) !== 32) {
    throw new CorridorError(SdkErrorCode.InvalidHash, `${field} must be a 32-byte hex string, got ${String(value)}`, { field, value: String(value) });
  }
  return value.toLowerCase() as Hex;
}
