import { createServer } from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { bootCorridor, type BootedCorridor } from "../../src/corridor/boot.js";
import { testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { TxSender, waitForReceipt } from "../../src/chains/tx-sender.js";
import { getBlock } from "../../src/chains/mining.js";
import { fundCorridor } from "../../src/contracts/fund.js";
import { chainNames, resolveSpec } from "../../src/spec/spec.js";
import { encodeSend, GAS, decodeGatewayLogs } from "../../src/contracts/gateway.js";
import { NO_QUOTE, TIER, type Message } from "../../src/domain/message.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { startLocalNode, type LocalNode, type NodeKind } from "../../src/live/nodes.js";
import { newLiveTokens, writeLiveConfig, type LiveConfig } from "../../src/live/config.js";
import { startOperatorService } from "../../src/live/runtime.js";
import { snapshotLedger, type LedgerParties } from "../../src/measure/ledger.js";
import { packagePath } from "../../src/paths.js";
import { silentLogger } from "../../src/logger.js";
import { testKey } from "../../src/chains/keys.js";
import { buildTravelRulePayload } from "../../src/domain/compliance/ivms.js";
import { RemoteOperator } from "../../src/operator/http.js";

/** A running live corridor; `C` its chain names (the default corridor's unless the test chose others). */
export interface LiveHarness<C extends string = "us" | "uk"> {
  nodes: LocalNode[];
  corridor: BootedCorridor;
  config: LiveConfig;
  configFile: string;
  dir: string;
  /** Funded senders by chain name. */
  senders: Record<C, KeyPair[]>;
  recipients: Hex[];
  parties: LedgerParties;
  operator: Awaited<ReturnType<typeof startOperatorService>>;
  close(): Promise<void>;
}

// Below Linux's ephemeral range (32768+), where outgoing connections take their local ports;
// each candidate is tried first, since other test files start nodes at the same time.
let portBase = 20_000 + Math.floor(Math.random() * 12_000);
export async function nextPort(): Promise<number> {
  for (;;) {
    const port = portBase++;
    if (portBase >= 32_000) portBase = 20_000;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * Local JSON-RPC nodes (started by the test), one per chain (default the two-chain corridor), the
 * corridor deployed and funded through fundCorridor, the operator serving in this process.
 */
export async function startLiveHarness<C extends string = "us" | "uk">(kind: NodeKind, opts: { senders?: number; urls?: (n: LocalNode) => string; chains?: C[] } = {}): Promise<LiveHarness<C>> {
  const spec = resolveSpec({ chains: Object.fromEntries((opts.chains ?? ["us", "uk"]).map((n) => [n, {}])) });
  const names = chainNames(spec) as C[];
  const ports = await Promise.all(names.map(() => nextPort()));
  const nodes = await Promise.all(names.map((n, i) => startLocalNode(kind, n, ports[i]!, { chainId: spec.chains[n]!.chainId })));
  const seed = `live-${kind}`;
  const corridor = await bootCorridor({ seed, spec, source: { kind: "rpc", urls: Object.fromEntries(nodes.map((n) => [n.name, n.url])) } });
  const { chains, deployment } = corridor;
  const startBlocks: Record<string, number> = {};
  for (const [n, c] of Object.entries(chains)) startBlocks[n] = (await getBlock(c)).number;
  const count = opts.senders ?? 10;
  const senders = Object.fromEntries(names.map((n) => [n, Array.from({ length: count }, (_, i) => testKeyPair(seed, `sender/${n}`, i))])) as Record<C, KeyPair[]>;
  const recipients = Array.from({ length: 20 }, (_, i) => testKeyPair(seed, "recipient", i).address);
  await fundCorridor({
    spec,
    chains,
    deployment,
    seed,
    issuerKey: corridor.keys.deployer,
    liquidity: () => toBaseUnits("10000000"),
    senders: (n) => senders[n as C].map((key) => ({ key, amount: toBaseUnits("1000000") })),
  });
  const dir = mkdtempSync(join(tmpdir(), "corridor-live-"));
  const urlOf = opts.urls ?? ((n: LocalNode) => n.url);
  const tokens = newLiveTokens("test reviewer");
  const config: LiveConfig = {
    chains: Object.fromEntries(nodes.map((n) => [n.name, { url: urlOf(n), profile: "local" }])),
    deployment: { chains: Object.fromEntries(Object.entries(deployment.chains).map(([n, d]) => [n, { ...d, startBlock: startBlocks[n]! }])) },
    relayer: { privateKey: corridor.keys.relayer, operatorToken: tokens.relayerToken, store: join(dir, "relayer.db"), pollMs: 100, maxBatch: 50, metricsPort: 0, rpcTimeoutMs: 1_000 },
    operator: {
      url: "",
      port: await nextPort(),
      host: "127.0.0.1",
      relayerTokens: [tokens.relayerToken],
      reviewers: tokens.reviewers,
      attesterKeys: corridor.keys.attesters,
      threshold: corridor.attesters.threshold,
      quoterKey: testKey(seed, "quoter"),
      store: join(dir, "operator.db"),
      fx: {},
      spreadBps: { default: 10 },
      quoteTtlSeconds: 60,
    },
    accounts: [],
  };
  config.operator.url = `http://127.0.0.1:${config.operator.port}`;
  const configFile = join(dir, "live.json");
  writeLiveConfig(configFile, config);
  // The operator talks to the nodes directly (its reads are not what is under test).
  const operator = await startOperatorService({ ...config, chains: Object.fromEntries(nodes.map((n) => [n.name, { url: n.url, profile: "local" }])) }, { logger: silentLogger });
  const parties: LedgerParties = { senders: Object.fromEntries(names.map((n) => [n, senders[n].map((s) => s.address)])), recipients };
  return {
    nodes,
    corridor,
    config,
    configFile,
    dir,
    senders,
    recipients,
    parties,
    operator,
    close: async () => {
      await operator.stop();
      await corridor.close();
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

/**
 * Posts a transfer's travel-rule data (the parties' names and accounts) to the operator, as the
 * sender's VASP would, and returns the hash the transfer commits to in its extraHash.
 */
export function travelRuleFor(h: { config: LiveConfig }, sender: Hex, recipient: Hex): Promise<Hex> {
  const operator = new RemoteOperator(h.config.operator.url, h.config.operator.relayerTokens[0]!);
  return operator.submitTravelRule(buildTravelRulePayload({ originator: { name: "Ada Sender", account: sender }, beneficiary: { name: "Grace Recipient", account: recipient } }));
}

/**
 * Sends `n` transfers, each from the next chain in turn to the one after it (or all `from` one
 * chain, to the next), mixing cross- and same-currency, each with its travel-rule data (names: the
 * UK's rule asks for them below its threshold too); returns their source tx hashes.
 */
export async function sendTransfers(h: LiveHarness<string>, n: number, seed = 1, opts: { from?: string } = {}): Promise<Hex[]> {
  const names = Object.keys(h.corridor.chains);
  const { chains, deployment } = h.corridor;
  const senders = new Map<Hex, TxSender>();
  const hashes: Hex[] = [];
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < n; i++) {
    const from = opts.from ?? names[i % names.length]!;
    const to = names[(names.indexOf(from) + 1) % names.length]!;
    const src = deployment.chains[from]!;
    const dst = deployment.chains[to]!;
    const kp = h.senders[from]![i % h.senders[from]!.length]!;
    let s = senders.get(kp.address);
    if (!s) senders.set(kp.address, (s = new TxSender(chains[from]!, kp.privateKey)));
    const output = i % 3 === 0 ? src.home : dst.home;
    // Below the travel rule's full-data thresholds (the names go with each) and, over 500 transfers from
    // ten senders a side, below the default daily limit: the default compliance pipeline allows them all.
    const amount = toBaseUnits((10 + Math.floor(rnd() * 690)).toString());
    const recipient = h.recipients[i % h.recipients.length]!;
    const extraHash = await travelRuleFor(h, kp.address, recipient);
    hashes.push(
      await s.send({
        to: src.gateway,
        gas: GAS.send,
        data: encodeSend({
          inputToken: src.tokens[src.home]!,
          dstChainId: BigInt(dst.chainId),
          outputToken: dst.tokens[output]!,
          recipient,
          amount,
          maxFee: 0n,
          minAmountOut: 0n,
          deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
          tier: i % 4 === 0 ? TIER.fast : TIER.standard,
          extraHash,
          quote: NO_QUOTE,
        }),
      }),
    );
  }
  return hashes;
}

/**
 * Sends same-currency USD transfers from one US sender to UK recipients (Standard, no quote, with
 * their travel-rule data posted to the operator), one per amount, and returns each one's id and message as the source gateway
 * emitted them.
 */
export async function sendUsd(h: LiveHarness, amounts: string[], senderIndex = 0): Promise<{ id: Hex; message: Message }[]> {
  const src = h.config.deployment.chains.us!;
  const dst = h.config.deployment.chains.uk!;
  const sender = new TxSender(h.corridor.chains.us!, h.senders.us[senderIndex]!.privateKey);
  const out: { id: Hex; message: Message }[] = [];
  for (const [i, amount] of amounts.entries()) {
    const recipient = h.recipients[i % h.recipients.length]!;
    const extraHash = await travelRuleFor(h, sender.address, recipient);
    const hash = await sender.send({
      to: src.gateway as Hex,
      gas: GAS.send,
      data: encodeSend({
        inputToken: src.tokens.USD as Hex,
        dstChainId: BigInt(dst.chainId),
        outputToken: dst.tokens.USD as Hex,
        recipient,
        amount: toBaseUnits(amount),
        maxFee: 0n,
        minAmountOut: 0n,
        deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
        tier: TIER.standard,
        extraHash,
        quote: NO_QUOTE,
      }),
    });
    const receipt = await waitForReceipt(h.corridor.chains.us!, hash);
    const sent = decodeGatewayLogs(receipt.logs as { topics: Hex[]; data: Hex }[]).find((e) => e.name === "TransferSent");
    if (!sent || sent.name !== "TransferSent") throw new Error(`send ${hash} emitted no TransferSent`);
    out.push({ id: sent.id, message: sent.message });
  }
  return out;
}

/** Every TransferSent and TransferSettled on every chain since the deployment. */
export async function corridorEvents(h: LiveHarness<string>) {
  const sent: Hex[] = [];
  const settledCount = new Map<Hex, number>();
  let finalized = 0;
  let lockRelease = 0;
  for (const [name, chain] of Object.entries(h.corridor.chains)) {
    const d = h.config.deployment.chains[name]!;
    const logs = await chain.request<{ topics: Hex[]; data: Hex; blockNumber: Hex; transactionHash: Hex; address: Hex; logIndex: Hex }[]>("eth_getLogs", [
      { address: d.gateway, fromBlock: `0x${d.startBlock.toString(16)}`, toBlock: "latest" },
    ]);
    for (const ev of decodeGatewayLogs(logs)) {
      if (ev.name === "TransferSent") {
        sent.push(ev.id);
        if (ev.message.mode === 1) lockRelease++;
      }
      if (ev.name === "TransferSettled") {
        settledCount.set(ev.id, (settledCount.get(ev.id) ?? 0) + 1);
      }
      if (ev.name === "TransferFinalized") finalized++;
    }
  }
  const allSettled = sent.every((id) => (settledCount.get(id) ?? 0) >= 1);
  return { sent, settledCount, finalized, lockRelease, done: allSettled && finalized === lockRelease };
}

/** Runs `corridor relayer --config FILE` as a child process on this Node (the harness's config file unless given another). */
export function spawnRelayer(h: LiveHarness<string>, configFile = h.configFile): ChildProcess {
  return spawn(process.execPath, [packagePath("bin", "corridor.mjs"), "relayer", "--config", configFile], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, CORRIDOR_LOG_LEVEL: "error", CORRIDOR_LOG_JSON: "1" },
  });
}

export async function snapshot(h: LiveHarness<string>) {
  return snapshotLedger(h.corridor.chains, h.corridor.deployment, h.parties);
}

/** Sends `signal` to a child process and waits for it to exit (at once if it already has). */
export async function kill(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.once("exit", () => resolve());
    p.kill(signal);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
