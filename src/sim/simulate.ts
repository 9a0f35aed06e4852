import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { Logger } from "pino";
import { bootCorridor, type BootedCorridor } from "../corridor/boot.js";
import { setEmbeddedStateHistory } from "../chains/embedded.js";
import { CHAIN_PROFILES, maxFinalityDepth, withEpochPhase, type ChainProfile } from "../chains/profiles.js";
import { fundCorridor } from "../contracts/fund.js";
import { buildSend } from "../corridor/send.js";
import { installPolicies } from "../contracts/policies.js";
import { GAS, gatewayAbi } from "../contracts/gateway.js";
import { getReceipt, TxSender } from "../chains/tx-sender.js";
import { mineBlockAt, setAutomine, getBlock } from "../chains/mining.js";
import { testKey, testKeyPair, type KeyPair } from "../chains/keys.js";
import type { Operator } from "../operator/operator.js";
import { buildAttesters, buildOperator } from "../operator/build.js";
import { QuorumErrorCode } from "../operator/quorum.js";
import { isCorridorError } from "../domain/errors.js";
import { connectOperator } from "../operator/service.js";
import { Relayer } from "../relayer/relayer.js";
import { driveRound } from "../relayer/drive.js";
import { MemoryTransferStore } from "../relayer/store.js";
import { NO_QUOTE, ZERO_HASH } from "../domain/message.js";
import { toBaseUnits } from "../domain/money.js";
import { createRandom } from "../domain/random.js";
import type { Scheduler } from "../domain/clock.js";
import { midFor, type RateSource } from "../domain/fx/rate-source.js";
import type { TransferRecord } from "../domain/transfer.js";
import { travelRuleHash } from "../domain/compliance/ivms.js";
import { createHooks, type HookDeps, type HookSpec } from "../domain/compliance/registry.js";
import type { AuditEntry } from "../domain/compliance/types.js";
import { DEFAULT_SANCTIONS_FILE, loadAddressList, loadSanctionsList, resolveListFile, type SanctionsList } from "../data/sanctions-list.js";
import { runDataSets, sanctionsListsOf, type DataSetUse } from "../data/run-data.js";
import { DEFAULT_HOOKS } from "../operator/default-hooks.js";
import { silentLogger } from "../logger.js";
import { EventEngine } from "./engine.js";
import { lazyWorkload, type LazyWorkload } from "./workload.js";
import { snapshotLedger, type LedgerSnapshot } from "../measure/ledger.js";
import { checkConservation } from "../measure/conservation.js";
import { buildResults, type SimulationResults, type Timeline } from "./results.js";
import { loadG20Targets } from "../measure/g20-targets.js";
import { rateSourceFor } from "./fx-source.js";
import { attestationTimes, runAssumptions } from "./assumptions.js";
import { gasSensitivity } from "../measure/gas-sensitivity.js";
import type { Scenario } from "./scenario.js";
import { Issuers } from "../regulation/issuer.js";
import { FaultInjector, isInjectedFault, wrapChain } from "./faults.js";
import { GasMeter, gasPriceFor } from "../measure/gas.js";
import type { TransferOut } from "../measure/transfer-out.js";
import { anvilSource, chooseChainBackend, type ChainBackend } from "./chain-backend.js";
import { Providers } from "../liquidity/providers.js";

export interface SimulateOptions {
  scenario: Scenario;
  /** Overrides the scenario's seed. */
  seed?: number;
  logger?: Logger;
  /** Called as transfers reach a final state, with the virtual seconds since the start. */
  onProgress?: (done: number, total: number, info: { virtualSeconds: number }) => void;
  /** Reuse already-open chains (tests); by default embedded chains are created and closed. */
  corridor?: BootedCorridor;
  /** Folder of the scenario file: relative list files resolve against it, then against the package root. */
  scenarioDir?: string;
  /** Where the chains run (default: src/sim/chain-backend.ts picks anvil for long runs); ignored with `corridor` or RPC URLs. */
  chains?: ChainBackend;
  /** Given the run's liquidity providers when the scenario declares them (tests read their books). */
  onProviders?: (providers: Providers) => void;
}

/** The default off-chain pipeline (shared with live operators). */
export { DEFAULT_HOOKS };

/**
 * Runs a scenario under virtual time: a discrete-event engine produces blocks on every chain of
 * the scenario's spec at their profiles' block times (timestamps from virtual time), submits the
 * workload's sends at their arrival times, and calls the relayer and operator when their work is
 * due, with the modelled screening, attestation and review latencies. Same scenario and seed,
 * same results. Each step below is one function of this file.
 */
export async function simulate(opts: SimulateOptions): Promise<SimulationResults & { audit: AuditEntry[] }> {
  const scenario = { ...opts.scenario, seed: opts.seed ?? opts.scenario.seed };
  const log = (opts.logger ?? silentLogger).child({ module: "sim" });
  const wallStart = Date.now();
  const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
  // The lists and the workload first: a bad list file is refused before any chain starts.
  const plan = prepare(scenario, opts.scenarioDir);
  const corridor = opts.corridor ?? (await bootFor(scenario, t0, chooseChainBackend(scenario, opts.chains)));
  try {
    const senders = new SenderPool();
    const { lp, issuers, providers } = await setUp(scenario, corridor, plan, senders);
    if (providers) opts.onProviders?.(providers);
    const parties = { senders: mapChains(scenario, (n) => plan.workload.senders[n]!.map((s) => s.address)), recipients: plan.recipients };
    const before = await snapshotLedger(corridor.chains, corridor.deployment, parties);
    const start = Math.max(t0, ...(await Promise.all(Object.values(corridor.chains).map(async (c) => (await getBlock(c)).timestamp + 1))));
    // From here on only the simulator makes blocks, under virtual time.
    for (const c of Object.values(corridor.chains)) await setAutomine(c, false);
    const sends = new SendBook(scenario);
    const run = wire(scenario, corridor, plan, { lp, start, sends, log, issuers, providers });
    await providers?.attach({
      scheduler: run.engine,
      start,
      records: run.store,
      rates: run.rates,
      blockSeconds: (n) => run.profiles[n]!.blockTimeSeconds,
      ...(issuers ? { issuance: (cur: string, amount: bigint, t: number) => issuers.noteProviderIssuance(cur, amount, t) } : {}),
    });
    issuers?.schedule({ start, scheduler: run.engine, blockSeconds: (n) => run.profiles[n]!.blockTimeSeconds });
    scheduleSends(run, scenario, plan, senders);
    driveChains(run, scenario, plan.workload.count, opts.onProgress);
    const timeline = sampleTimeline(run, scenario);
    await run.engine.run();
    // Redemptions still to pay (a sale settles a business day later) are paid in blocks stamped at their time.
    await issuers?.finish();
    await timeline.sample();
    for (const c of Object.values(corridor.chains)) await setAutomine(c, true);
    // Rebalancing moves and outages still under way complete on the chains mining on their own.
    await providers?.finish();
    const results = await measure(run, scenario, { before, parties, timeline: timeline.timeline, wallStart });
    return { ...results, data: plan.data, audit: run.audit };
  } finally {
    if (!opts.corridor) await corridor.close();
  }
}

const mapChains = <T>(s: Scenario, f: (name: string) => T): Record<string, T> => Object.fromEntries(Object.keys(s.spec.chains).map((n) => [n, f(n)]));

/** Opens the scenario's chains (embedded, or its JSON-RPC URLs) and deploys the corridor on them. */
async function bootFor(scenario: Scenario, t0: number, backend: ChainBackend): Promise<BootedCorridor> {
  const names = Object.keys(scenario.spec.chains);
  // Embedded chains keep the block states the operator reads (down to Standard depth), not a whole day of them (memory).
  setEmbeddedStateHistory(Math.max(...names.map((n) => maxFinalityDepth(CHAIN_PROFILES[scenario.spec.chains[n]!.profile]!))) + 128);
  const rpc = names.every((n) => scenario.chains[n]!.rpcUrl);
  return bootCorridor({
    seed: scenario.seed,
    spec: scenario.spec,
    attesterCount: scenario.operator.attesters,
    threshold: scenario.operator.threshold,
    source: rpc ? { kind: "rpc", urls: mapChains(scenario, (n) => scenario.chains[n]!.rpcUrl!) } : backend === "anvil" ? anvilSource(scenario) : { kind: "embedded" },
    // Genesis a day before the run: set-up blocks are stamped then, the run from startTime on.
    initialDate: new Date((t0 - 86_400) * 1000),
  });
}

/** What the run is made of before any chain is touched: the compliance pipeline, the lists it screens against, and the workload. */
interface Plan {
  hookSpecs: readonly HookSpec[];
  /** The list readers the hooks use (files resolved against the scenario's folder, each read once). */
  loaders: HookDeps;
  /** The data sets the run uses (src/data/run-data.ts), for results.json. */
  data: DataSetUse[];
  sanctionedPool: Hex[];
  workload: LazyWorkload;
  recipients: Hex[];
  profiles: Record<string, ChainProfile>;
  feeSchedule: (route: string) => Scenario["fees"]["default"];
}

function prepare(scenario: Scenario, scenarioDir: string | undefined): Plan {
  const hookSpecs = scenario.compliance.hooks ?? DEFAULT_HOOKS;
  const lists = new Map<string, SanctionsList>();
  const addressLists = new Map<string, Set<string>>();
  // Each file is read once; hooks and the data-set record share what was read.
  const loadSanctions = (file: string, asOf?: string) => {
    const key = `${file}\n${asOf ?? ""}`;
    return lists.get(key) ?? lists.set(key, loadSanctionsList(resolveListFile(file, scenarioDir), asOf)).get(key)!;
  };
  const loadList = (file: string) => addressLists.get(file) ?? addressLists.set(file, loadAddressList(resolveListFile(file, scenarioDir))).get(file)!;
  const data = runDataSets(scenario, scenarioDir, loadSanctions);
  const first = sanctionsListsOf(scenario, scenarioDir)[0];
  const sanctionsList = loadSanctions(first?.file ?? DEFAULT_SANCTIONS_FILE, first?.asOf).addresses;
  const sanctionedPool = [...sanctionsList].sort() as Hex[];
  const workload = lazyWorkload(scenario, { sanctioned: sanctionedPool });
  // Listed senders: the simulation's own keys, put on the screening list (as if the list named them).
  for (const a of workload.listedSenders) sanctionsList.add(a.toLowerCase());
  return {
    hookSpecs,
    loaders: { loadAddressList: loadList, loadSanctionsList: loadSanctions },
    data,
    sanctionedPool,
    workload,
    recipients: workload.payees,
    // Where each chain's finality epochs start: drawn from the seed per chain (src/chains/profiles.ts).
    profiles: mapChains(scenario, (n) => withEpochPhase(CHAIN_PROFILES[scenario.spec.chains[n]!.profile]!, (e) => createRandom(scenario.seed).fork(`epoch/${n}`).int(0, e - 1))),
    feeSchedule: (route) => scenario.fees.routes[route] ?? scenario.fees.default,
  };
}

/** One transaction sender per key, kept for the run: it knows its nonce, so no send asks a busy mempool for it. */
class SenderPool {
  private readonly senders = new Map<Hex, TxSender>();
  get(chain: Chain, key: KeyPair): TxSender {
    let sender = this.senders.get(key.address);
    if (!sender) this.senders.set(key.address, (sender = new TxSender(chain, key.privateKey)));
    return sender;
  }
  all(): TxSender[] {
    return [...this.senders.values()];
  }
}

/**
 * Set-up while the chains still mine on their own: the corridor's policies, then liquidity and senders' funds, then the
 * governed coins' issuers (src/regulation/). Returns the liquidity providers and the issuers.
 */
async function setUp(scenario: Scenario, corridor: BootedCorridor, plan: Plan, senders: SenderPool): Promise<{ lp: Record<string, KeyPair>; issuers: Issuers | undefined; providers: Providers | undefined }> {
  const { chains, deployment } = corridor;
  const { workload } = plan;
  await installPolicies({
    chains,
    deployment,
    deployerKey: corridor.keys.deployer,
    feeSchedules: plan.feeSchedule,
    quoter: testKeyPair(scenario.seed, "quoter").address,
    fastAllowance: mapChains(scenario, (n) => (scenario.fastAllowance[n] === "unlimited" ? undefined : toBaseUnits(scenario.fastAllowance[n]!))),
    onChain: {
      sanctions: scenario.compliance.onChain.sanctions ? [...plan.sanctionedPool, ...workload.listedSenders] : undefined,
      allowlist: scenario.compliance.onChain.allowlist
        ? Object.values(workload.senders)
            .flat()
            .map((s) => s.address)
            .concat(workload.recipients)
        : undefined,
    },
  });
  const lp = await fundCorridor({
    spec: scenario.spec,
    chains,
    deployment,
    seed: scenario.seed,
    issuerKey: corridor.keys.deployer,
    // Declared providers fund the pools themselves (src/liquidity/providers.ts).
    liquidity: (name) => (scenario.providers ? 0n : toBaseUnits(scenario.liquidity[name]!)),
    // Each sender holds what its transfers need plus a margin (nothing runs dry mid-run).
    senders: (name) =>
      workload.senders[name]!.map((key) => {
        const need = workload.needs.get(key.address) ?? 0n;
        return { key, amount: need + need / 10n + toBaseUnits("100") };
      }),
    txSender: (name, key) => senders.get(chains[name]!, key),
  });
  const providers = scenario.providers
    ? await Providers.fund({ spec: scenario.spec, chains, deployment, seed: scenario.seed, adminKey: corridor.keys.deployer, providers: scenario.providers, rebalancing: scenario.rebalancing, netting: scenario.netting })
    : undefined;
  const issuers =
    Object.keys(scenario.regulation.packs).length === 0
      ? undefined
      : await Issuers.open(
          scenario.regulation,
          {
            spec: scenario.spec,
            chains,
            deployment,
            issuerKey: corridor.keys.deployer,
            seed: scenario.seed,
            senders: workload.senders,
            recipients: plan.recipients,
            lp,
            senderFor: (name, key) => senders.get(chains[name]!, key),
            planned: Array.from(workload.transfers(), (t) => ({ at: t.at, output: t.output, recipient: t.recipient })),
          },
        );
  // The set-up sends ran concurrently, so the fee level each sender first read depended on timing:
  // read nonce and fees again now that no block is being made (the same head for all), so that the
  // run's transactions, and their hashes, are the same on every run.
  await Promise.all(senders.all().map((s) => s.sync()));
  return { lp, issuers, providers };
}

/** The run's sends: those awaiting a receipt per chain, what limits each, and those rejected at send. */
class SendBook {
  readonly pending: Record<string, Hex[]>;
  /** When each send was submitted, and the times after which it can only revert (quote expiry, deadline). */
  readonly limits = new Map<Hex, { at: number; quoteExpiresAt?: number; deadline: number }>();
  readonly rejected: { index: number; reason: string }[] = [];
  /** Each send's planned transfer's index (not the plan itself: a long run does not keep its plan). */
  readonly indexByTx = new Map<Hex, number>();
  submitted = 0;
  constructor(scenario: Scenario) {
    this.pending = mapChains(scenario, () => [] as Hex[]);
  }
}

/** Everything the run's steps share: the engine, the corridor's parts, and the books. */
interface Run {
  corridor: BootedCorridor;
  engine: EventEngine;
  start: number;
  store: MemoryTransferStore;
  /** The chains as the operator reads them (the head cached until the simulator mines). */
  heads: Map<string, unknown>;
  faults: FaultInjector;
  rates: RateSource;
  gas: GasMeter;
  operator: Operator;
  relayer: Relayer;
  sends: SendBook;
  audit: AuditEntry[];
  /** Travel-rule payloads the senders' VASPs sent off chain, by their hash (what a message's extraHash commits to). */
  travelRules: Map<string, unknown>;
  profiles: Record<string, ChainProfile>;
  feeSchedule: Plan["feeSchedule"];
  lastTs: Record<string, number>;
  issuers: Issuers | undefined;
  providers: Providers | undefined;
}

/** Builds the run's parts under virtual time: chain views, attesters, faults, FX, the operator (through buildOperator) and the relayer, connected. */
function wire(scenario: Scenario, corridor: BootedCorridor, plan: Plan, o: { lp: Record<string, KeyPair>; start: number; sends: SendBook; log: Logger; issuers: Issuers | undefined; providers: Providers | undefined }): Run {
  const { chains, deployment } = corridor;
  const { profiles } = plan;
  const engine = new EventEngine(o.start);
  const store = new MemoryTransferStore();
  // The operator and the relayer read the head block often; it changes only when the simulator mines, so their views cache it until then.
  const heads = new Map<string, unknown>();
  const views: Record<string, Chain> = Object.fromEntries(
    Object.entries(chains).map(([name, chain]) => [
      name,
      wrapChain(chain, async (method, params) => {
        if (method !== "eth_getBlockByNumber" || params?.[0] !== "latest" || params[1] !== false) return chain.request(method, params);
        let head = heads.get(name);
        if (head === undefined) heads.set(name, (head = await chain.request(method, params)));
        return head;
      }),
    ]),
  );
  // The attesters, each with its own journal and reading of the chains (the faults take some offline).
  const attesters = buildAttesters({ chains: views, profiles, deployment, attesterKeys: corridor.keys.attesters, threshold: corridor.attesters.threshold, clock: engine.clock });
  const sends = o.sends;
  const faults = new FaultInjector(scenario.faults, {
    start: o.start,
    seed: scenario.seed,
    attesters,
    chains,
    deployment,
    lp: o.lp,
    numeraire: scenario.spec.numeraire,
    scheduler: engine,
    senderKeys: new Map(
      Object.values(plan.workload.senders)
        .flat()
        .map((k) => [k.address.toLowerCase(), k.privateKey]),
    ),
    onReorg: (name, doubleSpent) => {
      heads.delete(name);
      // Sends still waiting for a receipt that their senders double-spent on the winning branch: they never happen.
      const gone = new Set(doubleSpent);
      sends.pending[name] = sends.pending[name]!.filter((h) => {
        if (!gone.has(h)) return true;
        sends.rejected.push({ index: sends.indexByTx.get(h)!, reason: "double-spent by its sender in a reorg" });
        sends.limits.delete(h);
        return false;
      });
    },
    ...(o.issuers ? { redemptions: { begin: (i, spec) => o.issuers!.begin(i, spec), report: (i) => o.issuers!.runReport(i) } } : {}),
    ...(o.providers ? { participants: { begin: (i, spec) => o.providers!.beginOutage(i, spec), finish: (i) => o.providers!.finishOutage(i), report: (i, transfers) => o.providers!.outageReport(i, transfers) } } : {}),
  });
  const rates = faults.rates(rateSourceFor(scenario, o.start, scenario.workload.durationSeconds));
  const gas = new GasMeter(new Set(Object.values(deployment.chains).map((d) => d.gateway.toLowerCase())));
  // The relayer talks to the chains through the fault proxy (RPC errors), which also shows its batch receipts to the gas meter.
  const relayerChains: Record<string, Chain> = faults.relayerChains(views, (method, result) => {
    if (method === "eth_getTransactionReceipt") gas.observeReceipt(result);
  });
  const audit: AuditEntry[] = [];
  const travelRules = new Map<string, unknown>();
  const reviewRng = createRandom(scenario.seed).fork("review");
  // The compliance officer, modelled: decides each held transfer after the modelled review time.
  const operator: Operator = buildOperator({
    chains: views,
    profiles,
    deployment,
    attesters,
    policy: {
      spec: scenario.spec,
      rates,
      quoterKey: testKey(scenario.seed, "quoter"),
      spreadBps: scenario.fx.spreadBps,
      quoteTtlSeconds: scenario.fx.quoteTtlSeconds,
      hooks: [
        ...createHooks(plan.hookSpecs, plan.loaders),
        // A regime's holding limits deny a transfer that would take its recipient beyond them.
        ...(o.issuers?.limits.any ? [o.issuers.limits.hook((id) => store.get(id as Hex)?.outputCurrency)] : []),
      ],
      // The sender's VASP sends the payload off chain; the message commits to it by its hash.
      travelRuleFor: (m) => travelRules.get(m.extraHash.toLowerCase()),
      audit: (entries) => audit.push(...entries),
    },
    clock: engine.clock,
    onHold: (d, _reason, reviewSeconds) => {
      const approve = reviewRng.fork(d.id).chance(scenario.compliance.reviewApproveShare);
      engine.after(reviewSeconds ?? 900, () => void operator.review(d.id, approve, "simulated reviewer"));
    },
  });
  const relayer = new Relayer({
    chains: relayerChains,
    profiles,
    deployment,
    store,
    relayerKey: corridor.keys.relayer,
    clock: engine.clock,
    logger: o.log,
    maxBatch: scenario.relayer.maxBatch,
    refundGraceSeconds: scenario.relayer.refundGraceSeconds,
    resubmitAfterSeconds: scenario.relayer.resubmitAfterSeconds,
  });
  // Operator steps that fail because attesters are offline (or an injected RPC error) run again later.
  let operatorRetries = 0;
  const retrying = (fn: () => void | Promise<void>): (() => Promise<void>) => {
    const run = async () => {
      try {
        await fn();
      } catch (err) {
        if (!isInjectedFault(err) && !isCorridorError(err, QuorumErrorCode.NoQuorum)) throw err;
        faults.noteOperatorError(engine.now());
        if (++operatorRetries > 1_000_000) throw err;
        engine.after(30, run);
      }
    };
    return run;
  };
  const operatorScheduler: Scheduler = { now: () => engine.now(), after: (seconds, fn) => engine.after(seconds, retrying(fn)) };
  relayer.connect(
    connectOperator({
      operator,
      relayer,
      scheduler: operatorScheduler,
      onError: () => faults.noteOperatorError(engine.now()),
      logger: o.log,
      screeningSeconds: scenario.operator.screeningSeconds,
      attestationSeconds: scenario.operator.attestationSeconds,
      attestationDelay: attestationDelay(scenario),
    }),
  );
  return {
    corridor,
    engine,
    start: o.start,
    store,
    heads,
    faults,
    rates,
    gas,
    operator,
    relayer,
    sends,
    audit,
    travelRules,
    profiles,
    feeSchedule: plan.feeSchedule,
    lastTs: mapChains(scenario, () => 0),
    issuers: o.issuers,
    providers: o.providers,
  };
}

/**
 * Each planned transfer is built (src/corridor/send.ts) and sent at its arrival time. The plan is read
 * lazily: each send schedules the next one, in the place among equal times it would have had if all had
 * been scheduled up front (`EventEngine.reserve`), so the run is the same and does not hold its plan.
 */
function scheduleSends(run: Run, scenario: Scenario, plan: Plan, senders: SenderPool): void {
  const { engine, sends } = run;
  const { chains, deployment } = run.corridor;
  const first = engine.reserve(plan.workload.count);
  const planned = plan.workload.transfers();
  const scheduleNext = () => {
    const next = planned.next();
    if (next.done) return;
    const p = next.value;
    engine.atReserved(run.start + p.at, first + p.index, async () => {
      scheduleNext();
      const src = deployment.chains[p.from]!;
      const sender = senders.get(chains[p.from]!, p.sender);
      const now = engine.now();
      if (p.travelRule) run.travelRules.set(travelRuleHash(p.travelRule).toLowerCase(), p.travelRule);
      const { data, quote } = await buildSend({
        quoter: run.operator.quoter,
        src,
        dst: deployment.chains[p.to]!,
        input: p.input,
        output: p.output,
        sender: p.sender.address,
        recipient: p.recipient,
        amount: p.amount,
        tier: p.tier,
        feeSchedule: run.feeSchedule(`${p.from}:${p.input}->${p.to}`),
        lockQuote: p.lockQuote,
        slippageBps: scenario.fx.slippageBps,
        now,
        deadlineSeconds: scenario.workload.deadlineSeconds,
        extraHash: p.travelRule ? travelRuleHash(p.travelRule) : ZERO_HASH,
      });
      const hash = await sender.send({ to: src.gateway, data, gas: GAS.send });
      sends.indexByTx.set(hash, p.index);
      sends.pending[p.from]!.push(hash);
      sends.limits.set(hash, { at: now, quoteExpiresAt: quote === NO_QUOTE ? undefined : Number(quote.expiresAt), deadline: Math.floor(now) + scenario.workload.deadlineSeconds });
      run.faults.noteSend(p.from, now);
      sends.submitted++;
    });
  };
  scheduleNext();
}

/**
 * Blocks: each chain at its profile's block time, the relayer driven by `driveRound` (deliver,
 * blocks, read). Chains due at the same moment mine together (independent chains, so their blocks
 * are built in parallel); everything else runs in a fixed order, so the run stays a deterministic
 * function of the scenario and seed. Also the deadline sweep and the faults' schedule.
 */
function driveChains(run: Run, scenario: Scenario, total: number, onProgress: SimulateOptions["onProgress"]): void {
  const { engine, relayer, faults, sends, start } = run;
  const { chains } = run.corridor;
  let lastDone = -1;
  const finished = () => sends.submitted >= total && Object.values(sends.pending).every((p) => p.length === 0) && !relayer.busy() && !faults.busy(engine.now());
  const hardStop = start + scenario.workload.durationSeconds + scenario.workload.deadlineSeconds + 6 * 3600;
  /** Relayer work that an injected RPC error may interrupt: it is simply tried again at the next block. */
  const guard = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (!isInjectedFault(err)) throw err;
    }
  };
  const names = Object.keys(chains).sort();
  const blockTime = Object.fromEntries(names.map((n) => [n, run.profiles[n]!.blockTimeSeconds]));
  const blockIndex = Object.fromEntries(names.map((n) => [n, 1]));
  const nextBlockAt = (n: string) => start + blockIndex[n]! * blockTime[n]!;
  const mine = async (name: string, now: number) => {
    const chain = chains[name]!;
    const ts = Math.max(Math.floor(now), run.lastTs[name]! + (chain.kind === "rpc" ? 1 : 0));
    await mineBlockAt(chain, ts);
    run.lastTs[name] = ts;
    run.heads.delete(name);
  };
  const tick = async () => {
    const now = engine.now();
    const due = names.filter((n) => nextBlockAt(n) <= now);
    const down = Object.fromEntries(due.map((n) => [n, faults.relayerDown(now, n)]));
    await driveRound(relayer, {
      chains: due,
      skip: (n) => down[n]!,
      guard,
      produceBlocks: (ns) => Promise.all(ns.filter((n) => !faults.halted(n, now)).map((n) => mine(n, now))).then(() => undefined),
      beforePoll: async (n) => {
        if (faults.count > 0) await faults.afterMine(n);
        if (!down[n] && faults.wantsCatchUp(n, now)) {
          const head = (await getBlock(chains[n]!)).number;
          faults.noteCatchUp(n, now, head - (run.store.cursor(n) ?? head));
        }
      },
      afterPoll: (n) => checkSendReceipts(run, n),
    });
    for (const n of due) blockIndex[n]!++;
    const done = relayer.terminalCount + sends.rejected.length;
    if (done !== lastDone) {
      lastDone = done;
      onProgress?.(done, total, { virtualSeconds: engine.now() - start });
    }
    if (finished() || engine.now() > hardStop) return engine.stop();
    engine.at(Math.min(...names.map(nextBlockAt)), tick);
  };
  engine.at(Math.min(...names.map(nextBlockAt)), tick);
  const deadlineSweep = () => {
    if (!faults.relayerDown(engine.now())) relayer.checkDeadlines();
    engine.after(30, deadlineSweep);
  };
  engine.after(30, deadlineSweep);
  faults.schedule();
}

/** Each transfer's modelled attestation time: lognormal around the scenario's median, drawn from the seed by transfer id. */
function attestationDelay(scenario: Scenario): (r: TransferRecord) => number {
  const { attestationSeconds: median, attestationSpread: sigma } = scenario.operator;
  const rng = createRandom(scenario.seed).fork("attestation");
  return (r) => (sigma > 0 && median > 0 ? median * Math.exp(rng.fork(r.id).normal(0, sigma)) : median);
}

/** Sends that reverted never emit TransferSent: they are recorded as rejected at send, with why. */
async function checkSendReceipts(run: Run, name: string): Promise<void> {
  const { sends } = run;
  const pend = sends.pending[name]!;
  if (pend.length === 0) return;
  sends.pending[name] = [];
  for (const h of pend) {
    const rc = await getReceipt(run.corridor.chains[name]!, h);
    if (!rc) sends.pending[name]!.push(h);
    else {
      run.gas.observeSend(h, rc.gasUsed);
      if (rc.status === "reverted") {
        // Why, from what the send carried and when its block came (a send held up, e.g. by a halt, outlives its quote).
        const lim = sends.limits.get(h)!;
        const ts = run.lastTs[name]!;
        const reason = lim.quoteExpiresAt !== undefined && ts > lim.quoteExpiresAt ? "quote expired before inclusion" : ts >= lim.deadline ? "deadline passed before inclusion" : "send reverted";
        sends.rejected.push({ index: sends.indexByTx.get(h)!, reason });
        run.faults.noteRejectedSend(name, lim.at);
      }
      sends.limits.delete(h);
    }
  }
}

/** Samples for the timeline: liquidity, Fast allowance outstanding, parked settlements, open transfers. */
function sampleTimeline(run: Run, scenario: Scenario): { timeline: Timeline; sample: () => Promise<void> } {
  const { engine, relayer } = run;
  const { chains, deployment } = run.corridor;
  const timeline: Timeline = { stepSeconds: Math.max(60, Math.ceil(scenario.workload.durationSeconds / 240)), t: [], liquidity: {}, fastOutstanding: {}, parked: {}, open: [] };
  const sample = async () => {
    timeline.t.push(Math.round(engine.now() - run.start));
    const parked = relayer.liquidityQueueDepth();
    for (const [name, chain] of Object.entries(chains)) {
      const d = deployment.chains[name]!;
      const read = async (functionName: string, token: Hex) => (await chain.client.readContract({ address: d.gateway, abi: gatewayAbi(), functionName, args: [token] })) as bigint;
      (timeline.liquidity[name] ??= []).push(wholeUnits(await read("liquidity", d.tokens[d.home]!)));
      let fast = 0n;
      for (const token of Object.values(d.tokens)) fast += await read("fastOutstanding", token);
      (timeline.fastOutstanding[name] ??= []).push(wholeUnits(fast));
      (timeline.parked[name] ??= []).push(parked[name] ?? 0);
    }
    timeline.open.push(relayer.openCount);
  };
  const sampler = async () => {
    await sample();
    engine.after(timeline.stepSeconds, sampler);
  };
  engine.at(run.start, sampler);
  return { timeline, sample };
}

/** After the run: the books against the chains (conservation), gas in the numeraire, and the results. */
async function measure(
  run: Run,
  scenario: Scenario,
  o: { before: LedgerSnapshot; parties: Parameters<typeof snapshotLedger>[2]; timeline: Timeline; wallStart: number },
): Promise<SimulationResults> {
  const { chains, deployment } = run.corridor;
  const { before } = o;
  const after = await snapshotLedger(chains, deployment, o.parties);
  // The liquidity provider's own withdrawals and deposits (faults) are outside the transfer records: the baseline moves with them.
  for (const f of run.faults.liquidityFlows()) {
    const b = before.balances[f.chain]![f.currency]!;
    b.liquidity += f.amount;
    b.gatewayBalance += f.amount;
  }
  const conservation = checkConservation(run.store.all(), before, after, [...(run.issuers?.flows() ?? []), ...(run.providers?.flows() ?? [])]);
  // The providers' books against the chains: every unit a provider put in is in a pool, in flight, or owed to it.
  const providerCheck = await run.providers?.check();
  if (providerCheck && !providerCheck.ok) conservation.ok = false;
  const prices = mapChains(scenario, (n) => gasPriceFor(scenario.chains[n]!));
  const numeraire = scenario.spec.numeraire;
  const value = (r: TransferRecord): number => wholeUnits(r.message.amount) / midFor(run.rates, numeraire, r.inputCurrency, r.stages.initiated ?? run.start).toNumber();
  const virtualEnd = run.engine.now();
  const results = buildResults({
    scenario,
    records: [...run.store.all()],
    indexBySendTx: run.sends.indexByTx,
    rejected: run.sends.rejected,
    conservation,
    virtual: { start: run.start, end: virtualEnd },
    wallSeconds: (Date.now() - o.wallStart) / 1000,
    relayerStats: run.relayer.stats,
    deployment,
    gas: (r) => run.gas.forTransfer(r, { src: prices[r.srcChain]!, dst: prices[r.dstChain]! }, value(r)),
    timeline: o.timeline,
    faults: (transfers) => run.faults.report(transfers, virtualEnd),
    g20Targets: loadG20Targets(),
    ...(run.issuers ? { regulation: (transfers: readonly TransferOut[]) => run.issuers!.report(transfers) } : {}),
    ...(run.providers && providerCheck ? { providers: run.providers.report(providerCheck) } : {}),
  });
  return withAssumptions(results, scenario, run.profiles);
}

/** The run's assumptions beside its figures, the cost verdicts at other gas prices, the attestation times against the published ones. */
function withAssumptions(results: SimulationResults, scenario: Scenario, profiles: Record<string, ChainProfile>): SimulationResults {
  const assumptions = runAssumptions(scenario, profiles);
  results.assumptions = assumptions;
  results.summary.gasSensitivity = gasSensitivity(results.transfers, assumptions.gas, loadG20Targets(), scenario);
  results.summary.attestationTimes = attestationTimes(results.transfers, scenario);
  return results;
}

/** Base units to whole units as a number (for timelines and values in the numeraire, not for books). */
function wholeUnits(v: bigint): number {
  return Number(v) / 1e6;
}
