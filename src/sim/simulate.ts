import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { packagePath } from "../paths.js";
import type { Logger } from "pino";
import { bootCorridor, type BootedCorridor } from "../chains/setup.js";
import { setEmbeddedStateHistory } from "../chains/embedded.js";
import { CHAIN_PROFILES, type ChainProfile } from "../chains/profiles.js";
import { fundChain } from "../contracts/fund.js";
import { buildSend } from "../corridor/send.js";
import { installPolicies } from "../contracts/policies.js";
import { GAS, gatewayAbi } from "../contracts/gateway.js";
import { getReceipt, TxSender } from "../chains/tx-sender.js";
import { mineBlockAt, setAutomine, getBlock } from "../chains/mining.js";
import { testKey, testKeyPair } from "../chains/keys.js";
import type { Operator } from "../operator/operator.js";
import { buildAttesters, buildOperator } from "../operator/build.js";
import { QuorumErrorCode } from "../operator/quorum.js";
import { isCorridorError } from "../domain/errors.js";
import { Quoter } from "../operator/quoter.js";
import { createScreen } from "../operator/screening.js";
import { connectOperator } from "../operator/service.js";
import { Relayer } from "../relayer/relayer.js";
import { MemoryTransferStore } from "../relayer/store.js";
import { NO_QUOTE, ZERO_HASH } from "../domain/message.js";
import { toBaseUnits } from "../domain/money.js";
import { createRandom } from "../domain/random.js";
import type { Scheduler } from "../domain/clock.js";
import { gbpPerUsd } from "../domain/fx/rate-source.js";
import type { TransferRecord } from "../domain/transfer.js";
import { travelRuleHash } from "../domain/compliance/ivms.js";
import { createHooks } from "../domain/compliance/registry.js";
import type { AuditEntry } from "../domain/compliance/types.js";
import { loadAddressList, DEFAULT_SANCTIONS_FILE } from "../data/sanctions-list.js";
import { DEFAULT_HOOKS } from "../operator/default-hooks.js";
import { silentLogger } from "../logger.js";
import { EventEngine } from "./engine.js";
import { planWorkload, type PlannedTransfer } from "./workload.js";
import { snapshotLedger } from "../measure/ledger.js";
import { checkConservation } from "../measure/conservation.js";
import { buildResults, type SimulationResults, type Timeline } from "./results.js";
import { loadG20Targets } from "../measure/g20-targets.js";
import { rateSourceFor } from "./fx-source.js";
import type { Scenario } from "./scenario.js";
import { FaultInjector, isInjectedFault, wrapChain } from "./faults.js";
import { GasMeter, gasPriceFor } from "../measure/gas.js";

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
}

/** The default off-chain pipeline (shared with live operators). */
export { DEFAULT_HOOKS };

/**
 * Runs a scenario under virtual time: a discrete-event engine produces blocks on both chains
 * at their profiles' block times (timestamps from virtual time), submits the workload's sends
 * at their arrival times, and calls the relayer and operator when their work is due, with the
 * modelled screening, attestation and review latencies. Same scenario and seed, same results.
 */
export async function simulate(opts: SimulateOptions): Promise<SimulationResults & { audit: AuditEntry[] }> {
  const scenario = { ...opts.scenario, seed: opts.seed ?? opts.scenario.seed };
  const log = (opts.logger ?? silentLogger).child({ module: "sim" });
  const wallStart = Date.now();
  const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
  // Embedded chains keep the block states the operator reads (down to Standard depth), not a whole day of them (memory).
  setEmbeddedStateHistory(Math.max(...(["us", "uk"] as const).map((n) => CHAIN_PROFILES[scenario.chains[n].profile]!.standardConfirmations)) + 128);
  const corridor =
    opts.corridor ??
    (await bootCorridor({
      seed: scenario.seed,
      attesterCount: scenario.operator.attesters,
      threshold: scenario.operator.threshold,
      source:
        scenario.chains.us.rpcUrl && scenario.chains.uk.rpcUrl
          ? { kind: "rpc", urls: { us: scenario.chains.us.rpcUrl, uk: scenario.chains.uk.rpcUrl } }
          : { kind: "embedded" },
      // Genesis a day before the run: set-up blocks are stamped then, the run from startTime on.
      initialDate: new Date((t0 - 86_400) * 1000),
    }));
  const { chains, deployment } = corridor;
  try {
    const hookSpecs = scenario.compliance.hooks ?? DEFAULT_HOOKS;
    const listCache = new Map<string, Set<string>>();
    const resolveFile = (file: string) => {
      if (isAbsolute(file)) return file;
      const near = opts.scenarioDir ? resolve(opts.scenarioDir, file) : undefined;
      return near && existsSync(near) ? near : packagePath(file);
    };
    const loadList = (file: string) => listCache.get(file) ?? listCache.set(file, loadAddressList(resolveFile(file))).get(file)!;
    const sanctionsSpec = hookSpecs.find((h) => h.hook === "sanctions") as { listFile?: string } | undefined;
    const sanctionsList = loadList(sanctionsSpec?.listFile ?? DEFAULT_SANCTIONS_FILE);
    const sanctionedPool = [...sanctionsList].sort() as Hex[];
    const workload = planWorkload(scenario, { sanctioned: sanctionedPool });
    // Listed senders: the simulation's own keys, put on the screening list (as if the list named them).
    for (const a of workload.listedSenders) sanctionsList.add(a.toLowerCase());
    const profiles: Record<string, ChainProfile> = {
      us: CHAIN_PROFILES[scenario.chains.us.profile]!,
      uk: CHAIN_PROFILES[scenario.chains.uk.profile]!,
    };
    const feeSchedule = (route: string) => scenario.fees.routes[route] ?? scenario.fees.default;
    const quoterKey = testKey(scenario.seed, "quoter");

    const senders = new Map<Hex, TxSender>();
    const txSender = (chain: Chain, key: { address: Hex; privateKey: Hex }) => {
      let sender = senders.get(key.address);
      if (!sender) senders.set(key.address, (sender = new TxSender(chain, key.privateKey)));
      return sender;
    };

    // ---------------------------------------------------------------- set-up (automine on)
    const usedRecipients = [...new Set(workload.transfers.map((t) => t.recipient))];
    await installPolicies({
      chains,
      deployment,
      deployerKey: corridor.keys.deployer,
      feeSchedules: feeSchedule,
      quoter: testKeyPair(scenario.seed, "quoter").address,
      fastAllowance: Object.fromEntries(
        (["us", "uk"] as const).map((n) => [n, scenario.fastAllowance[n] === "unlimited" ? undefined : toBaseUnits(scenario.fastAllowance[n])]),
      ),
      onChain: {
        sanctions: scenario.compliance.onChain.sanctions ? [...sanctionedPool, ...workload.listedSenders] : undefined,
        allowlist: scenario.compliance.onChain.allowlist
          ? [...workload.senders.us, ...workload.senders.uk].map((s) => s.address).concat(workload.recipients)
          : undefined,
      },
    });
    const lp = { us: testKeyPair(scenario.seed, "lp", 0), uk: testKeyPair(scenario.seed, "lp", 1) };
    await Promise.all(
      (["us", "uk"] as const).map((name) =>
        fundChain({
          chain: chains[name]!,
          deployment: deployment.chains[name]!,
          issuerKey: corridor.keys.deployer,
          lp: lp[name],
          liquidity: toBaseUnits(scenario.liquidity[name]),
          // Each sender holds what its transfers need plus a margin (nothing runs dry mid-run).
          senders: workload.senders[name].map((key) => {
            const need = workload.needs.get(key.address) ?? 0n;
            return { key, amount: need + need / 10n + toBaseUnits("100") };
          }),
          // Kept for the run: it knows its nonce, so no send asks a busy mempool for it.
          txSender: (key) => txSender(chains[name]!, key),
        }),
      ),
    );
    // The set-up sends ran concurrently, so the fee level each sender first read depended on timing:
    // read nonce and fees again now that no block is being made (the same head for all), so that the
    // run's transactions, and their hashes, are the same on every run.
    await Promise.all([...senders.values()].map((s) => s.sync()));
    const parties = {
      senders: { us: workload.senders.us.map((s) => s.address), uk: workload.senders.uk.map((s) => s.address) },
      recipients: usedRecipients,
    };
    const before = await snapshotLedger(chains, deployment, parties);
    const start = Math.max(t0, ...(await Promise.all(Object.values(chains).map(async (c) => (await getBlock(c)).timestamp + 1))));

    // ---------------------------------------------------------------- the run (virtual time)
    for (const c of Object.values(chains)) await setAutomine(c, false);
    const engine = new EventEngine(start);
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
    const faults = new FaultInjector(scenario.faults, {
      start,
      seed: scenario.seed,
      attesters,
      chains,
      deployment,
      lp,
      scheduler: engine,
      senderKeys: new Map([...workload.senders.us, ...workload.senders.uk].map((k) => [k.address.toLowerCase(), k.privateKey])),
      onReorg: (name, doubleSpent) => {
        heads.delete(name);
        // Sends still waiting for a receipt that their senders double-spent on the winning branch: they never happen.
        const gone = new Set(doubleSpent);
        pendingSends[name] = pendingSends[name]!.filter((h) => {
          if (!gone.has(h)) return true;
          rejected.push({ plan: planBySendTx.get(h)!, reason: "double-spent by its sender in a reorg" });
          sendLimits.delete(h);
          return false;
        });
      },
    });
    const rates = faults.rates(rateSourceFor(scenario, start, scenario.workload.durationSeconds));
    const gas = new GasMeter(new Set(Object.values(deployment.chains).map((d) => d.gateway.toLowerCase())));
    // The relayer talks to the chains through the fault proxy (RPC errors), which also shows its batch receipts to the gas meter.
    const relayerChains: Record<string, Chain> = faults.relayerChains(views, (method, result) => {
      if (method === "eth_getTransactionReceipt") gas.observeReceipt(result);
    });
    const quoter = new Quoter({ privateKey: quoterKey, source: rates, spreadBps: scenario.fx.spreadBps, ttlSeconds: scenario.fx.quoteTtlSeconds });
    const audit: AuditEntry[] = [];
    const planBySendTx = new Map<Hex, PlannedTransfer>();
    /** Travel-rule payloads the senders' VASPs sent off chain, by their hash (what a message's extraHash commits to). */
    const travelRules = new Map<string, unknown>();
    const screen = createScreen({
      hooks: createHooks(hookSpecs, { loadAddressList: loadList }),
      rates,
      jurisdictions: { us: "US", uk: "UK" },
      // The sender's VASP sends the payload off chain; the message commits to it by its hash.
      travelRuleFor: (m) => travelRules.get(m.extraHash.toLowerCase()),
      audit: (entries) => audit.push(...entries),
    });
    const reviewRng = createRandom(scenario.seed).fork("review");
    // The compliance officer, modelled: decides each held transfer after the modelled review time.
    let operator: Operator | undefined;
    operator = buildOperator({
      chains: views,
      profiles,
      deployment,
      attesters,
      quoter,
      screen,
      clock: engine.clock,
      onHold: (d, _reason, reviewSeconds) => {
        const approve = reviewRng.fork(d.id).chance(scenario.compliance.reviewApproveShare);
        engine.after(reviewSeconds ?? 900, () => void operator!.review(d.id, approve, "simulated reviewer"));
      },
    });
    const relayer = new Relayer({
      chains: relayerChains,
      profiles,
      deployment,
      store,
      relayerKey: corridor.keys.relayer,
      clock: engine.clock,
      logger: log,
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
        logger: log,
        screeningSeconds: scenario.operator.screeningSeconds,
        attestationSeconds: scenario.operator.attestationSeconds,
      }),
    );

    // Sends at their arrival times.
    const pendingSends: Record<string, Hex[]> = { us: [], uk: [] };
    /** When each send was submitted, and the times after which it can only revert (quote expiry, deadline). */
    const sendLimits = new Map<Hex, { at: number; quoteExpiresAt?: number; deadline: number }>();
    const rejected: { plan: PlannedTransfer; reason: string }[] = [];
    let submitted = 0;
    for (const plan of workload.transfers) {
      engine.at(start + plan.at, async () => {
        const src = deployment.chains[plan.from]!;
        const dst = deployment.chains[plan.to]!;
        const sender = txSender(chains[plan.from]!, plan.sender);
        const now = engine.now();
        if (plan.travelRule) travelRules.set(travelRuleHash(plan.travelRule).toLowerCase(), plan.travelRule);
        const { data, quote } = await buildSend({
          quoter,
          src,
          dst,
          input: plan.input,
          output: plan.output,
          sender: plan.sender.address,
          recipient: plan.recipient,
          amount: plan.amount,
          tier: plan.tier,
          feeSchedule: feeSchedule(`${plan.from}:${plan.input}->${plan.to}`),
          lockQuote: plan.lockQuote,
          slippageBps: scenario.fx.slippageBps,
          now,
          deadlineSeconds: scenario.workload.deadlineSeconds,
          extraHash: plan.travelRule ? travelRuleHash(plan.travelRule) : ZERO_HASH,
        });
        const hash = await sender.send({ to: src.gateway, data, gas: GAS.send });
        planBySendTx.set(hash, plan);
        pendingSends[plan.from]!.push(hash);
        sendLimits.set(hash, { at: now, quoteExpiresAt: quote === NO_QUOTE ? undefined : Number(quote.expiresAt), deadline: Math.floor(now) + scenario.workload.deadlineSeconds });
        faults.noteSend(plan.from, now);
        submitted++;
      });
    }

    const total = workload.transfers.length;
    let lastDone = -1;
    const finished = () =>
      submitted >= total && Object.values(pendingSends).every((p) => p.length === 0) && !relayer.busy() && !faults.busy(engine.now());
    const hardStop = start + scenario.workload.durationSeconds + scenario.workload.deadlineSeconds + 6 * 3600;
    /** Relayer work that an injected RPC error may interrupt: it is simply tried again at the next block. */
    const relayerStep = async (fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        if (!isInjectedFault(err)) throw err;
      }
    };

    // Blocks: each chain at its profile's block time. Chains due at the same moment mine together
    // (two independent chains, so their blocks are built in parallel); everything else runs in a
    // fixed order, so the run stays a deterministic function of the scenario and seed.
    const names = Object.keys(chains).sort();
    const blockTime = Object.fromEntries(names.map((n) => [n, profiles[n]!.blockTimeSeconds]));
    const blockIndex = Object.fromEntries(names.map((n) => [n, 1]));
    const lastTs: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    const nextBlockAt = (n: string) => start + blockIndex[n]! * blockTime[n]!;
    const deliver = async (name: string, down: boolean) => {
      if (down) return;
      // The two parts of Relayer.deliver, each on its own: an injected RPC error in one does not skip the other.
      await relayerStep(() => relayer.retryParked(name));
      await relayerStep(() => relayer.flush(name));
    };
    const mine = async (name: string, now: number) => {
      const chain = chains[name]!;
      const ts = Math.max(Math.floor(now), lastTs[name]! + (chain.kind === "embedded" ? 0 : 1));
      await mineBlockAt(chain, ts);
      lastTs[name] = ts;
      heads.delete(name);
    };
    const afterBlock = async (name: string, now: number, down: boolean) => {
      const chain = chains[name]!;
      if (faults.count > 0) await faults.afterMine(name);
      if (!down) {
        if (faults.wantsCatchUp(name, now)) {
          const head = (await getBlock(chain)).number;
          faults.noteCatchUp(name, now, head - (store.cursor(name) ?? head));
        }
        await relayerStep(() => relayer.poll(name));
      }
      // Sends that reverted never emit TransferSent: record them as rejected at send.
      const pend = pendingSends[name]!;
      if (pend.length > 0) {
        pendingSends[name] = [];
        for (const h of pend) {
          const rc = await getReceipt(chain, h);
          if (!rc) pendingSends[name]!.push(h);
          else {
            gas.observeSend(h, rc.gasUsed);
            if (rc.status === "reverted") {
              // Why, from what the send carried and when its block came (a send held up, e.g. by a halt, outlives its quote).
              const lim = sendLimits.get(h)!;
              const ts = lastTs[name]!;
              const reason = lim.quoteExpiresAt !== undefined && ts > lim.quoteExpiresAt ? "quote expired before inclusion" : ts >= lim.deadline ? "deadline passed before inclusion" : "send reverted";
              rejected.push({ plan: planBySendTx.get(h)!, reason });
              faults.noteRejectedSend(name, lim.at);
            }
            sendLimits.delete(h);
          }
        }
      }
    };
    const tick = async () => {
      const now = engine.now();
      const due = names.filter((n) => nextBlockAt(n) <= now);
      const down = Object.fromEntries(due.map((n) => [n, faults.relayerDown(now, n)]));
      const producing = due.filter((n) => !faults.halted(n, now));
      for (const n of due) await deliver(n, down[n]!);
      await Promise.all(producing.map((n) => mine(n, now)));
      for (const n of due) await afterBlock(n, now, down[n]!);
      for (const n of due) blockIndex[n]!++;
      const done = relayer.terminalCount + rejected.length;
      if (done !== lastDone) {
        lastDone = done;
        opts.onProgress?.(done, total, { virtualSeconds: engine.now() - start });
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

    // Samples for the timeline: liquidity, Fast allowance outstanding, parked settlements, open transfers.
    const timeline: Timeline = { stepSeconds: Math.max(60, Math.ceil(scenario.workload.durationSeconds / 240)), t: [], liquidity: {}, fastOutstanding: {}, parked: {}, open: [] };
    const sample = async () => {
      timeline.t.push(Math.round(engine.now() - start));
      const parked = relayer.liquidityQueueDepth();
      for (const [name, chain] of Object.entries(chains)) {
        const d = deployment.chains[name]!;
        const read = async (functionName: string, token: Hex) => (await chain.client.readContract({ address: d.gateway, abi: gatewayAbi(), functionName, args: [token] })) as bigint;
        (timeline.liquidity[name] ??= []).push(wholeUnits(await read("liquidity", d.tokens[d.home])));
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
    engine.at(start, sampler);

    await engine.run();
    await sample();
    for (const c of Object.values(chains)) await setAutomine(c, true);
    const after = await snapshotLedger(chains, deployment, parties);
    // The liquidity provider's own withdrawals and deposits (faults) are outside the transfer records: the baseline moves with them.
    for (const f of faults.liquidityFlows()) {
      const b = before.balances[f.chain]![f.currency];
      b.liquidity += f.amount;
      b.gatewayBalance += f.amount;
    }
    const conservation = checkConservation(store.all(), before, after);
    const prices = { us: gasPriceFor(scenario.chains.us), uk: gasPriceFor(scenario.chains.uk) } as Record<string, ReturnType<typeof gasPriceFor>>;
    const usdValue = (r: TransferRecord): number => {
      const whole = wholeUnits(r.message.amount);
      return r.inputCurrency === "USD" ? whole : whole / gbpPerUsd(rates, r.stages.initiated ?? start).toNumber();
    };
    const virtualEnd = engine.now();
    const results = buildResults({
      scenario,
      records: [...store.all()],
      planBySendTx,
      rejected,
      conservation,
      virtual: { start, end: virtualEnd },
      wallSeconds: (Date.now() - wallStart) / 1000,
      relayerStats: relayer.stats,
      deployment,
      gas: (r) => gas.forTransfer(r, { src: prices[r.srcChain]!, dst: prices[r.dstChain]! }, usdValue(r)),
      timeline,
      faults: (transfers) => faults.report(transfers, virtualEnd),
      g20Targets: loadG20Targets(),
    });
    return { ...results, audit };
  } finally {
    if (!opts.corridor) await corridor.close();
  }
}

/** Base units to whole units as a number (for timelines and USD values, not for books). */
function wholeUnits(v: bigint): number {
  return Number(v) / 1e6;
}
