import type { Logger } from "pino";
import type { Chain } from "../chains/chain.js";
import { connectRpcChain } from "../chains/chain.js";
import { CHAIN_PROFILES, type ChainProfile } from "../chains/profiles.js";
import type { Hex } from "viem";
import { dirname } from "node:path";
import type { Operator, OperatorApi, Screen } from "../operator/operator.js";
import { buildOperator } from "../operator/build.js";
import { connectOperator } from "../operator/service.js";
import { serveOperator, RemoteOperator } from "../operator/http.js";
import { TravelRuleInbox } from "../operator/travel-rule-inbox.js";
import { DEFAULT_HOOKS } from "../operator/default-hooks.js";
import { driveRound } from "../relayer/drive.js";
import { Relayer } from "../relayer/relayer.js";
import { openSqliteStore } from "../relayer/sqlite-store.js";
import { serveMetrics } from "../relayer/metrics.js";
import { createWallScheduler } from "../relayer/wall-scheduler.js";
import { createHooks } from "../domain/compliance/registry.js";
import { wallClock } from "../domain/clock.js";
import { LIST_LOADERS } from "../data/sanctions-list.js";
import { deploymentOf, liveRates, liveSpec, type LiveConfig } from "./config.js";

export interface Service {
  stop(): Promise<void>;
}

/** Connects to every chain, retrying with back-off for up to `waitSeconds` (a node may be starting, or flaky). */
export async function connectChains(config: LiveConfig, waitSeconds = 60): Promise<Record<string, Chain>> {
  const connect = async (name: string, url: string): Promise<Chain> => {
    const deadline = Date.now() + waitSeconds * 1000;
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await connectRpcChain(name, url, { timeoutMs: config.relayer.rpcTimeoutMs });
      } catch (err) {
        if (Date.now() + delay > deadline) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const entries = await Promise.all(Object.entries(config.chains).map(async ([name, c]) => [name, await connect(name, c.url)] as const));
  return Object.fromEntries(entries);
}

function profilesOf(config: LiveConfig): Record<string, ChainProfile> {
  return Object.fromEntries(Object.entries(config.chains).map(([n, c]) => [n, CHAIN_PROFILES[c.profile]!]));
}

/**
 * The operator service: screening, quoting and attesting over HTTP (bearer tokens, loopback by
 * default), its decisions, reviews and audit trail in `operator.store`, and each attester's own
 * journal beside it.
 */
export async function startOperatorService(
  config: LiveConfig,
  opts: { logger: Logger; chains?: Record<string, Chain>; screen?: Screen },
): Promise<Service & { operator: Operator }> {
  const chains = opts.chains ?? (await connectChains(config));
  const spec = liveSpec(config);
  const log = opts.logger.child({ module: "operator" });
  // Travel-rule data the senders post off chain (POST /v1/travel-rule), found by the message's extraHash.
  const travelRules = new TravelRuleInbox();
  const operator = buildOperator({
    chains,
    profiles: profilesOf(config),
    deployment: deploymentOf(config),
    attesterKeys: config.operator.attesterKeys as Hex[],
    threshold: config.operator.threshold,
    stateDir: dirname(config.operator.store),
    storeFile: config.operator.store,
    policy: {
      spec,
      rates: liveRates(config, spec),
      quoterKey: config.operator.quoterKey as Hex,
      spreadBps: config.operator.spreadBps,
      quoteTtlSeconds: config.operator.quoteTtlSeconds,
      hooks: createHooks(config.operator.hooks ?? DEFAULT_HOOKS, LIST_LOADERS),
      travelRuleFor: (m) => travelRules.get(m.extraHash),
    },
    ...(opts.screen ? { screen: opts.screen } : {}),
    clock: wallClock,
    onHold: (d, reason) => log.info({ id: d.id, reason }, "held for review (corridor review approve|deny)"),
  });
  const server = await serveOperator(operator, {
    port: config.operator.port,
    host: config.operator.host,
    logger: opts.logger,
    auth: { relayerTokens: config.operator.relayerTokens, reviewers: config.operator.reviewers },
    travelRules,
  });
  log.info({ url: config.operator.url, host: config.operator.host }, "operator listening");
  return {
    operator,
    stop: async () => {
      await server.close();
      operator.close();
    },
  };
}

/**
 * The relayer daemon: one loop per poll interval over every chain of the config (retry parked settlements,
 * flush queued batches, read new events), transient RPC errors backed off per chain, state in
 * SQLite so that a restart after SIGKILL resumes exactly where the store says.
 */
export async function startRelayerService(
  config: LiveConfig,
  opts: { logger: Logger; chains?: Record<string, Chain>; operator?: OperatorApi; metrics?: boolean },
): Promise<Service & { relayer: Relayer }> {
  const log = opts.logger.child({ module: "relayer" });
  const chains = opts.chains ?? (await connectChains(config));
  const store = openSqliteStore(config.relayer.store);
  const deployment = deploymentOf(config);
  const relayer = new Relayer({
    chains,
    profiles: profilesOf(config),
    deployment,
    store,
    relayerKey: config.relayer.privateKey as `0x${string}`,
    clock: wallClock,
    logger: opts.logger,
    maxBatch: config.relayer.maxBatch,
    resubmitAfterSeconds: Math.max(5, (3 * config.relayer.rpcTimeoutMs) / 1000),
    instance: config.relayer.instance,
    startBlocks: Object.fromEntries(Object.entries(deployment.chains).map(([n, d]) => [n, (d as { startBlock?: number }).startBlock ?? 0])),
  });
  const scheduler = createWallScheduler((err) => log.warn({ err: (err as Error).message }, "scheduled work failed"));
  relayer.connect(
    connectOperator({
      operator: opts.operator ?? new RemoteOperator(config.operator.url, config.relayer.operatorToken),
      relayer,
      scheduler,
      logger: opts.logger,
      screeningSeconds: 0,
      attestationSeconds: 0,
      reviewPollSeconds: 2,
      waitModelledReview: false,
      onError: () => relayer.metrics.rpcErrors.inc(),
    }),
  );
  const resumed = relayer.recover();
  log.info({ resumed }, "relayer started");
  const metricsServer = opts.metrics !== false && config.relayer.metricsPort > 0 ? await serveMetrics(relayer.metrics, config.relayer.metricsPort, log).catch(() => undefined) : undefined;

  let stopped = false;
  const backoff: Record<string, { until: number; delay: number }> = {};
  const loop = async () => {
    while (!stopped) {
      for (const name of Object.keys(chains)) {
        const b = backoff[name];
        if (b && Date.now() < b.until) continue;
        try {
          await driveRound(relayer, { chains: [name] });
          delete backoff[name];
        } catch (err) {
          relayer.metrics.rpcErrors.inc();
          const delay = Math.min(5_000, (b?.delay ?? 100) * 2);
          backoff[name] = { until: Date.now() + delay, delay };
          log.warn({ chain: name, err: (err as Error).message, retryInMs: delay }, "chain step failed; backing off");
        }
      }
      relayer.checkDeadlines();
      await new Promise((r) => setTimeout(r, config.relayer.pollMs));
    }
  };
  const running = loop();
  return {
    relayer,
    stop: async () => {
      stopped = true;
      scheduler.stop();
      await running;
      await metricsServer?.close();
      store.close();
    },
  };
}
