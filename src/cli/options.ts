/**
 * Parsers for the corridor command's flags and arguments. Each returns the value or throws a
 * CorridorError with a stable code (below) whose message names the flag; the command exits 2.
 * Commander's own usage errors (unknown command or option, missing argument) get codes in main.ts.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Hex } from "viem";
import type { Command } from "commander";
import { isCalendarDate } from "../domain/clock.js";
import { CorridorError } from "../domain/errors.js";

/** Stable codes of bad command lines (every one exits with status 2). */
export const UsageCode = {
  /** A value that is not what the flag takes (seed, port, job count, tier, format, ids, …). */
  Invalid: "CORRIDOR_USAGE_INVALID",
  InvalidAmount: "CORRIDOR_USAGE_INVALID_AMOUNT",
  InvalidAddress: "CORRIDOR_USAGE_INVALID_ADDRESS",
  /** A mixed-case address whose EIP-55 checksum does not match (likely a typo). */
  AddressChecksum: "CORRIDOR_USAGE_ADDRESS_CHECKSUM",
  InvalidKey: "CORRIDOR_USAGE_INVALID_KEY",
  UnknownChain: "CORRIDOR_USAGE_UNKNOWN_CHAIN",
  UnknownCommand: "CORRIDOR_USAGE_UNKNOWN_COMMAND",
  UnknownOption: "CORRIDOR_USAGE_UNKNOWN_OPTION",
  MissingCommand: "CORRIDOR_USAGE_MISSING_COMMAND",
  MissingArgument: "CORRIDOR_USAGE_MISSING_ARGUMENT",
  /** A flag given without its value (`--amount` at the end of the line). */
  MissingValue: "CORRIDOR_USAGE_MISSING_VALUE",
  /** A required flag not given at all. */
  MissingOption: "CORRIDOR_USAGE_MISSING_OPTION",
  ExcessArguments: "CORRIDOR_USAGE_EXCESS_ARGUMENTS",
  /** The output folder cannot be created or written to. */
  OutputUnwritable: "CORRIDOR_USAGE_OUTPUT_UNWRITABLE",
} as const;

/** Creates the output folder (before any work is done) and checks it can be written to. */
export function prepareOutDir(flag: string, dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.W_OK);
  } catch (cause) {
    throw new CorridorError(UsageCode.OutputUnwritable, `${flag}: cannot write to ${abs} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { flag, dir: abs }, cause);
  }
  return abs;
}

/** Largest amount `corridor send` accepts, in whole units: far above any supply of the test tokens. */
export const MAX_SEND_WHOLE_UNITS = 1_000_000_000_000_000n;

const show = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
const usage = (code: string, flag: string, message: string, value?: string) =>
  new CorridorError(code, `${flag}: ${message}`, value === undefined ? { flag } : { flag, value: value.slice(0, 200) });

export function parseSeed(flag = "--seed"): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw usage(UsageCode.Invalid, flag, `expected a non-negative integer, got ${show(v)}`, v);
    return Number(v);
  };
}

export function parsePort(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 65_535) throw usage(UsageCode.Invalid, flag, `expected a port number 1-65535, got ${show(v)}`, v);
    return n;
  };
}

/** An integer in [min, max]. */
export function parseInteger(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw usage(UsageCode.Invalid, flag, `expected a whole number from ${min} to ${max}, got ${show(v)}`, v);
    return n;
  };
}

/** One of a few words. */
export function parseChoice<T extends string>(flag: string, choices: readonly T[], code: string = UsageCode.Invalid): (v: string) => T {
  return (v) => {
    if (!(choices as readonly string[]).includes(v)) throw usage(code, flag, `expected ${choices.join(" or ")}, got ${show(v)}`, v);
    return v as T;
  };
}

/**
 * A non-zero address (0x and 40 hex digits). Its EIP-55 checksum is checked by checkChecksum once
 * the command runs (the hash needs viem, which usage errors do not load).
 */
export function parseAddress(flag: string): (v: string) => Hex {
  return (v) => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw usage(UsageCode.InvalidAddress, flag, `${show(v)} is not an address (0x followed by 40 hex digits)`, v);
    if (/^0x0{40}$/i.test(v)) throw usage(UsageCode.InvalidAddress, flag, "the zero address cannot receive a transfer", v);
    return v as Hex;
  };
}

/** All lowercase carries no checksum; otherwise the case must match EIP-55 (as viem and the SDK require), since a wrong one usually means a typo. */
export async function checkChecksum(flag: string, address: string): Promise<void> {
  const { getAddress, isAddress } = await import("viem");
  if (!isAddress(address, { strict: true })) throw usage(UsageCode.AddressChecksum, flag, `${show(address)} has a wrong EIP-55 checksum (expected ${getAddress(address)}); check it for typos`, address);
}

/** A positive decimal amount in whole units with at most 6 decimals, e.g. "250.00". */
export function parseAmount(flag: string): (v: string) => string {
  return (v) => {
    if (!/^\d+(\.\d{1,6})?$/.test(v)) throw usage(UsageCode.InvalidAmount, flag, `expected a positive amount with at most 6 decimals, such as 250.00, got ${show(v)}`, v);
    if (!/[1-9]/.test(v)) throw usage(UsageCode.InvalidAmount, flag, `the amount must be above zero, got ${show(v)}`, v);
    if (BigInt(v.split(".")[0]!) >= MAX_SEND_WHOLE_UNITS) throw usage(UsageCode.InvalidAmount, flag, `the amount is too large (at most ${MAX_SEND_WHOLE_UNITS.toLocaleString("en-US")} less one), got ${show(v)}`, v);
    return v;
  };
}

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A 32-byte hex private key. The value is never echoed. */
export function parsePrivateKey(flag: string): (v: string) => Hex {
  return (v) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw usage(UsageCode.InvalidKey, flag, "expected a private key: 0x followed by 64 hex digits");
    const k = BigInt(v);
    if (k === 0n || k >= SECP256K1_ORDER) throw usage(UsageCode.InvalidKey, flag, "not a valid secp256k1 private key (it must be above zero and below the curve order)");
    return v as Hex;
  };
}

/** A transfer id: 0x followed by 64 hex digits. */
export function parseTransferId(what = "<id>"): (v: string) => Hex {
  return (v) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw usage(UsageCode.Invalid, what, `${show(v)} is not a transfer id (0x followed by 64 hex digits)`, v);
    return v as Hex;
  };
}

/** A chain name as a corridor spec takes it: lowercase letters and digits, starting with a letter. */
const CHAIN_NAME = /^[a-z][a-z0-9]{0,15}$/;

/** A chain's name (any name a corridor spec allows; whether the corridor has it is checked against the config). */
export function parseChainName(flag: string): (v: string) => string {
  return (v) => {
    if (!CHAIN_NAME.test(v)) throw usage(UsageCode.UnknownChain, flag, `${show(v)} is not a chain name (lowercase letters and digits, starting with a letter)`, v);
    return v;
  };
}

/** Two or more distinct chain names, comma-separated. */
export function parseChainList(flag: string): (v: string) => string[] {
  return (v) => {
    const names = v.split(",").map((s) => s.trim());
    for (const n of names) parseChainName(flag)(n);
    if (names.length < 2) throw usage(UsageCode.Invalid, flag, `a corridor needs at least two chains, got ${show(v)}`, v);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw usage(UsageCode.Invalid, flag, `chain "${twice}" is named twice`, v);
    return names;
  };
}

/** `<chain>=<port>` (repeatable): the ports given so far by chain name. */
export function parseChainPort(flag: string): (v: string, previous?: Record<string, number>) => Record<string, number> {
  return (v, previous = {}) => {
    const m = /^([^=]*)=(.*)$/.exec(v);
    if (!m) throw usage(UsageCode.Invalid, flag, `expected <chain>=<port>, such as us=8545, got ${show(v)}`, v);
    const name = parseChainName(flag)(m[1]!);
    return { ...previous, [name]: parsePort(flag)(m[2]!) };
  };
}

/** A calendar date YYYY-MM-DD (an as-of date). */
export function parseDate(flag: string): (v: string) => string {
  return (v) => {
    if (!isCalendarDate(v)) throw usage(UsageCode.Invalid, flag, `expected a calendar date YYYY-MM-DD, got ${show(v)}`, v);
    return v;
  };
}

/** `--sanctions-list FILE [--sanctions-as-of DATE]`, for the commands that run or describe a scenario. */
export function addSanctionsListOptions(command: Command): Command {
  return command
    .option("--sanctions-list <file>", "screen against this sanctions list instead of the scenario's (one address a line, or address,asset CSV)")
    .option("--sanctions-as-of <date>", "the list's as-of date, YYYY-MM-DD (default: a \"# as of\" line in the file, or a date in its name)", parseDate("--sanctions-as-of"));
}

/** The list those flags give (the file's path resolved from the working folder), if any. */
export function sanctionsListFlag(o: { sanctionsList?: string; sanctionsAsOf?: string }): { file: string; asOf?: string } | undefined {
  if (o.sanctionsList === undefined) {
    if (o.sanctionsAsOf !== undefined) throw usage(UsageCode.MissingOption, "--sanctions-as-of", "dates a --sanctions-list: give one");
    return undefined;
  }
  return { file: resolve(o.sanctionsList), ...(o.sanctionsAsOf === undefined ? {} : { asOf: o.sanctionsAsOf }) };
}
