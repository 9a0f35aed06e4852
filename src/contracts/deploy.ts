import { encodeDeployData, encodeFunctionData, getContractAddress, keccak256, toHex, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { TxSender, waitForReceipt, type TxRequest } from "../chains/tx-sender.js";
import { loadArtifact } from "./artifacts.js";
import { GAS, gatewayAbi, revertError, tokenAbi } from "./gateway.js";
import { MODE } from "../domain/message.js";
import { CorridorError } from "../domain/errors.js";

export type Currency = "USD" | "GBP";
export const CURRENCIES: Currency[] = ["USD", "GBP"];

export interface ChainDeployment {
  name: string;
  chainId: number;
  /** The currency issued natively on this chain (USD on "us", GBP on "uk"). */
  home: Currency;
  gateway: Hex;
  /** Both stablecoins exist on both chains: the home one, and a burn-and-mint representation of the other. */
  tokens: Record<Currency, Hex>;
  feeRecipient: Hex;
}

export interface Deployment {
  chains: Record<string, ChainDeployment>;
}

export interface DeployOptions {
  /** Chains by corridor name with their home currency, e.g. { us: [chain, "USD"], uk: [chain, "GBP"] }. */
  chains: Record<string, { chain: Chain; home: Currency }>;
  deployerKey: Hex;
  attesters: Hex[];
  threshold: number;
  feeRecipients: Record<string, Hex>;
}

const ROLE = (name: string): Hex => keccak256(toHex(name));

/** Sends transactions in order from one key and waits for all of them; any revert is an error. */
export async function sendAll(sender: TxSender, txs: TxRequest[], what: string): Promise<void> {
  const hashes: Hex[] = [];
  for (const tx of txs) hashes.push(await sender.send(tx));
  for (const [i, hash] of hashes.entries()) {
    const r = await waitForReceipt(sender.chain, hash);
    if (r.status !== "success") {
      const trace = await sender.chain.request<string>("eth_call", [{ from: sender.address, to: txs[i]!.to, data: txs[i]!.data }, toHex(r.blockNumber - 1)]).catch((e: { data?: Hex }) => e);
      const data = (trace as { data?: Hex })?.data;
      throw data ? revertError(data, { step: what, chain: sender.chain.name }) : new CorridorError("CORRIDOR_DEPLOY_FAILED", `${what} failed on ${sender.chain.name}`, { hash });
    }
  }
}

/**
 * Deploys the corridor on every chain: tUSD and tGBP tokens, one gateway, the gateway's
 * mint and burn roles, and routes between every pair of chains:
 * - same currency: burn-and-mint;
 * - home currency to the other chain's home currency: lock-and-release with FX.
 * The chains must mine on their own (automine) while this runs.
 */
export async function deployCorridor(opts: DeployOptions): Promise<Deployment> {
  const tokenArt = loadArtifact("CorridorToken");
  const gatewayArt = loadArtifact("CorridorGateway");
  const names = Object.keys(opts.chains);
  const senders = Object.fromEntries(names.map((n) => [n, new TxSender(opts.chains[n]!.chain, opts.deployerKey)]));
  const deployed: Record<string, ChainDeployment> = {};

  await Promise.all(
    names.map(async (name) => {
      const { chain, home } = opts.chains[name]!;
      const sender = senders[name]!;
      await sender.sync();
      const nonce = Number(await chain.request<string>("eth_getTransactionCount", [sender.address, "pending"]));
      const tokens = {} as Record<Currency, Hex>;
      const txs: TxRequest[] = [];
      CURRENCIES.forEach((cur, i) => {
        tokens[cur] = getContractAddress({ from: sender.address, nonce: BigInt(nonce + i) });
        txs.push({
                    gas: GAS.deploy,
          data: encodeDeployData({ abi: tokenArt.abi, bytecode: tokenArt.bytecode, args: [`Test ${cur}`, `t${cur}`, sender.address] }),
        });
      });
      const feeRecipient = opts.feeRecipients[name]!;
      const gateway = getContractAddress({ from: sender.address, nonce: BigInt(nonce + CURRENCIES.length) });
      txs.push({
                gas: GAS.deploy,
        data: encodeDeployData({ abi: gatewayArt.abi, bytecode: gatewayArt.bytecode, args: [sender.address, opts.attesters, BigInt(opts.threshold), feeRecipient] }),
      });
      for (const cur of CURRENCIES) {
        for (const role of ["MINTER_ROLE", "BURNER_ROLE"]) {
          txs.push({ to: tokens[cur], gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [ROLE(role), gateway] }) });
        }
        txs.push({ to: gateway, gas: GAS.admin, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "setLocalToken", args: [tokens[cur], true] }) });
      }
      await sendAll(sender, txs, "deploy");
      deployed[name] = { name, chainId: chain.chainId, home, gateway, tokens, feeRecipient };
    }),
  );
  // In the chains' given order, whatever order their deployments finished in (results must not depend on timing).
  const chains: Record<string, ChainDeployment> = Object.fromEntries(names.map((n) => [n, deployed[n]!]));

  await Promise.all(
    names.map(async (name) => {
      const here = chains[name]!;
      const txs: TxRequest[] = [];
      for (const other of names) {
        if (other === name) continue;
        const there = chains[other]!;
        txs.push({ to: here.gateway, gas: GAS.admin, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "setRemoteGateway", args: [BigInt(there.chainId), there.gateway] }) });
        const route = (input: Currency, output: Currency, mode: number) =>
          txs.push({
            to: here.gateway,
            gas: GAS.admin,
            data: encodeFunctionData({ abi: gatewayAbi(), functionName: "setRoute", args: [here.tokens[input], BigInt(there.chainId), there.tokens[output], mode, true] }),
          });
        for (const cur of CURRENCIES) route(cur, cur, MODE.burnMint);
        if (here.home !== there.home) route(here.home, there.home, MODE.lockRelease);
      }
      await sendAll(senders[name]!, txs, "configure routes");
    }),
  );
  return { chains };
}

/** Gives `addresses` native gas money on a local chain (hardhat_setBalance works on EDR, hardhat node and anvil). */
export async function fundNative(chain: Chain, addresses: Hex[], wei = 10n ** 21n): Promise<void> {
  await Promise.all(addresses.map((a) => chain.request("hardhat_setBalance", [a, toHex(wei)])));
}
