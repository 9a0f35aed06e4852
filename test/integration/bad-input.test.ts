/**
 * The bad-input corpus: wrong types, missing fields, negative, zero and enormous amounts, invalid
 * and wrongly checksummed addresses, unknown chains and currencies, malformed JSON and oversized
 * bodies, for the three ways in: the `corridor` command, scenario files, and the dashboard's HTTP
 * endpoints. Every case must get a clear error with a stable CORRIDOR_* code and a non-zero exit
 * status (2 for bad input) or a 4xx answer, without a stack trace, and where a case could move
 * funds (corridor send, the dashboard's controls) the balances on chain must not change.
 *
 * The CLI runs as users run it (node bin/corridor.mjs, a few at a time); scenarios are checked
 * in-process (the same loadScenario the CLI calls; a few also through the CLI); the dashboard is
 * started in-process on embedded chains, once on loopback and once on 0.0.0.0 (token required).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { isCorridorError } from "../../src/domain/errors.js";
import { loadScenario, parseScenario } from "../../src/sim/scenario.js";
import { snapshotLedger, type LedgerSnapshot } from "../../src/measure/ledger.js";
import type { BootedCorridor } from "../../src/corridor/boot.js";
import type { KeyPair } from "../../src/chains/keys.js";
import { controlToken, isLoopbackHost, MAX_CONTROL_BODY, startDemoServer, TOKEN_COOKIE, type DemoServer } from "../../src/server/server.js";
import { startLiveHarness, snapshot, type LiveHarness } from "../helpers/live.js";
import { runCorridor } from "../helpers/cli.js";

// ------------------------------------------------------------------ shared fixtures

const GOOD_ADDRESS = "0x1f811b4e74E1F9304d6446f644E781A248A13e15";
/** The same address with one letter's case flipped: a wrong EIP-55 checksum. */
const BAD_CHECKSUM = "0x1f811b4e74e1F9304d6446f644E781A248A13e15";
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const KEY = `0x${"11".repeat(32)}`;
const ID = `0x${"ab".repeat(32)}`;
const HUGE = "9".repeat(80);

/** A small valid scenario; each scenario case breaks one thing in a copy. */
const BASE_SCENARIO = {
  name: "bad-input-base",
  seed: 7,
  chains: { us: { profile: "local" }, uk: { profile: "local" } },
  liquidity: { us: "100000", uk: "100000" },
  workload: {
    transfers: 5,
    durationSeconds: 60,
    mix: [
      { from: "us", to: "uk", input: "USD", output: "GBP", weight: 1 },
      { from: "uk", to: "us", input: "GBP", output: "USD", weight: 1 },
    ],
  },
};

const TOKEN = "t".repeat(43);
const lower = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
/** A valid live config for chains that are not there (ports 1 and 2): loads, then fails to connect. */
function baseConfig(dir: string) {
  return {
    chains: { us: { url: "http://127.0.0.1:1", profile: "local" }, uk: { url: "http://127.0.0.1:2", profile: "local" } },
    deployment: {
      chains: {
        us: { name: "us", chainId: 31_001, home: "USD", gateway: lower(1), tokens: { USD: lower(2), GBP: lower(3) }, feeRecipient: lower(4) },
        uk: { name: "uk", chainId: 31_002, home: "GBP", gateway: lower(5), tokens: { USD: lower(6), GBP: lower(7) }, feeRecipient: lower(8) },
      },
    },
    relayer: { privateKey: KEY, operatorToken: TOKEN, store: join(dir, "relayer.db") },
    operator: { url: "http://127.0.0.1:3", port: 3, relayerTokens: [TOKEN], attesterKeys: [KEY], threshold: 1, quoterKey: KEY, store: join(dir, "operator.db") },
    accounts: [],
  };
}

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);
/** Sets a dotted path (numeric segments index arrays), creating objects on the way; `undefined` deletes. */
function setPath(o: Json, path: string, value: unknown): Json {
  const keys = path.split(".");
  let x = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) x = (x[k] ??= {}) as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete x[last];
  else x[last] = value;
  return o;
}
const withPath = (base: Json, ...sets: [string, unknown][]) => sets.reduce((o, [p, v]) => setPath(o, p, v), clone(base));

/** What no answer to bad input may contain: an unhandled error, a stack trace. */
const CRASH = /CORRIDOR_INTERNAL|TypeError|RangeError|ReferenceError|Unhandled|^\s+at .+:\d+:\d+\)?$/m;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "corridor-bad-input-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const file = (name: string, content: string | object) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return p;
};

// ------------------------------------------------------------------ running the CLI

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** At most this many CLI processes at once (the machine has 2 cores; each start is mostly CPU). */
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function corridor(args: string[], timeoutMs = 60_000): Promise<Run> {
  return slot(
    () =>
      runCorridor(args, { cwd: dir, timeoutMs, env: { ...process.env, CORRIDOR_LOG_LEVEL: "error", NO_COLOR: "1", FORCE_COLOR: "0" } }),
  );
}

interface CliCase {
  name: string;
  /** Arguments; a function gets the fixtures folder's files made in beforeAll. */
  args: string[] | (() => string[]);
  code: string;
  /** Exit status; default 2 (bad input). */
  status?: number;
  /** Text the message must contain (it names the flag or field). */
  says?: string;
}

function checkRun(c: CliCase, r: Run, ex: typeof expect): void {
  const out = r.stderr + r.stdout;
  ex(r.status, `${c.name}: exit status (stderr: ${r.stderr.slice(0, 400)})`).toBe(c.status ?? 2);
  ex(r.stderr, c.name).toContain(`error [${c.code}]`);
  if (c.says) ex(r.stderr, c.name).toContain(c.says);
  ex(out, `${c.name}: no crash`).not.toMatch(CRASH);
}

// ------------------------------------------------------------------ corpus: the corridor command

const SEND = ["send", "--from", "us", "--to", "uk", "--amount", "250.00", "--recipient", GOOD_ADDRESS];
/** `send` with one flag replaced (or appended). A config that does not exist: validation must come first. */
const send = (flag: string, value: string | null, config = "no-such-config.json") => {
  const args = [...SEND];
  const i = args.indexOf(flag);
  if (value === null) args.splice(i, 2);
  else if (i >= 0) args[i + 1] = value;
  else args.push(flag, value);
  return [...args, "--config", config];
};

const f = {
  scenario: () => join(dir, "scenario.json"),
  results: (n: string) => join(dir, `${n}.json`),
  config: (n: string) => join(dir, `config-${n}.json`),
};

const CLI_CASES: CliCase[] = [
  // The command line itself
  { name: "no command", args: [], code: "CORRIDOR_USAGE_MISSING_COMMAND" },
  { name: "unknown command", args: ["frobnicate"], code: "CORRIDOR_USAGE_UNKNOWN_COMMAND", says: "frobnicate" },
  { name: "unknown top-level flag", args: ["--version"], code: "CORRIDOR_USAGE_UNKNOWN_OPTION" },
  { name: "unknown flag on a command", args: () => ["simulate", f.scenario(), "--turbo"], code: "CORRIDOR_USAGE_UNKNOWN_OPTION", says: "--turbo" },
  { name: "review without a sub-command", args: ["review"], code: "CORRIDOR_USAGE_MISSING_COMMAND" },
  { name: "unknown review sub-command", args: ["review", "escalate"], code: "CORRIDOR_USAGE_UNKNOWN_COMMAND" },
  // simulate
  { name: "simulate without a file", args: ["simulate"], code: "CORRIDOR_USAGE_MISSING_ARGUMENT" },
  { name: "simulate with two files", args: () => ["simulate", f.scenario(), f.scenario()], code: "CORRIDOR_USAGE_EXCESS_ARGUMENTS" },
  { name: "simulate a missing file", args: ["simulate", "no-such-scenario.json"], code: "CORRIDOR_SCENARIO_NOT_FOUND" },
  { name: "simulate a folder", args: () => ["simulate", dir], code: "CORRIDOR_SCENARIO_NOT_FOUND" },
  { name: "simulate malformed JSON", args: () => ["simulate", join(dir, "malformed.json")], code: "CORRIDOR_SCENARIO_MALFORMED" },
  { name: "simulate a wrongly typed field", args: () => ["simulate", join(dir, "ten.json")], code: "CORRIDOR_SCENARIO_INVALID", says: 'workload.transfers: Expected number, received string (found "ten")' },
  { name: "simulate enormous liquidity (was a uint256 overflow crash)", args: () => ["simulate", join(dir, "huge-liquidity.json")], code: "CORRIDOR_SCENARIO_INVALID", says: "liquidity.us" },
  { name: "simulate an enormous deadline (was a uint64 overflow crash)", args: () => ["simulate", join(dir, "huge-deadline.json")], code: "CORRIDOR_SCENARIO_INVALID", says: "workload.deadlineSeconds" },
  { name: "simulate a start before 1970 (was an EDR crash)", args: () => ["simulate", join(dir, "ancient.json")], code: "CORRIDOR_SCENARIO_INVALID", says: "startTime" },
  { name: "simulate an unknown chain in the mix", args: () => ["simulate", join(dir, "eu.json")], code: "CORRIDOR_SCENARIO_INVALID", says: "workload.mix.0.from" },
  { name: "simulate --seed negative", args: () => ["simulate", f.scenario(), "--seed", "-1"], code: "CORRIDOR_USAGE_INVALID", says: "--seed" },
  { name: "simulate --seed not a number", args: () => ["simulate", f.scenario(), "--seed", "abc"], code: "CORRIDOR_USAGE_INVALID", says: "--seed" },
  { name: "simulate --seed in exponent form", args: () => ["simulate", f.scenario(), "--seed", "1e3"], code: "CORRIDOR_USAGE_INVALID" },
  { name: "simulate --seed beyond a safe integer", args: () => ["simulate", f.scenario(), "--seed", "99999999999999999999"], code: "CORRIDOR_USAGE_INVALID" },
  { name: "simulate --seed without its value", args: () => ["simulate", f.scenario(), "--seed"], code: "CORRIDOR_USAGE_MISSING_VALUE" },
  { name: "simulate --out that cannot be a folder", args: () => ["simulate", f.scenario(), "--out", "/dev/null/out"], code: "CORRIDOR_USAGE_OUTPUT_UNWRITABLE" },
  { name: "simulate --chains unknown", args: () => ["simulate", f.scenario(), "--chains", "ganache"], code: "CORRIDOR_USAGE_INVALID", says: "--chains" },
  { name: "simulate --replications 0", args: () => ["simulate", f.scenario(), "--replications", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "simulate --replications 1 (no interval from one run)", args: () => ["simulate", f.scenario(), "--replications", "1"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "simulate --replications in exponent form", args: () => ["simulate", f.scenario(), "--replications", "1e9"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "simulate --replications enormous", args: () => ["simulate", f.scenario(), "--replications", "1000000000"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "simulate --replications not a number", args: () => ["simulate", f.scenario(), "--replications", "abc"], code: "CORRIDOR_USAGE_INVALID", says: "--replications" },
  { name: "simulate --jobs without --replications", args: () => ["simulate", f.scenario(), "--jobs", "2"], code: "CORRIDOR_USAGE_INVALID", says: "--jobs" },
  { name: "simulate --replications with --jobs 0", args: () => ["simulate", f.scenario(), "--replications", "3", "--jobs", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--jobs" },
  // sweep
  { name: "sweep without --vary", args: () => ["sweep", f.scenario()], code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--vary" },
  { name: "sweep an unknown path", args: () => ["sweep", f.scenario(), "--vary", "warp.speed=1,2"], code: "CORRIDOR_USAGE_INVALID", says: "warp" },
  { name: "sweep --vary without values", args: () => ["sweep", f.scenario(), "--vary", "fee.bps="], code: "CORRIDOR_USAGE_INVALID" },
  { name: "sweep a negative fee", args: () => ["sweep", f.scenario(), "--vary", "fee.bps=-5,5"], code: "CORRIDOR_USAGE_INVALID", says: "fee" },
  { name: "sweep a wrongly typed value", args: () => ["sweep", f.scenario(), "--vary", "workload.transfers=ten"], code: "CORRIDOR_USAGE_INVALID" },
  { name: "sweep an unknown tier", args: () => ["sweep", f.scenario(), "--vary", "tier=warp"], code: "CORRIDOR_USAGE_INVALID" },
  { name: "sweep --jobs 0", args: () => ["sweep", f.scenario(), "--vary", "tier=fast", "--jobs", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--jobs" },
  { name: "sweep --jobs enormous", args: () => ["sweep", f.scenario(), "--vary", "tier=fast", "--jobs", "1000000"], code: "CORRIDOR_USAGE_INVALID", says: "--jobs" },
  { name: "sweep a missing scenario", args: ["sweep", "no-such-scenario.json", "--vary", "tier=fast"], code: "CORRIDOR_SCENARIO_NOT_FOUND" },
  // send: every flag wrong in turn; the config does not exist, so each must fail on validation first
  { name: "send without --from", args: send("--from", null), code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--from" },
  { name: "send without --amount", args: send("--amount", null), code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--amount" },
  { name: "send without --recipient", args: send("--recipient", null), code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--recipient" },
  // (whether a well-formed name is a chain of the corridor only its config can say)
  { name: "send from a chain the config does not have", args: () => send("--from", "eu", f.config("base")), code: "CORRIDOR_USAGE_UNKNOWN_CHAIN", says: "--from" },
  { name: "send to a chain the config does not have", args: () => send("--to", "mars", f.config("base")), code: "CORRIDOR_USAGE_UNKNOWN_CHAIN", says: "--to" },
  { name: "send from a malformed chain name", args: send("--from", "e u"), code: "CORRIDOR_USAGE_UNKNOWN_CHAIN", says: "--from" },
  { name: "send to a chain in capitals", args: send("--to", "UK"), code: "CORRIDOR_USAGE_UNKNOWN_CHAIN" },
  { name: "send to the same chain", args: send("--to", "us"), code: "CORRIDOR_USAGE_INVALID", says: "different chains" },
  { name: "send a negative amount", args: send("--amount", "-5"), code: "CORRIDOR_USAGE_INVALID_AMOUNT", says: "--amount" },
  { name: "send zero", args: send("--amount", "0"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send zero with decimals", args: send("--amount", "0.000000"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send an enormous amount", args: send("--amount", HUGE), code: "CORRIDOR_USAGE_INVALID_AMOUNT", says: "too large" },
  { name: "send an amount in exponent form", args: send("--amount", "1e5"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send more decimals than the token has", args: send("--amount", "1.1234567"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send a word as the amount", args: send("--amount", "lots"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send an empty amount", args: send("--amount", ""), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send an amount with a currency sign", args: send("--amount", "$250"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
  { name: "send to a non-address", args: send("--recipient", "alice"), code: "CORRIDOR_USAGE_INVALID_ADDRESS", says: "--recipient" },
  { name: "send to a short address", args: send("--recipient", "0x1f811b4e74"), code: "CORRIDOR_USAGE_INVALID_ADDRESS" },
  { name: "send to a 41-digit address", args: send("--recipient", `${GOOD_ADDRESS}5`), code: "CORRIDOR_USAGE_INVALID_ADDRESS" },
  { name: "send to an address without 0x", args: send("--recipient", GOOD_ADDRESS.slice(2)), code: "CORRIDOR_USAGE_INVALID_ADDRESS" },
  { name: "send to a wrong EIP-55 checksum", args: send("--recipient", BAD_CHECKSUM), code: "CORRIDOR_USAGE_ADDRESS_CHECKSUM", says: GOOD_ADDRESS },
  { name: "send to the zero address", args: send("--recipient", ZERO_ADDRESS), code: "CORRIDOR_USAGE_INVALID_ADDRESS", says: "zero address" },
  { name: "send on an unknown tier", args: send("--tier", "warp"), code: "CORRIDOR_USAGE_INVALID", says: "--tier" },
  { name: "send in an unknown currency mode", args: send("--currency", "EUR"), code: "CORRIDOR_USAGE_INVALID", says: "--currency" },
  { name: "send with a short key", args: send("--key", "0x1234"), code: "CORRIDOR_USAGE_INVALID_KEY", says: "--key" },
  { name: "send with a key above the curve order", args: send("--key", `0x${"f".repeat(64)}`), code: "CORRIDOR_USAGE_INVALID_KEY" },
  { name: "send with a missing config", args: [...SEND, "--config", "no-such-config.json"], code: "CORRIDOR_CONFIG_NOT_FOUND" },
  { name: "send with a malformed config", args: () => [...SEND, "--config", f.config("malformed")], code: "CORRIDOR_CONFIG_MALFORMED" },
  { name: "send with a config missing a chain", args: () => [...SEND, "--config", f.config("no-uk")], code: "CORRIDOR_CONFIG_INVALID", says: "uk" },
  { name: "send with a config of a wrong checksum", args: () => [...SEND, "--config", f.config("checksum")], code: "CORRIDOR_CONFIG_INVALID", says: "checksum" },
  { name: "send with a config naming no sender", args: () => [...SEND, "--config", f.config("base")], code: "CORRIDOR_USAGE_INVALID", says: "no sender key" },
  { name: "send to chains that are not running", args: () => [...SEND, "--config", f.config("base"), "--key", `0x${"22".repeat(32)}`], code: "CORRIDOR_SDK_RPC_FAILED", status: 1 },
  // status
  { name: "status without an id", args: ["status"], code: "CORRIDOR_USAGE_MISSING_ARGUMENT" },
  { name: "status of a short id", args: ["status", "0x12"], code: "CORRIDOR_USAGE_INVALID", says: "transfer id" },
  { name: "status of a non-hex id", args: ["status", `0x${"zz".repeat(32)}`], code: "CORRIDOR_USAGE_INVALID" },
  { name: "status with a missing config", args: ["status", ID, "--config", "no-such-config.json"], code: "CORRIDOR_CONFIG_NOT_FOUND" },
  // Unknown to the relayer's store, so status asks the gateways themselves: here they are not running.
  { name: "status of an unknown transfer on chains that are not running", args: () => ["status", ID, "--config", f.config("base")], code: "CORRIDOR_RPC_UNREACHABLE", status: 1 },
  // daemons and reconcile: a bad config must stop them before they connect anywhere
  { name: "relayer with a missing config", args: ["relayer", "--config", "no-such-config.json"], code: "CORRIDOR_CONFIG_NOT_FOUND" },
  { name: "relayer with a malformed config", args: () => ["relayer", "--config", f.config("malformed")], code: "CORRIDOR_CONFIG_MALFORMED" },
  { name: "relayer with a guessable operator token", args: () => ["relayer", "--config", f.config("short-token")], code: "CORRIDOR_CONFIG_INVALID", says: "relayer.operatorToken" },
  { name: "operator accepting no relayer token", args: () => ["operator", "--config", f.config("no-relayer-tokens")], code: "CORRIDOR_CONFIG_INVALID", says: "operator.relayerTokens" },
  { name: "relayer with a threshold above its attesters", args: () => ["relayer", "--config", f.config("threshold")], code: "CORRIDOR_CONFIG_INVALID", says: "operator.threshold" },
  { name: "relayer with a non-key", args: () => ["relayer", "--config", f.config("bad-key")], code: "CORRIDOR_CONFIG_INVALID", says: "relayer.privateKey" },
  { name: "relayer with a poll interval of zero", args: () => ["relayer", "--config", f.config("poll")], code: "CORRIDOR_CONFIG_INVALID", says: "relayer.pollMs" },
  { name: "operator with a missing config", args: ["operator", "--config", "no-such-config.json"], code: "CORRIDOR_CONFIG_NOT_FOUND" },
  { name: "operator with an unknown profile", args: () => ["operator", "--config", f.config("profile")], code: "CORRIDOR_CONFIG_INVALID", says: "chains.us.profile" },
  { name: "operator with a negative spread", args: () => ["operator", "--config", f.config("spread")], code: "CORRIDOR_CONFIG_INVALID", says: "operator.spreadBps" },
  { name: "operator --config without its value", args: ["operator", "--config"], code: "CORRIDOR_USAGE_MISSING_VALUE" },
  { name: "operator with a config that is a JSON array", args: () => ["operator", "--config", f.config("array")], code: "CORRIDOR_CONFIG_INVALID" },
  { name: "reconcile with a missing config", args: ["reconcile", "--config", "no-such-config.json"], code: "CORRIDOR_CONFIG_NOT_FOUND" },
  { name: "reconcile with an unknown chain", args: () => ["reconcile", "--config", f.config("eu")], code: "CORRIDOR_CONFIG_INVALID", says: "eu" },
  { name: "reconcile with an ftp endpoint", args: () => ["reconcile", "--config", f.config("ftp")], code: "CORRIDOR_CONFIG_INVALID", says: "chains.us.url" },
  { name: "reconcile with an unknown home currency", args: () => ["reconcile", "--config", f.config("eur")], code: "CORRIDOR_CONFIG_INVALID", says: "home" },
  { name: "reconcile with chains that are not running", args: () => ["reconcile", "--config", f.config("base")], code: "CORRIDOR_RPC_UNREACHABLE", status: 1 },
  { name: "review approve a short id", args: ["review", "approve", "0x12"], code: "CORRIDOR_USAGE_INVALID" },
  { name: "review list with a missing config", args: ["review", "list", "--config", "no-such-config.json"], code: "CORRIDOR_CONFIG_NOT_FOUND" },
  // up: refused before any node starts
  { name: "up with an unknown node", args: ["up", "--node", "parity"], code: "CORRIDOR_USAGE_INVALID", says: "--node" },
  { name: "up on port 0", args: ["up", "--us-port", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--us-port" },
  { name: "up on a port above 65535", args: ["up", "--uk-port", "70000"], code: "CORRIDOR_USAGE_INVALID", says: "--uk-port" },
  { name: "up on one port twice", args: ["up", "--us-port", "9000", "--uk-port", "9000"], code: "CORRIDOR_USAGE_INVALID", says: "ports must differ" },
  { name: "up with no accounts", args: ["up", "--accounts", "0"], code: "CORRIDOR_USAGE_INVALID", says: "--accounts" },
  { name: "up with a fractional account count", args: ["up", "--accounts", "2.5"], code: "CORRIDOR_USAGE_INVALID", says: "--accounts" },
  // sanctions lists and data sets
  { name: "simulate with a sanctions list dated with a non-date", args: () => ["simulate", f.scenario(), "--sanctions-list", "x.csv", "--sanctions-as-of", "2025-13-01"], code: "CORRIDOR_USAGE_INVALID", says: "--sanctions-as-of" },
  { name: "simulate with an as-of date and no list", args: () => ["simulate", f.scenario(), "--sanctions-as-of", "2025-11-19"], code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--sanctions-list" },
  { name: "simulate with a missing sanctions list", args: () => ["simulate", f.scenario(), "--sanctions-list", join(dir, "no-such-list.csv"), "--out", join(dir, "out-list")], code: "CORRIDOR_DATA_INVALID", says: "no-such-list.csv" },
  { name: "simulate with an undated sanctions list", args: () => ["simulate", f.scenario(), "--sanctions-list", join(dir, "undated-list.txt"), "--out", join(dir, "out-list")], code: "CORRIDOR_DATA_DATE_INVALID", says: "no as-of date" },
  { name: "data with a sanctions list of bad rows", args: () => ["data", "--sanctions-list", join(dir, "bad-list.csv")], code: "CORRIDOR_DATA_INVALID", says: "bad-list.csv:2" },
  { name: "data with a sanctions list whose as-of line is no date", args: () => ["data", "--sanctions-list", join(dir, "bad-date-list.txt")], code: "CORRIDOR_DATA_DATE_INVALID", says: "bad-date-list.txt:1" },
  { name: "data for a missing scenario", args: ["data", "--scenario", "no-such-scenario.json"], code: "CORRIDOR_SCENARIO_NOT_FOUND" },
  // report and export
  { name: "report a missing file", args: ["report", "no-such-results.json"], code: "CORRIDOR_RESULTS_NOT_FOUND" },
  { name: "report malformed JSON", args: () => ["report", f.results("malformed")], code: "CORRIDOR_RESULTS_MALFORMED" },
  { name: "report an empty object", args: () => ["report", f.results("empty")], code: "CORRIDOR_RESULTS_INVALID" },
  { name: "report a partial results file (was a TypeError crash)", args: () => ["report", f.results("partial"), "--out", join(dir, "r.html")], code: "CORRIDOR_RESULTS_INVALID", says: "summary" },
  { name: "export in an unknown format", args: () => ["export", "--format", "csv", f.results("partial")], code: "CORRIDOR_USAGE_INVALID", says: "csv" },
  { name: "export without --format", args: () => ["export", f.results("partial")], code: "CORRIDOR_USAGE_MISSING_OPTION", says: "--format" },
  { name: "export a partial results file", args: () => ["export", "--format", "pacs008", f.results("partial")], code: "CORRIDOR_RESULTS_INVALID" },
];

/** The fixture files the CLI cases name. */
function writeCliFixtures(): void {
  file("scenario.json", BASE_SCENARIO);
  file("malformed.json", '{ "name": "x", "workload": { "transfers": 5,, } ');
  file("ten.json", withPath(BASE_SCENARIO, ["workload.transfers", "ten"]));
  file("huge-liquidity.json", withPath(BASE_SCENARIO, ["liquidity.us", HUGE]));
  file("huge-deadline.json", withPath(BASE_SCENARIO, ["workload.deadlineSeconds", 1e20]));
  file("ancient.json", withPath(BASE_SCENARIO, ["startTime", "0001-01-01T00:00:00Z"]));
  file("eu.json", withPath(BASE_SCENARIO, ["workload.mix.0.from", "eu"]));
  const cfg = baseConfig(dir) as unknown as Json;
  file("config-base.json", cfg);
  file("config-malformed.json", '{"chains": {"us": ');
  file("config-no-uk.json", withPath(cfg, ["chains.uk", undefined]));
  file("config-checksum.json", withPath(cfg, ["deployment.chains.us.gateway", BAD_CHECKSUM]));
  file("config-threshold.json", withPath(cfg, ["operator.threshold", 3]));
  file("config-short-token.json", withPath(cfg, ["relayer.operatorToken", "secret"]));
  file("config-no-relayer-tokens.json", withPath(cfg, ["operator.relayerTokens", []]));
  file("config-bad-key.json", withPath(cfg, ["relayer.privateKey", "0xnotakey"]));
  file("config-poll.json", withPath(cfg, ["relayer.pollMs", 0]));
  file("config-profile.json", withPath(cfg, ["chains.us.profile", "solana"]));
  file("config-spread.json", withPath(cfg, ["operator.spreadBps", { default: -5 }]));
  file("config-array.json", "[]");
  file("config-eu.json", withPath(cfg, ["chains.eu", { url: "http://127.0.0.1:4", profile: "local" }]));
  file("config-ftp.json", withPath(cfg, ["chains.us.url", "ftp://127.0.0.1/"]));
  file("config-eur.json", withPath(cfg, ["deployment.chains.us.home", "EUR"]));
  file("undated-list.txt", "0x1111111111111111111111111111111111111111\n");
  file("bad-list.csv", "address,asset\n0x1111111111111111111111111111111111111111,ETH,extra\n");
  file("bad-date-list.txt", "# as of last tuesday\n0x1111111111111111111111111111111111111111\n");
  file("empty.json", {});
  file("partial.json", { scenario: { name: "x" }, seed: 1, summary: { transfers: {} }, transfers: [{ id: 1 }] });
}

// ------------------------------------------------------------------ corpus: scenario files

interface ScenarioCase {
  name: string;
  /** A scenario: BASE_SCENARIO with these paths set (undefined deletes), or raw file text. */
  set?: [string, unknown][];
  text?: string;
  /** The field the message must name (dotted path), or text it must contain. */
  says: string;
  code?: string;
}

const hooks = (...h: object[]) => ["compliance.hooks", h] as [string, unknown];
const fault = (f: object) => ["faults", [f]] as [string, unknown];

const SCENARIO_CASES: ScenarioCase[] = [
  // The file
  { name: "empty file", text: "", says: "not valid JSON", code: "CORRIDOR_SCENARIO_MALFORMED" },
  { name: "malformed JSON", text: '{"name": "x",, }', says: "not valid JSON", code: "CORRIDOR_SCENARIO_MALFORMED" },
  { name: "trailing garbage", text: `${JSON.stringify(BASE_SCENARIO)} extra`, says: "not valid JSON", code: "CORRIDOR_SCENARIO_MALFORMED" },
  { name: "a JSON array", text: "[]", says: "(top level)" },
  { name: "JSON null", text: "null", says: "(top level)" },
  { name: "a JSON string", text: '"baseline"', says: "(top level)" },
  { name: "a number written past double range (1e999)", text: JSON.stringify(BASE_SCENARIO).replace('"durationSeconds":60', '"durationSeconds":1e999'), says: "workload.durationSeconds: expected a finite number" },
  { name: "an unknown top-level field", set: [["turbo", true]], says: '"turbo"' },
  // Top-level fields
  { name: "name missing", set: [["name", undefined]], says: "name: Required" },
  { name: "name empty", set: [["name", ""]], says: "name" },
  { name: "name a number", set: [["name", 5]], says: "name: Expected string" },
  { name: "description a number", set: [["description", 5]], says: "description" },
  { name: "seed negative", set: [["seed", -1]], says: "seed" },
  { name: "seed fractional", set: [["seed", 1.5]], says: "seed" },
  { name: "seed a string", set: [["seed", "42"]], says: "seed: Expected number" },
  { name: "seed enormous", set: [["seed", 1e300]], says: "seed" },
  { name: "startTime not a time", set: [["startTime", "yesterday"]], says: "startTime" },
  { name: "startTime before 1970 (EDR cannot start there)", set: [["startTime", "0001-01-01T00:00:00Z"]], says: "startTime" },
  // chains
  { name: "unknown chain profile", set: [["chains.us.profile", "mars"]], says: "chains.us.profile" },
  { name: "unknown field on a chain", set: [["chains.us.speed", 9]], says: '"speed"' },
  { name: "an unknown chain", set: [["chains.xx", { profile: "local" }]], says: '"xx"' },
  { name: "a known chain without its liquidity", set: [["chains.eu", { profile: "local" }]], says: "liquidity.eu" },
  { name: "two chains with one chain id", set: [["chains.uk.chainId", 31_001]], says: "chains.uk.chainId" },
  { name: "a thousand chains", set: [["chains", Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`c${i}`, { chainId: 40_000 + i, home: "USD", jurisdiction: "US" }]))]], says: "at most 16 chains" },
  { name: "a fault on a chain the scenario does not have", set: [["faults", [{ kind: "chainHalt", at: 10, durationSeconds: 10, chain: "eu" }]]], says: "faults.0.chain" },
  { name: "an RPC URL for one chain only", set: [["chains.us.rpcUrl", "http://127.0.0.1:8545"]], says: "chains.uk.rpcUrl" },
  { name: "an RPC URL that is not a URL", set: [["chains.us.rpcUrl", "localhost"], ["chains.uk.rpcUrl", "http://127.0.0.1:8546"]], says: "chains.us.rpcUrl" },
  { name: "an ftp RPC URL", set: [["chains.us.rpcUrl", "ftp://x"], ["chains.uk.rpcUrl", "ftp://y"]], says: "chains.us.rpcUrl" },
  { name: "negative gas price", set: [["chains.us.gasPriceGwei", -1]], says: "chains.us.gasPriceGwei" },
  { name: "enormous native token price", set: [["chains.uk.nativeUsd", 1e308]], says: "chains.uk.nativeUsd" },
  // operator and relayer
  { name: "no attesters", set: [["operator.attesters", 0]], says: "operator.attesters" },
  { name: "too many attesters", set: [["operator.attesters", 17]], says: "operator.attesters" },
  { name: "threshold above attesters", set: [["operator.threshold", 4]], says: "operator.threshold" },
  { name: "negative screening time", set: [["operator.screeningSeconds", -1]], says: "operator.screeningSeconds" },
  { name: "enormous attestation time", set: [["operator.attestationSeconds", 1e300]], says: "operator.attestationSeconds" },
  { name: "batch of zero", set: [["relayer.maxBatch", 0]], says: "relayer.maxBatch" },
  { name: "batch too large", set: [["relayer.maxBatch", 501]], says: "relayer.maxBatch" },
  { name: "negative refund grace", set: [["relayer.refundGraceSeconds", -5]], says: "relayer.refundGraceSeconds" },
  { name: "resubmission after zero seconds", set: [["relayer.resubmitAfterSeconds", 0]], says: "relayer.resubmitAfterSeconds" },
  // fees
  { name: "fee bps above 100%", set: [["fees.default", { fixed: 0, bps: 10_001, min: 0, max: 0 }]], says: "fees.default.bps" },
  { name: "negative fixed fee", set: [["fees.default", { fixed: -1, bps: 0, min: 0, max: 0 }]], says: "fees.default.fixed" },
  { name: "fixed fee in decimals (base units are integers)", set: [["fees.default", { fixed: "1.5", bps: 0, min: 0, max: 0 }]], says: "fees.default.fixed" },
  { name: "fee min above max", set: [["fees.default", { fixed: 0, bps: 5, min: 10, max: 5 }]], says: "fees.default.min" },
  { name: "fee route in an unknown currency", set: [["fees.routes", { "us:EUR->uk": { fixed: 0, bps: 0, min: 0, max: 0 } }]], says: "fees.routes" },
  { name: "fee route from an unknown chain", set: [["fees.routes", { "eu:USD->uk": { fixed: 0, bps: 0, min: 0, max: 0 } }]], says: "fees.routes" },
  // fx
  { name: "unknown FX source", set: [["fx.source", "magic"]], says: "fx.source" },
  { name: "zero FX rate", set: [["currencies.GBP.mid", 0]], says: "currencies.GBP.mid" },
  { name: "negative FX rate", set: [["currencies.GBP.mid", -0.75]], says: "currencies.GBP.mid" },
  { name: "enormous FX rate (was a uint256 overflow crash)", set: [["currencies.GBP.mid", 1e300]], says: "currencies.GBP.mid" },
  { name: "month 13 in the FX window", set: [["fx.window", { from: "2016-13", to: "2017-01" }]], says: "fx.window.from" },
  { name: "FX window ending before it starts", set: [["fx.window", { from: "2017-01", to: "2016-01" }]], says: "fx.window.to" },
  { name: "volatility above 500%", set: [["currencies.GBP.annualVol", 6]], says: "currencies.GBP.annualVol" },
  { name: "spread for an unknown currency", set: [["fx.spreadBps", { "USD->EUR": 5 }]], says: "fx.spreadBps" },
  { name: "negative spread", set: [["fx.spreadBps", { default: -1 }]], says: "fx.spreadBps.default" },
  { name: "quote TTL of zero", set: [["fx.quoteTtlSeconds", 0]], says: "fx.quoteTtlSeconds" },
  { name: "lock share above 1", set: [["fx.lockQuoteShare", 1.5]], says: "fx.lockQuoteShare" },
  { name: "slippage above 100%", set: [["fx.slippageBps", 20_000]], says: "fx.slippageBps" },
  // compliance
  { name: "unknown compliance hook (was found only after the chains started)", set: [hooks({ hook: "astrology" })], says: "compliance.hooks.0.hook" },
  { name: "hook without a name", set: [hooks({ listFile: "x.txt" })], says: "compliance.hooks.0.hook" },
  { name: "negative per-transfer limit", set: [hooks({ hook: "limits", perTransfer: -5 })], says: "compliance.hooks.0.perTransfer" },
  { name: "limit in an unknown currency", set: [hooks({ hook: "limits", perTransfer: 100, currency: "JPY" })], says: "compliance.hooks.0.currency" },
  { name: "sanctions list with a non-address", set: [hooks({ hook: "sanctions", addresses: ["0xnot"] })], says: "compliance.hooks.0.addresses.0" },
  { name: "sanctions list dated with a non-date", set: [hooks({ hook: "sanctions", listFile: "data/ofac-sdn-eth-addresses.txt", asOf: "2025-02-30" })], says: "compliance.hooks.0.asOf" },
  { name: "sanctions list of a jurisdiction in lowercase", set: [hooks({ hook: "sanctions", byJurisdiction: { uk: { listFile: "x.csv" } } })], says: "compliance.hooks.0.byJurisdiction" },
  { name: "travel rule asking for something else below its threshold", set: [hooks({ hook: "travelRule", thresholds: { UK: { amount: 1, currency: "EUR", belowThreshold: { requires: "everything" } } } })], says: "compliance.hooks.0.thresholds.UK.belowThreshold.requires" },
  { name: "unknown option on a hook", set: [hooks({ hook: "manualReview", above: 5000, sometimes: true })], says: "compliance.hooks.0" },
  { name: "on-chain sanctions as a string", set: [["compliance.onChain.sanctions", "yes"]], says: "compliance.onChain.sanctions" },
  { name: "review approval share above 1", set: [["compliance.reviewApproveShare", 2]], says: "compliance.reviewApproveShare" },
  // amounts: liquidity and the Fast allowance
  { name: "negative Fast allowance", set: [["fastAllowance.us", "-5"]], says: "fastAllowance.us" },
  { name: "zero Fast allowance", set: [["fastAllowance.us", "0"]], says: "fastAllowance.us" },
  { name: "enormous Fast allowance (was a uint256 overflow crash)", set: [["fastAllowance.uk", HUGE]], says: "fastAllowance.uk" },
  { name: "misspelt unlimited allowance", set: [["fastAllowance.uk", "unlimted"]], says: "fastAllowance.uk" },
  { name: "liquidity missing", set: [["liquidity", undefined]], says: "liquidity: Required" },
  { name: "negative liquidity", set: [["liquidity.us", "-100"]], says: "liquidity.us" },
  { name: "zero liquidity", set: [["liquidity.us", 0]], says: "liquidity.us" },
  { name: "liquidity in exponent form", set: [["liquidity.uk", "1e6"]], says: "liquidity.uk" },
  { name: "liquidity below the smallest unit (was a rejected deposit)", set: [["liquidity.us", "0.0000001"]], says: "liquidity.us" },
  { name: "enormous liquidity (was a uint256 overflow crash)", set: [["liquidity.us", HUGE]], says: "liquidity.us" },
  { name: "liquidity on an unknown chain", set: [["liquidity.eu", "100"]], says: '"eu"' },
  { name: "liquidity as a boolean", set: [["liquidity.us", true]], says: "liquidity.us" },
  // workload
  { name: "workload missing", set: [["workload", undefined]], says: "workload: Required" },
  { name: "no transfers", set: [["workload.transfers", 0]], says: "workload.transfers" },
  { name: "negative transfers", set: [["workload.transfers", -10]], says: "workload.transfers" },
  { name: "transfers as a word", set: [["workload.transfers", "ten"]], says: 'workload.transfers: Expected number, received string (found "ten")' },
  { name: "a trillion transfers", set: [["workload.transfers", 1e12]], says: "workload.transfers" },
  { name: "fractional transfers", set: [["workload.transfers", 2.5]], says: "workload.transfers" },
  { name: "arrivals over zero seconds", set: [["workload.durationSeconds", 0]], says: "workload.durationSeconds" },
  { name: "arrivals over 1e300 seconds (was an endless run)", set: [["workload.durationSeconds", 1e300]], says: "workload.durationSeconds" },
  { name: "no senders", set: [["workload.senders", 0]], says: "workload.senders" },
  { name: "empty mix", set: [["workload.mix", []]], says: "workload.mix" },
  { name: "mix from an unknown chain", set: [["workload.mix.0.from", "eu"]], says: "workload.mix.0.from" },
  { name: "mix within one chain", set: [["workload.mix.0.to", "us"]], says: "workload.mix.0" },
  { name: "mix in an unknown input currency", set: [["workload.mix.0.input", "EUR"]], says: "workload.mix.0.input" },
  { name: "mix in an unknown output currency", set: [["workload.mix.1.output", "JPY"]], says: "workload.mix.1.output" },
  { name: "mix input not held on its chain", set: [["workload.mix.0.input", "GBP"], ["workload.mix.0.output", "USD"]], says: "workload.mix.0.input" },
  { name: "mix weight zero", set: [["workload.mix.0.weight", 0]], says: "workload.mix.0.weight" },
  { name: "mix weight negative", set: [["workload.mix.0.weight", -1]], says: "workload.mix.0.weight" },
  { name: "mix weight missing", set: [["workload.mix.0.weight", undefined]], says: "workload.mix.0.weight" },
  { name: "Fast share above 1", set: [["workload.fastShare", 1.1]], says: "workload.fastShare" },
  { name: "negative median amount", set: [["workload.amount", { medianUsd: -5 }]], says: "workload.amount.medianUsd" },
  { name: "minimum amount above maximum", set: [["workload.amount", { minUsd: 100, maxUsd: 10 }]], says: "workload.amount.minUsd" },
  { name: "enormous maximum amount (was a uint256 overflow crash)", set: [["workload.amount", { maxUsd: 1e300 }]], says: "workload.amount.maxUsd" },
  { name: "deadline of zero", set: [["workload.deadlineSeconds", 0]], says: "workload.deadlineSeconds" },
  { name: "deadline past uint64 (was an encoding crash)", set: [["workload.deadlineSeconds", 1e20]], says: "workload.deadlineSeconds" },
  { name: "daily profile of 23 hours", set: [["workload.dailyProfile", Array(23).fill(1)]], says: "workload.dailyProfile" },
  { name: "daily profile all zero", set: [["workload.dailyProfile", Array(24).fill(0)]], says: "workload.dailyProfile" },
  { name: "daily profile with a negative hour", set: [["workload.dailyProfile", [-1, ...Array(23).fill(1)]]], says: "workload.dailyProfile.0" },
  { name: "burst after the arrivals end", set: [["workload.bursts", [{ at: 60, durationSeconds: 10, multiplier: 2 }]]], says: "workload.bursts.0.at" },
  { name: "burst multiplier zero", set: [["workload.bursts", [{ at: 0, durationSeconds: 10, multiplier: 0 }]]], says: "workload.bursts.0.multiplier" },
  { name: "burst multiplier enormous", set: [["workload.bursts", [{ at: 0, durationSeconds: 10, multiplier: 1e6 }]]], says: "workload.bursts.0.multiplier" },
  { name: "sanctioned share above 1", set: [["workload.sanctionedShare", 2]], says: "workload.sanctionedShare" },
  { name: "negative travel-rule share", set: [["workload.travelRuleDataShare", -0.1]], says: "workload.travelRuleDataShare" },
  // faults (FaultSchema, and the scenario's own checks)
  { name: "faults not a list", set: [["faults", { kind: "relayerDown" }]], says: "faults" },
  { name: "unknown fault", set: [fault({ kind: "meteor", at: 0, durationSeconds: 10 })], says: "faults.0.kind" },
  { name: "fault without a kind", set: [fault({ at: 0, durationSeconds: 10 })], says: "faults.0.kind" },
  { name: "relayer down for zero seconds", set: [fault({ kind: "relayerDown", at: 0, durationSeconds: 0 })], says: "faults.0.durationSeconds" },
  { name: "fault at a negative time", set: [fault({ kind: "relayerDown", at: -1, durationSeconds: 10 })], says: "faults.0.at" },
  { name: "RPC errors on no calls", set: [fault({ kind: "rpcErrors", at: 0, durationSeconds: 10, share: 0 })], says: "faults.0.share" },
  { name: "RPC errors on 150% of calls", set: [fault({ kind: "rpcErrors", at: 0, durationSeconds: 10, share: 1.5 })], says: "faults.0.share" },
  { name: "halt of an unknown chain", set: [fault({ kind: "chainHalt", at: 0, durationSeconds: 10, chain: "eu" })], says: "faults.0.chain" },
  { name: "halt without a chain", set: [fault({ kind: "chainHalt", at: 0, durationSeconds: 10 })], says: "faults.0.chain" },
  { name: "more attesters offline than exist", set: [fault({ kind: "attesterOutage", at: 0, durationSeconds: 10, offline: 5 })], says: "faults.0.offline" },
  { name: "FX shock to zero", set: [fault({ kind: "fxShock", at: 0, factor: 0 })], says: "faults.0.factor" },
  { name: "FX shock of a thousand times", set: [fault({ kind: "fxShock", at: 0, factor: 1000 })], says: "faults.0.factor" },
  { name: "drain of twice the pool", set: [fault({ kind: "liquidityDrain", at: 0, chain: "uk", share: 2 })], says: "faults.0.share" },
  { name: "unknown field on a fault", set: [fault({ kind: "relayerDown", at: 0, durationSeconds: 10, severity: "high" })], says: '"severity"' },
  { name: "fault that starts in 1e300 seconds (was a slow run)", set: [fault({ kind: "relayerDown", at: 1e300, durationSeconds: 10 })], says: "faults.0.at" },
  { name: "relayer down for 1e300 seconds (was a failed conservation check)", set: [fault({ kind: "relayerDown", at: 0, durationSeconds: 1e300 })], says: "faults.0.durationSeconds" },
  { name: "halt of a JSON-RPC chain", set: [["chains.us.rpcUrl", "http://127.0.0.1:8545"], ["chains.uk.rpcUrl", "http://127.0.0.1:8546"], fault({ kind: "chainHalt", at: 0, durationSeconds: 10, chain: "us" })], says: "faults.0.kind" },
  // regulation (the scenario's regulation section, src/regulation/)
  { name: "unknown regulation pack", set: [["regulation", { packs: { GBP: "boe-2030" } }]], says: 'regulation.packs.GBP: unknown regulation pack "boe-2030"' },
  { name: "a regulation pack given as a number", set: [["regulation", { packs: { GBP: 7 } }]], says: "regulation.packs.GBP" },
  { name: "no pack in a list of packs", set: [["regulation", { packs: { GBP: [] } }]], says: "regulation.packs.GBP" },
  { name: "a pack of another jurisdiction", set: [["regulation", { packs: { GBP: "genius" } }]], says: "regulation.packs.GBP: pack genius governs issuers in US" },
  { name: "two packs that set different backing", set: [["regulation", { packs: { GBP: ["boe-2026", "boe-2025-proposal"] } }]], says: "both set backing" },
  { name: "a pack named twice", set: [["regulation", { packs: { GBP: ["fca", "fca"] } }]], says: "regulation.packs.GBP: a pack is named twice" },
  { name: "packs for a coin the corridor does not carry", set: [["regulation", { packs: { EUR: "fca" } }]], says: "regulation.packs.EUR" },
  { name: "guardrail scaled to zero", set: [["regulation", { packs: { GBP: "boe-2026" }, guardrailScale: { GBP: 0 } }]], says: "regulation.guardrailScale.GBP" },
  { name: "guardrail scaled up", set: [["regulation", { packs: { GBP: "boe-2026" }, guardrailScale: { GBP: 3 } }]], says: "regulation.guardrailScale.GBP" },
  { name: "guardrail scale for a coin without a guardrail", set: [["regulation", { packs: { GBP: "fca" }, guardrailScale: { GBP: 0.5 } }]], says: "no pack of GBP sets an issuance guardrail" },
  { name: "mint of a coin without an issuer", set: [["regulation", { packs: { GBP: "fca" }, mints: [{ at: 0, currency: "USD", amount: "5", to: "lp" }] }]], says: "regulation.mints.0.currency" },
  { name: "mint of a negative amount", set: [["regulation", { packs: { GBP: "fca" }, mints: [{ at: 0, currency: "GBP", amount: "-5", to: "lp" }] }]], says: "regulation.mints.0.amount" },
  { name: "mint to a sender that does not exist", set: [["regulation", { packs: { GBP: "fca" }, mints: [{ at: 0, currency: "GBP", amount: "5", to: { sender: 10_000 } }] }]], says: "regulation.mints.0.to.sender" },
  { name: "mint to nobody in particular", set: [["regulation", { packs: { GBP: "fca" }, mints: [{ at: 0, currency: "GBP", amount: "5", to: "everyone" }] }]], says: "regulation.mints.0.to" },
  { name: "mint in 1e300 seconds", set: [["regulation", { packs: { GBP: "fca" }, mints: [{ at: 1e300, currency: "GBP", amount: "5", to: "lp" }] }]], says: "regulation.mints.0.at" },
  { name: "lawful order against a malformed address", set: [["regulation", { packs: { USD: "genius" }, orders: [{ at: 0, currency: "USD", target: "0x1234" }] }]], says: "regulation.orders.0.target" },
  { name: "lawful order on a coin without an issuer", set: [["regulation", { packs: { USD: "genius" }, orders: [{ at: 0, currency: "GBP", target: "busiestRecipient" }] }]], says: "regulation.orders.0.currency" },
  { name: "unknown field in the regulation section", set: [["regulation", { packs: { USD: "genius" }, holdingLimit: 5 }]], says: '"holdingLimit"' },
  { name: "redemption run on a coin without an issuer", set: [fault({ kind: "redemptionRun", at: 0, durationSeconds: 10, currency: "GBP", share: 0.5 })], says: "faults.0.currency" },
  { name: "redemption run of 150% of holders", set: [["regulation", { packs: { GBP: "fca" } }], fault({ kind: "redemptionRun", at: 0, durationSeconds: 10, currency: "GBP", share: 1.5 })], says: "faults.0.share" },
  { name: "redemption run with a market that sells nothing", set: [["regulation", { packs: { GBP: "fca" } }], fault({ kind: "redemptionRun", at: 0, durationSeconds: 10, currency: "GBP", share: 1, marketDepthPerDay: 0 })], says: "faults.0.marketDepthPerDay" },
];

// ------------------------------------------------------------------ corpus: the dashboard's HTTP endpoints

interface HttpCase {
  name: string;
  method?: string;
  path?: string;
  /** A JSON value (sent as JSON) or raw text. */
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Text the message must contain (the field). */
  says?: string;
}

const post = (name: string, json: unknown, code = "CORRIDOR_DEMO_INVALID_CONTROLS", says?: string): HttpCase => ({ name, method: "POST", path: "/api/controls", json, status: 400, code, says });
const raw = (name: string, body: string, code = "CORRIDOR_HTTP_MALFORMED_JSON"): HttpCase => ({ name, method: "POST", path: "/api/controls", body, status: 400, code });

const HTTP_CASES: HttpCase[] = [
  // Methods and paths
  { name: "GET on the controls", method: "GET", path: "/api/controls", status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "PUT on the controls", method: "PUT", path: "/api/controls", json: { feeBps: 5 }, status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "DELETE on the controls", method: "DELETE", path: "/api/controls", status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "PATCH on the controls", method: "PATCH", path: "/api/controls", json: { feeBps: 5 }, status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "a CORS preflight (OPTIONS) is not answered with CORS", method: "OPTIONS", path: "/api/controls", headers: { origin: "https://evil.example", "access-control-request-method": "POST" }, status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "POST on the state", method: "POST", path: "/api/state", json: {}, status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "POST on the page", method: "POST", path: "/", json: { feeBps: 5 }, status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "DELETE on the event stream", method: "DELETE", path: "/events", status: 405, code: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED" },
  { name: "an unknown path", method: "GET", path: "/admin", status: 404, code: "CORRIDOR_HTTP_NOT_FOUND" },
  { name: "a path below the controls", method: "POST", path: "/api/controls/fee", json: { feeBps: 5 }, status: 404, code: "CORRIDOR_HTTP_NOT_FOUND" },
  { name: "a path in other case", method: "GET", path: "/API/STATE", status: 404, code: "CORRIDOR_HTTP_NOT_FOUND" },
  { name: "an encoded path traversal", method: "GET", path: "/%2e%2e/%2e%2e/etc/passwd", status: 404, code: "CORRIDOR_HTTP_NOT_FOUND" },
  { name: "a path traversal to the sources", method: "GET", path: "/../src/server/server.ts", status: 404, code: "CORRIDOR_HTTP_NOT_FOUND" },
  { name: "a request target that is not a URL (was a 500)", method: "GET", path: "http://[", status: 400, code: "CORRIDOR_HTTP_BAD_REQUEST" },
  { name: "an absolute request target with a bad host (was a 500)", method: "POST", path: "http://%zz/api/controls", json: { feeBps: 5 }, status: 400, code: "CORRIDOR_HTTP_BAD_REQUEST" },
  // Media types
  { name: "controls as text/plain", method: "POST", path: "/api/controls", body: '{"feeBps":5}', headers: { "content-type": "text/plain" }, status: 415, code: "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE" },
  { name: "controls as a form (a cross-site form post)", method: "POST", path: "/api/controls", body: "feeBps=5", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, code: "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE" },
  { name: "controls as multipart", method: "POST", path: "/api/controls", body: "--x--", headers: { "content-type": "multipart/form-data; boundary=x" }, status: 415, code: "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE" },
  { name: "controls without a content type", method: "POST", path: "/api/controls", body: '{"feeBps":5}', headers: { "content-type": "" }, status: 415, code: "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE" },
  // Malformed JSON
  raw("malformed JSON", "{not json"),
  raw("an empty body", ""),
  raw("truncated JSON", '{"feeBps": 1'),
  raw("a trailing comma", '{"feeBps": 5,}'),
  raw("single quotes", "{'feeBps': 5}"),
  raw("a NaN literal", '{"feeBps": NaN}'),
  raw("a byte-order mark", '\uFEFF{"feeBps": 5}'),
  raw("two JSON documents", '{"feeBps": 5}{"feeBps": 6}'),
  // Not an object of controls
  post("a JSON array", []),
  post("JSON null", null),
  post("a JSON string", "feeBps"),
  post("a JSON number", 42),
  post("an empty object", {}, undefined, "give at least one setting"),
  // Wrong types
  post("fee as a string", { feeBps: "10" }, undefined, "feeBps"),
  post("fee as a boolean", { feeBps: true }, undefined, "feeBps"),
  post("fee as null", { feeBps: null }, undefined, "feeBps"),
  post("fee as a list", { feeBps: [10] }, undefined, "feeBps"),
  post("fee as an object", { feeBps: { value: 10 } }, undefined, "feeBps"),
  post("fee fractional", { feeBps: 10.5 }, undefined, "feeBps"),
  post("Fast share as a string", { fastShare: "0.5" }, undefined, "fastShare"),
  post("travel-rule threshold as a string", { travelRuleThresholdUsd: "1000" }, undefined, "travelRuleThresholdUsd"),
  post("action as a number", { action: 1 }, undefined, "action"),
  post("action as null", { action: null }, undefined, "action"),
  post("chain as a number", { action: "drainLiquidity", chain: 1 }, undefined, "chain"),
  // Negative, zero and enormous values
  post("negative fee", { feeBps: -1 }, undefined, "feeBps"),
  post("fee above the slider", { feeBps: 301 }, undefined, "feeBps"),
  post("enormous fee", { feeBps: 1e308 }, undefined, "feeBps"),
  raw("a fee past double range (1e999 parses as Infinity)", '{"feeBps": 1e999}', "CORRIDOR_DEMO_INVALID_CONTROLS"),
  post("negative Fast share", { fastShare: -0.1 }, undefined, "fastShare"),
  post("Fast share above 1", { fastShare: 1.5 }, undefined, "fastShare"),
  post("negative spread", { spreadBps: -5 }, undefined, "spreadBps"),
  post("enormous spread", { spreadBps: 9_999 }, undefined, "spreadBps"),
  post("negative travel-rule threshold", { travelRuleThresholdUsd: -1 }, undefined, "travelRuleThresholdUsd"),
  post("enormous travel-rule threshold", { travelRuleThresholdUsd: 1e12 }, undefined, "travelRuleThresholdUsd"),
  post("negative arrival rate", { arrivalPerMinute: -10 }, undefined, "arrivalPerMinute"),
  post("enormous arrival rate", { arrivalPerMinute: 1e9 }, undefined, "arrivalPerMinute"),
  post("an action lasting zero seconds", { action: "fxShock", seconds: 0 }, undefined, "seconds"),
  post("an action lasting negative seconds", { action: "relayerOutage", seconds: -60 }, undefined, "seconds"),
  post("an action lasting a billion seconds", { action: "relayerOutage", seconds: 1e9 }, undefined, "seconds"),
  post("an action lasting fractional seconds", { action: "relayerOutage", seconds: 30.5 }, undefined, "seconds"),
  post("an FX shock to zero", { action: "fxShock", factor: 0 }, undefined, "factor"),
  post("a negative FX shock", { action: "fxShock", factor: -1 }, undefined, "factor"),
  post("an FX shock of a hundred times", { action: "fxShock", factor: 100 }, undefined, "factor"),
  post("an FX shock factor as a string", { action: "fxShock", factor: "0.9" }, undefined, "factor"),
  // Unknown actions, chains and fields
  post("an unknown action", { action: "launchRockets" }, undefined, "action"),
  post("an empty action", { action: "" }, undefined, "action"),
  post("an action in other case", { action: "SanctionedTransfer" }, undefined, "action"),
  post("draining an unknown chain", { action: "drainLiquidity", chain: "eu" }, undefined, "chain"),
  post("draining a chain in capitals", { action: "drainLiquidity", chain: "UK" }, undefined, "chain"),
  post("a chain without an action", { chain: "uk", feeBps: 5 }, undefined, "go with an action"),
  post("seconds without an action", { seconds: 30 }, undefined, "give at least one setting"),
  post("an unknown field beside a good one", { feeBps: 5, admin: true }, undefined, "admin"),
  raw("a __proto__ field", '{"__proto__": {"feeBps": 5}}', "CORRIDOR_DEMO_INVALID_CONTROLS"),
  post("a constructor field", { constructor: { prototype: { feeBps: 5 } } }),
  // The dashboard sends no arbitrary payment: payment fields are refused, not ignored
  post("a payment to a valid address", { action: "sanctionedTransfer", recipient: GOOD_ADDRESS }, undefined, "recipient"),
  post("a payment to a wrong EIP-55 checksum", { action: "sanctionedTransfer", recipient: BAD_CHECKSUM }, undefined, "recipient"),
  post("a payment to a non-address", { action: "sanctionedTransfer", recipient: "0xnot-an-address" }, undefined, "recipient"),
  post("a payment to the zero address", { action: "sanctionedTransfer", recipient: ZERO_ADDRESS }, undefined, "recipient"),
  post("a negative payment", { action: "sanctionedTransfer", amount: -5 }, undefined, "amount"),
  post("a zero payment", { action: "sanctionedTransfer", amount: 0 }, undefined, "amount"),
  post("an enormous payment", { action: "sanctionedTransfer", amount: HUGE }, undefined, "amount"),
  post("a payment in an unknown currency", { action: "sanctionedTransfer", currency: "EUR" }, undefined, "currency"),
  post("a transfer between unknown chains", { from: "us", to: "mars", amount: "10", recipient: GOOD_ADDRESS }, undefined, "from"),
  post("a drain of a given amount", { action: "drainLiquidity", chain: "uk", amount: "1000000000" }, undefined, "amount"),
  // Oversized bodies
  { name: "a body over the limit", method: "POST", path: "/api/controls", json: { feeBps: 10, pad: "x".repeat(64 * 1024) }, status: 413, code: "CORRIDOR_HTTP_BODY_TOO_LARGE" },
  { name: "a body one byte over the limit", method: "POST", path: "/api/controls", body: `{"feeBps":5}${" ".repeat(MAX_CONTROL_BODY - 11)}`, status: 413, code: "CORRIDOR_HTTP_BODY_TOO_LARGE" },
  { name: "an enormous body", method: "POST", path: "/api/controls", body: "[".repeat(1024 * 1024), status: 413, code: "CORRIDOR_HTTP_BODY_TOO_LARGE" },
];

/** One HTTP request with full control over method, headers and body (fetch forbids some of them). */
function http(port: number, c: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[]; declaredLength?: number }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body !== undefined) headers["content-length"] = c.declaredLength ?? Buffer.byteLength(c.body);
    for (const [k, v] of Object.entries(headers)) if (v === "") delete headers[k];
    const req = httpRequest({ host: "127.0.0.1", port, method: c.method ?? "GET", path: c.path ?? "/", headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    // The server may answer (413) and close before the whole body is written.
    req.on("error", (err: NodeJS.ErrnoException) => (err.code === "EPIPE" || err.code === "ECONNRESET" ? undefined : reject(err)));
    if (c.chunks) {
      for (const chunk of c.chunks) req.write(chunk);
      req.end();
    } else req.end(c.body);
  });
}

/** Raw bytes on a socket: for requests HTTP clients refuse to send. */
function rawHttp(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (text += d));
    socket.on("end", () => resolve(text));
    socket.on("close", () => resolve(text));
    socket.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? resolve(text) : reject(err)));
    socket.write(bytes);
  });
}

function errorOf(text: string): { code: string; message: string } {
  const body = JSON.parse(text) as { error?: { code: string; message: string } };
  if (!body.error) throw new Error(`not an error body: ${text.slice(0, 200)}`);
  return body.error;
}

/** What could move on the dashboard's chains: every pool, escrow, fee balance and supply, the liquidity providers, and the counters. */
async function dashboardFunds(demo: DemoServer): Promise<{ ledger: LedgerSnapshot; settings: unknown; counters: unknown; liquidity: unknown }> {
  const parts = (demo.corridor as unknown as { parts: { corridor: BootedCorridor; lp: Record<string, KeyPair> } }).parts;
  const ledger = await snapshotLedger(parts.corridor.chains, parts.corridor.deployment, { senders: { us: [parts.lp.us!.address], uk: [parts.lp.uk!.address] }, recipients: [] });
  const s = demo.corridor.snapshot();
  return { ledger, settings: s.settings, counters: s.counters, liquidity: s.liquidity.map((l) => ({ chain: l.chain, available: l.available })) };
}

const big = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

// ------------------------------------------------------------------ the tests

// The expensive set-ups start at once and in the background: the CLI cases run meanwhile.
let loopbackDemo: Promise<DemoServer>;
let remoteDemo: Promise<DemoServer>;
let live: Promise<LiveHarness>;
beforeAll(() => {
  writeCliFixtures();
  // No load, and slower blocks and refreshes than the demo's: the dashboards idle while the CLI cases run.
  const quiet = { senders: 2, settings: { arrivalPerMinute: 0 }, blockTimeMs: 2_000, tickMs: 1_000 };
  loopbackDemo = startDemoServer({ port: 0, corridor: { seed: 11, ...quiet } });
  remoteDemo = startDemoServer({ port: 0, host: "0.0.0.0", corridor: { seed: 12, ...quiet } });
  live = startLiveHarness("anvil", { senders: 1 });
  // Failures surface in the tests that await them.
  for (const p of [loopbackDemo, remoteDemo, live]) p.catch(() => {});
});
afterAll(async () => {
  const close = async (p: Promise<{ close(): Promise<void> }> | undefined) => (await p?.catch(() => undefined))?.close();
  await Promise.all([close(loopbackDemo), close(remoteDemo), close(live)]);
}, 60_000);

describe("bad input: the corridor command", () => {
  it.concurrent.for(CLI_CASES)("$name", async (c, { expect: ex }) => {
    const r = await corridor(typeof c.args === "function" ? c.args() : c.args);
    checkRun(c, r, ex);
  });

  it("sweep's help names every --vary shorthand (the command loads the simulator only when it runs)", async () => {
    const [{ VARY_SHORTHANDS }, { SHORTHANDS }] = await Promise.all([import("../../src/sim/sweep.js"), import("../../src/cli/commands/sweep.js")]);
    expect(SHORTHANDS.split(", ")).toEqual(Object.keys(VARY_SHORTHANDS));
  });
});

describe("bad input: scenario files", () => {
  it.for(SCENARIO_CASES)("$name", (c) => {
    let error: unknown;
    try {
      if (c.text !== undefined) loadScenario(file(`scenario-${SCENARIO_CASES.indexOf(c)}.json`, c.text));
      else parseScenario(withPath(BASE_SCENARIO as Json, ...(c.set ?? [])), "scenario");
    } catch (e) {
      error = e;
    }
    expect(error, "the scenario is refused").toBeDefined();
    expect(isCorridorError(error), `a CorridorError, not ${String(error)}`).toBe(true);
    const e = error as { code: string; message: string };
    expect(e.code).toBe(c.code ?? "CORRIDOR_SCENARIO_INVALID");
    expect(e.message).toContain(c.says);
    expect(e.message).not.toMatch(CRASH);
  });

  it("the base scenario of the corpus is itself valid (each case breaks one thing)", () => {
    expect(parseScenario(clone(BASE_SCENARIO)).name).toBe("bad-input-base");
  });
});

describe("bad input: corridor send against a running corridor moves no funds", () => {
  let h: LiveHarness;
  let cfg: string;
  let before: { ledger: string; nonces: number[] };
  const sender = () => h.senders.us[0]!;

  const state = async () => {
    const nonces = await Promise.all(
      (["us", "uk"] as const).map((n) => h.corridor.chains[n]!.request<Hex>("eth_getTransactionCount", [h.senders[n][0]!.address, "latest"]).then((x) => Number(x))),
    );
    return { ledger: big(await snapshot(h)), nonces };
  };

  beforeAll(async () => {
    h = await live;
    const accounts = (["us", "uk"] as const).map((chain) => ({ chain, address: h.senders[chain][0]!.address, privateKey: h.senders[chain][0]!.privateKey }));
    cfg = file("config-live.json", { ...h.config, accounts });
    // The same corridor with the US gateway pointing at its token contract: every call to it fails.
    file("config-wrong-gateway.json", withPath({ ...h.config, accounts } as unknown as Json, ["deployment.chains.us.gateway", h.config.deployment.chains.us!.tokens.GBP]));
    before = await state();
  }, 120_000);

  const recipient = () => h.recipients[0]!;
  const args = (...extra: string[]) => ["send", "--from", "us", "--to", "uk", "--recipient", recipient(), "--config", cfg, ...extra];
  const cases: CliCase[] = [
    { name: "a negative amount", args: () => args("--amount", "-250"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
    { name: "zero", args: () => args("--amount", "0"), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
    { name: "an enormous amount", args: () => args("--amount", HUGE), code: "CORRIDOR_USAGE_INVALID_AMOUNT" },
    { name: "to a wrong checksum", args: () => ["send", "--from", "us", "--to", "uk", "--amount", "10", "--recipient", BAD_CHECKSUM, "--config", cfg], code: "CORRIDOR_USAGE_ADDRESS_CHECKSUM" },
    { name: "to the zero address", args: () => ["send", "--from", "us", "--to", "uk", "--amount", "10", "--recipient", ZERO_ADDRESS, "--config", cfg], code: "CORRIDOR_USAGE_INVALID_ADDRESS" },
    { name: "to an unknown chain", args: () => ["send", "--from", "us", "--to", "eu", "--amount", "10", "--recipient", recipient(), "--config", cfg], code: "CORRIDOR_USAGE_UNKNOWN_CHAIN" },
    { name: "in an unknown currency mode", args: () => args("--amount", "10", "--currency", "GBP"), code: "CORRIDOR_USAGE_INVALID" },
    // The gateway's simulated send reverts in the token: the contract's own error, decoded.
    { name: "more than the sender holds", args: () => args("--amount", "2000000"), code: "CORRIDOR_REVERT_ERC20InsufficientBalance", status: 1 },
    { name: "from an unfunded key", args: () => args("--amount", "10", "--key", `0x${"33".repeat(32)}`), code: "CORRIDOR_SDK_INSUFFICIENT_BALANCE", status: 1 },
    { name: "through a config whose gateway is not one", args: () => ["send", "--from", "us", "--to", "uk", "--amount", "10", "--recipient", recipient(), "--config", join(dir, "config-wrong-gateway.json")], code: "CORRIDOR_SDK_CALL_REVERTED", status: 1 },
  ];

  it.concurrent.for(cases)("send $name", async (c, { expect: ex }) => {
    const r = await corridor(typeof c.args === "function" ? c.args() : c.args);
    checkRun(c, r, ex);
  });

  it("left every balance and the senders' nonces as they were; a good send then moves funds", async () => {
    expect(await state()).toEqual(before);
    // The control: the same command with good input does move funds, so the check above can see a move.
    const r = await corridor(args("--amount", "10"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Transfer id: 0x");
    const after = await state();
    expect(after.nonces[0]).toBe(before.nonces[0]! + 1);
    expect(after.ledger).not.toEqual(before.ledger);
  }, 60_000);
});

describe("bad input: the dashboard's HTTP endpoints", () => {
  let demo: DemoServer;
  let before: Awaited<ReturnType<typeof dashboardFunds>>;

  beforeAll(async () => {
    demo = await loopbackDemo;
    before = await dashboardFunds(demo);
  }, 120_000);

  it.for(HTTP_CASES)("$name", async (c) => {
    const body = c.body ?? (c.json !== undefined ? JSON.stringify(c.json) : undefined);
    const headers = { "content-type": "application/json", ...c.headers };
    const res = await http(demo.port, { method: c.method, path: c.path, headers, body });
    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    const e = errorOf(res.text);
    expect(e.code).toBe(c.code);
    if (c.says) expect(e.message).toContain(c.says);
    expect(res.text).not.toMatch(CRASH);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("a body that claims to be enormous is refused before it is read", async () => {
    const res = await http(demo.port, { method: "POST", path: "/api/controls", headers: { "content-type": "application/json" }, body: '{"feeBps":5}', declaredLength: 10 * 1024 * 1024 * 1024 });
    expect(res.status).toBe(413);
    expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_BODY_TOO_LARGE");
  });

  it("a chunked body over the limit is cut off", async () => {
    const chunk = Buffer.from(" ".repeat(8 * 1024));
    const res = await http(demo.port, { method: "POST", path: "/api/controls", headers: { "content-type": "application/json", "transfer-encoding": "chunked" }, chunks: [Buffer.from("{"), chunk, chunk, chunk] });
    expect(res.status).toBe(413);
    expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_BODY_TOO_LARGE");
  });

  it("headers over Node's limit get a JSON error with a code", async () => {
    const res = await http(demo.port, { method: "GET", path: "/api/state", headers: { "x-pad": "x".repeat(64 * 1024) } });
    expect(res.status).toBe(431);
    expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_HEADERS_TOO_LARGE");
  });

  it("a path over Node's header limit gets a JSON error with a code", async () => {
    const res = await http(demo.port, { method: "GET", path: `/${"a".repeat(64 * 1024)}` });
    expect(res.status).toBe(431);
    expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_HEADERS_TOO_LARGE");
  });

  it("a request that is not HTTP gets a JSON error with a code", async () => {
    const text = await rawHttp(demo.port, "HELLO THERE\r\n\r\n");
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(errorOf(text.slice(text.indexOf("\r\n\r\n") + 4)).code).toBe("CORRIDOR_HTTP_BAD_REQUEST");
  });

  it.each([
    ["a foreign host name (DNS rebinding)", "evil.example"],
    ["a foreign host name with the port", "evil.example:8080"],
    ["a name that only starts like loopback", "127.0.0.1.nip.io"],
  ])("refuses %s on a loopback dashboard", async (_name, host) => {
    for (const [method, path, body] of [["GET", "/api/state", undefined], ["POST", "/api/controls", JSON.stringify({ feeBps: 250 })]] as const) {
      const res = await http(demo.port, { method, path, headers: { host, "content-type": "application/json" }, body });
      expect(res.status).toBe(403);
      expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_HOST_FORBIDDEN");
    }
  });

  it("moved no funds and changed no setting; the server still answers good requests without a token on loopback", async () => {
    // Give the dashboard a tick to pick up anything that did happen.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(big(await dashboardFunds(demo))).toBe(big(before));
    expect(demo.token).toBeNull();
    const ok = await http(demo.port, { method: "GET", path: "/api/state", headers: { host: `localhost:${demo.port}` } });
    expect(ok.status).toBe(200);
    const res = await http(demo.port, { method: "POST", path: "/api/controls", headers: { "content-type": "application/json" }, body: JSON.stringify({ fastShare: 0.5 }) });
    expect(res.status, res.text).toBe(200);
  }, 30_000);
});

describe("the dashboard bound to another address than loopback", () => {
  let demo: DemoServer;
  let before: Awaited<ReturnType<typeof dashboardFunds>>;
  const controls = (headers: Record<string, string>, body: unknown = { feeBps: 250 }) =>
    http(demo.port, { method: "POST", path: "/api/controls", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  beforeAll(async () => {
    demo = await remoteDemo;
    before = await dashboardFunds(demo);
  }, 120_000);

  it("generated a token and gives it in the URL to open", () => {
    expect(demo.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(demo.openUrl).toBe(`${demo.url}?token=${demo.token}`);
  });

  it.each([
    ["no token", {}, "CORRIDOR_HTTP_TOKEN_REQUIRED"],
    ["a wrong bearer token", { authorization: "Bearer not-the-token-at-all" }, "CORRIDOR_HTTP_TOKEN_INVALID"],
    ["the token with one character changed", "flip", "CORRIDOR_HTTP_TOKEN_INVALID"],
    ["an empty bearer token", { authorization: "Bearer " }, "CORRIDOR_HTTP_TOKEN_REQUIRED"],
    ["basic authentication", { authorization: "Basic YWRtaW46YWRtaW4=" }, "CORRIDOR_HTTP_TOKEN_REQUIRED"],
    ["a wrong cookie", { cookie: `${TOKEN_COOKIE}=guess-guess-guess-guess` }, "CORRIDOR_HTTP_TOKEN_INVALID"],
    ["a cookie of another name", "other-cookie", "CORRIDOR_HTTP_TOKEN_REQUIRED"],
  ] as const)("refuses the controls with %s (401)", async (_name, h, code) => {
    const headers =
      h === "flip"
        ? { authorization: `Bearer ${demo.token!.slice(0, -1)}${demo.token!.endsWith("A") ? "B" : "A"}` }
        : h === "other-cookie"
          ? { cookie: `session=${demo.token}` }
          : (h as Record<string, string>);
    const res = await controls(headers);
    expect(res.status).toBe(401);
    expect(errorOf(res.text).code).toBe(code);
  });

  it("refuses the token in the query string of the controls", async () => {
    const res = await http(demo.port, { method: "POST", path: `/api/controls?token=${demo.token}`, headers: { "content-type": "application/json" }, body: JSON.stringify({ feeBps: 250 }) });
    expect(res.status).toBe(401);
    expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_TOKEN_REQUIRED");
  });

  it("checks the token before reading the body", async () => {
    const res = await controls({}, "x".repeat(64 * 1024));
    expect(res.status).toBe(401);
    expect(errorOf(res.text).code).toBe("CORRIDOR_HTTP_TOKEN_REQUIRED");
  });

  it("does not set the cookie for a wrong token in the page's URL", async () => {
    const res = await http(demo.port, { method: "GET", path: "/?token=not-the-token-at-all" });
    expect(res.status).toBe(200);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("moved no funds and changed no setting for the refused requests", async () => {
    await new Promise((r) => setTimeout(r, 1_500));
    expect(big(await dashboardFunds(demo))).toBe(big(before));
  }, 30_000);

  it("leaves the page and the state open, and takes the token as a bearer or as the page's cookie", async () => {
    expect((await http(demo.port, { method: "GET", path: "/api/state" })).status).toBe(200);
    expect((await http(demo.port, { method: "GET", path: "/" })).status).toBe(200);
    // Bad input with the right token is still bad input (and still a stable code).
    let res = await controls({ authorization: `Bearer ${demo.token}` }, { feeBps: -1 });
    expect(res.status).toBe(400);
    expect(errorOf(res.text).code).toBe("CORRIDOR_DEMO_INVALID_CONTROLS");
    res = await controls({ authorization: `Bearer ${demo.token}` }, { feeBps: 25 });
    expect(res.status, res.text).toBe(200);
    // Opening the dashboard with the token sets an HttpOnly, same-site cookie and drops the token from the address.
    const page = await http(demo.port, { method: "GET", path: `/?token=${demo.token}` });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe("/");
    const cookie = String(page.headers["set-cookie"]);
    expect(cookie).toContain(`${TOKEN_COOKIE}=${demo.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    res = await controls({ cookie: cookie.split(";")[0]! }, { feeBps: 30 });
    expect(res.status, res.text).toBe(200);
  }, 30_000);
});

describe("the dashboard's access rules", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
    ["localhost", true],
    ["app.localhost", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["10.0.0.1", false],
    ["example.com", false],
    ["127.0.0.1.nip.io", false],
  ] as const)("%s is loopback: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it("needs no token on loopback, a token everywhere else, and refuses one too short to be secret", () => {
    expect(controlToken("127.0.0.1", undefined, {})).toBeNull();
    expect(controlToken("0.0.0.0", undefined, {})).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(controlToken("0.0.0.0", undefined, {})).not.toBe(controlToken("0.0.0.0", undefined, {}));
    expect(controlToken("192.168.1.10", undefined, { CORRIDOR_DEMO_TOKEN: "from-the-environment-1234" })).toBe("from-the-environment-1234");
    expect(controlToken("127.0.0.1", "an-explicit-token-123")).toBe("an-explicit-token-123");
    for (const weak of ["short", "", "has spaces in it!!!!", "x".repeat(300)]) {
      let code: string | undefined;
      try {
        controlToken("0.0.0.0", weak, {});
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code, weak).toBe("CORRIDOR_DEMO_TOKEN_INVALID");
    }
  });
});

describe("the size of the corpus", () => {
  it("has at least 100 bad inputs, and many on each surface", () => {
    expect(CLI_CASES.length).toBeGreaterThanOrEqual(50);
    expect(SCENARIO_CASES.length).toBeGreaterThanOrEqual(50);
    expect(HTTP_CASES.length).toBeGreaterThanOrEqual(50);
    expect(CLI_CASES.length + SCENARIO_CASES.length + HTTP_CASES.length).toBeGreaterThanOrEqual(100);
  });
});
