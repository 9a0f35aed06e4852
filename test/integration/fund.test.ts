/**
 * Funding a corridor (src/contracts/fund.ts) on real embedded chains: hundreds of senders funded and
 * approved in a handful of blocks (automine off, all transactions submitted, blocks mined until every
 * receipt is in), every sender ending with its balance and approvals read back from the chain, the
 * liquidity deposited, the callers' transaction senders at the right nonce, and automine as it was
 * before (on, or off as under virtual time, whose next block must still be stampable), also after a
 * failed transaction, which raises the coded revert error.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { encodeFunctionData, maxUint256, type Hex } from "viem";
import { bootCorridor, type BootedCorridor } from "../../src/corridor/boot.js";
import { chainFromProvider, type Chain } from "../../src/chains/chain.js";
import { testKey, testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { getBlock, mineBlockAt, setAutomine } from "../../src/chains/mining.js";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import { fundNative } from "../../src/contracts/deploy.js";
import { fundChain, lpKey } from "../../src/contracts/fund.js";
import { GAS, gatewayAbi, tokenAbi } from "../../src/contracts/gateway.js";
import { isCorridorError } from "../../src/domain/errors.js";

const SEED = "fund-in-blocks";
let c: BootedCorridor;

beforeAll(async () => {
  c = await bootCorridor({ seed: SEED });
});
afterAll(async () => {
  await c?.close();
});

const automine = (chain: Chain) => chain.request<boolean>("hardhat_getAutomine");
const read = <T>(chain: Chain, address: Hex, abi: "token" | "gateway", functionName: string, args: unknown[]) =>
  chain.client.readContract({ address, abi: abi === "token" ? tokenAbi() : gatewayAbi(), functionName, args }) as Promise<T>;

it("funds and approves 300 senders in a handful of blocks, each with its balance and approvals", async () => {
  const chain = c.chains.us!;
  const d = c.deployment.chains.us!;
  const home = d.tokens[d.home]!;
  const senders = Array.from({ length: 300 }, (_, i) => ({ key: testKeyPair(SEED, "sender/us", i), amount: 1_000_000n * BigInt(i + 1) }));
  const pool = new Map<Hex, TxSender>();
  const txSender = (k: KeyPair) => pool.get(k.address) ?? pool.set(k.address, new TxSender(chain, k.privateKey)).get(k.address)!;
  const lp = lpKey(SEED, 0);
  const liquidity = 5_000_000_000n;
  expect(await automine(chain)).toBe(true);
  const before = await getBlock(chain);

  await fundChain({ chain, deployment: d, issuerKey: c.keys.deployer, lp, liquidity, senders, txSender });

  const after = await getBlock(chain);
  // ~300 mints and 600 approvals (one tx per block before): the provider's step, then everything else.
  expect(after.number - before.number).toBeLessThanOrEqual(5);
  expect(after.timestamp).toBeGreaterThanOrEqual(before.timestamp);
  expect(await automine(chain)).toBe(true);
  expect(await read<bigint>(chain, d.gateway, "gateway", "liquidity", [home])).toBe(liquidity);
  const tokens = Object.values(d.tokens);
  expect(tokens.length).toBeGreaterThanOrEqual(2);
  for (const s of senders) {
    expect(await read<bigint>(chain, home, "token", "balanceOf", [s.key.address])).toBe(s.amount);
    for (const t of tokens) expect(await read<bigint>(chain, t, "token", "allowance", [s.key.address, d.gateway])).toBe(maxUint256);
  }
  // The callers' senders know their nonce: the next transaction takes the one after the approvals, and is mined.
  const next = txSender(senders[7]!.key);
  expect(await next.minedNonce()).toBe(tokens.length);
  const signed = await next.sign({ to: home, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [d.gateway, 1n] }) });
  expect(signed.nonce).toBe(tokens.length);
  expect((await waitForReceipt(chain, await next.broadcast(signed))).status).toBe("success");
});

it("leaves automine off when it was off (virtual time), and the simulator's next block can still be stamped after the funding blocks", async () => {
  const chain = c.chains.uk!;
  const d = c.deployment.chains.uk!;
  const senders = Array.from({ length: 20 }, (_, i) => ({ key: testKeyPair(SEED, "sender/uk", i), amount: 1_000n }));
  await setAutomine(chain, false);
  try {
    const before = await getBlock(chain);
    await fundChain({ chain, deployment: d, issuerKey: c.keys.deployer, lp: lpKey(SEED, 1), liquidity: 1_000_000n, senders });
    expect(await automine(chain)).toBe(false);
    const after = await getBlock(chain);
    expect(after.number - before.number).toBeLessThanOrEqual(3);
    for (const s of senders) expect(await read<bigint>(chain, d.tokens[d.home]!, "token", "balanceOf", [s.key.address])).toBe(1_000n);
    const start = after.timestamp + 1;
    await mineBlockAt(chain, start);
    expect((await getBlock(chain)).timestamp).toBe(start);
  } finally {
    await setAutomine(chain, true);
  }
});

it("raises the coded revert of a failed funding transaction, with automine restored", async () => {
  const chain = c.chains.uk!;
  const d = c.deployment.chains.uk!;
  // Not the token's admin: its grantRole reverts (it has gas money, so the node takes the transaction).
  const notAdmin = testKey(SEED, "not-admin");
  await fundNative(chain, [testKeyPair(SEED, "not-admin").address]);
  const before = await getBlock(chain);
  const err = await fundChain({ chain, deployment: d, issuerKey: notAdmin, lp: lpKey(SEED, 2), liquidity: 1n, senders: [{ key: testKeyPair(SEED, "sender/uk", 99), amount: 1n }] }).catch((e: unknown) => e);
  expect(isCorridorError(err)).toBe(true);
  expect((err as { code: string }).code).toBe("CORRIDOR_REVERT_AccessControlUnauthorizedAccount");
  expect((err as { details: { step: string; chain: string } }).details).toMatchObject({ step: "fund senders", chain: "uk" });
  expect(await automine(chain)).toBe(true);
  // Nothing of the step is left pending: all of it was mined (one block) before the error.
  expect((await getBlock(chain)).number - before.number).toBe(1);
  expect(await chain.request("eth_getTransactionCount", [testKeyPair(SEED, "not-admin").address, "pending"])).toBe("0x2");
});

it("funds a chain that takes no block production commands (a public RPC) as before: each transaction awaited, one per block", async () => {
  const inner = c.chains.us!;
  const d = c.deployment.chains.us!;
  const refused = new Set(["hardhat_getAutomine", "evm_setAutomine", "evm_mine"]);
  const chain = await chainFromProvider({
    name: inner.name,
    kind: "rpc",
    endpoint: "https://rpc.example",
    provider: {
      request: async ({ method, params }) => {
        if (refused.has(method)) throw Object.assign(new Error(`the method ${method} does not exist/is not available`), { code: -32601 });
        return inner.request(method, (params ?? []) as readonly unknown[]);
      },
    },
  });
  const senders = Array.from({ length: 3 }, (_, i) => ({ key: testKeyPair(SEED, "sender/us/rpc", i), amount: 7n }));
  const before = await getBlock(chain);
  await fundChain({ chain, deployment: d, issuerKey: c.keys.deployer, lp: lpKey(SEED, 3), liquidity: 1_000n, senders });
  // grantRole, the provider's mint, approval and deposit, 3 mints, 3 × 2 approvals.
  expect((await getBlock(chain)).number - before.number).toBe(4 + senders.length * (1 + Object.keys(d.tokens).length));
  for (const s of senders) expect(await read<bigint>(chain, d.tokens[d.home]!, "token", "balanceOf", [s.key.address])).toBe(7n);
});

it("gives up with CORRIDOR_TX_TIMEOUT, automine restored, when blocks stop taking its transactions", async () => {
  const chain = c.chains.us!;
  const d = c.deployment.chains.us!;
  // Senders that offer 1 wei per gas, below the base fee: the node holds their approvals but no block takes them.
  const cheap = (k: KeyPair) => new TxSender(chain, k.privateKey, { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
  const before = await getBlock(chain);
  const err = await fundChain({ chain, deployment: d, issuerKey: c.keys.deployer, lp: lpKey(SEED, 4), liquidity: 1n, senders: [{ key: testKeyPair(SEED, "sender/us/cheap", 0), amount: 1n }], txSender: cheap }).catch((e: unknown) => e);
  expect(isCorridorError(err, "CORRIDOR_TX_TIMEOUT")).toBe(true);
  expect(await automine(chain)).toBe(true);
  // The first step's block, the second step's block (mint and deposit), then three that took nothing.
  expect((await getBlock(chain)).number - before.number).toBe(5);
});
