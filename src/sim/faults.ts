import { createPublicClient, custom, decodeEventLog, encodeFunctionData, serializeTransaction, toFunctionSelector, type EIP1193RequestFn, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import type { Chain } from "../chains/chain.js";
import type { KeyPair } from "../chains/keys.js";
import { getReceipt, TxSender } from "../chains/tx-sender.js";
import type { Deployment } from "../contracts/deploy.js";
import type { Currency } from "../domain/money.js";
import { GAS, gatewayAbi } from "../contracts/gateway.js";
import { CorridorError } from "../domain/errors.js";
import { ChainNameSchema, CurrencyCodeSchema } from "../spec/spec.js";
import { shock, type RateSource } from "../domain/fx/rate-source.js";
import { fromBaseUnits, toBaseUnits } from "../domain/money.js";
import { createRandom, type Random } from "../domain/random.js";
import type { AttesterQuorum } from "../operator/quorum.js";
import type { TransferOut } from "../measure/transfer-out.js";

// ---------------------------------------------------------------- the scenario's `faults` array

const ChainName = ChainNameSchema;
/** Seconds after the start of the run. */
const at = z.number().nonnegative();
const duration = z.number().positive();
const note = z.string().optional();

export const FaultSchema = z.discriminatedUnion("kind", [
  /** The relayer stops polling and delivering for the window, then catches up from its cursor. */
  z.object({ kind: z.literal("relayerDown"), at, durationSeconds: duration, note }).strict(),
  /** A share of the relayer's RPC calls (to one chain, or both) fail during the window; it retries. */
  z.object({ kind: z.literal("rpcErrors"), at, durationSeconds: duration, share: z.number().gt(0).max(1), chain: ChainName.optional(), note }).strict(),
  /** No blocks on a chain for the window: transactions wait in its mempool. */
  z.object({ kind: z.literal("chainHalt"), at, durationSeconds: duration, chain: ChainName, note }).strict(),
  /** Attesters go offline for the window; by default enough of them that the threshold cannot be met. */
  z.object({ kind: z.literal("attesterOutage"), at, durationSeconds: duration, offline: z.number().int().min(1).optional(), note }).strict(),
  /**
   * The FX mid of `currency` per numeraire unit (of every currency when absent: the numeraire
   * moves against all of them) is multiplied by `factor` from `at` (for `durationSeconds`, or for the rest of the run).
   */
  z.object({ kind: z.literal("fxShock"), at, durationSeconds: duration.optional(), factor: z.number().positive().max(100), currency: CurrencyCodeSchema.optional(), note }).strict(),
  /** The liquidity provider withdraws `share` of its pool on `chain`, and re-deposits it `redepositAfterSeconds` later if given. */
  z
    .object({
      kind: z.literal("liquidityDrain"),
      at,
      chain: ChainName,
      share: z.number().gt(0).max(1).default(0.9),
      redepositAfterSeconds: duration.optional(),
      note,
    })
    .strict(),
  /**
   * The chain forks at `at`: the blocks it makes in the next `durationSeconds` lose to a competing
   * branch, which replaces them when the window ends. Their transactions return to the mempool and
   * are mined again, except a `doubleSpendShare` of the corridor sends among them, whose senders
   * publish a conflicting transaction (the same nonce) on the winning branch: those transfers vanish.
   * The window must be shorter than the chain's Standard (hard-finality) depth.
   */
  z
    .object({
      kind: z.literal("reorg"),
      at,
      durationSeconds: duration,
      chain: ChainName,
      doubleSpendShare: z.number().min(0).max(1).default(1),
      note,
    })
    .strict(),
  /**
   * A redemption run on a coin (its issuer: src/regulation/issuer.ts): a `share` of its holders on its
   * home chain redeem their whole balance at times spread over the window. `marketDepthPerDay`: the
   * share of each reserve class that sells (and settles a business day later) per business day.
   */
  z
    .object({
      kind: z.literal("redemptionRun"),
      at,
      durationSeconds: duration,
      currency: CurrencyCodeSchema,
      share: z.number().gt(0).max(1),
      marketDepthPerDay: z.number().gt(0).max(1).optional(),
      note,
    })
    .strict(),
  /**
   * A participant goes offline for the window (src/liquidity/): a liquidity `provider` (by name) takes its
   * liquidity out of every pool and puts it back at the end, or the `issuer` of a currency stops minting
   * and redeeming (rebalancing through it waits).
   */
  z
    .object({
      kind: z.literal("participantOutage"),
      at,
      durationSeconds: duration,
      provider: z.string().min(1).max(32).optional(),
      issuer: CurrencyCodeSchema.optional(),
      note,
    })
    .strict(),
]);
export const FaultsSchema = z.array(FaultSchema).default([]);

export type FaultSpec = z.infer<typeof FaultSchema>;
export type FaultKind = FaultSpec["kind"];

/** One fault as results.json shows it: when it started and ended, and what it affected. */
export interface FaultReport {
  index: number;
  kind: FaultKind;
  chain: string | null;
  note: string | null;
  /** Seconds after the start of the run, unix seconds, and ISO 8601 (virtual time). */
  start: { offsetSeconds: number; unix: number; iso: string } | null;
  /** null while it lasts: a shock without an end, a drain never re-deposited, or a run that ended first. */
  end: { offsetSeconds: number; unix: number; iso: string } | null;
  /** One sentence for tables and reports. */
  summary: string;
  affected: {
    /** Transfers in flight at some moment of the fault (on its chain, for a chain fault). */
    transfersInFlight: number;
  } & Record<string, number | string | string[] | null>;
}

/** The error the fault proxy raises for an injected RPC failure. */
export const RPC_FAULT_CODE = "CORRIDOR_RPC_FAULT";

/** Whether `err` (or one of its causes) is an injected RPC failure. */
export function isInjectedFault(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === RPC_FAULT_CODE) return true;
    if (typeof (e as { message?: unknown }).message === "string" && (e as { message: string }).message.includes(RPC_FAULT_CODE)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- run time

export interface FaultDeps {
  /** Virtual start of the run (unix seconds): fault times are offsets from it. */
  start: number;
  seed: number;
  attesters: AttesterQuorum;
  chains: Record<string, Chain>;
  deployment: Deployment;
  /** The liquidity provider of each chain (it deposited at set-up). */
  lp: Record<string, KeyPair>;
  /** The currency FX rates are quoted against (shocks move the others against it). */
  numeraire: string;
  scheduler: { at(t: number, fn: () => void | Promise<void>): void; now(): number };
  /** Keys of the workload's senders (a reorg fault double-spends some of their sends). */
  senderKeys?: ReadonlyMap<string, Hex>;
  /** Told after a chain was reorganised (caches of its head must go), with the sends whose senders double-spent them. */
  onReorg?: (chain: string, doubleSpent: readonly Hex[]) => void;
  /** The liquidity providers (src/liquidity/providers.ts): they take participant outages and say what came of them. */
  participants?: {
    begin(index: number, spec: Extract<FaultSpec, { kind: "participantOutage" }>): void | Promise<void>;
    finish(index: number): void | Promise<void>;
    report(index: number, transfers: readonly TransferOut[]): { summary: string; affected: Record<string, number | string | null> };
  };
  /** The coins' issuers (src/regulation/issuer.ts): they run redemption runs and say what came of them. */
  redemptions?: {
    begin(index: number, spec: Extract<FaultSpec, { kind: "redemptionRun" }>): void;
    report(index: number): { summary: string; affected: Record<string, number | string | null> };
  };
}

interface State {
  spec: FaultSpec;
  index: number;
  from: number;
  /** Planned end (unix), Infinity when open-ended. */
  until: number;
  started?: number;
  ended?: number;
  counters: Record<string, number>;
  offline?: Hex[];
  rng?: Random;
  /** Liquidity drains: the provider's transactions and what they moved. */
  withdrawTx?: Hex;
  depositTx?: Hex;
  withdrawn?: bigint;
  redeposited?: bigint;
  currency?: Currency;
  catchUp?: Record<string, number>;
  pendingCatchUp?: Set<string>;
  /** Reorgs: the snapshot taken at the fork, the head then, and what the losing branch held. */
  snapshot?: string;
  forkBlock?: number;
  orphanedBlocks?: number;
  doubleSpent?: Hex[];
}

/**
 * The scenario's faults at run time. The simulator asks it whether the relayer is down or a
 * chain halted at each block, gives the relayer chains wrapped in an RPC-fault proxy, prices FX
 * through the shocks, and lets it take attesters offline and move liquidity on schedule. After the
 * run, `report` says when each fault started and ended and what it affected.
 */
export class FaultInjector {
  private readonly states: State[];
  private readonly lpSenders = new Map<string, TxSender>();

  constructor(
    specs: readonly FaultSpec[],
    private readonly deps: FaultDeps,
  ) {
    this.states = specs.map((spec, index) => {
      const from = deps.start + spec.at;
      const len = spec.kind === "liquidityDrain" ? spec.redepositAfterSeconds : spec.durationSeconds;
      return { spec, index, from, until: len === undefined ? Infinity : from + len, counters: {} };
    });
    for (const s of this.states) {
      if (s.spec.kind === "rpcErrors") s.rng = createRandom(deps.seed).fork(`faults/${s.index}/rpc`);
      if (s.spec.kind === "reorg") s.rng = createRandom(deps.seed).fork(`faults/${s.index}/reorg`);
      if (s.spec.kind === "relayerDown") {
        s.catchUp = {};
        s.pendingCatchUp = new Set();
      }
    }
  }

  get count(): number {
    return this.states.length;
  }

  private active(kind: FaultKind, now: number, chain?: string): State[] {
    return this.states.filter((s) => s.spec.kind === kind && now >= s.from && now < s.until && (chain === undefined || !("chain" in s.spec) || s.spec.chain === undefined || s.spec.chain === chain));
  }

  private bump(s: State, key: string, by = 1): void {
    s.counters[key] = (s.counters[key] ?? 0) + by;
  }

  /** Whether the relayer is down at `now`; with a chain, counts that chain's skipped poll. */
  relayerDown(now: number, chain?: string): boolean {
    const down = this.active("relayerDown", now);
    if (chain !== undefined) for (const s of down) {
      this.bump(s, "pollsSkipped");
      s.pendingCatchUp!.add(chain);
    }
    return down.length > 0;
  }

  /** Chains whose relayer just came back and whose catch-up has not been measured yet. */
  wantsCatchUp(chain: string, now: number): boolean {
    return this.states.some((s) => s.pendingCatchUp?.has(chain) && now >= s.until);
  }

  /** The blocks the relayer had to read on `chain` after coming back. */
  noteCatchUp(chain: string, now: number, blocks: number): void {
    for (const s of this.states) {
      if (s.pendingCatchUp?.has(chain) && now >= s.until) {
        s.pendingCatchUp.delete(chain);
        s.catchUp![chain] = blocks;
      }
    }
  }

  /** Whether `chain` produces no block at `now`; counts the blocks skipped. */
  halted(chain: string, now: number): boolean {
    const h = this.active("chainHalt", now, chain);
    for (const s of h) this.bump(s, "blocksSkipped");
    return h.length > 0;
  }

  /** A transfer was submitted to `chain` at `now` (counted against halts of that chain). */
  noteSend(chain: string, now: number): void {
    for (const s of this.active("chainHalt", now, chain)) this.bump(s, "sendsQueued");
  }

  /** A send submitted to `chain` at `sentAt` reverted when it was finally mined (counted against halts in force then). */
  noteRejectedSend(chain: string, sentAt: number): void {
    for (const s of this.active("chainHalt", sentAt, chain)) this.bump(s, "sendsReverted");
  }

  /** An operator step failed (counted against attester outages in force). */
  noteOperatorError(now: number): void {
    for (const s of this.active("attesterOutage", now)) this.bump(s, "failedSigningAttempts");
  }

  /** The rate source with every FX shock applied. */
  rates(source: RateSource): RateSource {
    let r = source;
    for (const s of this.states) {
      if (s.spec.kind !== "fxShock") continue;
      r = shock(r, { at: s.from, factor: s.spec.factor, until: Number.isFinite(s.until) ? s.until : undefined, ...(s.spec.currency ? { currency: s.spec.currency } : {}) });
    }
    return r;
  }

  /**
   * The chains as the relayer sees them: every request (and every read of the viem client) goes
   * through a proxy that fails a share of calls while an RPC fault is in force, and shows each
   * result to `observe` (the gas meter reads batch receipts there).
   */
  relayerChains(chains: Record<string, Chain>, observe?: (method: string, result: unknown) => void): Record<string, Chain> {
    const out: Record<string, Chain> = {};
    for (const [name, chain] of Object.entries(chains)) {
      out[name] = wrapChain(chain, async (method, params) => {
        this.maybeFail(name, method);
        const result = await chain.request(method, params);
        observe?.(method, result);
        return result;
      });
    }
    return out;
  }

  private maybeFail(chain: string, method: string): void {
    const now = this.deps.scheduler.now();
    for (const s of this.active("rpcErrors", now, chain)) {
      this.bump(s, "calls");
      if (s.rng!.chance((s.spec as { share: number }).share)) {
        this.bump(s, "failed");
        throw new CorridorError(RPC_FAULT_CODE, `${RPC_FAULT_CODE}: injected RPC error on ${chain} (${method})`, { chain, method, fault: s.index });
      }
    }
  }

  /** Schedules each fault's start and end on the engine (attesters offline, liquidity moves, times recorded). */
  schedule(): void {
    const { scheduler } = this.deps;
    for (const s of this.states) {
      scheduler.at(s.from, () => this.begin(s));
      if (Number.isFinite(s.until)) scheduler.at(s.until, () => this.finish(s));
    }
  }

  private async begin(s: State): Promise<void> {
    s.started = this.deps.scheduler.now();
    const spec = s.spec;
    if (spec.kind === "reorg") {
      const chain = this.deps.chains[spec.chain]!;
      s.forkBlock = Number(await chain.request<string>("eth_blockNumber"));
      s.snapshot = await chain.request<string>("evm_snapshot");
    } else if (spec.kind === "redemptionRun") {
      this.deps.redemptions!.begin(s.index, spec);
    } else if (spec.kind === "participantOutage") {
      await this.deps.participants?.begin(s.index, spec);
    } else if (spec.kind === "attesterOutage") {
      const set = this.deps.attesters;
      const n = Math.min(set.addresses.length, spec.offline ?? set.addresses.length - set.threshold + 1);
      s.offline = set.addresses.slice(0, n);
      for (const a of s.offline) set.setOnline(a, false);
    } else if (spec.kind === "liquidityDrain") {
      const chain = this.deps.chains[spec.chain]!;
      const d = this.deps.deployment.chains[spec.chain]!;
      const token = d.tokens[d.home];
      s.currency = d.home;
      const lp = this.deps.lp[spec.chain]!;
      const shares = (await chain.client.readContract({ address: d.gateway, abi: gatewayAbi(), functionName: "shares", args: [token, lp.address] })) as bigint;
      const amount = (shares * BigInt(Math.round(spec.share * 1_000_000))) / 1_000_000n;
      if (amount > 0n) {
        s.withdrawTx = await this.lpSender(spec.chain).send({
          to: d.gateway,
          gas: GAS.deposit,
          data: encodeFunctionData({ abi: gatewayAbi(), functionName: "withdraw", args: [token, amount] }),
        });
      }
    }
  }

  private async finish(s: State): Promise<void> {
    s.ended = this.deps.scheduler.now();
    const spec = s.spec;
    if (spec.kind === "reorg") {
      await this.reorganise(s, spec.chain, spec.doubleSpendShare);
    } else if (spec.kind === "attesterOutage") {
      for (const a of s.offline ?? []) this.deps.attesters.setOnline(a, true);
    } else if (spec.kind === "participantOutage") {
      await this.deps.participants?.finish(s.index);
    } else if (spec.kind === "liquidityDrain") {
      if (s.withdrawn === undefined || s.withdrawn === 0n) return; // never mined (chain halted?) or nothing taken
      const d = this.deps.deployment.chains[spec.chain]!;
      s.depositTx = await this.lpSender(spec.chain).send({
        to: d.gateway,
        gas: GAS.deposit,
        data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [d.tokens[d.home], s.withdrawn] }),
      });
    }
  }

  /**
   * Replaces the blocks made since the fork with a competing branch: reverts the chain to the
   * snapshot taken at the fork (the node forgets those blocks and its mempool of the time), then
   * puts their transactions, and those waiting in the mempool, back in the order they were in;
   * a `doubleSpendShare` of the corridor sends among them is replaced by its sender with a
   * conflicting transaction at the same nonce.
   */
  private async reorganise(s: State, chainName: string, doubleSpendShare: number): Promise<void> {
    const chain = this.deps.chains[chainName]!;
    const head = Number(await chain.request<string>("eth_blockNumber"));
    const txs: RpcTx[] = [];
    for (let b = s.forkBlock! + 1; b <= head; b++) {
      const block = await chain.request<{ transactions: RpcTx[] }>("eth_getBlockByNumber", [`0x${b.toString(16)}`, true]);
      txs.push(...block.transactions);
    }
    const pending = await chain.request<{ transactions: RpcTx[] } | null>("eth_getBlockByNumber", ["pending", true]);
    txs.push(...(pending?.transactions ?? []));
    if (!(await chain.request<boolean>("evm_revert", [s.snapshot]))) throw new Error(`reorg fault: chain ${chainName} could not revert to its fork snapshot`);
    s.orphanedBlocks = head - s.forkBlock!;
    s.doubleSpent = [];
    const gateway = this.deps.deployment.chains[chainName]!.gateway.toLowerCase();
    for (const tx of txs) {
      const key = this.deps.senderKeys?.get(tx.from.toLowerCase());
      const isSend = tx.to?.toLowerCase() === gateway && tx.input.startsWith(SEND_SELECTOR) && key !== undefined;
      let raw: Hex;
      if (isSend && s.rng!.chance(doubleSpendShare)) {
        // The sender spends the same nonce on something else on the winning branch: its transfer never happened.
        const account = privateKeyToAccount(key!);
        raw = await account.signTransaction({
          chainId: chain.chainId,
          type: "eip1559",
          nonce: Number(tx.nonce),
          gas: 21_000n,
          maxFeePerGas: BigInt(tx.maxFeePerGas),
          maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas),
          to: account.address,
          value: 0n,
        });
        s.doubleSpent.push(tx.hash);
      } else raw = rawOf(tx, chain.chainId);
      try {
        await chain.request("eth_sendRawTransaction", [raw]);
      } catch {
        this.bump(s, "notRebroadcast"); // e.g. a transaction that depended on an orphaned one
      }
    }
    this.bump(s, "orphanedTransactions", txs.length);
    this.deps.onReorg?.(chainName, s.doubleSpent);
  }

  private lpSender(chain: string): TxSender {
    let s = this.lpSenders.get(chain);
    if (!s) this.lpSenders.set(chain, (s = new TxSender(this.deps.chains[chain]!, this.deps.lp[chain]!.privateKey)));
    return s;
  }

  /** After a block on `chain`: reads the receipts of the liquidity provider's pending transactions. */
  async afterMine(chain: string): Promise<void> {
    for (const s of this.states) {
      if (s.spec.kind !== "liquidityDrain" || s.spec.chain !== chain) continue;
      if (s.withdrawTx && s.withdrawn === undefined) s.withdrawn = await this.lpAmount(chain, s.withdrawTx, "LiquidityWithdrawn");
      if (s.depositTx && s.redeposited === undefined) s.redeposited = await this.lpAmount(chain, s.depositTx, "LiquidityDeposited");
    }
  }

  private async lpAmount(chain: string, hash: Hex, eventName: string): Promise<bigint | undefined> {
    const rc = await getReceipt(this.deps.chains[chain]!, hash);
    if (!rc) return undefined;
    for (const log of rc.logs) {
      try {
        const ev = decodeEventLog({ abi: gatewayAbi(), topics: log.topics as [Hex, ...Hex[]], data: log.data }) as unknown as { eventName: string; args: { amount: bigint } };
        if (ev.eventName === eventName) return ev.args.amount;
      } catch {
        // a token Transfer log
      }
    }
    return 0n; // reverted, or moved nothing
  }

  /** Whether a fault still has work to do at `now` (a start or end not reached, a transaction not mined). */
  busy(now: number): boolean {
    return this.states.some(
      (s) =>
        now < s.from ||
        (Number.isFinite(s.until) && s.spec.kind !== "fxShock" && now < s.until) ||
        (s.withdrawTx !== undefined && s.withdrawn === undefined) ||
        (s.depositTx !== undefined && s.redeposited === undefined),
    );
  }

  /**
   * Liquidity the provider moved during the run, per chain and currency (withdrawals negative):
   * flows outside the transfer records, which the conservation check's baseline must include.
   */
  liquidityFlows(): { chain: string; currency: Currency; amount: bigint }[] {
    return this.states
      .filter((s) => s.spec.kind === "liquidityDrain" && s.currency)
      .map((s) => ({ chain: (s.spec as { chain: string }).chain, currency: s.currency!, amount: (s.redeposited ?? 0n) - (s.withdrawn ?? 0n) }));
  }

  /** When each fault started and ended and what it affected. */
  report(transfers: readonly TransferOut[], runEnd: number): FaultReport[] {
    const start = this.deps.start;
    const stamp = (t: number | undefined) =>
      t === undefined ? null : { offsetSeconds: Math.round((t - start) * 1000) / 1000, unix: t, iso: new Date(Math.round(t * 1000)).toISOString() };
    return this.states.map((s) => {
      const spec = s.spec;
      const chain = "chain" in spec && spec.chain ? spec.chain : null;
      const from = s.started ?? s.from;
      const until = Math.min(s.ended ?? runEnd, runEnd);
      const touches = (t: TransferOut) => chain === null || t.srcChain === chain || t.dstChain === chain;
      let inFlight = 0;
      for (const t of transfers) {
        const begun = t.stages.initiated;
        if (begun === undefined || begun > until || !touches(t)) continue;
        const over = t.stages.settled ?? t.stages.refunded ?? Infinity;
        if (over >= from) inFlight++;
      }
      const c = s.counters;
      const affected: FaultReport["affected"] = { transfersInFlight: inFlight };
      let what: string;
      const window = `${fmtOffset(s.from - start)}–${Number.isFinite(s.until) ? fmtOffset(s.until - start) : "end"}`;
      switch (spec.kind) {
        case "relayerDown":
          affected.pollsSkipped = c.pollsSkipped ?? 0;
          for (const [k, v] of Object.entries(s.catchUp ?? {})) affected[`catchUpBlocks_${k}`] = v;
          what = `relayer down ${window}: ${affected.pollsSkipped} polls skipped, then caught up ${Object.entries(s.catchUp ?? {}).map(([k, v]) => `${v} blocks on ${k}`).join(" and ") || "nothing"}`;
          break;
        case "rpcErrors":
          affected.calls = c.calls ?? 0;
          affected.failed = c.failed ?? 0;
          what = `RPC errors ${window} on ${chain ?? "both chains"}: ${affected.failed} of ${affected.calls} relayer calls failed (${Math.round(spec.share * 100)}% asked) and were retried`;
          break;
        case "chainHalt":
          affected.blocksSkipped = c.blocksSkipped ?? 0;
          affected.sendsQueued = c.sendsQueued ?? 0;
          affected.sendsReverted = c.sendsReverted ?? 0;
          what =
            `chain ${chain} halted ${window}: ${affected.blocksSkipped} blocks not produced, ${affected.sendsQueued} sends waited in the mempool` +
            (affected.sendsReverted ? ` (${affected.sendsReverted} of them reverted when mined: their locked quote or deadline had passed)` : "");
          break;
        case "attesterOutage":
          affected.offline = s.offline ?? [];
          affected.failedSigningAttempts = c.failedSigningAttempts ?? 0;
          what = `${(s.offline ?? []).length} of ${this.deps.attesters.addresses.length} attesters offline ${window} (threshold ${this.deps.attesters.threshold}): ${affected.failedSigningAttempts} signing attempts failed and were retried`;
          break;
        case "fxShock": {
          const inWindow = transfers.filter((t) => t.mode === "lockRelease" && t.stages.attested !== undefined && t.stages.attested >= from && t.stages.attested < until);
          const below = transfers.filter((t) => t.refundReason === "belowMinimum" && (t.stages.refundAttested ?? 0) >= from && (t.stages.refundAttested ?? Infinity) < until + 3600);
          affected.factor = spec.factor;
          affected.pricedDuring = inWindow.length;
          affected.refundedBelowMinimum = below.length;
          what = `FX shock ×${spec.factor} on ${spec.currency ? `${spec.currency} per ${this.deps.numeraire}` : `every currency per ${this.deps.numeraire}`} ${window}: ${inWindow.length} cross-currency settlements priced during it, ${below.length} refunded below the sender's minimum`;
          break;
        }
        case "reorg": {
          const sentOnChain = transfers.filter((t) => t.srcChain === chain);
          const dropped = sentOnChain.filter((t) => t.state === "dropped");
          const exposed = sentOnChain.filter((t) => t.sourceReorged);
          const standardExposed = exposed.filter((t) => t.tier === "standard");
          const exposure: Record<string, bigint> = {};
          for (const t of exposed) exposure[t.outputToken.currency] = (exposure[t.outputToken.currency] ?? 0n) + toBaseUnits(t.amountOut ?? "0");
          affected.orphanedBlocks = s.orphanedBlocks ?? null;
          affected.orphanedTransactions = c.orphanedTransactions ?? 0;
          affected.doubleSpentSends = s.doubleSpent?.length ?? 0;
          // Sent on the losing branch, mined again on the winning one, and carried through once.
          affected.reappearedAndSettled = sentOnChain.filter(
            (t) => t.state === "settled" && !t.sourceReorged && t.stages.initiated !== undefined && t.stages.initiated >= from && t.stages.initiated < until,
          ).length;
          affected.droppedTransfers = dropped.length;
          affected.exposedTransfers = exposed.length;
          affected.exposedStandardTransfers = standardExposed.length;
          affected.exposure = Object.entries(exposure).map(([cur, v]) => `${fromBaseUnits(v).toFixed()} ${cur}`);
          what =
            `chain ${chain} reorganised ${window} (${affected.orphanedBlocks ?? "?"} blocks replaced, ${affected.doubleSpentSends} sends double-spent): ` +
            `${dropped.length} transfers dropped before settling, ${exposed.length} already paid out by the destination` +
            (exposed.length ? ` (exposure ${affected.exposure.join(", ")}, ${exposed.length - standardExposed.length} of them Fast)` : "");
          break;
        }
        case "participantOutage": {
          const r = this.deps.participants?.report(s.index, transfers) ?? { summary: "no providers to take offline", affected: {} };
          Object.assign(affected, r.affected);
          what = `${spec.provider !== undefined ? `provider ${spec.provider}` : `the ${spec.issuer} issuer's mint and redeem`} offline ${window}: ${r.summary}`;
          break;
        }
        case "redemptionRun": {
          const r = this.deps.redemptions!.report(s.index);
          Object.assign(affected, r.affected);
          what = `redemption run on ${spec.currency} ${window}: ${r.summary}`;
          break;
        }
        case "liquidityDrain": {
          const cur = s.currency ?? "?";
          const waited = transfers.filter((t) => t.dstChain === chain && t.liquidityWaitSeconds !== null && t.liquidityWaitSeconds > 0).length;
          const expired = transfers.filter((t) => t.dstChain === chain && t.mode === "lockRelease" && t.refundReason === "expired").length;
          affected.currency = cur;
          affected.withdrawn = s.withdrawn === undefined ? null : fromBaseUnits(s.withdrawn).toFixed();
          affected.redeposited = s.redeposited === undefined ? null : fromBaseUnits(s.redeposited).toFixed();
          affected.transfersWaited = waited;
          affected.refundedExpired = expired;
          what =
            `liquidity provider withdrew ${affected.withdrawn ?? "nothing"} ${cur} (${Math.round(spec.share * 100)}% of its shares) on ${chain} at ${fmtOffset(s.from - start)}` +
            (spec.redepositAfterSeconds ? `, re-deposited ${affected.redeposited === null ? "nothing" : `${affected.redeposited} ${cur}`} at ${fmtOffset(s.until - start)}` : "") +
            `: ${waited} transfers waited for liquidity, ${expired} refunded after their deadline`;
          break;
        }
      }
      return {
        index: s.index,
        kind: spec.kind,
        chain,
        note: spec.note ?? null,
        start: stamp(s.started),
        end: spec.kind === "liquidityDrain" ? stamp(s.redeposited !== undefined ? s.ended : undefined) : stamp(s.ended),
        summary: `${what}; ${inFlight} transfers in flight`,
        affected,
      };
    });
  }
}

/**
 * The same chain with every request going through `request` instead: `chain.request` and the
 * viem client's reads alike (no retries in the client: the caller decides).
 */
export function wrapChain(chain: Chain, request: (method: string, params?: readonly unknown[]) => Promise<unknown>): Chain {
  const client = createPublicClient({
    transport: custom({ request: (({ method, params }: { method: string; params?: readonly unknown[] }) => request(method, params ?? [])) as unknown as EIP1193RequestFn }, { retryCount: 0 }),
  }) as PublicClient;
  return { name: chain.name, chainId: chain.chainId, kind: chain.kind, endpoint: chain.endpoint, request: request as Chain["request"], client, close: () => chain.close() };
}

/** A transaction as eth_getTransactionByHash / eth_getBlockByNumber(…, true) return it. */
export interface RpcTx {
  hash: Hex;
  from: Hex;
  to: Hex | null;
  input: Hex;
  nonce: Hex;
  gas: Hex;
  value: Hex;
  chainId?: Hex;
  maxFeePerGas: Hex;
  maxPriorityFeePerGas: Hex;
  accessList?: { address: Hex; storageKeys: Hex[] }[];
  r: Hex;
  s: Hex;
  v: Hex;
  yParity?: Hex;
}

const SEND_SELECTOR = toFunctionSelector(gatewayAbi().find((x) => x.type === "function" && x.name === "send")! as never);

/** The signed bytes of an EIP-1559 transaction as a node returns it (the node forgets them on revert). */
export function rawOf(tx: RpcTx, chainId: number): Hex {
  return serializeTransaction(
    {
      type: "eip1559",
      chainId,
      nonce: Number(tx.nonce),
      to: tx.to ?? undefined,
      value: BigInt(tx.value),
      data: tx.input,
      gas: BigInt(tx.gas),
      maxFeePerGas: BigInt(tx.maxFeePerGas),
      maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas),
      accessList: tx.accessList ?? [],
    },
    { r: tx.r, s: tx.s, yParity: Number(tx.yParity ?? tx.v) },
  );
}

/** Seconds after the start as "+1 h 05 min" / "+12 min" / "+30 s". */
function fmtOffset(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `+${s} s`;
  if (s < 3600) return `+${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `+${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}
