/**
 * Helpers for the reentrancy and invariant tests: deploying the test-only contracts under
 * contracts/testing, sending a transaction that may revert and getting its decoded error back
 * (instead of a throw), decoding nested revert data (a malicious contract's ReentryBlocked(reason)
 * wrapping the gateway's own error), chain snapshots, and the real operator (buildOperator with the
 * default compliance pipeline) on a state folder that survives restarts.
 */
import { encodeDeployData, type Abi, type Hex } from "viem";
import type { Chain } from "../../src/chains/chain.js";
import { TxSender, waitForReceipt, type Receipt } from "../../src/chains/tx-sender.js";
import { loadArtifact, type Artifact } from "../../src/contracts/artifacts.js";
import { decodeRevert, type DecodedRevert } from "../../src/contracts/gateway.js";
import { encodeCall, type Call } from "./contracts.js";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../src/domain/clock.js";
import { createHooks } from "../../src/domain/compliance/registry.js";
import { combineRates, fixedRate, pairSource, type RateSource } from "../../src/domain/fx/rate-source.js";
import { defaultSpec } from "../../src/spec/spec.js";
import { USD_EUR, USD_GBP } from "./fx.js";
import { Decimal } from "../../src/domain/money.js";
import { LIST_LOADERS } from "../../src/data/sanctions-list.js";
import { buildOperator } from "../../src/operator/build.js";
import type { ChainViewOptions } from "../../src/operator/chain-view.js";
import { DEFAULT_HOOKS } from "../../src/operator/default-hooks.js";
import type { Operator } from "../../src/operator/operator.js";
import type { Quoter } from "../../src/operator/quoter.js";
import { createScreen } from "../../src/operator/screening.js";

/** A test-only contract from contracts/testing (ReentrantToken, ReentrantHook, InvariantLens). */
export const testingArtifact = (name: string): Artifact => loadArtifact(name, `testing/${name}.sol`);

/** The custom errors of the test-only contracts, for decoding their reverts next to the corridor's. */
export const testingErrorAbis = (): Abi[] => ["ReentrantToken", "ReentrantHook"].map((n) => testingArtifact(n).abi);

/** Deploys `artifact` with `args` from `privateKey` and returns its address. */
export async function deployArtifact(chain: Chain, privateKey: Hex, artifact: Artifact, args: readonly unknown[] = []): Promise<Hex> {
  const sender = new TxSender(chain, privateKey);
  const hash = await sender.send({ data: encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args } as never), gas: 8_000_000n });
  await waitForReceipt(chain, hash);
  const r = await chain.request<{ contractAddress: Hex | null; status: Hex }>("eth_getTransactionReceipt", [hash]);
  if (r.status !== "0x1" || !r.contractAddress) throw new Error(`deploying ${artifact.contractName} failed`);
  return r.contractAddress;
}

/** The revert data carried by an error from the embedded chain (directly or as a cause). */
export function revertDataOf(e: unknown): Hex | undefined {
  for (let x = e as { data?: unknown; cause?: unknown } | undefined; x; x = x.cause as typeof x) {
    if (typeof x.data === "string" && x.data.startsWith("0x")) return x.data as Hex;
  }
  return undefined;
}

/** Decodes revert data against the corridor's errors and the test contracts' errors. */
export const decodeAny = (data: Hex): DecodedRevert | undefined => decodeRevert(data, testingErrorAbis());

/**
 * A revert as a readable chain of errors: a wrapper error whose only argument is revert data (the test
 * contracts' ReentryBlocked(bytes)) is unwrapped, e.g. ["ReentryBlocked", "ReentrancyGuardReentrantCall"].
 * Empty revert data (a state change inside a static call, say) is "<empty>"; unknown data is its hex.
 */
export function errorChain(data: Hex): string[] {
  if (data === "0x") return ["<empty>"];
  const d = decodeAny(data);
  if (!d) return [data];
  const inner = d.args.length === 1 && typeof d.args[0] === "string" && (d.args[0] as string).startsWith("0x") ? (d.args[0] as Hex) : undefined;
  if (inner !== undefined && (d.errorName === "ReentryBlocked" || d.errorName === "ReentrySucceeded")) return [d.errorName, ...errorChain(inner)];
  return [d.errorName];
}

export type TxOutcome = { ok: true; receipt: Receipt } | { ok: false; data: Hex; error: DecodedRevert | undefined };

/**
 * Sends `c` from `privateKey` with a fixed gas limit and returns its receipt, or, if it reverts, the
 * revert data and the decoded error. Never throws for a revert (it does for anything else).
 */
export async function tryWrite(chain: Chain, privateKey: Hex, c: Call, gas = 3_000_000n): Promise<TxOutcome> {
  const sender = new TxSender(chain, privateKey);
  let hash: Hex;
  try {
    hash = await sender.send({ to: c.to, data: encodeCall(c), gas });
  } catch (e) {
    const data = revertDataOf(e);
    if (data === undefined) throw e;
    return { ok: false, data, error: decodeAny(data) };
  }
  const receipt = await waitForReceipt(chain, hash);
  if (receipt.status !== "success") {
    // A revert that the node did not report on submission: replay it as a call at the block before.
    let data: Hex = "0x";
    try {
      await chain.request("eth_call", [{ from: sender.address, to: c.to, data: encodeCall(c), gas: `0x${gas.toString(16)}` }, `0x${(receipt.blockNumber - 1).toString(16)}`]);
    } catch (e) {
      data = revertDataOf(e) ?? "0x";
    }
    return { ok: false, data, error: decodeAny(data) };
  }
  return { ok: true, receipt };
}

/** Takes an EVM snapshot; `revert` returns the chain to it (the id is used up, as in Hardhat). */
export async function snapshot(chain: Chain): Promise<Hex> {
  return chain.request<Hex>("evm_snapshot", []);
}

export async function revertTo(chain: Chain, id: Hex): Promise<void> {
  const ok = await chain.request<boolean>("evm_revert", [id]);
  if (!ok) throw new Error(`evm_revert(${id}) failed on ${chain.name}`);
}

/** Moves the chain's clock forward by `seconds` and mines a block. */
export async function advance(chain: Chain, seconds: number): Promise<void> {
  await chain.request("evm_increaseTime", [seconds]);
  await chain.request("evm_mine", []);
}

// ---------------------------------------------------------------- the real operator, for the invariant test

/**
 * A folder for one run's operator state (decision store and attester journals, SQLite): under
 * /dev/shm when there is one (the stores fsync every claim), else the system's temp folder.
 */
export function operatorStateDir(): string {
  const root = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  return mkdtempSync(join(root, "corridor-invariants-"));
}

export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * GBP per USD that steps with time: 0.790 + 0.005 * (floor(t / 1000) mod 7), so the price the operator
 * decides at depends on when it decides (a settlement replayed later must keep its signed rate).
 * Between 0.79 and 0.82, which the invariant test's amount classes rely on.
 */
export const steppedRates: RateSource = pairSource("stepped:0.79..0.82", USD_GBP, (t) =>
  new Decimal("0.79").plus(new Decimal(Math.floor(t / 1000) % 7).times("0.005")),
);

export interface CorridorOperatorOptions extends ChainViewOptions {
  attesterKeys: Hex[];
  threshold: number;
  quoter: Quoter;
  clock: Clock;
  /** Travel-rule payloads the senders' VASPs sent off chain, by their hash (lower case): what a message's extraHash commits to. */
  travelRules: ReadonlyMap<string, unknown>;
  stateDir: string;
}

/**
 * The operator as the corridor runs it: buildOperator with the DEFAULT compliance pipeline
 * (DEFAULT_HOOKS with the packaged OFAC list), the default corridor spec (us in US, uk in UK), the
 * quoter's rates plus a fixed 0.92 EUR per USD for the UK's EUR travel-rule threshold, and the
 * travel-rule payload found by the message's extraHash. Calling it again on the same `stateDir` is
 * a restart: the decision store and the attesters' journals persist, the hooks' memory does not.
 */
export function buildCorridorOperator(o: CorridorOperatorOptions): Operator {
  const screen = createScreen({
    hooks: createHooks(DEFAULT_HOOKS, LIST_LOADERS),
    rates: combineRates([o.quoter.source, fixedRate("0.92", USD_EUR)]),
    spec: defaultSpec(),
    travelRuleFor: (m) => o.travelRules.get(m.extraHash.toLowerCase()),
    audit: () => {},
  });
  return buildOperator({
    chains: o.chains,
    profiles: o.profiles,
    deployment: o.deployment,
    attesterKeys: o.attesterKeys,
    threshold: o.threshold,
    quoter: o.quoter,
    screen,
    clock: o.clock,
    stateDir: o.stateDir,
  });
}
