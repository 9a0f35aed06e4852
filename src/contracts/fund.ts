/**
 * Funds a chain's participants, the one way every entry point does it (simulator, `corridor up`,
 * dashboard, bench, test harness): gas money for each, the issuer's minter role, the liquidity
 * provider's home tokens deposited into the gateway's pool, each sender's home tokens, and each
 * sender's approval of every corridor token for the gateway.
 *
 * On a local dev chain (embedded EDR, hardhat node, anvil) this takes a handful of blocks whatever
 * the number of senders: automine off, every transaction submitted at its sender's next nonce
 * without waiting for receipts, then blocks mined (stamped by the node, never ahead of the
 * simulator's later timestamps) until every receipt is in. Elsewhere (a chain that does not take
 * `hardhat_getAutomine`) each transaction waits for its receipt, as on any public chain.
 */
import { encodeFunctionData, maxUint256, toHex, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { testKeyPair, type KeyPair } from "../chains/keys.js";
import { getBlock, setAutomine } from "../chains/mining.js";
import type { CorridorSpec } from "../spec/spec.js";
import { getReceipt, TxSender, type Receipt, type TxRequest } from "../chains/tx-sender.js";
import { CorridorError } from "../domain/errors.js";
import { fundNative, sendAll, txFailure, type ChainDeployment, type Deployment, type SentTx } from "./deploy.js";
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

/** One key's transactions, in nonce order; `what` names the step in an error. */
interface TxGroup {
  sender: TxSender;
  txs: TxRequest[];
  what: string;
}

export async function fundChain(o: FundChainOptions): Promise<void> {
  const d = o.deployment;
  const token = d.tokens[d.home]!;
  await fundNative(o.chain, [...o.senders.map((s) => s.key.address), o.lp.address]);
  const issuer = new TxSender(o.chain, o.issuerKey);
  const lp = new TxSender(o.chain, o.lp.privateKey);
  const minterRole = (await o.chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "MINTER_ROLE" })) as Hex;
  const mint = (to: Hex, amount: bigint): TxRequest => ({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [to, amount] }) });
  const senderOf = o.txSender ?? ((k: KeyPair) => new TxSender(o.chain, k.privateKey));
  // Two steps: the deposit needs the provider's tokens and approval in a block before it.
  const steps: TxGroup[][] = [
    [
      { sender: issuer, what: "fund senders", txs: [{ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [minterRole, issuer.address] }) }, mint(o.lp.address, o.liquidity)] },
      { sender: lp, what: "deposit liquidity", txs: [approveTx(token, d.gateway)] },
    ],
    [
      // No deposit when the scenario's providers fund the pools instead (src/liquidity/providers.ts).
      ...(o.liquidity > 0n ? [{ sender: lp, what: "deposit liquidity", txs: [{ to: d.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [token, o.liquidity] }) }] }] : []),
      { sender: issuer, what: "fund senders", txs: o.senders.map((s) => mint(s.key.address, s.amount)) },
      ...(o.approve === false ? [] : o.senders.map((s) => ({ sender: senderOf(s.key), what: "approve", txs: Object.values(d.tokens).map((t) => approveTx(t, d.gateway)) }))),
    ],
  ];
  const inBlocks = await withAutomineOff(o.chain, async () => {
    for (const step of steps) await sendAndMine(o.chain, step);
  });
  // Not a dev chain: each key's transactions one after another, each awaited.
  if (!inBlocks) for (const step of steps) await Promise.all(step.map((g) => sendAll(g.sender, g.txs, g.what)));
}

/**
 * Runs `fn` with the chain's automine off, then restores it as it was (also on error). False, and
 * `fn` not run, if the chain does not answer `hardhat_getAutomine` (EDR, hardhat node and anvil
 * do): not a dev chain, so not one whose block production to take over.
 */
async function withAutomineOff(chain: Chain, fn: () => Promise<void>): Promise<boolean> {
  const automine = await chain.request<boolean>("hardhat_getAutomine").catch(() => undefined);
  if (typeof automine !== "boolean") return false;
  if (automine) await setAutomine(chain, false);
  try {
    await fn();
  } finally {
    if (automine) await setAutomine(chain, true);
  }
  return true;
}

/** A submitted transaction, and what its receipt check needs. */
/**
 * Submits every group's transactions (each group's in nonce order, groups of different keys
 * without awaiting each other's receipts), then mines blocks until all are in and checks them.
 * An embedded chain gets them one after another, in the groups' order, so that blocks (and the base
 * fee after them) are the same on every run; a node over HTTP gets a few groups at a time.
 */
async function sendAndMine(chain: Chain, groups: TxGroup[]): Promise<void> {
  const from = (await getBlock(chain)).number;
  const limit = chain.kind === "embedded" ? 1 : 16;
  // Every key reads its nonce before any is sent: a node answers "pending" by building the pending
  // block, which costs as much as the pool holds (thousands of reads of a full pool: minutes).
  await forEachLimited([...new Set(groups.map((g) => g.sender))], limit, (s) => s.sync());
  const sent: SentTx[][] = groups.map(() => []);
  await forEachLimited(groups, limit, async (g, i) => {
    for (const tx of g.txs) sent[i]!.push({ from: g.sender.address, tx, hash: await g.sender.send(tx), what: g.what });
  });
  await mineUntilIncluded(chain, sent.flat(), from);
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Blocks mined in a row that took none of the waiting transactions before funding gives up on them. */
const IDLE_BLOCKS = 3;

/**
 * Mines blocks (`evm_mine`, stamped by the node) until every transaction of `sent` is in a block
 * after `from` (a block holds up to the chain's gas limit, 60M on the embedded chains and 30M on
 * many nodes: thousands of transactions take several), then checks every receipt in
 * submission order: the first that failed raises. A block that another miner made (interval mining)
 * counts too. CORRIDOR_TX_TIMEOUT if blocks stop taking them (dropped or underpriced).
 */
async function mineUntilIncluded(chain: Chain, sent: SentTx[], from: number): Promise<void> {
  const waiting = new Set(sent.map((s) => s.hash.toLowerCase()));
  const mined: Hex[] = [];
  let scanned = from;
  for (let idle = 0; waiting.size > 0; ) {
    await chain.request("evm_mine");
    const head = (await getBlock(chain)).number;
    const before = waiting.size;
    for (; scanned < head; scanned++) {
      const block = await chain.request<{ transactions: Hex[] }>("eth_getBlockByNumber", [toHex(scanned + 1), false]);
      for (const hash of block.transactions) if (waiting.delete(hash.toLowerCase())) mined.push(hash);
    }
    idle = waiting.size < before ? 0 : idle + 1;
    if (idle >= IDLE_BLOCKS) {
      const stuck = [...waiting];
      throw new CorridorError("CORRIDOR_TX_TIMEOUT", `${stuck.length} funding transactions not mined on ${chain.name} after ${idle} blocks without any of them`, { chain: chain.name, hashes: stuck.slice(0, 5) });
    }
  }
  const receipts = new Map<string, Receipt>();
  await forEachLimited(mined, chain.kind === "embedded" ? 1 : 16, async (hash) => {
    receipts.set(hash.toLowerCase(), (await getReceipt(chain, hash))!);
  });
  for (const s of sent) {
    const r = receipts.get(s.hash.toLowerCase())!;
    if (r.status !== "success") throw await txFailure(chain, s, r.blockNumber);
  }
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
