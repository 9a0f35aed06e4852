import { InvalidArgumentError } from "commander";
import { isAddress, type Hex } from "viem";

export function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
  return Number(v);
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65_535) throw new InvalidArgumentError(`expected a port number 1-65535, got "${v}"`);
  return n;
}

/** An address, checksum enforced when mixed case is given (EIP-55). */
export function parseAddress(v: string): Hex {
  if (!isAddress(v, { strict: true })) {
    throw new InvalidArgumentError(isAddress(v, { strict: false }) ? `"${v}" has a wrong EIP-55 checksum` : `"${v}" is not an address`);
  }
  return v as Hex;
}

/** A positive decimal amount in whole units with at most 6 decimals, e.g. "250.00". */
export function parseAmount(v: string): string {
  if (!/^\d+(\.\d{1,6})?$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError(`expected a positive amount with at most 6 decimals, such as 250.00, got "${v}"`);
  return v;
}
