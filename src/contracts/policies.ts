import { encodeDeployData, encodeFunctionData, getContractAddress, maxUint256, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { TxSender, type TxRequest } from "../chains/tx-sender.js";
import { loadArtifact } from "./artifacts.js";
import { sendAll, type Deployment } from "./deploy.js";
import { GAS, gatewayAbi } from "./gateway.js";
import { toContractSchedule, type FeeSchedule } from "../domain/fees.js";

export interface PolicyOptions {
  chains: Record<string, Chain>;
  deployment: Deployment;
  deployerKey: Hex;
  /** Fee schedule per route key "<from>:<input>-><to>" (the sending chain, the currency sent, the receiving chain); routes without one get no fee module entry (and no fee module if none has one). */
  feeSchedules: (routeKey: string) => FeeSchedule;
  quoter: Hex;
  /** Fast allowance per destination chain in base units; undefined for unlimited. */
  fastAllowance: Record<string, bigint | undefined>;
  /** On-chain compliance hooks to install on every gateway. */
  onChain: { sanctions?: Hex[]; allowlist?: Hex[] };
}

export interface PolicyAddresses {
  feeModule: Record<string, Hex>;
  complianceHook: Record<string, Hex | undefined>;
}

/**
 * Installs the corridor's policies on every gateway: a FeeModule with a schedule per route,
 * the FX quoter, the Fast allowance per payout token, and the optional on-chain compliance
 * hook (sanctions list or allowlist).
 */
export async function installPolicies(opts: PolicyOptions): Promise<PolicyAddresses> {
  const feeArt = loadArtifact("FeeModule", "fees/FeeModule.sol");
  const out: PolicyAddresses = { feeModule: {}, complianceHook: {} };
  const names = Object.keys(opts.chains);
  await Promise.all(
    names.map(async (name) => {
      const chain = opts.chains[name]!;
      const d = opts.deployment.chains[name]!;
      const sender = new TxSender(chain, opts.deployerKey);
      await sender.sync();
      let nonce = Number(await chain.request<string>("eth_getTransactionCount", [sender.address, "pending"]));
      const txs: TxRequest[] = [];
      const feeModule = getContractAddress({ from: sender.address, nonce: BigInt(nonce++) });
      txs.push({ gas: GAS.deploy, data: encodeDeployData({ abi: feeArt.abi, bytecode: feeArt.bytecode, args: [sender.address] }) });
      for (const other of names) {
        if (other === name) continue;
        const there = opts.deployment.chains[other]!;
        for (const cur of Object.keys(d.tokens)) {
          const schedule = toContractSchedule(opts.feeSchedules(`${name}:${cur}->${other}`));
          txs.push({ to: feeModule, gas: GAS.admin * 3n, data: encodeFunctionData({ abi: feeArt.abi, functionName: "setSchedule", args: [d.tokens[cur]!, BigInt(there.chainId), schedule] }) });
          nonce++;
        }
      }
      const gw = (functionName: string, args: unknown[]) => {
        nonce++;
        txs.push({ to: d.gateway, gas: GAS.admin, data: encodeFunctionData({ abi: gatewayAbi(), functionName, args }) });
      };
      gw("setFeeModule", [feeModule]);
      gw("setQuoter", [opts.quoter, true]);
      for (const token of Object.values(d.tokens)) gw("setFastAllowance", [token, opts.fastAllowance[name] ?? maxUint256]);
      let hook: Hex | undefined;
      const list = opts.onChain.sanctions ?? opts.onChain.allowlist;
      if (list) {
        const art = opts.onChain.sanctions ? loadArtifact("SanctionsListHook", "compliance/SanctionsListHook.sol") : loadArtifact("AllowlistHook", "compliance/AllowlistHook.sol");
        hook = getContractAddress({ from: sender.address, nonce: BigInt(nonce++) });
        txs.push({ gas: GAS.deploy, data: encodeDeployData({ abi: art.abi, bytecode: art.bytecode, args: [sender.address] }) });
        for (let i = 0; i < list.length; i += 200) {
          txs.push({ to: hook, gas: 30_000_000n, data: encodeFunctionData({ abi: art.abi, functionName: "addToList", args: [list.slice(i, i + 200)] }) });
          nonce++;
        }
        gw("setComplianceHook", [hook]);
      }
      await sendAll(sender, txs, "install policies");
      out.feeModule[name] = feeModule;
      out.complianceHook[name] = hook;
    }),
  );
  return out;
}
