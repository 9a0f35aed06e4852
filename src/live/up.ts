import type { Logger } from "pino";
import { bootCorridor, type BootedCorridor } from "../corridor/boot.js";
import { testKey, testKeyPair } from "../chains/keys.js";
import { getBlock } from "../chains/mining.js";
import { fundCorridor } from "../contracts/fund.js";
import { installPolicies } from "../contracts/policies.js";
import { toBaseUnits } from "../domain/money.js";
import { parseFeeSchedule } from "../domain/fees.js";
import { chainNames, midsOf, type CorridorSpec } from "../spec/spec.js";
import { PRESET_CURRENCIES, PRESET_JURISDICTIONS } from "../spec/presets.js";
import { newLiveTokens, type LiveConfig } from "./config.js";
import { userInfo } from "node:os";
import { startLocalNode, type LocalNode, type NodeKind } from "./nodes.js";

export interface UpOptions {
  node: NodeKind;
  /** The corridor to start: one local node per chain of the spec. */
  spec: CorridorSpec;
  /** Each chain's JSON-RPC port by name, and the services' ports. */
  ports: { chains: Record<string, number>; operator: number; metrics: number };
  seed: string;
  accounts: number;
  dir: string;
  logger: Logger;
  /** Seconds between blocks (interval mining), so that confirmations accrue without traffic. */
  blockTimeSeconds: number;
}

/**
 * Starts one local node per chain of the spec, deploys the corridor with its policies, funds test
 * accounts and liquidity, and returns the live configuration (endpoints, addresses, keys) for the services.
 */
export async function bringUp(opts: UpOptions): Promise<{ config: LiveConfig; nodes: LocalNode[]; corridor: BootedCorridor }> {
  const { spec } = opts;
  const names = chainNames(spec);
  const started = await Promise.allSettled(names.map((n) => startLocalNode(opts.node, n, opts.ports.chains[n]!, { chainId: spec.chains[n]!.chainId })));
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const urls = Object.fromEntries(nodes.map((n) => [n.name, n.url]));
    const corridor = await bootCorridor({ seed: opts.seed, spec, source: { kind: "rpc", urls } });
    const { chains, deployment } = corridor;
    const startBlocks = Object.fromEntries(await Promise.all(Object.entries(chains).map(async ([n, c]) => [n, (await getBlock(c)).number] as const)));
    await installPolicies({
      chains,
      deployment,
      deployerKey: corridor.keys.deployer,
      feeSchedules: () => parseFeeSchedule({ fixed: "100000", bps: 5, min: "100000", max: "50000000", fastPremiumBps: 10 }),
      quoter: testKeyPair(opts.seed, "quoter").address,
      fastAllowance: Object.fromEntries(names.map((n) => [n, toBaseUnits("1000000")])),
      onChain: {},
    });
    const users = Object.fromEntries(names.map((n) => [n, Array.from({ length: opts.accounts }, (_, i) => testKeyPair(opts.seed, `account/${n}`, i))]));
    // (`corridor send` approves what it sends, so the accounts are not approved here.)
    await fundCorridor({
      spec,
      chains,
      deployment,
      seed: opts.seed,
      issuerKey: corridor.keys.deployer,
      liquidity: () => toBaseUnits("5000000"),
      senders: (n) => users[n]!.map((key) => ({ key, amount: toBaseUnits("1000000") })),
      approve: false,
    });
    // Blocks keep coming without traffic, so that confirmations accrue.
    // (Hardhat takes the interval in milliseconds, anvil in seconds.)
    await Promise.all(
      Object.values(chains).map((chain) => chain.request("evm_setIntervalMining", [opts.node === "anvil" ? Math.max(1, Math.round(opts.blockTimeSeconds)) : opts.blockTimeSeconds * 1000])),
    );
    const accounts: LiveConfig["accounts"] = names.flatMap((n) => users[n]!.map((u) => ({ chain: n, address: u.address, privateKey: u.privateKey })));
    const tokens = newLiveTokens(userInfo().username || "reviewer");
    const config: LiveConfig = {
      chains: Object.fromEntries(names.map((n) => [n, { url: urls[n]!, profile: spec.chains[n]!.profile, jurisdiction: spec.chains[n]!.jurisdiction }])),
      deployment: { chains: Object.fromEntries(Object.entries(deployment.chains).map(([n, d]) => [n, { ...d, startBlock: startBlocks[n]! }])) },
      relayer: { privateKey: corridor.keys.relayer, operatorToken: tokens.relayerToken, store: `${opts.dir}/relayer.db`, pollMs: 250, maxBatch: 50, metricsPort: opts.ports.metrics, rpcTimeoutMs: 10_000 },
      operator: {
        url: `http://127.0.0.1:${opts.ports.operator}`,
        port: opts.ports.operator,
        host: "127.0.0.1",
        relayerTokens: [tokens.relayerToken],
        reviewers: tokens.reviewers,
        attesterKeys: corridor.keys.attesters,
        threshold: corridor.attesters.threshold,
        quoterKey: testKey(opts.seed, "quoter"),
        store: `${opts.dir}/operator.db`,
        fx: midsOf(spec),
        spreadBps: { default: 10 },
        quoteTtlSeconds: 60,
      },
      accounts,
      // Currencies and jurisdictions the presets do not know travel with the config (its spec is rebuilt from it).
      ...declaredBeyondPresets(spec),
    };
    return { config, nodes, corridor };
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
}

/** The spec's currencies and jurisdictions that are not presets, as a live config declares them. */
function declaredBeyondPresets(spec: CorridorSpec): Pick<LiveConfig, "currencies" | "jurisdictions"> {
  const currencies = Object.values(spec.currencies).filter((c) => !(c.code in PRESET_CURRENCIES));
  const jurisdictions = Object.values(spec.jurisdictions).filter((j) => !(j.id in PRESET_JURISDICTIONS));
  return {
    ...(currencies.length ? { currencies: Object.fromEntries(currencies.map(({ code, series: _series, ...c }) => [code, c])) } : {}),
    ...(jurisdictions.length ? { jurisdictions: Object.fromEntries(jurisdictions.map(({ id, ...j }) => [id, j])) } : {}),
  };
}
