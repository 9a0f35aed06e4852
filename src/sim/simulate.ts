import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { encodeFunctionData, maxUint256, type Hex } from "viem";
import { packagePath } from "../paths.js";
import type { Logger } from "pino";
import { bootCorridor, type BootedCorridor } from "../chains/setup.js";
import { CHAIN_PROFILES, type ChainProfile } from "../chains/profiles.js";
import { fundNative, sendAll } from "../contracts/deploy.js";
import { installPolicies } from "../contracts/policies.js";
import { encodeSend, GAS, gatewayAbi, tokenAbi } from "../contracts/gateway.js";
import { getReceipt, TxSender, type TxRequest } from "../chains/tx-sender.js";
import { mineBlockAt, setAutomine, getBlock } from "../chains/mining.js";
import { testKey, testKeyPair } from "../chains/keys.js";
import { Operator } from "../operator/operator.js";
import { Quoter } from "../operator/quoter.js";
import { createScreen } from "../operator/screening.js";
import { connectOperator } from "../operator/service.js";
import { Relayer } from "../relayer/relayer.js";
import { MemoryTransferStore } from "../relayer/store.js";
import { NO_QUOTE, TIER, ZERO_HASH, amountOut } from "../domain/message.js";
import { toBaseUnits } from "../domain/money.js";
import { computeFee } from "../domain/fees.js";
import { createRandom } from "../domain/random.js";
import { travelRuleHash } from "../domain/compliance/ivms.js";
import { createHooks, type HookSpec } from "../domain/compliance/registry.js";
import type { AuditEntry } from "../domain/compliance/types.js";
import { loadAddressList, DEFAULT_SANCTIONS_FILE } from "../data/sanctions-list.js";
import { silentLogger } from "../logger.js";
import { EventEngine } from "./engine.js";
import { planWorkload, type PlannedTransfer } from "./workload.js";
import { snapshotLedger } from "./ledger.js";
import { checkConservation } from "./conservation.js";
import { buildResults, type SimulationResults } from "./results.js";
import { rateSourceFor } from "./fx-source.js";
import type { Scenario } from "./scenario.js";

export interface SimulateOptions {
  scenario: Scenario;
  /** Overrides the scenario's seed. */
  seed?: number;
  logger?: Logger;
  /** Called as transfers reach a final state. */
  onProgress?: (done: number, total: number) => void;
  /** Reuse already-open chains (tests); by default embedded chains are created and closed. */
  corridor?: BootedCorridor;
  /** Folder of the scenario file: relative list files resolve against it, then against the package root. */
  scenarioDir?: string;
}

/** The default off-chain pipeline: OFAC screening, travel rule, limits, manual review. */
export const DEFAULT_HOOKS: HookSpec[] = [
  { hook: "sanctions", listFile: DEFAULT_SANCTIONS_FILE },
  { hook: "limits", perTransfer: 25_000, daily: 50_000, currency: "USD" },
  { hook: "travelRule", onMissing: "hold", onInvalid: "deny", reviewSeconds: 1800 },
  { hook: "manualReview", aboveUsd: 10_000, reviewSeconds: 900 },
];

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
    const sanctionedPool = [...loadList(sanctionsSpec?.listFile ?? DEFAULT_SANCTIONS_FILE)].sort() as Hex[];
    const workload = planWorkload(scenario, { sanctioned: sanctionedPool });
    const profiles: Record<string, ChainProfile> = {
      us: CHAIN_PROFILES[scenario.chains.us.profile]!,
      uk: CHAIN_PROFILES[scenario.chains.uk.profile]!,
    };
    const feeSchedule = (route: string) => scenario.fees.routes[route] ?? scenario.fees.default;
    const quoterKey = testKey(scenario.seed, "quoter");

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
        sanctions: scenario.compliance.onChain.sanctions ? sanctionedPool : undefined,
        allowlist: scenario.compliance.onChain.allowlist
          ? [...workload.senders.us, ...workload.senders.uk].map((s) => s.address).concat(workload.recipients)
          : undefined,
      },
    });
    const lp = { us: testKeyPair(scenario.seed, "lp", 0), uk: testKeyPair(scenario.seed, "lp", 1) };
    await Promise.all(
      (["us", "uk"] as const).map(async (name) => {
        const chain = chains[name]!;
        const d = deployment.chains[name]!;
        const token = d.tokens[d.home];
        await fundNative(chain, [...workload.senders[name].map((s) => s.address), lp[name].address]);
        const issuer = new TxSender(chain, corridor.keys.deployer);
        const minterRole = (await chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "MINTER_ROLE" })) as Hex;
        const mints: TxRequest[] = [
          { to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [minterRole, issuer.address] }) },
        ];
        const liquidity = toBaseUnits(scenario.liquidity[name]);
        mints.push({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [lp[name].address, liquidity] }) });
        for (const s of workload.senders[name]) {
          const need = workload.needs.get(s.address) ?? 0n;
          // Each sender holds what its transfers need plus a margin (nothing runs dry mid-run).
          mints.push({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [s.address, need + need / 10n + toBaseUnits("100")] }) });
        }
        await sendAll(issuer, mints, "fund senders");
        await sendAll(
          new TxSender(chain, lp[name].privateKey),
          [
            { to: token, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [d.gateway, maxUint256] }) },
            { to: d.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [token, liquidity] }) },
          ],
          "deposit liquidity",
        );
        await Promise.all(
          workload.senders[name].map((s) =>
            sendAll(
              new TxSender(chain, s.privateKey),
              Object.values(d.tokens).map((t) => ({ to: t, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [d.gateway, maxUint256] }) })),
              "approve",
            ),
          ),
        );
      }),
    );
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
    const rates = rateSourceFor(scenario, start, scenario.workload.durationSeconds);
    const quoter = new Quoter({ privateKey: quoterKey, source: rates, spreadBps: scenario.fx.spreadBps, ttlSeconds: scenario.fx.quoteTtlSeconds });
    const audit: AuditEntry[] = [];
    const planBySendTx = new Map<Hex, PlannedTransfer>();
    const screen = createScreen({
      hooks: createHooks(hookSpecs, { loadAddressList: loadList }),
      rates,
      jurisdictions: { us: "US", uk: "UK" },
      travelRuleFor: (r) => planBySendTx.get(r.srcTxHash)?.travelRule,
      audit: (entries) => audit.push(...entries),
    });
    const operator = new Operator({ chains, profiles, deployment, attesters: corridor.attesters, quoter, screen, clock: engine.clock });
    const relayer = new Relayer({
      chains,
      profiles,
      deployment,
      store,
      relayerKey: corridor.keys.relayer,
      clock: engine.clock,
      logger: log,
      maxBatch: scenario.relayer.maxBatch,
      refundGraceSeconds: scenario.relayer.refundGraceSeconds,
    });
    const reviewRng = createRandom(scenario.seed).fork("review");
    relayer.connect(
      connectOperator({
        operator,
        relayer,
        scheduler: engine,
        logger: log,
        screeningSeconds: scenario.operator.screeningSeconds,
        attestationSeconds: scenario.operator.attestationSeconds,
        review: (r) => reviewRng.fork(r.id).chance(scenario.compliance.reviewApproveShare),
      }),
    );

    // Sends at their arrival times.
    const senders = new Map<Hex, TxSender>();
    const pendingSends: Record<string, Hex[]> = { us: [], uk: [] };
    const rejected: { plan: PlannedTransfer; reason: string }[] = [];
    let submitted = 0;
    for (const plan of workload.transfers) {
      engine.at(start + plan.at, async () => {
        const src = deployment.chains[plan.from]!;
        const dst = deployment.chains[plan.to]!;
        let sender = senders.get(plan.sender.address);
        if (!sender) senders.set(plan.sender.address, (sender = new TxSender(chains[plan.from]!, plan.sender.privateKey)));
        const now = engine.now();
        // The sender caps the fee at exactly what the published schedule says: the contract must agree.
        const fee = computeFee(feeSchedule(`${plan.from}:${plan.input}->${plan.to}`), plan.amount, plan.tier);
        let quote = NO_QUOTE;
        let minAmountOut: bigint;
        if (plan.lockQuote) {
          const q = await quoter.issue({
            sender: plan.sender.address,
            srcChainId: BigInt(src.chainId),
            dstChainId: BigInt(dst.chainId),
            dstGateway: dst.gateway,
            inputToken: src.tokens[plan.input],
            outputToken: dst.tokens[plan.output],
            input: plan.input,
            output: plan.output,
            maxAmountIn: plan.amount,
            now,
          });
          quote = q.quote;
          minAmountOut = amountOut({ amount: plan.amount, fee }, quote.rate);
        } else {
          const price = quoter.price(plan.input, plan.output, now);
          minAmountOut = (amountOut({ amount: plan.amount, fee }, price.rate) * BigInt(10_000 - scenario.fx.slippageBps)) / 10_000n;
        }
        const data = encodeSend({
          inputToken: src.tokens[plan.input],
          dstChainId: BigInt(dst.chainId),
          outputToken: dst.tokens[plan.output],
          recipient: plan.recipient,
          amount: plan.amount,
          maxFee: fee,
          minAmountOut,
          deadline: BigInt(Math.floor(now) + scenario.workload.deadlineSeconds),
          tier: TIER[plan.tier],
          extraHash: plan.travelRule ? travelRuleHash(plan.travelRule) : ZERO_HASH,
          quote,
        });
        const hash = await sender.send({ to: src.gateway, data, gas: GAS.send });
        planBySendTx.set(hash, plan);
        pendingSends[plan.from]!.push(hash);
        submitted++;
      });
    }

    const total = workload.transfers.length;
    let lastDone = -1;
    const finished = () => submitted >= total && Object.values(pendingSends).every((p) => p.length === 0) && !relayer.busy();
    const hardStop = start + scenario.workload.durationSeconds + scenario.workload.deadlineSeconds + 6 * 3600;

    for (const name of ["us", "uk"] as const) {
      const chain = chains[name]!;
      const bt = profiles[name]!.blockTimeSeconds;
      let k = 1;
      let lastTs = 0;
      const tick = async () => {
        await relayer.retryParked(name);
        await relayer.flush(name);
        const ts = Math.max(Math.floor(engine.now()), lastTs + (chain.kind === "embedded" ? 0 : 1));
        await mineBlockAt(chain, ts);
        lastTs = ts;
        await relayer.poll(name);
        // Sends that reverted never emit TransferSent: record them as rejected at send.
        const pend = pendingSends[name]!;
        if (pend.length > 0) {
          pendingSends[name] = [];
          for (const h of pend) {
            const rc = await getReceipt(chain, h);
            if (!rc) pendingSends[name]!.push(h);
            else if (rc.status === "reverted") rejected.push({ plan: planBySendTx.get(h)!, reason: "send reverted" });
          }
        }
        const done = relayer.terminalCount + rejected.length;
        if (done !== lastDone) {
          lastDone = done;
          opts.onProgress?.(done, total);
        }
        if (finished() || engine.now() > hardStop) return engine.stop();
        k++;
        engine.at(start + k * bt, tick);
      };
      engine.at(start + bt, tick);
    }
    const deadlineSweep = () => {
      relayer.checkDeadlines();
      engine.after(30, deadlineSweep);
    };
    engine.after(30, deadlineSweep);

    await engine.run();
    for (const c of Object.values(chains)) await setAutomine(c, true);
    const after = await snapshotLedger(chains, deployment, parties);
    const conservation = checkConservation(store.all(), before, after);
    const results = buildResults({
      scenario,
      records: [...store.all()],
      planBySendTx,
      rejected,
      conservation,
      virtual: { start, end: engine.now() },
      wallSeconds: (Date.now() - wallStart) / 1000,
      relayerStats: relayer.stats,
      deployment,
    });
    return { ...results, audit };
  } finally {
    if (!opts.corridor) await corridor.close();
  }
}
