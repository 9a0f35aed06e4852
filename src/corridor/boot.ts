import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { connectRpcChain } from "../chains/chain.js";
import { createEmbeddedChain } from "../chains/embedded.js";
import { startAnvilChain } from "../chains/anvil.js";
import { testKey, testKeyPair } from "../chains/keys.js";
import { deployCorridor, fundNative, type Deployment } from "../contracts/deploy.js";
import { privateKeyToAddress } from "viem/accounts";
import { chainNames, defaultSpec, SpecErrorCode, type CorridorSpec } from "../spec/spec.js";
import { CorridorError } from "../domain/errors.js";

/**
 * Where the chains come from: embedded EDR chains (default), anvil child processes with bounded
 * history (src/chains/anvil.ts), or JSON-RPC endpoints by chain name.
 */
export type ChainSource =
  | { kind: "embedded" }
  | { kind: "anvil"; history: number; keepBlocks?: number; transport?: "ipc" | "http" }
  | { kind: "rpc"; urls: Record<string, string> };

export interface CorridorKeys {
  deployer: Hex;
  relayer: Hex;
  attesters: Hex[];
}

export interface BootedCorridor {
  spec: CorridorSpec;
  chains: Record<string, Chain>;
  deployment: Deployment;
  keys: CorridorKeys;
  /** The attester set the gateways were deployed with (the keys are in `keys.attesters`). */
  attesters: { addresses: Hex[]; threshold: number };
  close(): Promise<void>;
}

/** Opens every chain of the spec, embedded or over JSON-RPC (checking each node's chain id against the spec). */
export async function openChains(source: ChainSource, spec: CorridorSpec, opts: { initialDate?: Date } = {}): Promise<Record<string, Chain>> {
  const settled = await Promise.allSettled(
    chainNames(spec).map(async (name) => {
      const { chainId } = spec.chains[name]!;
      if (source.kind === "embedded") return [name, await createEmbeddedChain(name, { chainId, initialDate: opts.initialDate })] as const;
      if (source.kind === "anvil") {
        const genesisTimestamp = opts.initialDate ? Math.floor(opts.initialDate.getTime() / 1000) : undefined;
        return [name, await startAnvilChain(name, { chainId, genesisTimestamp, history: source.history, keepBlocks: source.keepBlocks, transport: source.transport })] as const;
      }
      const url = source.urls[name];
      if (!url) throw new Error(`no JSON-RPC URL for chain "${name}"`);
      const chain = await connectRpcChain(name, url);
      if (chain.chainId !== chainId) {
        await chain.close();
        throw new CorridorError(SpecErrorCode.Invalid, `the node at ${url} for chain "${name}" has chain id ${chain.chainId}; the spec says ${chainId}`, { name, url, chainId: chain.chainId, expected: chainId });
      }
      return [name, chain] as const;
    }),
  );
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) {
    // Child processes of the chains that did open (anvil) would outlive the failure.
    await Promise.all(settled.map((r) => (r.status === "fulfilled" ? r.value[1].close() : undefined)));
    throw failed.reason;
  }
  return Object.fromEntries(settled.map((r) => (r as PromiseFulfilledResult<readonly [string, Chain]>).value));
}

/**
 * Opens the spec's chains (default: the preset corridor), funds the corridor's own keys with gas
 * money and deploys the corridor. Keys are deterministic per seed, and every role has its own
 * (deployer, relayer, attesters).
 */
export async function bootCorridor(
  opts: { seed?: string | number; spec?: CorridorSpec; source?: ChainSource; attesterCount?: number; threshold?: number; initialDate?: Date } = {},
): Promise<BootedCorridor> {
  const seed = opts.seed ?? "default";
  const spec = opts.spec ?? defaultSpec();
  const attesterCount = opts.attesterCount ?? 3;
  const threshold = opts.threshold ?? 2;
  const chains = await openChains(opts.source ?? { kind: "embedded" }, spec, { initialDate: opts.initialDate });
  const keys: CorridorKeys = {
    deployer: testKey(seed, "deployer"),
    relayer: testKey(seed, "relayer"),
    attesters: Array.from({ length: attesterCount }, (_, i) => testKey(seed, "attester", i)),
  };
  const attesters = { addresses: keys.attesters.map((k) => privateKeyToAddress(k)), threshold };
  const close = async () => {
    await Promise.all(Object.values(chains).map((c) => c.close()));
  };
  let deployment: Deployment;
  try {
    await Promise.all(
      Object.values(chains).map((c) => fundNative(c, [testKeyPair(seed, "deployer").address, testKeyPair(seed, "relayer").address])),
    );
    deployment = await deployCorridor({
      spec,
      chains,
      deployerKey: keys.deployer,
      attesters: attesters.addresses,
      threshold,
      feeRecipients: Object.fromEntries(Object.keys(chains).map((n) => [n, testKeyPair(seed, `fees/${n}`).address])),
    });
  } catch (err) {
    // Chains in child processes (anvil) would keep this process alive, and running, after the failure.
    await close();
    throw err;
  }
  return {
    spec,
    chains,
    deployment,
    keys,
    attesters,
    close,
  };
}
