/**
 * Liquidity providers as participants of a simulated run. Each is a real account: at set-up the
 * issuers mint it what it funds and it deposits that into the pools (src/contracts: the gateway's
 * LiquidityPool); during the run the books follow the gateways' events in time order: a settlement
 * drawn from a pool is paid by its providers (by the share rule), who are then owed, on the source
 * chain, what the escrow releases into that pool when the transfer is finalized. Rebalancing moves a
 * provider's surplus back where it funded, on chain (withdraw, redeem to the issuer, the other
 * issuer mints, deposit); a participant outage takes a provider's liquidity out, or stops an
 * issuer's mint and redeem. Netting compares, per window, the gross flows each way with their net.
 */
import { encodeFunctionData, keccak256, maxUint256, toHex, decodeEventLog, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { testKeyPair, type KeyPair } from "../chains/keys.js";
import { getBlock } from "../chains/mining.js";
import { getReceipt, TxSender, type Receipt, type TxRequest } from "../chains/tx-sender.js";
import { fundNative, sendAll, type Deployment } from "../contracts/deploy.js";
import { GAS, gatewayAbi, tokenAbi } from "../contracts/gateway.js";
import { CorridorError } from "../domain/errors.js";
import { MODE } from "../domain/message.js";
import { Decimal, fromBaseUnits, toBaseUnits } from "../domain/money.js";
import { midFor, type RateSource } from "../domain/fx/rate-source.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { LedgerFlow } from "../measure/conservation.js";
import type { TransferOut } from "../measure/transfer-out.js";
import type { CorridorSpec } from "../spec/spec.js";
import type { FaultSpec } from "../sim/faults.js";
import { attributePayout, checkProviderBooks, emptyBooks, ensureProvider, splitProRata, type ChainReads, type ProviderBooks, type ProviderCheckLine } from "./books.js";
import type { NettingSpec, ProvidersSpec, RebalancingSpec } from "./schema.js";

type Outage = Extract<FaultSpec, { kind: "participantOutage" }>;

/** The default netting window when the scenario gives none (seconds). */
export const DEFAULT_NETTING_WINDOW = 600;

export interface ProvidersDeps {
  spec: CorridorSpec;
  chains: Record<string, Chain>;
  deployment: Deployment;
  seed: number;
  /** The tokens' admin (the deployer): grants the issuer's desk its roles. */
  adminKey: Hex;
  providers: ProvidersSpec;
  rebalancing?: RebalancingSpec | undefined;
  netting?: NettingSpec | undefined;
}

/** What the run gives the providers once it is wired. */
export interface ProvidersRun {
  scheduler: { at(t: number, fn: () => void | Promise<void>): void; now(): number };
  start: number;
  records: { get(id: Hex): TransferRecord | undefined };
  rates: RateSource;
  blockSeconds: (chain: string) => number;
  /** The governed coins' issuers keep their reserves in step with rebalancing mints and burns. */
  issuance?: (currency: string, amount: bigint, t: number) => void;
}

interface Move {
  provider: string;
  from: string;
  to: string;
  trigger: string;
  stage: "withdraw" | "redeem" | "burn" | "wait" | "mint" | "deposit" | "done" | "dropped";
  tx?: Hex;
  /** What left the source pool, and what the destination issuer minted (base units of each chain's home currency). */
  out?: bigint;
  in?: bigint;
  costNumeraire: number;
  startedAt: number;
  doneAt?: number;
  mintAfter?: number;
  /** Set by `finish`: the run ended during the delay, the mint goes ahead now. */
  mintDue?: number;
  /** Seconds the move waited for an issuer or its provider to come back. */
  waitedSeconds: number;
}

interface Window {
  /** "src->dst" -> payouts valued in the numeraire. */
  flows: Record<string, number>;
  /** chain -> base units paid out of its pool, and released into it. */
  paid: Record<string, bigint>;
  released: Record<string, bigint>;
}

interface PoolEvent {
  chain: string;
  ts: number;
  block: number;
  logIndex: number;
  name: string;
  args: Record<string, unknown>;
}

interface ProviderStats {
  funded: Record<string, bigint>;
  paidOut: Record<string, bigint>;
  claimsReleased: Record<string, bigint>;
  withdrawn: Record<string, bigint>;
  deposited: Record<string, bigint>;
  minEquity: Record<string, bigint>;
  spreadNumeraire: number;
  costNumeraire: number;
  payouts: number;
}

export class Providers {
  readonly books: ProviderBooks;
  private readonly keys = new Map<string, KeyPair>();
  private readonly byAddress = new Map<string, string>();
  private readonly senders = new Map<string, TxSender>();
  private readonly desk: KeyPair;
  private readonly names: string[];
  private readonly home: Record<string, { currency: string; token: Hex; gateway: Hex }>;
  private readonly cursor: Record<string, number> = {};
  private readonly stats = new Map<string, ProviderStats>();
  private readonly windows = new Map<number, Window>();
  readonly moves: Move[] = [];
  private readonly flowsOut: LedgerFlow[] = [];
  /** Pool events of the run (after the ledger's baseline block on each chain): deposits and withdrawals outside the transfer records. */
  private baseBlock: Record<string, number> = {};
  private run?: ProvidersRun;
  private readonly outages = new Map<number, { spec: Outage; from: number; until?: number; withdrawn: Record<string, bigint>; redeposited: Record<string, bigint>; movesDelayed: Set<Move> }>();
  private readonly timestamps = new Map<string, number>();
  private running = true;

  private constructor(private readonly deps: ProvidersDeps) {
    this.names = deps.providers.list.map((p) => p.name);
    const chains = Object.keys(deps.spec.chains);
    this.books = emptyBooks(this.names, chains);
    this.desk = testKeyPair(deps.seed, "issuer-desk");
    deps.providers.list.forEach((p, i) => {
      const key = testKeyPair(deps.seed, "provider", i);
      this.keys.set(p.name, key);
      this.byAddress.set(key.address.toLowerCase(), p.name);
      const zero = () => Object.fromEntries(chains.map((c) => [c, 0n]));
      this.stats.set(p.name, { funded: zero(), paidOut: zero(), claimsReleased: zero(), withdrawn: zero(), deposited: zero(), minEquity: zero(), spreadNumeraire: 0, costNumeraire: 0, payouts: 0 });
    });
    this.home = Object.fromEntries(
      chains.map((c) => {
        const d = deps.deployment.chains[c]!;
        return [c, { currency: d.home, token: d.tokens[d.home]!, gateway: d.gateway }];
      }),
    );
  }

  /**
   * Set-up, while the chains mine on their own: the issuer's desk gets the minter and burner roles on
   * each home token, the desk mints each provider what it funds, and the provider approves the
   * gateway and deposits it. Returns the providers, their books read from the chains.
   */
  static async fund(deps: ProvidersDeps): Promise<Providers> {
    const p = new Providers(deps);
    const role = (name: string): Hex => keccak256(toHex(name));
    for (const [chain, h] of Object.entries(p.home)) {
      const c = deps.chains[chain]!;
      await fundNative(c, [p.desk.address, ...[...p.keys.values()].map((k) => k.address)]);
      const admin = new TxSender(c, deps.adminKey);
      await sendAll(
        admin,
        ["MINTER_ROLE", "BURNER_ROLE"].map((r) => ({ to: h.token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [role(r), p.desk.address] }) })),
        "grant the issuer's desk its roles",
      );
      const mints: TxRequest[] = [];
      for (const prov of deps.providers.list) {
        const amount = prov.funding[chain] === undefined ? 0n : toBaseUnits(prov.funding[chain]!);
        if (amount > 0n) mints.push(mintTx(h.token, p.keys.get(prov.name)!.address, amount));
        p.stats.get(prov.name)!.funded[chain] = amount;
      }
      await sendAll(p.sender(chain, p.desk), mints, "mint the providers' funding");
      for (const prov of deps.providers.list) {
        const amount = p.stats.get(prov.name)!.funded[chain]!;
        const key = p.keys.get(prov.name)!;
        const txs: TxRequest[] = [{ to: h.token, gas: GAS.approve, data: encodeFunctionData({ abi: tokenAbi(), functionName: "approve", args: [h.gateway, maxUint256] }) }];
        if (amount > 0n) txs.push(depositTx(h.gateway, h.token, amount));
        p.books.wallet[chain]![prov.name] = amount;
        await sendAll(p.sender(chain, key), txs, `deposit ${prov.name}'s liquidity`);
      }
    }
    await p.sync();
    for (const [name, s] of p.stats) for (const c of Object.keys(p.home)) s.minEquity[c] = p.books.pool[c]![name]!;
    return p;
  }

  /** From here on the run makes the blocks: pool events after each chain's current head are the run's own. */
  async attach(run: ProvidersRun): Promise<void> {
    this.run = run;
    for (const [name, chain] of Object.entries(this.deps.chains)) this.baseBlock[name] = (await getBlock(chain)).number;
    for (const s of this.senders.values()) await s.sync();
    const every = Math.min(...Object.keys(this.home).map((c) => run.blockSeconds(c)));
    const tick = async () => {
      if (!this.running) return;
      await this.sync();
      await this.advanceMoves();
      await this.policyTick();
      run.scheduler.at(run.scheduler.now() + every, tick);
    };
    run.scheduler.at(run.start + every, tick);
    const r = this.deps.rebalancing;
    const period = r?.policy === "scheduled" ? r.everySeconds! : r?.policy === "netted" ? this.windowSeconds : undefined;
    if (period !== undefined) {
      const scheduled = async () => {
        if (!this.running) return;
        await this.sync();
        await this.rebalance(r!.policy);
        run.scheduler.at(run.scheduler.now() + period, scheduled);
      };
      run.scheduler.at(run.start + period, scheduled);
    }
  }

  get windowSeconds(): number {
    return this.deps.netting?.windowSeconds ?? DEFAULT_NETTING_WINDOW;
  }

  /** Whether a move is still under way (the run waits for nothing: `finish` completes them). */
  get busy(): boolean {
    return this.moves.some((m) => m.stage !== "done" && m.stage !== "dropped");
  }

  // ---------------------------------------------------------------- the books, from the gateways' events

  /** Reads every pool event since the last read on every chain and applies them in time order. */
  async sync(): Promise<void> {
    const events: PoolEvent[] = [];
    const names = Object.keys(this.home);
    for (const chain of names) {
      const c = this.deps.chains[chain]!;
      const head = (await getBlock(c)).number;
      const from = (this.cursor[chain] ?? -1) + 1;
      if (from > head) continue;
      const logs = await c.client.getLogs({ address: this.home[chain]!.gateway, fromBlock: BigInt(from), toBlock: BigInt(head) });
      this.cursor[chain] = head;
      for (const log of logs) {
        let decoded: { eventName: string; args: unknown };
        try {
          decoded = decodeEventLog({ abi: gatewayAbi(), data: log.data, topics: log.topics }) as never;
        } catch {
          continue;
        }
        if (!["LiquidityDeposited", "LiquidityWithdrawn", "TransferSettled", "TransferFinalized"].includes(decoded.eventName)) continue;
        const block = Number(log.blockNumber);
        events.push({ chain, ts: await this.blockTime(chain, block), block, logIndex: Number(log.logIndex), name: decoded.eventName, args: decoded.args as Record<string, unknown> });
      }
    }
    // Time order across chains: a finalize on the source always comes in a later block than its settlement.
    events.sort((a, b) => a.ts - b.ts || names.indexOf(a.chain) - names.indexOf(b.chain) || a.block - b.block || a.logIndex - b.logIndex);
    for (const e of events) this.apply(e);
  }

  private async blockTime(chain: string, block: number): Promise<number> {
    const key = `${chain}/${block}`;
    let t = this.timestamps.get(key);
    if (t === undefined) {
      t = (await getBlock(this.deps.chains[chain]!, block)).timestamp;
      this.timestamps.set(key, t);
    }
    return t;
  }

  private nameOf(address: string): string {
    const n = this.byAddress.get(address.toLowerCase()) ?? address.toLowerCase();
    ensureProvider(this.books, n);
    return n;
  }

  private apply(e: PoolEvent): void {
    const b = this.books;
    const h = this.home[e.chain]!;
    const pool = b.pool[e.chain]!;
    const inRun = e.block > (this.baseBlock[e.chain] ?? Infinity);
    if (e.name === "LiquidityDeposited" || e.name === "LiquidityWithdrawn") {
      if ((e.args.token as string).toLowerCase() !== h.token.toLowerCase()) return;
      const who = this.nameOf(e.args.provider as string);
      const amount = e.args.amount as bigint;
      const sign = e.name === "LiquidityDeposited" ? 1n : -1n;
      pool[who] = (pool[who] ?? 0n) + sign * amount;
      b.wallet[e.chain]![who] = (b.wallet[e.chain]![who] ?? 0n) - sign * amount;
      const st = this.stats.get(who);
      if (st && inRun) (sign > 0n ? st.deposited : st.withdrawn)[e.chain]! += amount;
      if (inRun) {
        this.flowsOut.push({ chain: e.chain, currency: h.currency, group: "liquidity", amount: sign * amount, what: "pool" });
        this.flowsOut.push({ chain: e.chain, currency: h.currency, group: "gatewayBalance", amount: sign * amount, what: "pool" });
      }
    } else if (e.name === "TransferSettled") {
      if ((e.args.outputToken as string).toLowerCase() !== h.token.toLowerCase()) return;
      const id = e.args.id as Hex;
      const r = this.run?.records.get(id);
      if (!r || r.message.mode !== MODE.lockRelease) return;
      const out = e.args.amountOut as bigint;
      const parts = attributePayout(out, pool, this.deps.providers.shareRule, b.providers);
      for (const [p, v] of Object.entries(parts)) pool[p] = (pool[p] ?? 0n) - v;
      const toPool = r.message.amount - r.message.fee;
      const owed = splitProRata(toPool, parts);
      b.inFlight.set(id, { src: r.srcChain, owed });
      // The spread a provider earns: what it is owed on the source, less what it paid, both at the mid of the time.
      const rates = this.run!.rates;
      const num = this.deps.spec.numeraire;
      const value = (v: bigint, cur: string) => fromBaseUnits(v).div(midFor(rates, num, cur, e.ts)).toNumber();
      for (const [p, v] of Object.entries(parts)) {
        const st = this.stats.get(p);
        if (!st) continue;
        st.paidOut[e.chain]! += v;
        st.payouts++;
        st.spreadNumeraire += value(owed[p] ?? 0n, r.inputCurrency) - value(v, h.currency);
        if (pool[p]! < st.minEquity[e.chain]!) st.minEquity[e.chain] = pool[p]!;
      }
      const w = this.window(e.ts);
      const key = `${r.srcChain}->${e.chain}`;
      w.flows[key] = (w.flows[key] ?? 0) + value(out, h.currency);
      w.paid[e.chain] = (w.paid[e.chain] ?? 0n) + out;
    } else if (e.name === "TransferFinalized") {
      const id = e.args.id as Hex;
      const toPool = e.args.toLiquidity as bigint;
      const f = b.inFlight.get(id);
      b.inFlight.delete(id);
      // A release whose settlement the books never saw goes to the providers in proportion (the pool check still holds).
      const owed = f && Object.values(f.owed).reduce((s, v) => s + v, 0n) === toPool ? f.owed : splitProRata(toPool, pool);
      for (const [p, v] of Object.entries(owed)) {
        pool[p] = (pool[p] ?? 0n) + v;
        const st = this.stats.get(p);
        if (st) st.claimsReleased[e.chain]! += v;
      }
      const w = this.window(e.ts);
      w.released[e.chain] = (w.released[e.chain] ?? 0n) + toPool;
    }
  }

  private window(ts: number): Window {
    const i = Math.max(0, Math.floor((ts - (this.run?.start ?? ts)) / this.windowSeconds));
    let w = this.windows.get(i);
    if (!w) this.windows.set(i, (w = { flows: {}, paid: {}, released: {} }));
    return w;
  }

  // ---------------------------------------------------------------- rebalancing

  private async policyTick(): Promise<void> {
    const r = this.deps.rebalancing;
    if (r?.policy !== "threshold") return;
    for (const [chain, h] of Object.entries(this.home)) {
      const funded = [...this.stats.values()].reduce((s, st) => s + st.funded[chain]!, 0n);
      if (funded === 0n) continue;
      const pool = Object.values(this.books.pool[chain]!).reduce((s, v) => s + v, 0n);
      if (Number(pool) < r.threshold! * Number(funded)) {
        await this.rebalance(`${chain}'s ${h.currency} pool below ${r.threshold} of its funding`);
        return;
      }
    }
  }

  /** Each provider not already moving: its largest surplus (against what it funded) to its largest shortfall, if worth moving. */
  private async rebalance(trigger: string): Promise<void> {
    const r = this.deps.rebalancing;
    const run = this.run!;
    if (!r) return;
    const now = run.scheduler.now();
    const num = this.deps.spec.numeraire;
    for (const name of this.names) {
      if (this.moves.some((m) => m.provider === name && m.stage !== "done" && m.stage !== "dropped")) continue;
      if (this.providerOffline(name, now)) continue;
      const st = this.stats.get(name)!;
      const gap = Object.keys(this.home).map((c) => {
        const mid = midFor(run.rates, num, this.home[c]!.currency, now);
        return { c, value: fromBaseUnits(this.books.pool[c]![name]! - st.funded[c]!).div(mid).toNumber(), mid };
      });
      gap.sort((a, b) => b.value - a.value);
      const surplus = gap[0]!;
      const short = gap[gap.length - 1]!;
      const value = Math.min(surplus.value, -short.value);
      if (surplus.c === short.c || !(value >= r.minAmount) || value <= r.costFixed) continue;
      const amount = toBaseUnits(new Decimal(value).mul(surplus.mid).toFixed(6, Decimal.ROUND_DOWN));
      const move: Move = { provider: name, from: surplus.c, to: short.c, trigger, stage: "withdraw", costNumeraire: 0, startedAt: now, waitedSeconds: 0 };
      const shares = await this.sharesFor(surplus.c, name, amount);
      if (shares === 0n) continue;
      move.tx = await this.sender(surplus.c, this.keys.get(name)!).send({ to: this.home[surplus.c]!.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "withdraw", args: [this.home[surplus.c]!.token, shares] }) });
      this.moves.push(move);
    }
  }

  /** The pool shares that withdraw at most `amount` (and at most what the provider holds). */
  private async sharesFor(chain: string, name: string, amount: bigint): Promise<bigint> {
    const c = this.deps.chains[chain]!;
    const h = this.home[chain]!;
    const read = async (functionName: string, args: unknown[]) => (await c.client.readContract({ address: h.gateway, abi: gatewayAbi(), functionName, args })) as bigint;
    const [pool, supply, held] = await Promise.all([read("liquidity", [h.token]), read("totalShares", [h.token]), read("shares", [h.token, this.keys.get(name)!.address])]);
    const shares = (amount * (supply + 1n)) / (pool + 1n);
    return shares < held ? shares : held;
  }

  /** Takes each move one step further when its transaction is mined (and its issuers and provider are online). */
  private async advanceMoves(): Promise<void> {
    const now = this.run!.scheduler.now();
    for (const m of this.moves) {
      if (m.stage === "done" || m.stage === "dropped") continue;
      if (m.tx) {
        const rc = await getReceipt(this.deps.chains[this.chainOfStage(m)]!, m.tx);
        if (!rc) continue;
        if (rc.status !== "success") throw new CorridorError("CORRIDOR_PROVIDER_TX_FAILED", `${m.provider}'s rebalancing (${m.stage} on ${this.chainOfStage(m)}) reverted`, { tx: m.tx });
        this.done(m, rc, now);
        m.tx = undefined;
      }
      await this.next(m, now);
    }
  }

  private chainOfStage(m: Move): string {
    return m.stage === "withdraw" || m.stage === "redeem" || m.stage === "burn" ? m.from : m.to;
  }

  /** What a mined step changed in the books. */
  private done(m: Move, rc: Receipt, now: number): void {
    const run = this.run!;
    if (m.stage === "withdraw") {
      const log = rc.logs.map((l) => safeDecode(l)).find((d) => d?.eventName === "LiquidityWithdrawn");
      m.out = (log?.args as { amount?: bigint } | undefined)?.amount ?? 0n;
      m.stage = m.out > 0n ? "redeem" : "dropped";
    } else if (m.stage === "redeem") {
      this.books.wallet[m.from]![m.provider]! -= m.out!;
      this.books.desk[m.from]! += m.out!;
      m.stage = "burn";
    } else if (m.stage === "burn") {
      this.books.desk[m.from]! -= m.out!;
      const cur = this.home[m.from]!.currency;
      this.flowsOut.push({ chain: m.from, currency: cur, group: "totalSupply", amount: -m.out!, what: "redeem" });
      run.issuance?.(cur, -m.out!, now);
      m.stage = "wait";
      m.mintAfter = now + (this.deps.rebalancing?.delaySeconds ?? 0);
    } else if (m.stage === "mint") {
      this.books.wallet[m.to]![m.provider]! += m.in!;
      const cur = this.home[m.to]!.currency;
      this.flowsOut.push({ chain: m.to, currency: cur, group: "totalSupply", amount: m.in!, what: "mint" });
      run.issuance?.(cur, m.in!, now);
      m.stage = "deposit";
    } else if (m.stage === "deposit") {
      m.stage = "done";
      // A move the run's end caught in its delay completes afterwards; it is reported at the time the model gives it.
      m.doneAt = Math.max(now, m.mintAfter ?? now);
    }
  }

  /** Sends the move's next transaction, unless a participant it needs is offline. */
  private async next(m: Move, now: number): Promise<void> {
    if (m.tx || m.stage === "done" || m.stage === "dropped") return;
    const key = this.keys.get(m.provider)!;
    const blocked =
      this.providerOffline(m.provider, now) ||
      ((m.stage === "redeem" || m.stage === "burn") && this.issuerOffline(this.home[m.from]!.currency, now)) ||
      (m.stage === "wait" && now >= (m.mintDue ?? m.mintAfter!) && this.issuerOffline(this.home[m.to]!.currency, now));
    if (blocked) {
      m.waitedSeconds += Math.min(...Object.keys(this.home).map((c) => this.run!.blockSeconds(c)));
      for (const o of this.outages.values()) if (o.until === undefined && this.outageBlocks(o.spec, m)) o.movesDelayed.add(m);
      return;
    }
    const from = this.home[m.from]!;
    const to = this.home[m.to]!;
    if (m.stage === "redeem") {
      m.tx = await this.sender(m.from, key).send({ to: from.token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "transfer", args: [this.desk.address, m.out!] }) });
    } else if (m.stage === "burn") {
      m.tx = await this.sender(m.from, this.desk).send({ to: from.token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "burn", args: [m.out!] }) });
    } else if (m.stage === "wait") {
      if (now < (m.mintDue ?? m.mintAfter!)) return;
      const r = this.deps.rebalancing!;
      const num = this.deps.spec.numeraire;
      const value = fromBaseUnits(m.out!).div(midFor(this.run!.rates, num, from.currency, now));
      const cost = value.mul(r.costBps).div(10_000).add(r.costFixed);
      m.costNumeraire = cost.toNumber();
      this.stats.get(m.provider)!.costNumeraire += m.costNumeraire;
      m.in = toBaseUnits(value.sub(cost).mul(midFor(this.run!.rates, num, to.currency, now)).toFixed(6, Decimal.ROUND_DOWN));
      if (m.in <= 0n) {
        m.stage = "dropped";
        return;
      }
      m.stage = "mint";
      m.tx = await this.sender(m.to, this.desk).send(mintTx(to.token, key.address, m.in));
    } else if (m.stage === "deposit") {
      m.tx = await this.sender(m.to, key).send(depositTx(to.gateway, to.token, m.in!));
    }
  }

  // ---------------------------------------------------------------- participant outages

  private providerOffline(name: string, now: number): boolean {
    return [...this.outages.values()].some((o) => o.spec.provider === name && now >= o.from && (o.until === undefined || now < o.until));
  }

  private issuerOffline(currency: string, now: number): boolean {
    return [...this.outages.values()].some((o) => o.spec.issuer === currency && now >= o.from && (o.until === undefined || now < o.until));
  }

  private outageBlocks(spec: Outage, m: Move): boolean {
    return spec.provider === m.provider || spec.issuer === this.home[m.from]!.currency || spec.issuer === this.home[m.to]!.currency;
  }

  /** A provider's outage: it takes its part of every pool out (as far as its shares allow); an issuer's: its mint and redeem stop. */
  async beginOutage(index: number, spec: Outage): Promise<void> {
    const now = this.run!.scheduler.now();
    const o = { spec, from: now, withdrawn: {} as Record<string, bigint>, redeposited: {} as Record<string, bigint>, movesDelayed: new Set<Move>() } as { spec: Outage; from: number; until?: number; withdrawn: Record<string, bigint>; redeposited: Record<string, bigint>; movesDelayed: Set<Move> };
    this.outages.set(index, o);
    if (spec.provider === undefined) return;
    await this.sync();
    const key = this.keys.get(spec.provider)!;
    for (const [chain, h] of Object.entries(this.home)) {
      const part = this.books.pool[chain]![spec.provider]!;
      if (part <= 0n) continue;
      const shares = await this.sharesFor(chain, spec.provider, part);
      if (shares === 0n) continue;
      const tx = await this.sender(chain, key).send({ to: h.gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "withdraw", args: [h.token, shares] }) });
      this.watchAmount(chain, tx, "LiquidityWithdrawn", (v) => (o.withdrawn[chain] = v));
    }
  }

  /** The outage ends: the provider puts back what it holds on each chain. */
  async finishOutage(index: number): Promise<void> {
    const o = this.outages.get(index)!;
    o.until = this.run!.scheduler.now();
    if (o.spec.provider === undefined) return;
    await this.sync();
    const name = o.spec.provider;
    const key = this.keys.get(name)!;
    for (const [chain, h] of Object.entries(this.home)) {
      // What the books say it holds, less what a move of its own is about to spend.
      const reserved = this.moves.filter((m) => m.provider === name && m.to === chain && m.stage === "deposit").reduce((s, m) => s + m.in!, 0n);
      const amount = this.books.wallet[chain]![name]! - reserved - this.moves.filter((m) => m.provider === name && m.from === chain && m.stage === "redeem").reduce((s, m) => s + m.out!, 0n);
      if (amount <= 0n) continue;
      const tx = await this.sender(chain, key).send(depositTx(h.gateway, h.token, amount));
      this.watchAmount(chain, tx, "LiquidityDeposited", (v) => (o.redeposited[chain] = v));
    }
  }

  /** Reads the amount an outage's withdrawal or deposit moved once it is mined (polled every block; by `finish` after the run). */
  private watchAmount(chain: string, tx: Hex, event: string, fn: (v: bigint) => void): void {
    const run = this.run!;
    const w = { done: false, poll: async () => {} };
    w.poll = async () => {
      if (w.done) return;
      const rc = await getReceipt(this.deps.chains[chain]!, tx);
      if (!rc) {
        if (this.running) run.scheduler.at(run.scheduler.now() + run.blockSeconds(chain), w.poll);
        return;
      }
      w.done = true;
      const d = rc.logs.map((l) => safeDecode(l)).find((x) => x?.eventName === event);
      fn((d?.args as { amount?: bigint } | undefined)?.amount ?? 0n);
    };
    this.watches.push(w);
    run.scheduler.at(run.scheduler.now() + run.blockSeconds(chain), w.poll);
  }
  private readonly watches: { done: boolean; poll: () => Promise<void> }[] = [];

  outageReport(index: number, transfers: readonly TransferOut[]): { summary: string; affected: Record<string, number | string | null> } {
    const o = this.outages.get(index);
    if (!o) return { summary: "the run ended before it", affected: {} };
    const until = o.until ?? Infinity;
    const chains = o.spec.provider !== undefined ? Object.keys(o.withdrawn) : Object.keys(this.home).filter((c) => this.home[c]!.currency === o.spec.issuer);
    const touched = transfers.filter((t) => chains.includes(t.dstChain) && t.mode === "lockRelease" && (t.stages.initiated ?? Infinity) < until);
    const waited = touched.filter((t) => t.liquidityWaitSeconds !== null && t.liquidityWaitSeconds > 0 && (t.stages.settled ?? Infinity) >= o.from);
    const refunded = touched.filter((t) => t.refundReason === "expired" && (t.stages.refunded ?? 0) >= o.from);
    const fmt = (m: Record<string, bigint>) => Object.entries(m).map(([c, v]) => `${fromBaseUnits(v).toFixed()} ${this.home[c]!.currency} on ${c}`).join(", ");
    const affected: Record<string, number | string | null> = {
      transfersWaited: waited.length,
      waitedSecondsTotal: Math.round(waited.reduce((s, t) => s + (t.liquidityWaitSeconds ?? 0), 0)),
      refundedExpired: refunded.length,
      rebalancesDelayed: o.movesDelayed.size,
    };
    if (o.spec.provider !== undefined) {
      affected.withdrawn = fmt(o.withdrawn) || null;
      affected.redeposited = fmt(o.redeposited) || null;
    }
    const summary =
      (o.spec.provider !== undefined ? `withdrew ${fmt(o.withdrawn) || "nothing"}${o.until !== undefined ? `, put back ${fmt(o.redeposited) || "nothing"}` : ""}; ` : "") +
      `${waited.length} transfers waited for liquidity (${affected.waitedSecondsTotal} s in all), ${refunded.length} refunded after their deadline, ${o.movesDelayed.size} rebalancing moves delayed`;
    return { summary, affected };
  }

  // ---------------------------------------------------------------- after the run

  /** After the engine: the chains mine on their own again; moves and outages under way complete, and the books read the last events. */
  async finish(): Promise<void> {
    this.running = false;
    // Transactions sent in the run's last blocks wait in the mempools: one block on each chain takes them.
    if (this.watches.some((w) => !w.done) || this.moves.some((m) => m.tx !== undefined)) for (const c of Object.values(this.deps.chains)) await c.request("evm_mine");
    for (const w of this.watches) await w.poll();
    for (let i = 0; this.busy && i < 20; i++) {
      const now = this.run!.scheduler.now();
      for (const m of this.moves) if (m.stage === "wait" && m.mintAfter! > now) m.mintDue = now;
      for (const o of this.outages.values()) if (o.until === undefined) o.until = Infinity;
      await this.advanceMoves();
      await this.sync();
    }
    await this.sync();
  }

  /** The providers' own pool movements and the issuers' rebalancing mints and burns: balance changes outside the transfer records. */
  flows(): LedgerFlow[] {
    return [...this.flowsOut];
  }

  /** Reads what the books are checked against, on every chain. */
  async reads(): Promise<ChainReads> {
    const reads: ChainReads = { liquidity: {}, wallet: {}, desk: {}, escrowHeld: new Set() };
    for (const [chain, h] of Object.entries(this.home)) {
      const c = this.deps.chains[chain]!;
      const bal = async (a: Hex) => (await c.client.readContract({ address: h.token, abi: tokenAbi(), functionName: "balanceOf", args: [a] })) as bigint;
      reads.liquidity[chain] = (await c.client.readContract({ address: h.gateway, abi: gatewayAbi(), functionName: "liquidity", args: [h.token] })) as bigint;
      reads.wallet[chain] = {};
      for (const [name, key] of this.keys) reads.wallet[chain]![name] = await bal(key.address);
      reads.desk[chain] = await bal(this.desk.address);
    }
    for (const [id, f] of this.books.inFlight) {
      const status = Number(await this.deps.chains[f.src]!.client.readContract({ address: this.home[f.src]!.gateway, abi: gatewayAbi(), functionName: "statusOf", args: [id] }));
      if (status === STATUS_PENDING) reads.escrowHeld.add(id);
    }
    return reads;
  }

  /** What the last `check` read on the chains (kept: the chains close with the run). */
  lastReads?: ChainReads;

  async check(): Promise<{ ok: boolean; lines: ProviderCheckLine[] }> {
    this.lastReads = await this.reads();
    return checkProviderBooks(this.books, this.lastReads);
  }

  /** Each provider's position, claims, utilisation and return; the rebalancing moves; netting per window; the check. */
  report(check: { ok: boolean; lines: ProviderCheckLine[] }): ProvidersReport {
    const run = this.run!;
    const units = (v: bigint) => fromBaseUnits(v).toFixed();
    const num = this.deps.spec.numeraire;
    const end = run.scheduler.now();
    const mid = (c: string) => midFor(run.rates, num, this.home[c]!.currency, end);
    const round = (x: number) => Math.round(x * 100) / 100;
    const providers = this.names.map((name) => {
      const st = this.stats.get(name)!;
      const byChain = Object.fromEntries(
        Object.keys(this.home).map((c) => {
          let inFlight = 0n;
          for (const f of this.books.inFlight.values()) if (f.src === c) inFlight += f.owed[name] ?? 0n;
          const funded = st.funded[c]!;
          return [
            c,
            {
              currency: this.home[c]!.currency,
              funded: units(funded),
              inPool: units(this.books.pool[c]![name]!),
              paidOut: units(st.paidOut[c]!),
              claimsReleased: units(st.claimsReleased[c]!),
              claimsInFlight: units(inFlight),
              held: units(this.books.wallet[c]![name]!),
              withdrawn: units(st.withdrawn[c]!),
              deposited: units(st.deposited[c]!),
              utilisation: funded > 0n ? round(Number((st.paidOut[c]! * 10_000n) / funded) / 100) : null,
              peakDrawn: funded > 0n ? round(Number(((funded - (st.minEquity[c]! < funded ? st.minEquity[c]! : funded)) * 10_000n) / funded) / 100) : null,
            },
          ];
        }),
      );
      const fundedValue = Object.keys(this.home).reduce((s, c) => s + fromBaseUnits(st.funded[c]!).div(mid(c)).toNumber(), 0);
      const ret = st.spreadNumeraire - st.costNumeraire;
      return {
        name,
        address: this.keys.get(name)!.address,
        byChain,
        payouts: st.payouts,
        spreadEarned: round(st.spreadNumeraire),
        rebalancingCost: round(st.costNumeraire),
        return: round(ret),
        returnBps: fundedValue > 0 ? round((ret / fundedValue) * 10_000) : null,
      };
    });
    const windows = [...this.windows.entries()].sort((a, b) => a[0] - b[0]).map(([i, w]) => {
      const gross = Object.values(w.flows).reduce((s, v) => s + v, 0);
      const pairs = new Map<string, number>();
      for (const [k, v] of Object.entries(w.flows)) {
        const [a, b] = k.split("->") as [string, string];
        const key = [a, b].sort().join("|");
        pairs.set(key, (pairs.get(key) ?? 0) + (a < b ? v : -v));
      }
      const net = [...pairs.values()].reduce((s, v) => s + Math.abs(v), 0);
      const prefunding = Object.fromEntries(
        Object.keys(this.home).map((c) => {
          const paid = w.paid[c] ?? 0n;
          const rel = w.released[c] ?? 0n;
          return [c, { gross: units(paid), net: units(paid > rel ? paid - rel : 0n) }];
        }),
      );
      return { index: i, startOffsetSeconds: i * this.windowSeconds, flows: Object.fromEntries(Object.entries(w.flows).map(([k, v]) => [k, round(v)])), gross: round(gross), net: round(net), saved: round(gross - net), prefunding };
    });
    const gross = windows.reduce((s, w) => s + w.gross, 0);
    const net = windows.reduce((s, w) => s + w.net, 0);
    return {
      numeraire: num,
      shareRule: this.deps.providers.shareRule,
      rebalancing: this.deps.rebalancing ?? null,
      providers,
      moves: this.moves.map((m) => ({
        provider: m.provider,
        from: m.from,
        to: m.to,
        trigger: m.trigger,
        state: m.stage,
        out: m.out === undefined ? null : `${units(m.out)} ${this.home[m.from]!.currency}`,
        in: m.in === undefined ? null : `${units(m.in)} ${this.home[m.to]!.currency}`,
        cost: round(m.costNumeraire),
        startOffsetSeconds: Math.round(m.startedAt - run.start),
        doneOffsetSeconds: m.doneAt === undefined ? null : Math.round(m.doneAt - run.start),
        waitedSeconds: m.waitedSeconds,
      })),
      netting: { windowSeconds: this.windowSeconds, windows, gross: round(gross), net: round(net), saved: round(gross - net), savedShare: gross > 0 ? round((gross - net) / gross) : null },
      check: { ok: check.ok, lines: check.lines.map((l) => ({ chain: l.chain, what: l.what, expected: l.what === "inFlight" ? l.expected.toString() : units(l.expected), actual: l.what === "inFlight" ? l.actual.toString() : units(l.actual), ok: l.ok })) },
    };
  }

  private sender(chain: string, key: KeyPair): TxSender {
    const k = `${chain}/${key.address}`;
    let s = this.senders.get(k);
    if (!s) this.senders.set(k, (s = new TxSender(this.deps.chains[chain]!, key.privateKey)));
    return s;
  }
}

/** The gateway's `statusOf` for a send it still escrows (src/contracts/gateway.ts: Status.Pending). */
const STATUS_PENDING = 1;

const mintTx = (token: Hex, to: Hex, amount: bigint): TxRequest => ({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [to, amount] }) });
const depositTx = (gateway: Hex, token: Hex, amount: bigint): TxRequest => ({ to: gateway, gas: GAS.deposit, data: encodeFunctionData({ abi: gatewayAbi(), functionName: "deposit", args: [token, amount] }) });

function safeDecode(l: { data: Hex; topics: Hex[] }): { eventName: string; args: unknown } | undefined {
  try {
    return decodeEventLog({ abi: gatewayAbi(), data: l.data, topics: l.topics as [Hex, ...Hex[]] }) as never;
  } catch {
    return undefined;
  }
}

export interface ProvidersReport {
  numeraire: string;
  shareRule: string;
  rebalancing: RebalancingSpec | null;
  providers: {
    name: string;
    address: Hex;
    /** Per chain, whole units of its home currency; utilisation and peakDrawn in percent of what was funded there. */
    byChain: Record<
      string,
      { currency: string; funded: string; inPool: string; paidOut: string; claimsReleased: string; claimsInFlight: string; held: string; withdrawn: string; deposited: string; utilisation: number | null; peakDrawn: number | null }
    >;
    payouts: number;
    /** In the numeraire: the FX spread earned on its payouts (owed less paid, at the mid), less its rebalancing costs. */
    spreadEarned: number;
    rebalancingCost: number;
    return: number;
    returnBps: number | null;
  }[];
  moves: { provider: string; from: string; to: string; trigger: string; state: string; out: string | null; in: string | null; cost: number; startOffsetSeconds: number; doneOffsetSeconds: number | null; waitedSeconds: number }[];
  /** In the numeraire: payouts each way per window, their gross, the net after opposing flows offset, and what netting saves; prefunding per chain in its home currency. */
  netting: {
    windowSeconds: number;
    windows: { index: number; startOffsetSeconds: number; flows: Record<string, number>; gross: number; net: number; saved: number; prefunding: Record<string, { gross: string; net: string }> }[];
    gross: number;
    net: number;
    saved: number;
    savedShare: number | null;
  };
  check: { ok: boolean; lines: { chain: string; what: string; expected: string; actual: string; ok: boolean }[] };
}
