/**
 * A live corridor for the dashboard, in wall time: the chains of a corridor spec (default: the
 * preset corridor, src/spec/presets.ts) as embedded chains mining a block every second, the
 * corridor deployed with its policies (fee schedule, FX quoter, Fast allowance) and liquidity, the
 * operator in process (the default compliance hooks, a simulated compliance desk that reviews
 * holds), the relayer daemon's own service loop (src/live/runtime.ts) with a temporary SQLite
 * store, and a seeded load of transfers over every route of the spec.
 *
 * What the page can change while it runs: the fee schedule (on chain), the Fast share, the FX
 * margin, the travel-rule threshold and the arrival rate; and what it can make happen: a payment
 * to a sanctioned address, an FX shock (one currency or all against the numeraire), a relayer
 * outage, a liquidity drain on any chain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFunctionData, toHex, type Hex } from "viem";
import type { Logger } from "pino";
import type { Chain } from "../chains/chain.js";
import { bootCorridor, type BootedCorridor } from "../corridor/boot.js";
import { CHAIN_PROFILES, type ChainProfile } from "../chains/profiles.js";
import { testKey, testKeyPair, type KeyPair } from "../chains/keys.js";
import { getReceipt, TxSender, waitForReceipt } from "../chains/tx-sender.js";
import { getBlock, setAutomine } from "../chains/mining.js";
import { loadArtifact } from "../contracts/artifacts.js";
import { fundCorridor } from "../contracts/fund.js";
import { installPolicies } from "../contracts/policies.js";
import { decodeGatewayLogs, decodeRevert, GAS, gatewayAbi, tokenAbi } from "../contracts/gateway.js";
import { CorridorError } from "../domain/errors.js";
import { parseFeeSchedule, toContractSchedule, type FeeSchedule } from "../domain/fees.js";
import { fromBaseUnits, toBaseUnits } from "../domain/money.js";
import { createRandom } from "../domain/random.js";
import { wallClock } from "../domain/clock.js";
import { fixedRates, midFor, type RateSource } from "../domain/fx/rate-source.js";
import { createHook, createHooks } from "../domain/compliance/registry.js";
import type { ComplianceHook } from "../domain/compliance/types.js";
import type { TransferRecord } from "../domain/transfer.js";
import { LIST_LOADERS, loadAddressList } from "../data/sanctions-list.js";
import type { Operator } from "../operator/operator.js";
import { buildOperator, type OperatorPolicy } from "../operator/build.js";
import { DEFAULT_HOOKS } from "../operator/default-hooks.js";
import { openSqliteStore, type SqliteTransferStore } from "../relayer/sqlite-store.js";
import { startRelayerService } from "../live/runtime.js";
import { newLiveTokens, type LiveConfig } from "../live/config.js";
import { wrapChain } from "../sim/faults.js";
import { GasMeter, gasPriceFor } from "../measure/gas.js";
import { loadG20Targets } from "../measure/g20-targets.js";
import { silentLogger } from "../logger.js";
import { chainNames, defaultSpec, midsOf, resolveSpec, symbolOf, type CorridorSpec } from "../spec/spec.js";
import { listWords } from "../report/spec.js";
import { TransferBoard, type ChainName, type DashboardState, type FastAllowanceView, type LiquidityView, type TimingView } from "./board.js";
import { controlsBodyFor, DEFAULT_SETTINGS, type ControlsBody, type Settings } from "./controls.js";
import { LoadGenerator, SANCTIONED_AMOUNT } from "./load.js";

export interface LiveCorridorOptions {
  /** The corridor: its chains, currencies and jurisdictions. Default: the preset corridor (`defaultSpec()`). */
  spec?: CorridorSpec;
  /** Or the names of preset chains to run (src/spec/presets.ts), e.g. three of them. Not with `spec`. */
  chains?: string[];
  /** Seeds the keys, the load and its amounts. Default 1. */
  seed?: number;
  /** Chain profile for every chain (block time, confirmations per tier). Default: each chain's profile in the spec ("local"). */
  profile?: string;
  /**
   * Compressed time: corridor seconds per wall second (default 1). Blocks come every
   * profile.blockTimeSeconds / timeScale wall seconds (Ethereum's 12 s at 60: every 200 ms), the
   * review desk takes `reviewSeconds` of corridor time, and the dashboard shows every duration in
   * corridor time (wall × timeScale).
   */
  timeScale?: number;
  /** Interval mining: milliseconds between blocks, on every chain. Default: each chain's profile.blockTimeSeconds / timeScale (1000 on "local" at 1×). */
  blockTimeMs?: number;
  /** Funded senders per chain. Default 100 (the default limits hook allows each 50,000 of the numeraire a day). */
  senders?: number;
  /** Each chain's liquidity pool, whole units of its home currency. Default 1,000,000. */
  liquidity?: number;
  /** Fast allowance per chain, whole units. Default 50,000. */
  fastAllowance?: number;
  /** How long the (simulated) compliance desk takes to approve a held transfer, corridor seconds. Default 8 wall seconds (8 × timeScale). */
  reviewSeconds?: number;
  /** Settings at start (defaults: DEFAULT_SETTINGS). */
  settings?: Partial<Settings>;
  /** How often the dashboard's state is refreshed, ms. Default 500. */
  tickMs?: number;
  logger?: Logger;
}

/** The corridor a live demo runs: `spec`, else the preset chains named by `chains`, else the default; every chain on `profile` when given. */
export function demoSpec(opts: Pick<LiveCorridorOptions, "spec" | "chains" | "profile"> = {}): CorridorSpec {
  if (opts.spec && opts.chains) throw new CorridorError("CORRIDOR_DEMO_INVALID_OPTIONS", "give a corridor spec or chain names, not both");
  const base = opts.spec ?? (opts.chains ? resolveSpec({ chains: Object.fromEntries(opts.chains.map((n) => [n, {}])) }) : defaultSpec());
  const profile = opts.profile;
  if (profile === undefined) return base;
  if (!CHAIN_PROFILES[profile]) throw new CorridorError("CORRIDOR_DEMO_INVALID_OPTIONS", `unknown chain profile "${profile}" (known: ${Object.keys(CHAIN_PROFILES).join(", ")})`);
  return { ...base, chains: Object.fromEntries(Object.entries(base.chains).map(([n, c]) => [n, { ...c, profile }])) };
}

/** The shortest interval between blocks a compressed profile may ask for (faster profiles are slowed to it). */
export const MIN_BLOCK_MS = 50;

/** The largest compression a demo accepts. */
export const MAX_TIME_SCALE = 600;

/** Milliseconds between blocks for a chain on `profile` at `timeScale` (at least MIN_BLOCK_MS). */
export function blockIntervalMs(profile: ChainProfile, timeScale: number): number {
  return Math.max(MIN_BLOCK_MS, Math.round((profile.blockTimeSeconds * 1000) / timeScale));
}

const PROFILE_WORDS: Record<string, string> = { ethereum: "Ethereum-like", base: "Base-like", arbitrum: "Arbitrum-like", optimism: "OP Mainnet-like", avalanche: "Avalanche-like", polygon: "Polygon-like", local: "Local test chain" };

const secondsText = (s: number) => (s >= 1 && Number.isInteger(s) ? `${s} s` : `${Math.round(s * 1000) / 1000} s`);
const minutesText = (m: number) => (m >= 1 ? `${Math.round(m * 10) / 10} min` : `${Math.round(m * 60)} s`);

/** A profile's timing in words: block time and when Standard is final. */
export function profileWords(name: string, p: ChainProfile): string {
  const e = p.finalityEpochBlocks;
  const finality = e
    ? `Standard final after 2–3 epochs of ${e} blocks, ~${Math.round(((2 * e + 1) * p.blockTimeSeconds) / 6) / 10}–${Math.round((3 * e * p.blockTimeSeconds) / 6) / 10} min`
    : p.standardConfirmations <= 1
      ? "final at once"
      : `Standard final after ${p.standardConfirmations} blocks, ~${minutesText((p.standardConfirmations * p.blockTimeSeconds) / 60)}`;
  const fast = p.fastConfirmations !== null && p.fastConfirmations < (e ? 2 * e + 1 : p.standardConfirmations) ? `, Fast after ${p.fastConfirmations} block${p.fastConfirmations === 1 ? "" : "s"}` : "";
  return `${PROFILE_WORDS[name] ?? name} (${secondsText(p.blockTimeSeconds)} blocks, ${finality}${fast})`;
}

/** What the dashboard says about the profile and the compression. */
export function timingView(profiles: Record<string, { name: string; profile: ChainProfile }>, timeScale: number): TimingView {
  const names = [...new Set(Object.values(profiles).map((p) => p.name))];
  const profile = names.length === 1 ? names[0]! : "mixed";
  const what =
    names.length === 1
      ? `Profile: ${profileWords(names[0]!, Object.values(profiles)[0]!.profile)}`
      : `Profiles: ${Object.entries(profiles)
          .map(([chain, p]) => `${chain.toUpperCase()} ${profileWords(p.name, p.profile)}`)
          .join("; ")}`;
  const speed =
    timeScale === 1
      ? "shown in real time"
      : `shown at ${timeScale}× speed: 1 minute on screen = ${timeScale % 60 === 0 ? `${timeScale / 60} hour${timeScale === 60 ? "" : "s"}` : minutesText(timeScale)} of corridor time; every time below is corridor time`;
  return { profile, timeScale, text: `${what} ${speed}` };
}

/** What a drained pool keeps (base units): payments above it wait for liquidity. */
const DRAIN_KEEP = 500_000_000n;
const FAST_PREMIUM_BPS = 10;
/** Recipients of the load (they also send on what arrives in a token that is not their chain's home currency). */
const RECIPIENTS = 50;

export type ControlErrorCode = "CORRIDOR_DEMO_BUSY" | "CORRIDOR_DEMO_STOPPED";

export class LiveCorridor {
  readonly board: TransferBoard;
  readonly spec: CorridorSpec;
  /** The controls this corridor accepts (its chains and currencies). */
  readonly controlsSchema: ReturnType<typeof controlsBodyFor>;
  private settingsNow: Settings;
  private readonly listeners = new Set<(s: DashboardState) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  private lastPublish = 0;
  private lastSample = 0;
  private relayerService: Awaited<ReturnType<typeof startRelayerService>> | undefined;
  private relayerBackAt: number | null = null;
  private shock: { factor: number; until: number; currency: string | null } | null = null;
  private drain: { chain: ChainName; until: number } | null = null;
  /** Fee bps whose schedule transactions are not mined yet: senders cap their fee at the highest. */
  private readonly pendingFees: number[] = [];
  private feeBpsOnChain: number;
  private chainView: { liquidity: LiquidityView[]; fast: FastAllowanceView[] } = { liquidity: [], fast: [] };
  private readonly travelRuleHook: { current: ComplianceHook };
  private readonly admins: Record<string, TxSender>;
  private readonly lpSenders: Record<string, TxSender>;

  private constructor(
    private readonly parts: {
      corridor: BootedCorridor;
      dir: string;
      config: LiveConfig;
      relayerChains: Record<string, Chain>;
      operator: Operator;
      spread: Record<string, number>;
      rates: RateSource;
      reader: SqliteTransferStore;
      load: LoadGenerator;
      gas: GasMeter;
      feeModules: Record<string, Hex>;
      lp: Record<ChainName, KeyPair>;
      initialLiquidity: number;
      /** Each chain's profile. */
      profiles: Record<ChainName, ChainProfile>;
      /** The profile and compression, as the dashboard states them. */
      timing: TimingView;
      logger: Logger;
      tickMs: number;
      /** A shock's multiplier on the units of `currency` (or of every currency, null) per numeraire unit. */
      fxState: { factor: number; currency: string | null };
    },
    board: TransferBoard,
    settings: Settings,
    travelRuleHook: { current: ComplianceHook },
  ) {
    this.board = board;
    this.spec = parts.corridor.spec;
    this.controlsSchema = controlsBodyFor(this.spec);
    this.settingsNow = settings;
    this.feeBpsOnChain = settings.feeBps;
    this.travelRuleHook = travelRuleHook;
    const { chains } = parts.corridor;
    this.admins = Object.fromEntries(Object.entries(chains).map(([n, c]) => [n, new TxSender(c, parts.corridor.keys.deployer)]));
    this.lpSenders = Object.fromEntries(Object.entries(chains).map(([n, c]) => [n, new TxSender(c, parts.lp[n]!.privateKey)]));
  }

  /** Boots the chains, deploys and funds the corridor, and starts the operator, the relayer and the load. */
  static async start(opts: LiveCorridorOptions = {}): Promise<LiveCorridor> {
    const seed = opts.seed ?? 1;
    const logger = opts.logger ?? silentLogger;
    const log = logger.child({ module: "demo" });
    const spec = demoSpec(opts);
    const names = chainNames(spec);
    const profiles: Record<ChainName, ChainProfile> = Object.fromEntries(names.map((n) => [n, CHAIN_PROFILES[spec.chains[n]!.profile]!]));
    const timeScale = opts.timeScale ?? 1;
    if (!(timeScale >= 1 && timeScale <= MAX_TIME_SCALE)) throw new CorridorError("CORRIDOR_DEMO_INVALID_OPTIONS", `time scale ${timeScale} outside 1..${MAX_TIME_SCALE}`);
    const timing = timingView(Object.fromEntries(names.map((n) => [n, { name: spec.chains[n]!.profile, profile: profiles[n]! }])), timeScale);
    const settings: Settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    const liquidity = opts.liquidity ?? 1_000_000;
    const dir = mkdtempSync(join(tmpdir(), "corridor-demo-"));
    let corridor: BootedCorridor | undefined;
    try {
      corridor = await bootCorridor({ seed, spec });
      const { chains, deployment } = corridor;
      const startBlocks = Object.fromEntries(await Promise.all(Object.entries(chains).map(async ([n, c]) => [n, (await getBlock(c)).number] as const)));
      const policies = await installPolicies({
        chains,
        deployment,
        deployerKey: corridor.keys.deployer,
        feeSchedules: () => feeSchedule(settings.feeBps),
        quoter: testKeyPair(seed, "quoter").address,
        fastAllowance: Object.fromEntries(names.map((n) => [n, toBaseUnits(String(opts.fastAllowance ?? 50_000))])),
        onChain: {},
      });

      // Liquidity providers, senders and recipients, funded while the chains still mine on demand.
      const count = opts.senders ?? 100;
      const senders: Record<ChainName, KeyPair[]> = Object.fromEntries(names.map((n) => [n, Array.from({ length: count }, (_, i) => testKeyPair(seed, `sender/${n}`, i))]));
      const recipients = Array.from({ length: RECIPIENTS }, (_, i) => testKeyPair(seed, "recipient", i));
      const lp = await fundCorridor({
        spec,
        chains,
        deployment,
        seed,
        issuerKey: corridor.keys.deployer,
        liquidity: () => toBaseUnits(String(liquidity)),
        // Recipients get gas and approvals (and nothing minted): what arrives they may send on.
        senders: (chain) => [...senders[chain]!.map((key) => ({ key, amount: toBaseUnits("1000000") })), ...recipients.map((key) => ({ key, amount: 0n }))],
      });

      // From here on blocks come every `blockTimeMs` (else the profile's block time, compressed), whether or not there is traffic.
      const intervals: Record<ChainName, number> = Object.fromEntries(names.map((n) => [n, opts.blockTimeMs ?? blockIntervalMs(profiles[n]!, timeScale)]));
      for (const [n, c] of Object.entries(chains)) {
        await setAutomine(c, false);
        await c.request("evm_setIntervalMining", [intervals[n]!]);
      }

      const startedAt = wallClock.now();
      const board = new TransferBoard({ targets: loadG20Targets(), startedAt, spec, timeScale });
      // Each currency at its mid in the spec, against the numeraire; an FX shock multiplies one (or all).
      const fxState: { factor: number; currency: string | null } = { factor: 1, currency: null };
      const quotes = Object.keys(spec.currencies).filter((c) => c !== spec.numeraire);
      const fixed = fixedRates(spec.numeraire, midsOf(spec));
      const shocked = new Set(shockable(spec));
      const rates: RateSource = {
        id: "demo",
        numeraire: spec.numeraire,
        quotes,
        perNumeraire(currency, t) {
          const r = fixed.perNumeraire(currency, t);
          const hit = shocked.has(currency) && fxState.factor !== 1 && (fxState.currency === null || fxState.currency === currency);
          return hit ? r.times(fxState.factor) : r;
        },
      };
      // The quoter keeps this object: changing `default` changes the margin of every later price.
      const spread: Record<string, number> = { default: settings.spreadBps };

      // The default hooks, with the travel-rule hook behind a handle so that its threshold can change
      // without resetting the others' state (the limits hook counts each sender's daily total).
      const hooks = createHooks(DEFAULT_HOOKS, LIST_LOADERS);
      const trIndex = DEFAULT_HOOKS.findIndex((h) => h.hook === "travelRule");
      const travelRuleHook = { current: hooks[trIndex]! };
      if (trIndex >= 0) hooks[trIndex] = { name: travelRuleHook.current.name, check: (ctx) => travelRuleHook.current.check(ctx) };
      if (settings.travelRuleThresholdUsd !== null) travelRuleHook.current = travelRuleWithThreshold(spec, settings.travelRuleThresholdUsd);

      let load: LoadGenerator | undefined;
      const policy: OperatorPolicy = {
        spec,
        rates,
        quoterKey: testKey(seed, "quoter"),
        spreadBps: spread,
        quoteTtlSeconds: 60,
        hooks,
        travelRuleFor: (m) => load?.travelRuleFor(m.extraHash),
        audit: () => {},
      };
      // Corridor seconds: the desk takes reviewSeconds / timeScale of wall time.
      const reviewSeconds = opts.reviewSeconds ?? 8 * timeScale;
      // A compliance officer, simulated: approves each held transfer after `reviewSeconds`, through the operator's review desk.
      const operator: Operator = buildOperator({
        chains,
        profiles,
        deployment,
        attesterKeys: corridor.keys.attesters,
        threshold: corridor.attesters.threshold,
        stateDir: dir,
        policy,
        // The board sees every screening decision.
        onScreened: (input, outcome) => board.screened(input, outcome, wallClock.now()),
        clock: wallClock,
        onHold: (d) => {
          const t = setTimeout(() => {
            try {
              const decided = operator.review(d.id, true, "demo compliance officer");
              board.reviewed({ id: d.id, message: d.message, ...d.route }, true, { reason: decided.screening?.reason, hook: decided.screening?.hook }, wallClock.now());
            } catch {
              // decided or expired meanwhile
            }
          }, (reviewSeconds / timeScale) * 1000);
          t.unref();
        },
      });

      // The relayer reads its batch receipts through this view, which also shows them to the gas meter.
      const gas = new GasMeter(new Set(Object.values(deployment.chains).map((d) => d.gateway.toLowerCase())));
      const relayerChains: Record<string, Chain> = Object.fromEntries(
        Object.entries(chains).map(([n, c]) => [
          n,
          wrapChain(c, async (method, params) => {
            const result = await c.request(method, params);
            if (method === "eth_getTransactionReceipt") gas.observeReceipt(result);
            return result;
          }),
        ]),
      );
      const tokens = newLiveTokens("demo compliance officer");
      const config: LiveConfig = {
        chains: Object.fromEntries(names.map((n) => [n, { url: chains[n]!.endpoint, profile: spec.chains[n]!.profile, jurisdiction: spec.chains[n]!.jurisdiction }])),
        deployment: { chains: Object.fromEntries(Object.entries(deployment.chains).map(([n, d]) => [n, { ...d, startBlock: startBlocks[n]! }])) },
        relayer: { privateKey: corridor.keys.relayer, operatorToken: tokens.relayerToken, store: join(dir, "relayer.db"), pollMs: 250, maxBatch: 50, metricsPort: 0, rpcTimeoutMs: 10_000 },
        // The operator runs in this process (passed to the relayer service): its URL and port are not used.
        operator: {
          url: "http://127.0.0.1/in-process",
          port: 1,
          host: "127.0.0.1",
          relayerTokens: [tokens.relayerToken],
          reviewers: tokens.reviewers,
          attesterKeys: corridor.keys.attesters,
          threshold: corridor.attesters.threshold,
          quoterKey: testKey(seed, "quoter"),
          store: join(dir, "operator.db"),
          fx: Object.fromEntries(quotes.map((q) => [q, spec.currencies[q]!.mid])),
          spreadBps: spread,
          quoteTtlSeconds: 60,
        },
        // The spec's currencies and jurisdictions, so that the config describes this corridor whatever it holds.
        currencies: Object.fromEntries(
          Object.values(spec.currencies).map((c) => [c.code, { symbol: c.symbol, word: c.word, mid: c.mid, annualVol: c.annualVol, meanReversionPerYear: c.meanReversionPerYear }]),
        ),
        jurisdictions: Object.fromEntries(Object.values(spec.jurisdictions).map((j) => [j.id, { country: j.country, travelRule: j.travelRule }])),
        accounts: [],
      } as LiveConfig;
      const relayerService = await startRelayerService(config, { logger, chains: relayerChains, operator, metrics: false });
      const reader = openSqliteStore(config.relayer.store);

      const sanctioned = [...loadAddressList()].sort() as Hex[];
      const self: { corridor?: LiveCorridor } = {};
      load = new LoadGenerator({
        spec,
        chains,
        deployment,
        senders,
        recipients,
        sanctioned,
        quoter: operator.quoter,
        rates,
        random: createRandom(seed).fork("demo/load"),
        rate: () => self.corridor?.settings.arrivalPerMinute ?? settings.arrivalPerMinute,
        fastShare: () => self.corridor?.settings.fastShare ?? settings.fastShare,
        feeSchedule: () => feeSchedule(self.corridor?.feeCapBps() ?? settings.feeBps),
        now: () => wallClock.now(),
        onSent: (sent) => board.addSend(sent),
        onError: (err) => log.warn({ err: (err as Error).message }, "send failed"),
      });
      const live = new LiveCorridor(
        {
          corridor,
          dir,
          config,
          relayerChains,
          operator,
          spread,
          rates,
          reader,
          load,
          gas,
          feeModules: policies.feeModule,
          lp,
          initialLiquidity: liquidity,
          profiles,
          timing,
          logger,
          tickMs: opts.tickMs ?? 500,
          fxState,
        },
        board,
        settings,
        travelRuleHook,
      );
      self.corridor = live;
      live.relayerService = relayerService;
      board.log(
        `Corridor started: ${names.length} chains (${names.map((n) => n.toUpperCase()).join(", ")}), ${spec.routes.length} routes, ${count} senders and ${formatWhole(liquidity)} of liquidity on each chain, a block every ${listWords([...new Set(Object.values(intervals))].map((ms) => `${ms / 1000} s`))} of wall time. ${timing.text}`,
        "info",
        startedAt,
      );
      await live.refreshChains();
      load.start();
      live.tickTimer = setInterval(() => void live.tick(), live.parts.tickMs);
      return live;
    } catch (err) {
      await corridor?.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Corridor seconds per wall second. */
  get timeScale(): number {
    return this.parts.timing.timeScale;
  }

  /** The relayer's record of a transfer (for tests: its chain times in wall seconds). */
  record(id: Hex): TransferRecord | undefined {
    return this.parts.reader.get(id);
  }

  get settings(): Settings {
    return this.settingsNow;
  }

  /** The fee a sender must be ready to pay: the highest schedule in force or still being mined. */
  feeCapBps(): number {
    return Math.max(this.settingsNow.feeBps, this.feeBpsOnChain, ...this.pendingFees);
  }

  /** Called with the dashboard's state about once a second; returns an unsubscribe function. */
  subscribe(fn: (s: DashboardState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  snapshot(): DashboardState {
    const now = wallClock.now();
    const p = this.parts;
    const threshold = this.settingsNow.travelRuleThresholdUsd;
    return this.board.snapshot({
      now,
      timing: p.timing,
      settings: { ...this.settingsNow },
      relayer: { up: this.relayerService !== undefined, backAt: this.relayerBackAt },
      fx: {
        numeraire: this.spec.numeraire,
        mids: this.mids(now),
        baseMids: Object.fromEntries(this.quoteCurrencies().map((c) => [c, this.spec.currencies[c]!.mid])),
        shock: this.shock ? { ...this.shock } : null,
        spreadBps: this.settingsNow.spreadBps,
      },
      drain: this.drain,
      travelRule: threshold === null ? legalThresholds(this.spec) : `${this.spec.numeraire} ${formatWhole(threshold)} for all senders`,
      liquidity: this.chainView.liquidity,
      fastAllowance: this.chainView.fast,
      fastFinalAtOnce: Object.values(p.profiles).every((pr) => (pr.fastConfirmations ?? pr.standardConfirmations) >= pr.standardConfirmations),
    });
  }

  /** The stablecoins' currencies other than the numeraire: the rates the page shows and a shock moves. */
  private quoteCurrencies(): string[] {
    return shockable(this.spec);
  }

  /** Each currency's mid now (a shock included), units per numeraire unit. */
  private mids(now: number): Record<string, number> {
    return Object.fromEntries(this.quoteCurrencies().map((c) => [c, this.parts.rates.perNumeraire(c, now).toNumber()]));
  }

  /** Applies settings and runs an action; throws CorridorError CORRIDOR_DEMO_BUSY when the action is already under way. */
  async control(body: ControlsBody): Promise<{ settings: Settings; done: string[] }> {
    if (this.stopped) throw new CorridorError("CORRIDOR_DEMO_STOPPED", "the demo corridor has stopped");
    const now = wallClock.now();
    const done: string[] = [];
    const s = { ...this.settingsNow };
    // Refuse a busy action before changing anything, so that a 409 leaves the settings as they were.
    if (body.action) this.checkActionFree(body.action);
    if (body.feeBps !== undefined && body.feeBps !== s.feeBps) {
      s.feeBps = body.feeBps;
      this.setFeeOnChain(body.feeBps);
      done.push(`Fee set to ${pctText(body.feeBps / 100)} of the amount (Fast adds ${pctText(FAST_PREMIUM_BPS / 100)})`);
    }
    if (body.fastShare !== undefined && body.fastShare !== s.fastShare) {
      s.fastShare = body.fastShare;
      done.push(`${Math.round(body.fastShare * 100)}% of new transfers now use the Fast tier`);
    }
    if (body.spreadBps !== undefined && body.spreadBps !== s.spreadBps) {
      s.spreadBps = body.spreadBps;
      this.parts.spread.default = body.spreadBps;
      done.push(`FX margin set to ${pctText(body.spreadBps / 100)} against the mid-market rate`);
    }
    if (body.travelRuleThresholdUsd !== undefined && body.travelRuleThresholdUsd !== s.travelRuleThresholdUsd) {
      s.travelRuleThresholdUsd = body.travelRuleThresholdUsd;
      this.travelRuleHook.current = body.travelRuleThresholdUsd === null ? createHook(travelRuleSpec()) : travelRuleWithThreshold(this.spec, body.travelRuleThresholdUsd);
      done.push(
        body.travelRuleThresholdUsd === null
          ? `Travel-rule threshold back to the legal defaults (${legalThresholds(this.spec)})`
          : `Travel-rule threshold set to ${this.spec.numeraire} ${formatWhole(body.travelRuleThresholdUsd)}`,
      );
    }
    const rateChanged = body.arrivalPerMinute !== undefined && body.arrivalPerMinute !== s.arrivalPerMinute;
    if (rateChanged) {
      s.arrivalPerMinute = body.arrivalPerMinute!;
      done.push(body.arrivalPerMinute === 0 ? "New transfers paused" : `Arrival rate set to ${formatWhole(body.arrivalPerMinute!)} transfers a minute`);
    }
    this.settingsNow = s;
    if (rateChanged) this.parts.load.reschedule();
    for (const text of done) this.board.log(text, "control", now);
    if (body.action) {
      done.push(await this.act(body.action, { seconds: body.seconds ?? 60, factor: body.factor ?? 0.9, chain: body.chain ?? this.defaultDrainChain(), currency: body.currency ?? null }));
    }
    this.publish(true);
    return { settings: { ...s }, done };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
    const p = this.parts;
    await p.load.stop();
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
    await this.relayerService?.stop().catch(() => {});
    this.relayerService = undefined;
    p.reader.close();
    await p.corridor.close().catch(() => {});
    rmSync(p.dir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- actions

  /** The chain a drain empties unless told: the first whose home currency is not the numeraire (else the last chain). */
  private defaultDrainChain(): ChainName {
    const chains = Object.values(this.spec.chains);
    return (chains.find((c) => c.home !== this.spec.numeraire) ?? chains[chains.length - 1]!).name;
  }

  private checkActionFree(action: NonNullable<ControlsBody["action"]>): void {
    const busy = (what: string) => {
      throw new CorridorError("CORRIDOR_DEMO_BUSY", what);
    };
    if (action === "fxShock" && this.shock) busy("an FX shock is already under way");
    if (action === "relayerOutage" && !this.relayerService) busy("the relayer is already offline");
    if (action === "drainLiquidity" && this.drain) busy(`the ${this.drain.chain.toUpperCase()} liquidity is already drained`);
  }

  private async act(action: NonNullable<ControlsBody["action"]>, o: { seconds: number; factor: number; chain: ChainName; currency: string | null }): Promise<string> {
    const now = wallClock.now();
    const spec = this.spec;
    switch (action) {
      case "sanctionedTransfer": {
        const sent = await this.parts.load.send({ sanctioned: true });
        const text = `A payment of ${money(spec, sent.input, sent.amount, 2)} (${symbolOf(spec, spec.numeraire)}${SANCTIONED_AMOUNT}) sent from the ${sent.from.toUpperCase()} chain to ${short(sent.recipient)}, an address on the OFAC sanctions list`;
        this.board.log(text, "action", now);
        return text;
      }
      case "fxShock": {
        this.shock = { factor: o.factor, until: now + o.seconds, currency: o.currency };
        this.parts.fxState.factor = o.factor;
        this.parts.fxState.currency = o.currency;
        const move = Math.round((o.factor - 1) * 1000) / 10;
        const word = (c: string) => spec.currencies[c]?.word ?? c;
        const against = o.currency ? `the ${word(o.currency)}` : listWords(this.quoteCurrencies().map((c) => `the ${word(c)}`));
        // More units of a currency per numeraire unit: the numeraire rises against it.
        const text = `FX shock: the ${word(spec.numeraire)} ${move < 0 ? "falls" : "rises"} ${Math.abs(move)}% against ${against} for ${o.seconds} s`;
        this.board.log(text, "warning", now);
        this.after(o.seconds, () => {
          this.shock = null;
          this.parts.fxState.factor = 1;
          this.parts.fxState.currency = null;
          this.board.log("FX rates back to normal", "info", wallClock.now());
        });
        return text;
      }
      case "relayerOutage": {
        const svc = this.relayerService!;
        this.relayerService = undefined;
        this.relayerBackAt = now + o.seconds;
        await svc.stop();
        const text = `Relayer taken offline for ${o.seconds} s: payments keep arriving but nobody carries them across`;
        this.board.log(text, "warning", now);
        this.after(o.seconds, async () => {
          const backlog = this.board.inFlight;
          this.relayerService = await startRelayerService(this.parts.config, { logger: this.parts.logger, chains: this.parts.relayerChains, operator: this.parts.operator, metrics: false });
          this.relayerBackAt = null;
          this.board.log(`Relayer back online, catching up ${backlog} waiting payment${backlog === 1 ? "" : "s"}`, "info", wallClock.now());
        });
        return text;
      }
      case "drainLiquidity": {
        const chain = this.parts.corridor.chains[o.chain]!;
        const d = this.parts.corridor.deployment.chains[o.chain]!;
        const token = d.tokens[d.home]!;
        const lp = this.parts.lp[o.chain]!;
        const read = async (functionName: string, args: unknown[], address: Hex) => (await chain.client.readContract({ address, abi: functionName === "balanceOf" ? tokenAbi() : gatewayAbi(), functionName, args })) as bigint;
        let withdrawn = 0n;
        /**
         * Withdraws the shares worth everything above DRAIN_KEEP in the pool (the provider is its only
         * member); returns what it took. Each withdrawal leaves fewer shares, each worth more, so this can
         * go on for a minute or two of traffic, not for ever.
         */
        const sweep = async (): Promise<bigint> => {
          const [shares, supply, pool] = await Promise.all([read("shares", [token, lp.address], d.gateway), read("totalShares", [token], d.gateway), read("liquidity", [token], d.gateway)]);
          if (pool <= DRAIN_KEEP) return 0n;
          const want = ((pool - DRAIN_KEEP) * (supply + 1n)) / (pool + 1n);
          const take = want < shares ? want : shares;
          if (take === 0n) return 0n;
          const before = await read("balanceOf", [lp.address], token);
          const hash = await this.lpSenders[o.chain]!.send({ to: d.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "withdraw", args: [token, take] }) });
          await waitForReceipt(chain, hash, { timeoutMs: 30_000, pollMs: 100 });
          return (await read("balanceOf", [lp.address], token)) - before;
        };
        this.drain = { chain: o.chain, until: now + o.seconds };
        try {
          withdrawn += await sweep();
        } catch (err) {
          this.drain = null;
          throw err;
        }
        const text = `The liquidity provider withdrew ${money(spec, d.home, withdrawn)} from the ${o.chain.toUpperCase()} pool and keeps no more than ${money(spec, d.home, DRAIN_KEEP)} in it for ${o.seconds} s: larger payments to the ${o.chain.toUpperCase()} queue until it returns`;
        this.board.log(text, "warning", now);
        await this.refreshChains();
        // Payments the other way refill the pool (their escrow is released to it): the provider keeps taking the excess out.
        const draining = (async () => {
          // Every other block or so (each withdrawal waits for its receipt). Sweeping more often would use
          // up the provider's shares faster: inflows raise each share's value, and it cannot split one.
          while (!this.stopped && this.drain && wallClock.now() < this.drain.until - 1) {
            await new Promise((r) => setTimeout(r, 1000));
            if (this.stopped) return;
            withdrawn += await sweep().catch(() => 0n);
          }
        })();
        this.after(o.seconds, async () => {
          await draining;
          if (withdrawn > 0n) {
            const h = await this.lpSenders[o.chain]!.send({ to: d.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [token, withdrawn] }) });
            await waitForReceipt(chain, h, { timeoutMs: 30_000, pollMs: 100 });
          }
          this.drain = null;
          this.board.log(`The liquidity provider put ${money(spec, d.home, withdrawn)} back: queued payments to the ${o.chain.toUpperCase()} go through`, "info", wallClock.now());
        });
        return text;
      }
    }
  }

  /** Runs `fn` after `seconds` unless the corridor stops first. */
  private after(seconds: number, fn: () => void | Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      Promise.resolve()
        .then(fn)
        .catch((err) => {
          this.parts.logger.child({ module: "demo" }).warn({ err: (err as Error).message }, "scheduled demo step failed");
          if (!this.stopped) this.board.log(`A scheduled step failed: ${(err as Error).message}`, "warning", wallClock.now());
        });
    }, seconds * 1000);
    this.timers.add(t);
  }

  /** Sends the new schedule to every FeeModule; senders cap their fee at the higher one until it is mined. */
  private setFeeOnChain(bps: number): void {
    const { chains, deployment } = this.parts.corridor;
    const abi = loadArtifact("FeeModule", "fees/FeeModule.sol").abi;
    const schedule = toContractSchedule(feeSchedule(bps));
    this.pendingFees.push(bps);
    const jobs = Object.keys(chains).map(async (name) => {
      const d = deployment.chains[name]!;
      const hashes: Hex[] = [];
      for (const other of Object.keys(chains)) {
        if (other === name) continue;
        for (const token of Object.values(d.tokens)) {
          const data = encodeFunctionData({ abi, functionName: "setSchedule", args: [token, BigInt(deployment.chains[other]!.chainId), schedule] });
          hashes.push(await this.admins[name]!.send({ to: this.parts.feeModules[name]!, gas: GAS.admin * 3n, data }));
        }
      }
      for (const h of hashes) {
        const r = await waitForReceipt(chains[name]!, h, { timeoutMs: 60_000, pollMs: 100 });
        if (r.status !== "success") throw new CorridorError("CORRIDOR_DEMO_FEE_UPDATE_FAILED", `fee schedule update reverted on ${name}`, { hash: h });
      }
    });
    void Promise.all(jobs)
      .then(() => {
        this.feeBpsOnChain = bps;
        this.board.log(`New fee schedule in force on every chain (${pctText(bps / 100)})`, "info", wallClock.now());
      })
      .catch((err) => {
        if (!this.stopped) this.board.log(`Fee update failed: ${(err as Error).message}`, "warning", wallClock.now());
      })
      .finally(() => {
        const i = this.pendingFees.indexOf(bps);
        if (i >= 0) this.pendingFees.splice(i, 1);
      });
  }

  // ---------------------------------------------------------------- following the corridor

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.followSends();
      const now = wallClock.now();
      if (now - this.lastSample >= 1) await this.refreshChains();
      if (now - this.lastSample >= 2) {
        this.lastSample = now;
        const parked = this.chainView.liquidity.reduce((n, l) => n + l.parked, 0);
        this.board.sample(now, { parked, mids: this.mids(now), relayerUp: this.relayerService !== undefined });
      }
      this.publish(false);
    } catch (err) {
      if (!this.stopped) this.parts.logger.child({ module: "demo" }).warn({ err: (err as Error).message }, "dashboard refresh failed");
    } finally {
      this.ticking = false;
    }
  }

  /** Receipts of the demo's sends, then the relayer's record of each open transfer. */
  private async followSends(): Promise<void> {
    const p = this.parts;
    const { chains, deployment } = p.corridor;
    for (const o of this.board.openTransfers()) {
      if (o.id) continue;
      const tx = p.load.txOf(o.hash);
      if (!tx) continue;
      const chain = chains[tx.chain]!;
      const receipt = await getReceipt(chain, o.hash);
      if (!receipt) continue;
      p.gas.observeSend(o.hash, receipt.gasUsed);
      const sent = receipt.status === "success" ? decodeGatewayLogs(receipt.logs).find((e) => e.name === "TransferSent" && e.log.address.toLowerCase() === deployment.chains[tx.chain]!.gateway.toLowerCase()) : undefined;
      if (sent) this.board.sendMined(o.hash, sent.id);
      else {
        this.board.rejectSend(o.hash, await revertReason(chain, tx, receipt.blockNumber));
        p.load.forget(o.hash);
      }
    }
    for (const o of this.board.openTransfers()) {
      if (!o.id) continue;
      const r = p.reader.get(o.id);
      if (!r) continue;
      this.board.update(r, (rec) => this.gasOf(rec));
      if (r.state === "settled" && r.amountOut !== undefined) p.load.credit(r.dstChain, r.message.recipient as Hex, r.outputCurrency, r.amountOut);
      if (r.state === "settled" || r.state === "refunded") p.load.forget(o.hash);
    }
  }

  /** A transfer's gas in the numeraire, and as a share of its amount valued in the numeraire at the mid now. */
  private gasOf(r: TransferRecord) {
    const priceOf = (chain: string) => gasPriceFor({ profile: this.spec.chains[chain]?.profile ?? "local" });
    const whole = fromBaseUnits(r.message.amount);
    const inNumeraire = whole.times(midFor(this.parts.rates, r.inputCurrency, this.spec.numeraire, wallClock.now())).toNumber();
    return this.parts.gas.forTransfer(r, { src: priceOf(r.srcChain), dst: priceOf(r.dstChain) }, inNumeraire);
  }

  /** Each chain's pool and Fast allowance, read from its gateway. */
  private async refreshChains(): Promise<void> {
    const { chains, deployment } = this.parts.corridor;
    const parked = this.relayerService?.relayer.liquidityQueueDepth();
    const liquidity: LiquidityView[] = [];
    const fast: FastAllowanceView[] = [];
    for (const name of chainNames(this.spec)) {
      const chain = chains[name]!;
      const d = deployment.chains[name]!;
      const token = d.tokens[d.home]!;
      const read = async (functionName: string) => (await chain.client.readContract({ address: d.gateway, abi: gatewayAbi(), functionName, args: [token] })) as bigint;
      const [available, capacity, outstanding] = await Promise.all([read("liquidity"), read("fastAllowance"), read("fastOutstanding")]);
      const previous = this.chainView.liquidity.find((l) => l.chain === name);
      liquidity.push({ chain: name, currency: d.home, available: toWhole(available), initial: this.parts.initialLiquidity, parked: parked?.[name] ?? previous?.parked ?? 0 });
      fast.push({ chain: name, currency: d.home, capacity: toWhole(capacity), outstanding: toWhole(outstanding) });
    }
    this.chainView = { liquidity, fast };
  }

  private publish(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastPublish < 950) return;
    if (this.listeners.size === 0) return;
    this.lastPublish = now;
    const state = this.snapshot();
    for (const fn of this.listeners) {
      try {
        fn(state);
      } catch {
        // a listener's failure (a closed connection) is its own business
      }
    }
  }
}

// ---------------------------------------------------------------- helpers

function feeSchedule(bps: number): FeeSchedule {
  return parseFeeSchedule({ fixed: 0, bps, min: 0, max: "1000000000", fastPremiumBps: FAST_PREMIUM_BPS });
}

function travelRuleSpec() {
  return DEFAULT_HOOKS.find((h) => h.hook === "travelRule") ?? { hook: "travelRule" };
}

/** The default travel-rule hook with one threshold, in the numeraire, for every jurisdiction of the spec. */
function travelRuleWithThreshold(spec: CorridorSpec, amount: number): ComplianceHook {
  const thresholds = Object.fromEntries(Object.keys(spec.jurisdictions).map((id) => [id, { amount, currency: spec.numeraire }]));
  return createHook({ ...travelRuleSpec(), thresholds });
}

/** Each jurisdiction's legal travel-rule threshold, in words, from the spec: "<currency> <amount> for <jurisdiction> senders, ...". */
export function legalThresholds(spec: CorridorSpec): string {
  return Object.values(spec.jurisdictions)
    .map((j) => {
      const t = j.travelRule;
      const who = `${j.id} senders`;
      if (t === null) return `none for ${who}`;
      return Number(t.amount) === 0 ? `every payment of ${who}` : `${t.currency} ${formatWhole(Number(t.amount))} for ${who}`;
    })
    .join(", ");
}

/** The currencies an FX shock may move: the stablecoins' other than the numeraire (a unit of account such as a threshold's keeps its mid). */
export function shockable(spec: CorridorSpec): string[] {
  return spec.tokens.filter((c) => c !== spec.numeraire);
}


async function revertReason(chain: Chain, tx: { from: Hex; to: Hex; data: Hex }, blockNumber: number): Promise<string> {
  try {
    await chain.request("eth_call", [{ from: tx.from, to: tx.to, data: tx.data }, toHex(Math.max(0, blockNumber - 1))]);
    return "the source chain refused the payment";
  } catch (e) {
    const data = (e as { data?: Hex }).data;
    const name = data ? decodeRevert(data)?.errorName : undefined;
    return name ? `the source chain refused the payment (${name})` : "the source chain refused the payment";
  }
}

const toWhole = (v: bigint) => Number(fromBaseUnits(v).toFixed(2));
const formatWhole = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
const pctText = (pct: number) => `${pct.toFixed(2)}%`;
const short = (a: Hex) => `${a.slice(0, 6)}…${a.slice(-4)}`;
/** An amount with its currency's symbol from the spec (symbolOf), whole units by default. */
const money = (spec: CorridorSpec, currency: string, v: bigint, digits = 0) =>
  `${symbolOf(spec, currency)}${Number(fromBaseUnits(v)).toLocaleString("en-US", { maximumFractionDigits: digits })}`;
