/**
 * ChainView's coalesced reads (src/operator/chain-view.ts) on a real embedded corridor: many concurrent
 * `outbound` / `consumed` / `sendDepths` / `sourceFinal` / `pastDeadline` reads answer exactly what the
 * gateway's own getters answer id by id (at the latest block and at explicit depths), with one eth_call
 * of the CorridorLens per (chain, block, getter) and one head read per chain; without a lens (an older
 * deployment file), or at a block before the lens existed, they read id by id with the same answers. A
 * failed batched call rejects every read in it; no read or head read is answered from a request sent
 * before it was asked.
 *
 * Requests are counted through a Chain wrapped around the real one (its `request` and a viem client
 * over it, as chainFromProvider builds them). Settled (`consumed`) and finalized (`outbound` = 2) ids are
 * made by writing the gateway's storage (settling for real takes attestations, which this test is not
 * about); the two mappings' slots are found by probing, so the test does not depend on the layout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeFunctionResult, encodeAbiParameters, encodeFunctionData, keccak256, toHex, type Hex } from "viem";
import { bootCorridor, type BootedCorridor } from "../../src/corridor/boot.js";
import { chainFromProvider, type Chain } from "../../src/chains/chain.js";
import { testKeyPair } from "../../src/chains/keys.js";
import { getBlock, mineEmptyBlocks } from "../../src/chains/mining.js";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import type { ChainProfile } from "../../src/chains/profiles.js";
import { loadArtifact } from "../../src/contracts/artifacts.js";
import type { Deployment } from "../../src/contracts/deploy.js";
import { fundCorridor } from "../../src/contracts/fund.js";
import { decodeGatewayLogs, encodeSend, GAS, gatewayAbi, OUTBOUND_FINALIZED } from "../../src/contracts/gateway.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { hashMessage, NO_QUOTE, tierName, TIER, ZERO_HASH, type Message } from "../../src/domain/message.js";
import { ChainView, decodeLensResult, encodeLensCall, LENS_BATCH, type Route } from "../../src/operator/chain-view.js";
import { confirmationsFor } from "../../src/chains/profiles.js";

const SEED = "chain-view-batching";
const US = "us";
const UK = "uk";
const profile = (fast: number, standard: number): ChainProfile => ({ blockTimeSeconds: 1, fastConfirmations: fast, standardConfirmations: standard, publishedFastSeconds: null, publishedStandardMinutes: null });
const PROFILES: Record<string, ChainProfile> = { [US]: profile(2, 5), [UK]: profile(3, 4) };

/** A Chain over `inner` whose every request is counted by method; `hook` may fail or delay one. */
interface Counted {
  chain: Chain;
  counts: Record<string, number>;
  reset(): void;
}
async function counted(inner: Chain, hook?: (method: string, params: readonly unknown[], forward: () => Promise<unknown>) => Promise<unknown>): Promise<Counted> {
  const counts: Record<string, number> = {};
  const chain = await chainFromProvider({
    name: inner.name,
    kind: inner.kind,
    endpoint: inner.endpoint,
    provider: {
      request: ({ method, params }) => {
        const p = (params ?? []) as readonly unknown[];
        counts[method] = (counts[method] ?? 0) + 1;
        const forward = () => inner.request(method, p);
        return hook ? hook(method, p, forward) : forward();
      },
    },
  });
  return { chain, counts, reset: () => Object.keys(counts).forEach((k) => delete counts[k]) };
}

interface Sent {
  id: Hex;
  message: Message;
  route: Route;
}

let c: BootedCorridor;
const sent: Sent[] = [];
/** Ids no gateway has seen. */
const unknown = Array.from({ length: 4 }, (_, i) => keccak256(toHex(`unknown ${i}`)));
/** Set by storage writes: settled on the destination, finalized on the source. */
const settledIds = new Set<string>();
const finalizedIds = new Set<string>();

/** The gateway getter read id by id, straight from the chain (what ChainView read before it batched). */
async function getter(chain: string, fn: "outbound" | "consumed", id: Hex, blockNumber?: bigint): Promise<Hex | boolean> {
  return (await c.chains[chain]!.client.readContract({
    address: c.deployment.chains[chain]!.gateway,
    abi: gatewayAbi(),
    functionName: fn,
    args: [id],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  })) as Hex | boolean;
}
async function refOutbound(route: Route, id: Hex, depth: number, head: number): Promise<Hex | undefined> {
  if (depth <= 1) return getter(route.srcChain, "outbound", id) as Promise<Hex>;
  const at = head - depth + 1;
  return at < 0 ? undefined : (getter(route.srcChain, "outbound", id, BigInt(at)) as Promise<Hex>);
}
/** ChainView.sendDepths as it read before batching: one head, the tier's depth, then finality's. */
async function refSendDepths(s: Sent): Promise<{ atTier: boolean; final: boolean }> {
  const p = PROFILES[s.route.srcChain]!;
  const tier = confirmationsFor(p, tierName(s.message.tier));
  const final = p.standardConfirmations;
  const head = (await getBlock(c.chains[s.route.srcChain]!)).number;
  const hash = hashMessage(s.message);
  const atTier = await refOutbound(s.route, s.id, tier, head);
  if (atTier !== hash) return { atTier: false, final: false };
  const atFinal = final === tier ? atTier : await refOutbound(s.route, s.id, final, head);
  return { atTier: true, final: atFinal === hash || atFinal === OUTBOUND_FINALIZED };
}

/** The slot of the gateway mapping read by `fn`: the one whose entry for a probe id, once written, changes what `fn` returns. */
/** The first block at which `address` has code on `chain`. */
async function codeFrom(chain: Chain, address: Hex): Promise<number> {
  let b = 0;
  while ((await chain.request<Hex>("eth_getCode", [address, toHex(b)])) === "0x") b++;
  return b;
}

async function mappingSlot(chain: Chain, gateway: Hex, fn: "outbound" | "consumed"): Promise<bigint> {
  const probe = keccak256(toHex("probe"));
  for (let slot = 0n; slot < 512n; slot++) {
    const key = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [probe, slot]));
    const before = await chain.request<Hex>("eth_getStorageAt", [gateway, key, "latest"]);
    await chain.request("hardhat_setStorageAt", [gateway, key, toHex(1, { size: 32 })]);
    const got = await chain.client.readContract({ address: gateway, abi: gatewayAbi(), functionName: fn, args: [probe] });
    await chain.request("hardhat_setStorageAt", [gateway, key, before]);
    if (got === true || got === toHex(1, { size: 32 })) return slot;
  }
  throw new Error(`no storage slot found for ${fn}`);
}
async function writeMapping(chain: Chain, gateway: Hex, slot: bigint, id: Hex, value: Hex): Promise<void> {
  const key = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [id, slot]));
  await chain.request("hardhat_setStorageAt", [gateway, key, value]);
}

const noLens = (d: Deployment): Deployment => ({ chains: Object.fromEntries(Object.entries(d.chains).map(([n, cd]) => [n, { ...cd, lens: undefined }])) });
const viewOver = (chains: Record<string, Chain>, deployment: Deployment = c.deployment) => new ChainView({ chains, profiles: PROFILES, deployment });
async function countedChains(hook?: Parameters<typeof counted>[1]): Promise<{ chains: Record<string, Chain>; calls: () => number; heads: () => number; reset(): void }> {
  const w = { [US]: await counted(c.chains[US]!, hook), [UK]: await counted(c.chains[UK]!, hook) };
  const sum = (m: string) => Object.values(w).reduce((a, x) => a + (x.counts[m] ?? 0), 0);
  return {
    chains: { [US]: w[US]!.chain, [UK]: w[UK]!.chain },
    calls: () => sum("eth_call"),
    heads: () => sum("eth_getBlockByNumber"),
    reset: () => Object.values(w).forEach((x) => x.reset()),
  };
}

beforeAll(async () => {
  c = await bootCorridor({ seed: SEED });
  const senders = Object.fromEntries([US, UK].map((n) => [n, Array.from({ length: 4 }, (_, i) => testKeyPair(SEED, `senders/${n}`, i))]));
  await fundCorridor({ spec: c.spec, chains: c.chains, deployment: c.deployment, seed: SEED, issuerKey: c.keys.deployer, liquidity: () => toBaseUnits("1000000"), senders: (n) => (senders[n] ?? []).map((key) => ({ key, amount: toBaseUnits("100000") })) });
  const deadline = BigInt((await getBlock(c.chains[US]!)).timestamp + 86_400);
  // 16 sends, alternating direction and tier, each mined in its own block (automine): their ids are pending from different heights.
  for (let i = 0; i < 16; i++) {
    const [from, to] = i % 2 === 0 ? [US, UK] : [UK, US];
    const src = c.deployment.chains[from]!;
    const dst = c.deployment.chains[to]!;
    const key = senders[from]![i % 4]!;
    const hash = await new TxSender(c.chains[from]!, key.privateKey).send({
      to: src.gateway,
      gas: GAS.send,
      data: encodeSend({ inputToken: src.tokens[src.home]!, dstChainId: BigInt(dst.chainId), outputToken: dst.tokens[dst.home]!, recipient: senders[to]![i % 4]!.address, amount: toBaseUnits("10"), maxFee: 0n, minAmountOut: 0n, deadline, tier: i % 4 < 2 ? TIER.standard : TIER.fast, extraHash: ZERO_HASH, quote: NO_QUOTE }),
    });
    const r = await waitForReceipt(c.chains[from]!, hash);
    const ev = decodeGatewayLogs(r.logs).find((e) => e.name === "TransferSent");
    if (r.status !== "success" || ev?.name !== "TransferSent") throw new Error(`send ${i} failed`);
    sent.push({ id: ev.id, message: ev.message, route: { srcChain: from, dstChain: to, inputCurrency: src.home, outputCurrency: dst.home } });
    if (i % 3 === 0) await mineEmptyBlocks(c.chains[from]!, 1, 1);
  }
  // Some settled on their destination, some finalized on their source, then a few more blocks.
  const slots: Record<"consumed" | "outbound", Record<string, bigint>> = {
    consumed: { [US]: await mappingSlot(c.chains[US]!, c.deployment.chains[US]!.gateway, "consumed"), [UK]: await mappingSlot(c.chains[UK]!, c.deployment.chains[UK]!.gateway, "consumed") },
    outbound: { [US]: await mappingSlot(c.chains[US]!, c.deployment.chains[US]!.gateway, "outbound"), [UK]: await mappingSlot(c.chains[UK]!, c.deployment.chains[UK]!.gateway, "outbound") },
  };
  for (const [i, s] of sent.entries()) {
    if (i % 4 === 1) {
      await writeMapping(c.chains[s.route.dstChain]!, c.deployment.chains[s.route.dstChain]!.gateway, slots.consumed[s.route.dstChain]!, s.id, toHex(1, { size: 32 }));
      settledIds.add(s.id);
    }
    if (i % 5 === 2) {
      await writeMapping(c.chains[s.route.srcChain]!, c.deployment.chains[s.route.srcChain]!.gateway, slots.outbound[s.route.srcChain]!, s.id, OUTBOUND_FINALIZED);
      finalizedIds.add(s.id);
    }
  }
  await Promise.all([US, UK].map((n) => mineEmptyBlocks(c.chains[n]!, 3, 1)));
});

afterAll(async () => {
  await c?.close();
});

describe("the lens calldata", () => {
  it("is what viem encodes from the CorridorLens ABI, and decodes as viem does", () => {
    const abi = loadArtifact("CorridorLens").abi;
    const gateway = c.deployment.chains[US]!.gateway;
    for (const n of [0, 1, 7]) {
      const ids = Array.from({ length: n }, (_, i) => keccak256(toHex(i)));
      expect(encodeLensCall("outbound", gateway, ids)).toBe(encodeFunctionData({ abi, functionName: "outboundOf", args: [gateway, ids] }));
      expect(encodeLensCall("consumed", gateway, ids)).toBe(encodeFunctionData({ abi, functionName: "consumedOf", args: [gateway, ids] }));
      const hashes = encodeAbiParameters([{ type: "bytes32[]" }], [ids]);
      const flags = encodeAbiParameters([{ type: "bool[]" }], [ids.map((_, i) => i % 2 === 0)]);
      expect(decodeLensResult("outbound", hashes, n)).toEqual(decodeFunctionResult({ abi, functionName: "outboundOf", data: hashes }));
      expect(decodeLensResult("consumed", flags, n)).toEqual(decodeFunctionResult({ abi, functionName: "consumedOf", data: flags }));
      expect(decodeLensResult("outbound", hashes, n + 1)).toBeUndefined();
    }
    expect(decodeLensResult("consumed", encodeAbiParameters([{ type: "uint256[]" }], [[2n]]), 1)).toBeUndefined();
  });
});

describe("ChainView's batched reads on an embedded corridor", () => {
  it("the fixture: sends from several heights, some settled, some finalized, each chain with its lens", async () => {
    expect(sent).toHaveLength(16);
    expect(settledIds.size).toBeGreaterThan(0);
    expect(finalizedIds.size).toBeGreaterThan(0);
    for (const n of [US, UK]) expect(await c.chains[n]!.request<Hex>("eth_getCode", [c.deployment.chains[n]!.lens, "latest"])).not.toBe("0x");
  });

  it("answers many concurrent outbound reads at every depth and consumed reads exactly as per-id reads, in one eth_call per chain, block and getter", async () => {
    const w = await countedChains();
    const view = viewOver(w.chains);
    const heads: Record<string, number> = { [US]: (await getBlock(c.chains[US]!)).number, [UK]: (await getBlock(c.chains[UK]!)).number };
    // Every block from the lens's first to the head, and one depth beyond the chain's start (undefined).
    const lensFrom: Record<string, number> = { [US]: await codeFrom(c.chains[US]!, c.deployment.chains[US]!.lens!), [UK]: await codeFrom(c.chains[UK]!, c.deployment.chains[UK]!.lens!) };
    const depthsOf = (chain: string) => [...Array.from({ length: heads[chain]! - lensFrom[chain]! + 1 }, (_, i) => i + 1), heads[chain]! + 2];
    const everyId = [...sent, ...unknown.map((id, i) => ({ id, route: sent[i]!.route }))];
    w.reset();
    // All asked in one turn: with the head given, nothing is awaited before the reads.
    const outbound = everyId.flatMap((s) => depthsOf(s.route.srcChain).map((d) => view.outbound(s.route, s.id, d, heads[s.route.srcChain])));
    const consumed = everyId.map((s) => view.consumed(s.route, s.id));
    const twice = everyId.map((s) => view.consumed(s.route, s.id));
    const [got, gotConsumed, gotTwice] = await Promise.all([Promise.all(outbound), Promise.all(consumed), Promise.all(twice)]);
    const batchedCalls = w.calls();

    const want = await Promise.all(everyId.flatMap((s) => depthsOf(s.route.srcChain).map((d) => refOutbound(s.route, s.id, d, heads[s.route.srcChain]!))));
    const wantConsumed = await Promise.all(everyId.map((s) => getter(s.route.dstChain, "consumed", s.id)));
    expect(got).toEqual(want);
    expect(gotConsumed).toEqual(wantConsumed);
    expect(gotTwice).toEqual(wantConsumed);
    // The fixture's values really vary: unknown, pending (from some height on), finalized, settled.
    expect(new Set(want.map(String)).size).toBeGreaterThan(10);
    expect(want).toContain(OUTBOUND_FINALIZED);
    expect(want).toContain(undefined);
    expect(wantConsumed.filter(Boolean)).toHaveLength(settledIds.size);

    // One eth_call per (source chain, block) read plus one per destination chain for `consumed`.
    const blockOf = (chain: string, d: number) => (d === 1 ? "latest" : heads[chain]! - d + 1 >= 0 ? heads[chain]! - d + 1 : undefined);
    const blocks = new Set(everyId.flatMap((s) => depthsOf(s.route.srcChain).map((d) => blockOf(s.route.srcChain, d)).filter((b) => b !== undefined).map((b) => `${s.route.srcChain}:${b}`)));
    const dsts = new Set(everyId.map((s) => s.route.dstChain));
    expect(batchedCalls).toBe(blocks.size + dsts.size);
    expect(outbound.length + 2 * consumed.length).toBeGreaterThan(8 * batchedCalls); // id by id: one each
    expect(w.heads()).toBe(0);
  });

  it("answers concurrent sendDepths, sourceFinal and pastDeadline as the per-id reads do, sharing one head read per chain", async () => {
    const w = await countedChains();
    const view = viewOver(w.chains);
    w.reset();
    const [depths, finals, past] = await Promise.all([
      Promise.all(sent.map((s) => view.sendDepths(s.route, s.message, s.id))),
      Promise.all(sent.map((s) => view.sourceFinal(s.route, s.message, s.id))),
      Promise.all(sent.map((s) => view.pastDeadline(s.route, s.message))),
    ]);
    const calls = w.calls();
    const heads = w.heads();
    const want = await Promise.all(sent.map((s) => refSendDepths(s)));
    expect(depths).toEqual(want);
    // The fixture has every case: not at the tier's depth yet (the last sends), at it but not final, final.
    expect(new Set(want.map((x) => `${x.atTier}/${x.final}`))).toEqual(new Set(["true/true", "true/false", "false/false"]));
    const wantFinal = await Promise.all(
      sent.map(async (s) => {
        const at = await refOutbound(s.route, s.id, PROFILES[s.route.srcChain]!.standardConfirmations, (await getBlock(c.chains[s.route.srcChain]!)).number);
        return at === hashMessage(s.message) || at === OUTBOUND_FINALIZED;
      }),
    );
    expect(finals).toEqual(wantFinal);
    expect(past).toEqual(sent.map(() => false));
    // Per id these were 16 x (1 + 2 + 1) eth_calls and 16 x 3 head reads.
    expect(heads).toBe(2);
    expect(calls).toBeLessThanOrEqual(8);
  });

  it("reads id by id, with the same answers, for a deployment without a lens (deduplicating an id asked twice in a turn)", async () => {
    const w = await countedChains();
    const view = viewOver(w.chains, noLens(c.deployment));
    const head: Record<string, number> = { [US]: (await getBlock(c.chains[US]!)).number, [UK]: (await getBlock(c.chains[UK]!)).number };
    w.reset();
    const [got, again, gotConsumed] = await Promise.all([
      Promise.all(sent.map((s) => view.outbound(s.route, s.id, 3, head[s.route.srcChain]))),
      Promise.all(sent.map((s) => view.outbound(s.route, s.id, 3, head[s.route.srcChain]))),
      Promise.all(sent.map((s) => view.consumed(s.route, s.id))),
    ]);
    // No lens: one eth_call per distinct id and getter; the repeated outbound reads shared theirs.
    expect(w.calls()).toBe(2 * sent.length);
    expect(got).toEqual(await Promise.all(sent.map((s) => refOutbound(s.route, s.id, 3, head[s.route.srcChain]!))));
    expect(again).toEqual(got);
    expect(gotConsumed).toEqual(await Promise.all(sent.map((s) => getter(s.route.dstChain, "consumed", s.id))));
    expect(await Promise.all(sent.map((s) => view.sendDepths(s.route, s.message, s.id)))).toEqual(await Promise.all(sent.map((s) => refSendDepths(s))));
  });

  it("reads id by id at a block before the lens was deployed, answering as the gateway did there, and nothing sent before the gateway", async () => {
    const chain = c.chains[US]!;
    const { lens, gateway } = c.deployment.chains[US]!;
    const head = (await getBlock(chain)).number;
    const lensBlock = await codeFrom(chain, lens!);
    const gatewayBlock = await codeFrom(chain, gateway);
    expect(gatewayBlock).toBeLessThan(lensBlock);
    const w = await countedChains();
    const view = viewOver(w.chains);
    const ours = sent.filter((s) => s.route.srcChain === US);
    const depth = head - (lensBlock - 1) + 1;
    w.reset();
    const got = await Promise.all(ours.map((s) => view.outbound(s.route, s.id, depth, head)));
    expect(got).toEqual(await Promise.all(ours.map((s) => refOutbound(s.route, s.id, depth, head))));
    expect(got.every((h) => h === ZERO_HASH)).toBe(true);
    expect(w.calls()).toBe(1 + ours.length); // the lens call (no code there: "0x"), then each id
    // Before the gateway: the gateway getter's own read fails there (no code); the view answers that
    // nothing was sent (epoch finality reads up to 96 blocks back, past a young gateway's deployment).
    const early = head - (gatewayBlock - 1) + 1;
    const refFailed = await Promise.all(ours.map((s) => refOutbound(s.route, s.id, early, head).then(() => undefined, (e: Error) => e.name)));
    expect(refFailed[0]).toBe("ContractFunctionExecutionError");
    const before = await Promise.all(ours.map((s) => view.outbound(s.route, s.id, early, head)));
    expect(before.every((h) => h === ZERO_HASH)).toBe(true);
  });

  it(`splits a batch of more than ${LENS_BATCH} ids into calls of at most ${LENS_BATCH}`, async () => {
    const w = await countedChains();
    const view = viewOver(w.chains);
    const route = sent[0]!.route;
    const many = [...Array.from({ length: 2 * LENS_BATCH + 10 }, (_, i) => keccak256(toHex(`many ${i}`))), ...sent.filter((s) => s.route.dstChain === route.dstChain).map((s) => s.id)];
    w.reset();
    const got = await Promise.all(many.map((id) => view.consumed(route, id)));
    expect(w.calls()).toBe(3);
    expect(got).toEqual(many.map((id) => settledIds.has(id)));
  });

  it("rejects every read of a failed batched call with its error, and reads afresh afterwards", async () => {
    let fail = true;
    const boom = new Error("node down");
    const w = await countedChains(async (method, _params, forward) => {
      if (method === "eth_call" && fail) throw boom;
      return forward();
    });
    const view = viewOver(w.chains);
    const reads = sent.map((s) => view.outbound(s.route, s.id, 1).then(() => "ok", (e: unknown) => e));
    expect(await Promise.all(reads)).toEqual(sent.map(() => boom));
    expect(w.calls()).toBe(2);
    fail = false;
    expect(await Promise.all(sent.map((s) => view.outbound(s.route, s.id, 1)))).toEqual(await Promise.all(sent.map((s) => getter(s.route.srcChain, "outbound", s.id))));
  });

  it("never answers a read, or a head read, from a request sent before it was asked", async () => {
    // Each answer held back 100 ms after the node gave it: a request stays in flight while the chain moves on.
    const w = await countedChains(async (_method, _params, forward) => {
      const answer = await forward();
      await new Promise((r) => setTimeout(r, 100));
      return answer;
    });
    const view = viewOver(w.chains);
    const chain = c.chains[UK]!;
    const first = view.head(UK);
    const shared = view.head(UK);
    await new Promise((r) => setTimeout(r, 20)); // sent, answered by the node, not yet delivered
    await mineEmptyBlocks(chain, 1, 1);
    const later = view.head(UK);
    const [a, b, d] = await Promise.all([first, shared, later]);
    expect(b).toEqual(a);
    expect(d.number).toBe(a.number + 1);

    const s = sent.find((x) => x.route.dstChain === UK && !settledIds.has(x.id))!;
    const before = view.consumed(s.route, s.id);
    await new Promise((r) => setTimeout(r, 20));
    const slot = await mappingSlot(chain, c.deployment.chains[UK]!.gateway, "consumed");
    await writeMapping(chain, c.deployment.chains[UK]!.gateway, slot, s.id, toHex(1, { size: 32 }));
    try {
      const after = view.consumed(s.route, s.id);
      expect([await before, await after]).toEqual([false, true]);
    } finally {
      await writeMapping(chain, c.deployment.chains[UK]!.gateway, slot, s.id, toHex(0, { size: 32 }));
    }
  });
});
