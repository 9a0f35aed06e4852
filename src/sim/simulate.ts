import { encodeFunctionData, maxUint256, type Hex } from "viem";
import type { Logger } from "pino";
import { bootCorridor, type BootedCorridor } from "../chains/setup.js";
import { CHAIN_PROFILES, type ChainProfile } from "../chains/profiles.js";
import { fundNative, sendAll, type Currency } from "../contracts/deploy.js";
import { encodeSend, GAS, gatewayAbi, tokenAbi } from "../contracts/gateway.js";
import { getReceipt, TxSender, type TxRequest } from "../chains/tx-sender.js";
import { mineBlockAt, setAutomine, getBlock } from "../chains/mining.js";
import { testKeyPair } from "../chains/keys.js";
import { Operator, type AttestationResult } from "../operator/operator.js";
import { Relayer, type AttestationService } from "../relayer/relayer.js";
import { MemoryTransferStore } from "../relayer/store.js";
import { amountOut, RATE_SCALE, TIER } from "../domain/message.js";
import { Decimal, toBaseUnits } from "../domain/money.js";
import type { TransferRecord } from "../domain/transfer.js";
import { silentLogger } from "../logger.js";
import { EventEngine } from "./engine.js";
import { planWorkload, type PlannedTransfer } from "./workload.js";
import { snapshotLedger } from "./ledger.js";
import { checkConservation } from "./conservation.js";
import { buildResults, type SimulationResults } from "./results.js";
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
}

const fixed18 = (x: number): bigint => toBaseUnits(new Decimal(x).toFixed(18), 18);

/**
 * Runs a scenario under virtual time: a discrete-event engine produces blocks on both chains
 * at their profiles' block times (timestamps from virtual time), submits the workload's sends
 * at their arrival times, and calls the relayer and operator when their work is due, with the
 * modelled screening and attestation latencies. Same scenario and seed, same results.
 */
export async function simulate(opts: SimulateOptions): Promise<SimulationResults> {
  const scenario = { ...opts.scenario, seed: opts.seed ?? opts.scenario.seed };
  const log = (opts.logger ?? silentLogger).child({ module: "sim" });
  const wallStart = Date.now();
  const t0 = Math.floor(Date.parse(scenario.startTime) / 1000);
  const corridor =
    opts.corridor ??
    (await bootCorridor({
      seed: scenario.seed,
      attesterCount: scenario.operator.attesters,
      source:
        scenario.chains.us.rpcUrl && scenario.chains.uk.rpcUrl
          ? { kind: "rpc", urls: { us: scenario.chains.us.rpcUrl, uk: scenario.chains.uk.rpcUrl } }
          : { kind: "embedded" },
      threshold: scenario.operator.threshold,
      // Genesis a day before the run: set-up blocks are stamped then, the run from startTime on.
      initialDate: new Date((t0 - 86_400) * 1000),
    }));
  const { chains, deployment } = corridor;
  try {
    const workload = planWorkload(scenario);
    const profiles: Record<string, ChainProfile> = {
      us: CHAIN_PROFILES[scenario.chains.us.profile]!,
      uk: CHAIN_PROFILES[scenario.chains.uk.profile]!,
    };

    // ---------------------------------------------------------------- set-up (automine on)
    const lp = { us: testKeyPair(scenario.seed, "lp", 0), uk: testKeyPair(scenario.seed, "lp", 1) };
    await Promise.all(
      (["us", "uk"] as const).map(async (name) => {
        const chain = chains[name]!;
        const d = deployment.chains[name]!;
        const home = d.home;
        const token = d.tokens[home];
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
          const amount = need + need / 10n + toBaseUnits("100");
          mints.push({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [s.address, amount] }) });
        }
        await sendAll(issuer, mints, "fund senders");
        const lpSender = new TxSender(chain, lp[name].privateKey);
        await sendAll(
          lpSender,
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
      recipients: workload.recipients,
    };
    const before = await snapshotLedger(chains, deployment, parties);
    const start = Math.max(t0, ...(await Promise.all(Object.values(chains).map(async (c) => (await getBlock(c)).timestamp + 1))));

    // ---------------------------------------------------------------- the run (virtual time)
    for (const c of Object.values(chains)) await setAutomine(c, false);
    const engine = new EventEngine(start);
    const store = new MemoryTransferStore();
    const gbpPerUsd = fixed18(scenario.fx.gbpPerUsd);
    const rate = (input: Currency, output: Currency): bigint =>
      input === output ? RATE_SCALE : input === "USD" ? gbpPerUsd : (RATE_SCALE * RATE_SCALE) / gbpPerUsd;
    const operator = new Operator({ chains, deployment, attesters: corridor.attesters, rate, clock: engine.clock });
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
    const { screeningSeconds, attestationSeconds } = scenario.operator;
    const screenedAt = new Map<Hex, number>();
    const onAttestation = (r: TransferRecord, res: AttestationResult) => {
      const now = engine.now();
      if (res.kind === "settle") {
        r.state = "attested";
        r.stages.attested = now;
        relayer.enqueueSettle(r, { message: r.message, rate: res.rate, signatures: res.signatures });
      } else if (res.kind === "refund") {
        r.state = "refund_attested";
        r.stages.refundAttested = now;
        r.refundReason = res.reason;
        relayer.enqueueRefund(r, { message: r.message, reason: Number(["denied", "expired", "belowMinimum", "other"].indexOf(res.reason)), signatures: res.signatures });
      } else if (res.kind === "hold") {
        r.state = "held";
        r.stages.held = now;
        engine.after(res.reviewSeconds ?? 900, async () => onAttestation(r, await operator.quoteAndSign(r)));
      } else {
        log.warn({ id: r.id, reason: res.reason }, "operator declined to attest");
      }
      store.put(r);
    };
    const service: AttestationService = {
      requestAttestation(r) {
        engine.after(screeningSeconds, () => {
          r.state = "screened";
          r.stages.screened = engine.now();
          screenedAt.set(r.id, engine.now());
          engine.after(attestationSeconds, async () => onAttestation(r, await operator.attestTransfer(r)));
        });
      },
      requestRefund(r, reason) {
        engine.after(attestationSeconds, async () => {
          const res = await operator.attestRefund(r, reason);
          if (res.kind === "refund") onAttestation(r, res);
          else relayer.retryRefundLater(r.id);
        });
      },
      requestFinalize(r) {
        const attempt = async () => {
          const signatures = await operator.attestFinalize(r);
          if (signatures) relayer.enqueueFinalize(r, { message: r.message, signatures });
          else engine.after(attestationSeconds + 1, attempt);
        };
        engine.after(attestationSeconds, attempt);
      },
    };
    relayer.connect(service);

    // Sends at their arrival times.
    const senders = new Map<Hex, TxSender>();
    const sendTx = new Map<Hex, PlannedTransfer>();
    const pendingSends: Record<string, Hex[]> = { us: [], uk: [] };
    const rejected: { plan: PlannedTransfer; reason: string }[] = [];
    let submitted = 0;
    for (const plan of workload.transfers) {
      engine.at(start + plan.at, async () => {
        const src = deployment.chains[plan.from]!;
        const dst = deployment.chains[plan.to]!;
        let sender = senders.get(plan.sender.address);
        if (!sender) senders.set(plan.sender.address, (sender = new TxSender(chains[plan.from]!, plan.sender.privateKey)));
        const expectedOut = amountOut({ amount: plan.amount, fee: 0n }, rate(plan.input, plan.output));
        const data = encodeSend({
          inputToken: src.tokens[plan.input],
          dstChainId: BigInt(dst.chainId),
          outputToken: dst.tokens[plan.output],
          recipient: plan.recipient,
          amount: plan.amount,
          maxFee: plan.amount / 100n,
          // 0.5% slippage tolerance against the rate at send.
          minAmountOut: (expectedOut * 995n) / 1000n,
          deadline: BigInt(Math.floor(engine.now()) + scenario.workload.deadlineSeconds),
          tier: TIER[plan.tier],
          extraHash: `0x${"0".repeat(64)}`,
        });
        const hash = await sender.send({ to: src.gateway, data, gas: GAS.send });
        sendTx.set(hash, plan);
        pendingSends[plan.from]!.push(hash);
        submitted++;
      });
    }

    const total = workload.transfers.length;
    let lastDone = -1;
    const finished = () => {
      if (submitted < total) return false;
      if (Object.values(pendingSends).some((p) => p.length > 0)) return false;
      return !relayer.busy();
    };
    const hardStop = start + scenario.workload.durationSeconds + scenario.workload.deadlineSeconds + 6 * 3600;

    for (const name of ["us", "uk"] as const) {
      const chain = chains[name]!;
      const bt = profiles[name]!.blockTimeSeconds;
      let k = 1;
      let lastTs = 0;
      const tick = async () => {
        await relayer.flush(name);
        const ts = Math.max(Math.floor(engine.now()), lastTs + (chain.kind === "embedded" ? 0 : 1));
        await mineBlockAt(chain, ts);
        lastTs = ts;
        await relayer.poll(name);
        // Sends that reverted never emit TransferSent: record them as rejected.
        const pend = pendingSends[name]!;
        if (pend.length > 0) {
          pendingSends[name] = [];
          for (const h of pend) {
            const rc = await getReceipt(chain, h);
            if (!rc) pendingSends[name]!.push(h);
            else if (rc.status === "reverted") rejected.push({ plan: sendTx.get(h)!, reason: "send reverted" });
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
    return buildResults({
      scenario,
      records: [...store.all()],
      planBySendTx: sendTx,
      rejected,
      conservation,
      virtual: { start, end: engine.now() },
      wallSeconds: (Date.now() - wallStart) / 1000,
      relayerStats: relayer.stats,
      deployment,
    });
  } finally {
    if (!opts.corridor) await corridor.close();
  }
}
