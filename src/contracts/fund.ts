/**
 * Funds a chain's participants, the one way every entry point does it (simulator, `corridor up`,
 * dashboard, bench, test harness): gas money for each, the issuer's minter role, the liquidity
 * provider's home tokens deposited into the gateway's pool, each sender's home tokens, and each
 * sender's approval of every corridor token for the gateway.
 */
import { encodeFunctionData, maxUint256, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { testKeyPair, type KeyPair } from "../chains/keys.js";
import type { CorridorSpec } from "../spec/spec.js";
import { TxSender, type TxRequest } from "../chains/tx-sender.js";
import { fundNative, sendAll, type ChainDeployment, type Deployment } from "./deploy.js";
import { GAS, gatewayAbi, tokenAbi } from "./gateway.js";

export interface FundChainOptions {
  chain: Chain;
  deployment: ChainDeployment;
  /** The token admin's key (the deployer): it grants itself the minter role and mints. */
  issuerKey: Hex;
  /** The liquidity provider and what it deposits (base units of the home token). */
  lp: KeyPair;
  liquidity: bigint;
  /** Senders and what each is minted (base units of the home token). */
  senders: { key: KeyPair; amount: bigint }[];
  /** Whether senders approve the gateway for every token (default true). */
  approve?: boolean;
  /** The sender's transaction sender (the simulator keeps one per key, so that it knows its nonce). */
  txSender?: (key: KeyPair) => TxSender;
}

const approveTx = (token: Hex, gateway: Hex): TxRequest => ({ to: token, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [gateway, maxUint256] }) });

export async function fundChain(o: FundChainOptions): Promise<void> {
  const d = o.deployment;
  const token = d.tokens[d.home]!;
  await fundNative(o.chain, [...o.senders.map((s) => s.key.address), o.lp.address]);
  const issuer = new TxSender(o.chain, o.issuerKey);
  const minterRole = (await o.chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "MINTER_ROLE" })) as Hex;
  const mints: TxRequest[] = [
    { to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [minterRole, issuer.address] }) },
    { to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [o.lp.address, o.liquidity] }) },
    ...o.senders.map((s) => ({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [s.key.address, s.amount] }) })),
  ];
  await sendAll(issuer, mints, "fund senders");
  await sendAll(
    new TxSender(o.chain, o.lp.privateKey),
    [approveTx(token, d.gateway), { to: d.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [token, o.liquidity] }) }],
    "deposit liquidity",
  );
  if (o.approve === false) return;
  const senderOf = o.txSender ?? ((k: KeyPair) => new TxSender(o.chain, k.privateKey));
  await Promise.all(o.senders.map((s) => sendAll(senderOf(s.key), Object.values(d.tokens).map((t) => approveTx(t, d.gateway)), "approve")));
}

/** The liquidity provider of the `index`-th chain of a corridor (by the spec's order), deterministic per seed. */
export const lpKey = (seed: string | number, index: number): KeyPair => testKeyPair(seed, "lp", index);

export interface FundCorridorOptions {
  spec: CorridorSpec;
  chains: Record<string, Chain>;
  deployment: Deployment;
  seed: string | number;
  issuerKey: Hex;
  /** Each chain's liquidity deposit, base units of its home token. */
  liquidity: (chain: string) => bigint;
  /** Each chain's senders and what each is minted (base units of the chain's home token). */
  senders: (chain: string) => { key: KeyPair; amount: bigint }[];
  approve?: boolean;
  txSender?: (chain: string, key: KeyPair) => TxSender;
}

/** Funds every chain of the corridor at once (`fundChain` on each), its liquidity provider being `lpKey(seed, i)`. Returns the providers by chain. */
export async function fundCorridor(o: FundCorridorOptions): Promise<Record<string, KeyPair>> {
  const names = Object.keys(o.spec.chains);
  const lps = Object.fromEntries(names.map((n, i) => [n, lpKey(o.seed, i)]));
  await Promise.all(
    names.map((name) =>
      fundChain({
        chain: o.chains[name]!,
        deployment: o.deployment.chains[name]!,
        issuerKey: o.issuerKey,
        lp: lps[name]!,
        liquidity: o.liquidity(name),
        senders: o.senders(name),
        ...(o.approve === undefined ? {} : { approve: o.approve }),
        ...(o.txSender ? { txSender: (key: KeyPair) => o.txSender!(name, key) } : {}),
      }),
    ),
  );
  return lps;
}
