import type { ChainSource } from "../corridor/boot.js";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import type { Scenario } from "./scenario.js";

/** Where `corridor simulate` runs its chains: in this process (Hardhat EDR) or in anvil child processes with bounded history. */
export type ChainBackend = "embedded" | "anvil";

/**
 * Above this many transfers `corridor simulate` runs its chains in anvil child processes whose
 * history is bounded (src/chains/anvil.ts): an embedded EDR chain keeps every block, receipt and
 * state diff of the run in this process (~31 KB per transfer: 3.8 GB peak for the 100,000-transfer
 * day), while anvil keeps the last few hundred blocks. At or below it, the embedded chains (no child
 * processes, and the reorg faults' snapshots as tested). `--chains embedded|anvil` overrides the choice.
 */
export const ANVIL_ABOVE_TRANSFERS = 10_000;

/** Block states and blocks of transactions each anvil chain keeps beyond the deepest read (as for embedded chains). */
const HISTORY_MARGIN = 128;

/** The backend a scenario runs on: the one asked for, else anvil for long runs of simulator-made chains without reorgs. */
export function chooseChainBackend(scenario: Scenario, asked?: ChainBackend): ChainBackend {
  if (asked) return asked;
  const names = Object.keys(scenario.spec.chains);
  if (names.some((n) => scenario.chains[n]!.rpcUrl)) return "embedded";
  // A reorg fault replaces a chain's blocks from a snapshot: tested on the embedded chains only.
  if (scenario.faults.some((f) => f.kind === "reorg")) return "embedded";
  return scenario.workload.transfers > ANVIL_ABOVE_TRANSFERS ? "anvil" : "embedded";
}

/**
 * The anvil chains' bounds: block states down to the deepest tier depth (Standard) plus a margin,
 * and receipts and logs as far back as the relayer may have to read after its longest outage.
 */
export function anvilSource(scenario: Scenario): ChainSource {
  const names = Object.keys(scenario.spec.chains);
  const profiles = names.map((n) => CHAIN_PROFILES[scenario.spec.chains[n]!.profile]!);
  const history = Math.max(...profiles.map((p) => p.standardConfirmations)) + HISTORY_MARGIN;
  const fastestBlock = Math.min(...profiles.map((p) => p.blockTimeSeconds));
  const outage = Math.max(0, ...scenario.faults.map((f) => (f.kind === "relayerDown" || f.kind === "chainHalt" ? f.durationSeconds : 0)));
  const keepBlocks = history + Math.ceil(outage / fastestBlock);
  return { kind: "anvil", history, keepBlocks, transport: process.env.CORRIDOR_ANVIL_TRANSPORT === "http" ? "http" : "ipc" };
}
