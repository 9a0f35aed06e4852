import type { Logger } from "pino";
import { bootCorridor, type BootedCorridor } from "../chains/setup.js";
import { testKey, testKeyPair } from "../chains/keys.js";
import { getBlock } from "../chains/mining.js";
import { fundChain } from "../contracts/fund.js";
import { installPolicies } from "../contracts/policies.js";
import { toBaseUnits } from "../domain/money.js";
import { parseFeeSchedule } from "../domain/fees.js";
import { newLiveTokens, type LiveConfig } from "./config.js";
import { userInfo } from "node:os";
import { startLocalNode, type LocalNode, type NodeKind } from "./nodes.js";

export interface UpOptions {
  node: NodeKind;
  ports: { us: number; uk: number; operator: number; metrics: number };
  seed: string;
  accounts: number;
  dir: string;
  logger: Logger;
  /** Seconds between blocks (interval mining), so that confirmations accrue without traffic. */
  blockTimeSeconds: number;
}

/**
 * Starts two local nodes, deploys the corridor with its policies, funds test accounts and
 * liquidity, and returns the live configuration (endpoints, addresses, keys) for the services.
 */
export async function bringUp(opts: UpOptions): Promise<{ config: LiveConfig; nodes: LocalNode[]; corridor: BootedCorridor }> {
  const nodes = await Promise.all([startLocalNode(opts.node, "us", opts.ports.us), startLocalNode(opts.node, "uk", opts.ports.uk)]);
  try {
    const corridor = await bootCorridor({ seed: opts.seed, source: { kind: "rpc", urls: { us: nodes[0]!.url, uk: nodes[1]!.url } } });
    const { chains, deployment } = corridor;
    const startBlocks = Object.fromEntries(await Promise.all(Object.entries(chains).map(async ([n, c]) => [n, (await getBlock(c)).number] as const)));
    await installPolicies({
      chains,
      deployment,
      deployerKey: corridor.keys.deployer,
      feeSchedules: () => parseFeeSchedule({ fixed: "100000", bps: 5, min: "100000", max: "50000000", fastPremiumBps: 10 }),
      quoter: testKeyPair(opts.seed, "quoter").address,
      fastAllowance: { us: toBaseUnits("1000000"), uk: toBaseUnits("1000000") },
      onChain: {},
    });
    const accounts: LiveConfig["accounts"] = [];
    for (const name of ["us", "uk"] as const) {
      const chain = chains[name]!;
      const d = deployment.chains[name]!;
      const lp = testKeyPair(opts.seed, "lp", name === "us" ? 0 : 1);
      const users = Array.from({ length: opts.accounts }, (_, i) => testKeyPair(opts.seed, `account/${name}`, i));
      // (`corridor send` approves what it sends, so the accounts are not approved here.)
      await fundChain({ chain, deployment: d, issuerKey: corridor.keys.deployer, lp, liquidity: toBaseUnits("5000000"), senders: users.map((key) => ({ key, amount: toBaseUnits("1000000") })), approve: false });
      for (const u of users) accounts.push({ chain: name, address: u.address, privateKey: u.privateKey });
      // Blocks keep coming without traffic, so that confirmations accrue.
      // (Hardhat takes the interval in milliseconds, anvil in seconds.)
      await chain.request("evm_setIntervalMining", [opts.node === "anvil" ? Math.max(1, Math.round(opts.blockTimeSeconds)) : opts.blockTimeSeconds * 1000]);
    }
    const tokens = newLiveTokens(userInfo().username || "reviewer");
    const config: LiveConfig = {
      chains: { us: { url: nodes[0]!.url, profile: "local" }, uk: { url: nodes[1]!.url, profile: "local" } },
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
        gbpPerUsd: 0.7497,
        spreadBps: { default: 10 },
        quoteTtlSeconds: 60,
      },
      accounts,
    };
    return { config, nodes, corridor };
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
}

