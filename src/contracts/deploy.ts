import { encodeDeployData, encodeFunctionData, getContractAddress, keccak256, toHex, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { TxSender, waitForReceipt, type TxRequest } from "../chains/tx-sender.js";
import { loadArtifact } from "./artifacts.js";
import { GAS, gatewayAbi, revertError, tokenAbi } from "./gateway.js";
import { MODE } from "../domain/message.js";
import { CorridorError } from "../domain/errors.js";

import type { CorridorSpec } from "../spec/spec.js";

export interface ChainDeployment {
  name: string;
  chainId: number;
  /** The currency issued natively on this chain (its spec's home currency). */
  home: string;
  gateway: Hex;
  /**
   * The chain's CorridorLens: reads the gateway's `outbound` / `consumed` for many ids in one eth_call.
   * Every deployment made since the lens exists has one; a deployment file from before it has none, and
   * its readers then read id by id.
   */
  lens?: Hex;
  /** Every stablecoin of the spec, by currency: the home one, and burn-and-mint representations of the others. */
  tokens: Record<string, Hex>;
  feeRecipient: Hex;
}

export interface Deployment {
  chains: Record<string, ChainDeployment>;
}

export interface DeployOptions {
  spec: CorridorSpec;
  /** The spec's chains by name, open. */
  chains: Record<string, Chain>;
  deployerKey: Hex;
  attesters: Hex[];
  threshold: number;
  feeRecipients: Record<string, Hex>;
}

const ROLE = (name: string): Hex => keccak256(toHex(name));

/**
 * Sends transactions in order from one key and waits for all of them; any revert is an error. Waits
 * for each window of `RECEIPT_WINDOW` before sending more: a chain that keeps receipts of its recent
 * blocks only (anvil with --transaction-block-keeper) still has them when they are read.
 */
export async function sendAll(sender: TxSender, txs: TxRequest[], what: string): Promise<void> {
  for (let from = 0; from < txs.length; from += RECEIPT_WINDOW) await sendWindow(sender, txs.slice(from, from + RECEIPT_WINDOW), what);
}

/** Transactions a set-up step sends before it reads their receipts (see `sendAll`). */
export const RECEIPT_WINDOW = 32;

async function sendWindow(sender: TxSender, txs: TxRequest[], what: string): Promise<void> {
  const hashes: Hex[] = [];
  for (const tx of txs) hashes.push(await sender.send(tx));
  for (const [i, hash] of hashes.entries()) {
    const r = await waitForReceipt(sender.chain, hash);
    if (r.status !== "success") throw await txFailure(sender.chain, { from: sender.address, tx: txs[i]!, hash, what }, r.blockNumber);
  }
}

/** A transaction submitted, with what it was for (for the error when it fails). */
export interface SentTx {
  from: Hex;
  tx: TxRequest;
  hash: Hex;
  what: string;
}

/**
 * The error for a transaction mined in `blockNumber` that failed (`sendAll`, and the funding in
 * src/contracts/fund.ts): the contract's revert (the call replayed at the block before) when there
 * is one, else CORRIDOR_DEPLOY_FAILED naming the step.
 */
export async function txFailure(chain: Chain, s: SentTx, blockNumber: number): Promise<CorridorError> {
  const trace = await chain.request<string>("eth_call", [{ from: s.from, to: s.tx.to, data: s.tx.data }, toHex(blockNumber - 1)]).catch((e: { data?: Hex }) => e);
  const data = (trace as { data?: Hex })?.data;
  return data ? revertError(data, { step: s.what, chain: chain.name }) : new CorridorError("CORRIDOR_DEPLOY_FAILED", `${s.what} failed on ${chain.name}`, { hash: s.hash });
}


/**
 * Deploys the corridor on every chain of the spec: a token per currency of the spec ("tXXX"), one
 * gateway, the gateway's mint and burn roles, a CorridorLens (batched reads of the gateway), and the
 * spec's routes between every pair of chains (same currency: burn-and-mint; home currency to the other
 * chain's home currency: lock-and-release with FX).
 * The chains must mine on their own (automine) while this runs.
 */
export async function deployCorridor(opts: DeployOptions): Promise<Deployment> {
  const tokenArt = loadArtifact("CorridorToken");
  const gatewayArt = loadArtifact("CorridorGateway");
  const lensArt = loadArtifact("CorridorLens");
  const names = Object.keys(opts.spec.chains);
  const currencies = opts.spec.tokens;
  const senders = Object.fromEntries(names.map((n) => [n, new TxSender(opts.chains[n]!, opts.deployerKey)]));
  const deployed: Record<string, ChainDeployment> = {};

  await Promise.all(
    names.map(async (name) => {
      const chain = opts.chains[name]!;
      const home = opts.spec.chains[name]!.home;
      const sender = senders[name]!;
      await sender.sync();
      const nonce = Number(await chain.request<string>("eth_getTransactionCount", [sender.address, "pending"]));
      const tokens: Record<string, Hex> = {};
      const txs: TxRequest[] = [];
      currencies.forEach((cur, i) => {
        tokens[cur] = getContractAddress({ from: sender.address, nonce: BigInt(nonce + i) });
        txs.push({
                    gas: GAS.deploy,
          data: encodeDeployData({ abi: tokenArt.abi, bytecode: tokenArt.bytecode, args: [`Test ${cur}`, `t${cur}`, sender.address] }),
        });
      });
      const feeRecipient = opts.feeRecipients[name]!;
      const gateway = getContractAddress({ from: sender.address, nonce: BigInt(nonce + currencies.length) });
      txs.push({
                gas: GAS.deploy,
        data: encodeDeployData({ abi: gatewayArt.abi, bytecode: gatewayArt.bytecode, args: [sender.address, opts.attesters, BigInt(opts.threshold), feeRecipient] }),
      });
      for (const cur of currencies) {
        for (const role of ["MINTER_ROLE", "BURNER_ROLE"]) {
          txs.push({ to: tokens[cur], gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [ROLE(role), gateway] }) });
        }
        txs.push({ to: gateway, gas: GAS.admin, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "setLocalToken", args: [tokens[cur], true] }) });
      }
      // The lens last, so that the tokens and the gateway keep the addresses they had before it existed.
      const lens = getContractAddress({ from: sender.address, nonce: BigInt(nonce + txs.length) });
      txs.push({ gas: GAS.deploy, data: lensArt.bytecode });
      await sendAll(sender, txs, "deploy");
      deployed[name] = { name, chainId: chain.chainId, home, gateway, lens, tokens, feeRecipient };
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
      }
      for (const r of opts.spec.routes.filter((r) => r.from === name)) {
        const there = chains[r.to]!;
        txs.push({
          to: here.gateway,
          gas: GAS.admin,
          data: encodeFunctionData({ abi: gatewayAbi(), functionName: "setRoute", args: [here.tokens[r.input]!, BigInt(there.chainId), there.tokens[r.output]!, MODE[r.mode], true] }),
        });
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

/** The chain's token for `currency`, or CORRIDOR_UNKNOWN_TOKEN naming the ones it has. */
export function tokenOf(d: ChainDeployment, currency: string): Hex {
  const token = d.tokens[currency];
  if (!token) throw new CorridorError("CORRIDOR_UNKNOWN_TOKEN", `chain ${d.name} has no ${currency} token; it has ${Object.keys(d.tokens).join(", ")}`, { chain: d.name, currency });
  return token;
}
