import type { ChainSource } from "../corridor/boot.js";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import type { Scenario } from "./scenario.js";

/** Where `corridor simulate` runs its chains: in this process (Hardhat EDR) or in anvil child processes with bounded history. */
export type ChainBackend = "embedded" | "anvil";

/**
 * `corridor simulate` runs its chains in this process (Hardhat EDR) unless `--chains anvil` asks for anvil
 * child processes whose history is bounded (src/chains/anvil.ts). An embedded EDR chain keeps every block,
 * receipt and state diff of the run (~31 KB per transfer); anvil keeps the last few hundred blocks. It is not
 * picked on its own for long runs (yet): measured here, anvil's cost per block grows with the size of the
 * state (it rebuilds the state root and copies the state for every block, empty ones too), and the corridor's
 * state grows by ~2.7 storage slots per transfer that it never frees, so the 100,000-transfer day would take
 * over an hour there against ~20 minutes embedded, and its memory still grows with the state (BENCHMARKS.md).
 * Once the gateways free a finished transfer's storage, long runs should move to anvil by default.
 */
/** Block states and blocks of transactions each anvil chain keeps beyond the deepest read (as for embedded chains). */
const HISTORY_MARGIN = 128;

/** The backend a scenario runs on: the one asked for, else the embedded chains (see above). */
export function chooseChainBackend(_scenario: Scenario, asked?: ChainBackend): ChainBackend {
  return asked ?? "embedded";
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
