/**
 * `npm run bench`: the corridor against the engine's own limit, on the embedded EDR chains.
 * Prints, in one run and with the same settings for each part:
 *  1. raw ERC-20 transfers per second (the engine's limit), over EIP-1193 and over HTTP;
 *  2. end-to-end corridor transfers per second (send -> settle, every transfer checked), batched and unbatched;
 *  3. their ratio;
 *  4. wall-time added latency (source inclusion -> destination inclusion) at 100 transfers/s, p50 and p99;
 *  5. the high-volume scenario (if BENCH_HIGH_VOLUME=1): simulated seconds per wall second, wall time, peak RSS.
 * Ratios are computed within one run, so machine noise affects both sides alike.
 */
import { spawnSync } from "node:child_process";
import { encodeFunctionData, maxUint256, type Hex } from "viem";
import { bootCorridor, type BootedCorridor } from "../src/chains/setup.js";
import { testKeyPair } from "../src/chains/keys.js";
import { TxSender, type TxRequest } from "../src/chains/tx-sender.js";
import { getBlock, mineBlockAt, setAutomine } from "../src/chains/mining.js";
import type { Chain } from "../src/chains/chain.js";
import { fundNative, sendAll } from "../src/contracts/deploy.js";
import { encodeSend, GAS, gatewayAbi, tokenAbi } from "../src/contracts/gateway.js";
import { NO_QUOTE, TIER, ZERO_HASH } from "../src/domain/message.js";
import { toBaseUnits } from "../src/domain/money.js";
import { fixedRate } from "../src/domain/fx/rate-source.js";
import { VirtualClock, wallClock } from "../src/domain/clock.js";
import { percentile } from "../src/domain/stats.js";
import { CHAIN_PROFILES } from "../src/chains/profiles.js";
import { Operator } from "../src/operator/operator.js";
import { Quoter } from "../src/operator/quoter.js";
import { connectOperator } from "../src/operator/service.js";
import { Relayer } from "../src/relayer/relayer.js";
import { MemoryTransferStore } from "../src/relayer/store.js";
import { createWallScheduler } from "../src/relayer/wall-scheduler.js";
import { startLocalNode } from "../src/live/nodes.js";
import { silentLogger } from "../src/logger.js";
import { packagePath } from "../src/paths.js";

const N = Number(process.env.BENCH_N ?? 2000);
const SENDERS = 20;

async function fund(c: BootedCorridor, seed: string) {
  const senders: Record<string, { privateKey: Hex; address: Hex }[]> = {};
  for (const name of ["us", "uk"] as const) {
    const chain = c.chains[name]!;
    const d = c.deployment.chains[name]!;
    const token = d.tokens[d.home];
    const lp = testKeyPair(seed, "lp", name.length + (name === "us" ? 0 : 1));
    senders[name] = Array.from({ length: SENDERS }, (_, i) => testKeyPair(seed, `bench/${name}`, i));
    await fundNative(chain, [lp.address, ...senders[name]!.map((s) => s.address)]);
    const issuer = new TxSender(chain, c.keys.deployer);
    const minter = (await chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "MINTER_ROLE" })) as Hex;
    const txs: TxRequest[] = [{ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [minter, issuer.address] }) }];
    txs.push({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [lp.address, toBaseUnits("100000000")] }) });
    for (const s of senders[name]!) txs.push({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [s.address, toBaseUnits("10000000")] }) });
    await sendAll(issuer, txs, "fund");
    await sendAll(new TxSender(chain, lp.privateKey), [
      { to: token, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [d.gateway, maxUint256] }) },
      { to: d.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [token, toBaseUnits("100000000")] }) },
    ], "lp");
    for (const s of senders[name]!) {
      await sendAll(new TxSender(chain, s.privateKey), Object.values(d.tokens).map((t) => ({ to: t, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [d.gateway, maxUint256] }) })), "approve");
    }
  }
  return senders;
}

/** Raw ERC-20 transfers: sign, submit, mine, check every receipt. The engine's own limit for token movements. */
async function rawErc20(chain: Chain, token: Hex, senders: { privateKey: Hex; address: Hex }[]): Promise<number> {
  await setAutomine(chain, false);
  const txs = senders.map((s) => new TxSender(chain, s.privateKey));
  await Promise.all(txs.map((t) => t.sync()));
  const t0 = performance.now();
  const hashes: Hex[] = [];
  for (let i = 0; i < N; i++) {
    hashes.push(await txs[i % txs.length]!.send({ to: token, gas: 60_000n, data: encodeFunctionData({ abi: tokenAbi(), functionName: "transfer", args: [senders[(i + 1) % senders.length]!.address, 1n] }) }));
  }
  // Mine until every transfer is in (a block holds ~1,000 of them at the default gas limit).
  let ts = (await getBlock(chain)).timestamp;
  for (let left = hashes.length, blocks = 0; left > 0; blocks++) {
    if (blocks > 50) throw new Error("raw transfers not mined");
    await mineBlockAt(chain, ++ts);
    const last = await chain.request<{ status: string } | null>("eth_getTransactionReceipt", [hashes[hashes.length - 1]]);
    if (last) left = 0;
  }
  for (const h of hashes) {
    const r = await chain.request<{ status: string } | null>("eth_getTransactionReceipt", [h]);
    if (r?.status !== "0x1") throw new Error("raw transfer failed");
  }
  const seconds = (performance.now() - t0) / 1000;
  await setAutomine(chain, true);
  return N / seconds;
}

/** End to end: N corridor sends (both directions) through confirmation, attestation and batched settlement, all checked settled. */
async function corridorE2E(c: BootedCorridor, senders: Record<string, { privateKey: Hex; address: Hex }[]>, maxBatch: number): Promise<number> {
  const clock = new VirtualClock(0);
  const store = new MemoryTransferStore();
  const profiles = { us: CHAIN_PROFILES.local!, uk: CHAIN_PROFILES.local! };
  for (const ch of Object.values(c.chains)) await setAutomine(ch, false);
  const relayer = new Relayer({ chains: c.chains, profiles, deployment: c.deployment, store, relayerKey: c.keys.relayer, clock, logger: silentLogger, maxBatch });
  const quoter = new Quoter({ privateKey: testKeyPair("bench", "quoter").privateKey, source: fixedRate(0.75), spreadBps: { default: 10 }, ttlSeconds: 60 });
  const operator = new Operator({ chains: c.chains, profiles, deployment: c.deployment, attesters: c.attesters, quoter, clock });
  // Zero latency, run inline: the scheduler just runs the work at once.
  const pending: Promise<void>[] = [];
  relayer.connect(connectOperator({ operator, relayer, scheduler: { now: () => clock.now(), after: (_s, fn) => void pending.push(Promise.resolve().then(fn)) }, logger: silentLogger, screeningSeconds: 0, attestationSeconds: 0 }));
  const names = ["us", "uk"] as const;
  for (const n of names) store.setCursor(n, (await getBlock(c.chains[n]!)).number);
  const txs = Object.fromEntries(names.map((n) => [n, senders[n]!.map((s) => new TxSender(c.chains[n]!, s.privateKey))]));
  await Promise.all(Object.values(txs).flat().map((t) => t.sync()));
  const t0 = performance.now();
  const deadline = BigInt((await getBlock(c.chains.us!)).timestamp + 86_400);
  for (let i = 0; i < N; i++) {
    const from = i % 2 === 0 ? "us" : "uk";
    const to = from === "us" ? "uk" : "us";
    const src = c.deployment.chains[from]!;
    const dst = c.deployment.chains[to]!;
    await txs[from]![i % SENDERS]!.send({
      to: src.gateway,
      gas: GAS.send,
      data: encodeSend({ inputToken: src.tokens[src.home], dstChainId: BigInt(dst.chainId), outputToken: dst.tokens[dst.home], recipient: senders[to]![i % SENDERS]!.address, amount: 1_000_000n, maxFee: 0n, minAmountOut: 0n, deadline, tier: TIER.standard, extraHash: ZERO_HASH, quote: NO_QUOTE }),
    });
  }
  let ts = Math.max(...(await Promise.all(names.map(async (n) => (await getBlock(c.chains[n]!)).timestamp)))) + 1;
  for (let round = 0; relayer.terminalCount < N; round++) {
    if (round > 200) throw new Error(`stalled at ${relayer.terminalCount}/${N}`);
    for (const n of names) {
      await relayer.flush(n);
      await mineBlockAt(c.chains[n]!, ts);
      await relayer.poll(n);
    }
    ts++;
    while (pending.length) await Promise.all(pending.splice(0));
  }
  const seconds = (performance.now() - t0) / 1000;
  const settled = [...store.all()].filter((r) => r.state === "settled").length;
  if (settled < N) throw new Error(`only ${settled}/${N} settled`);
  for (const ch of Object.values(c.chains)) await setAutomine(ch, true);
  return N / seconds;
}

/** Wall time, automine (no confirmations to wait for): latency the relayer and operator add at `rate` transfers per second. */
async function addedLatency(c: BootedCorridor, senders: Record<string, { privateKey: Hex; address: Hex }[]>, rate: number, count: number) {
  const store = new MemoryTransferStore();
  const profiles = { us: CHAIN_PROFILES.local!, uk: CHAIN_PROFILES.local! };
  const relayer = new Relayer({ chains: c.chains, profiles, deployment: c.deployment, store, relayerKey: c.keys.relayer, clock: wallClock, logger: silentLogger, maxBatch: 50 });
  const quoter = new Quoter({ privateKey: testKeyPair("bench", "quoter").privateKey, source: fixedRate(0.75), spreadBps: { default: 10 }, ttlSeconds: 60 });
  const operator = new Operator({ chains: c.chains, profiles, deployment: c.deployment, attesters: c.attesters, quoter, clock: wallClock });
  const scheduler = createWallScheduler(() => {});
  relayer.connect(connectOperator({ operator, relayer, scheduler, logger: silentLogger, screeningSeconds: 0, attestationSeconds: 0 }));
  for (const n of ["us", "uk"]) store.setCursor(n, (await getBlock(c.chains[n]!)).number);
  const included = new Map<string, number>();
  const latencies: number[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      for (const n of ["us", "uk"]) {
        await relayer.flush(n);
        const before = relayer.terminalCount;
        await relayer.poll(n);
        if (relayer.terminalCount > before) {
          const now = performance.now();
          for (const r of store.all()) if (r.state === "settled" && !included.has(`done:${r.id}`)) {
            included.set(`done:${r.id}`, 1);
            const t = included.get(r.srcTxHash);
            if (t !== undefined) latencies.push(now - t);
          }
        }
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  const txs = senders.us!.map((s) => new TxSender(c.chains.us!, s.privateKey));
  const src = c.deployment.chains.us!;
  const dst = c.deployment.chains.uk!;
  const deadline = BigInt((await getBlock(c.chains.us!)).timestamp + 86_400);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    while (performance.now() < due) await new Promise((r) => setTimeout(r, 1));
    const hash = await txs[i % txs.length]!.send({
      to: src.gateway,
      gas: GAS.send,
      data: encodeSend({ inputToken: src.tokens.USD, dstChainId: BigInt(dst.chainId), outputToken: dst.tokens.USD, recipient: senders.uk![0]!.address, amount: 1_000_000n, maxFee: 0n, minAmountOut: 0n, deadline, tier: TIER.fast, extraHash: ZERO_HASH, quote: NO_QUOTE }),
    });
    included.set(hash, performance.now()); // automine: included when the call returns
  }
  const until = performance.now() + 20_000;
  while (latencies.length < count && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  stop = true;
  await loop;
  scheduler.stop();
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50)!, p99: percentile(sorted, 99)!, measured: sorted.length, count };
}

function highVolume() {
  const r = spawnSync(process.execPath, [packagePath("bin", "corridor.mjs"), "simulate", "scenarios/high-volume.json", "--out", "out/high-volume", "--quiet"], { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CORRIDOR_REPORT_RSS: "1" } });
  return r.status;
}

const fmt = (x: number, d = 1) => x.toFixed(d);
console.log(`Corridor benchmark: ${N} transfers per measurement, ${SENDERS} senders per chain, embedded Hardhat EDR chains, local keys.`);
const c = await bootCorridor({ seed: "bench" });
const senders = await fund(c, "bench");
const rawEip1193 = await rawErc20(c.chains.us!, c.deployment.chains.us!.tokens.USD, senders.us!);
console.log(`1. raw ERC-20 transfers/s (EIP-1193, in process):   ${fmt(rawEip1193)}`);
const e2e = await corridorE2E(c, senders, 50);
console.log(`2. corridor transfers/s, end to end, batches of 50:  ${fmt(e2e)}`);
console.log(`3. corridor / raw ratio:                             ${fmt(e2e / rawEip1193, 3)}   (target >= 0.8)`);
const e2eUnbatched = await corridorE2E(c, senders, 1);
console.log(`   lever: batches of 1 instead of 50:                ${fmt(e2eUnbatched)} /s  (batching buys x${fmt(e2e / e2eUnbatched, 2)})`);
const lat = await addedLatency(c, senders, 100, 500);
console.log(`4. added latency at 100 transfers/s (wall time, no confirmations): p50 ${fmt(lat.p50)} ms, p99 ${fmt(lat.p99)} ms (${lat.measured}/${lat.count} measured; target p99 <= 50 ms)`);
await c.close();
// Lever: the same raw transfers over HTTP (hardhat node) instead of in-process EIP-1193.
const node = await startLocalNode("hardhat", "us", 18_645);
try {
  const http = await bootCorridor({ seed: "bench-http", source: { kind: "rpc", urls: { us: node.url, uk: (await startLocalNode("hardhat", "uk", 18_646)).url } } });
  const s2 = await fund(http, "bench-http");
  const rawHttp = await rawErc20(http.chains.us!, http.deployment.chains.us!.tokens.USD, s2.us!);
  console.log(`   lever: raw ERC-20 over HTTP (hardhat node):       ${fmt(rawHttp)} /s  (direct EIP-1193 is x${fmt(rawEip1193 / rawHttp, 2)})`);
} finally {
  spawnSync("pkill", ["-f", "hardhat/dist/src/cli.js node --network"]);
  await node.stop();
}
if (process.env.BENCH_HIGH_VOLUME === "1") {
  console.log("5. high-volume scenario (scenarios/high-volume.json):");
  highVolume();
} else {
  console.log("5. high-volume scenario: skipped (BENCH_HIGH_VOLUME=1 npm run bench to include it; it takes minutes)");
}
process.exit(0);
