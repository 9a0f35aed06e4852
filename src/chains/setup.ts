import type { Hex } from "viem";
import type { Chain } from "./chain.js";
import { connectRpcChain } from "./chain.js";
import { createEmbeddedChain } from "./embedded.js";
import { testKey, testKeyPair } from "./keys.js";
import { deployCorridor, fundNative, type Currency, type Deployment } from "../contracts/deploy.js";
import { privateKeyToAddress } from "viem/accounts";

/** Where the two chains come from: embedded EDR chains (default) or JSON-RPC endpoints. */
export type ChainSource = { kind: "embedded" } | { kind: "rpc"; urls: Record<string, string> };

export const DEFAULT_CHAINS: Record<string, Currency> = { us: "USD", uk: "GBP" };

export interface CorridorKeys {
  deployer: Hex;
  relayer: Hex;
  attesters: Hex[];
}

export interface BootedCorridor {
  chains: Record<string, Chain>;
  deployment: Deployment;
  keys: CorridorKeys;
  /** The attester set the gateways were deployed with (the keys are in `keys.attesters`). */
  attesters: { addresses: Hex[]; threshold: number };
  close(): Promise<void>;
}

export async function openChains(
  source: ChainSource,
  opts: { names?: string[]; initialDate?: Date } = {},
): Promise<Record<string, Chain>> {
  const names = opts.names ?? Object.keys(DEFAULT_CHAINS);
  const entries = await Promise.all(
    names.map(async (name) => {
      if (source.kind === "embedded") return [name, await createEmbeddedChain(name, { initialDate: opts.initialDate })] as const;
      const url = source.urls[name];
      if (!url) throw new Error(`no JSON-RPC URL for chain "${name}"`);
      return [name, await connectRpcChain(name, url)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Opens the chains, funds the corridor's own keys with gas money and deploys the corridor.
 * Keys are deterministic per seed, and every role has its own (deployer, relayer, attesters).
 */
export async function bootCorridor(
  opts: { seed?: string | number; source?: ChainSource; attesterCount?: number; threshold?: number; initialDate?: Date } = {},
): Promise<BootedCorridor> {
  const seed = opts.seed ?? "default";
  const attesterCount = opts.attesterCount ?? 3;
  const threshold = opts.threshold ?? 2;
  const chains = await openChains(opts.source ?? { kind: "embedded" }, { initialDate: opts.initialDate });
  const keys: CorridorKeys = {
    deployer: testKey(seed, "deployer"),
    relayer: testKey(seed, "relayer"),
    attesters: Array.from({ length: attesterCount }, (_, i) => testKey(seed, "attester", i)),
  };
  const attesters = { addresses: keys.attesters.map((k) => privateKeyToAddress(k)), threshold };
  await Promise.all(
    Object.values(chains).map((c) => fundNative(c, [testKeyPair(seed, "deployer").address, testKeyPair(seed, "relayer").address])),
  );
  const deployment = await deployCorridor({
    chains: Object.fromEntries(Object.entries(chains).map(([n, chain]) => [n, { chain, home: DEFAULT_CHAINS[n] ?? "USD" }])),
    deployerKey: keys.deployer,
    attesters: attesters.addresses,
    threshold,
    feeRecipients: Object.fromEntries(Object.keys(chains).map((n) => [n, testKeyPair(seed, `fees/${n}`).address])),
  });
  return {
    chains,
    deployment,
    keys,
    attesters,
    close: async () => {
      await Promise.all(Object.values(chains).map((c) => c.close()));
    },
  };
}
