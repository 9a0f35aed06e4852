import type { Chain } from "./chain.js";
import { chainFromProvider } from "./chain.js";
import { PACKAGE_ROOT } from "../paths.js";

type Hre = Awaited<ReturnType<typeof import("hardhat/hre").createHardhatRuntimeEnvironment>>;
let hrePromise: Promise<Hre> | undefined;

/** One Hardhat runtime per process, built from the package's own config wherever the command runs. */
async function hre(): Promise<Hre> {
  hrePromise ??= (async () => {
    const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
    const config = (await import("../../hardhat.config.js")).default;
    return createHardhatRuntimeEnvironment(config, {}, PACKAGE_ROOT);
  })();
  return hrePromise;
}

/**
 * How many recent block states each embedded chain keeps in memory. EDR caches the full state
 * after every block (an LRU of up to 100,000 states by default, i.e. a whole simulated day) so
 * that calls at old blocks are cheap; that cache, not the blocks or receipts, was most of the
 * high-volume run's memory (BENCHMARKS.md). A state that fell out of it is rebuilt from the
 * block diffs when asked for: correct, only slower. So keep what the corridor reads: the head,
 * and the operator's reads at a tier's depth below it (Standard: up to the chain profile's
 * `standardConfirmations`). EDR reads the limit from `__EDR_MAX_CACHED_STATES` when a chain is
 * created; an explicit `__EDR_MAX_CACHED_STATES` in the environment wins over this default.
 */
export const DEFAULT_STATE_HISTORY = 128;
const userStateHistory = process.env.__EDR_MAX_CACHED_STATES || undefined;
let stateHistory = DEFAULT_STATE_HISTORY;

/** Block states to keep in memory for chains created from now on (at least the deepest historical read, plus a margin). */
export function setEmbeddedStateHistory(blocks: number): void {
  stateHistory = Math.max(DEFAULT_STATE_HISTORY, Math.ceil(blocks));
}

/**
 * A fresh in-process Hardhat EDR chain with the spec's `chainId` (on hardhat.config.ts's generic
 * `corridor` network unless `network` names another); each call creates an independent chain. `initialDate` fixes the genesis time, so that simulated block
 * timestamps (and so results) do not depend on the wall clock. `stateHistory`: block states kept
 * in memory (default: see `setEmbeddedStateHistory`).
 */
export async function createEmbeddedChain(
  name: string,
  opts: { network?: string; chainId: number; initialDate?: Date; stateHistory?: number },
): Promise<Chain> {
  const network = opts.network ?? "corridor";
  const override: Record<string, unknown> = { chainId: opts.chainId };
  if (opts.initialDate !== undefined) override.initialDate = opts.initialDate;
  const runtime = await hre();
  // Read by EDR when it creates the provider (same value for chains created together).
  process.env.__EDR_MAX_CACHED_STATES = userStateHistory ?? String(opts.stateHistory ?? stateHistory);
  const conn = await runtime.network.create({ network, override });
  return chainFromProvider({
    name,
    kind: "embedded",
    endpoint: `embedded:${network}`,
    provider: conn.provider,
    close: () => conn.close(),
  });
}
