/**
 * The issuers of the governed coins during a simulated run, on the real chains: each coin's issuer
 * (the tokens' admin key) keeps a reserve ledger in its regime's mix, mints on request within the
 * guardrail, the holding limits and 1:1 reserves, pays redemptions at par from its reserves (the
 * holder sends the coins to the issuer; the issuer burns them when the money is paid, so the burn's
 * block time is the payment time), and executes lawful orders (freeze on every chain, seize to a
 * recovery address). Afterwards it gives the conservation check its flows and the results its report.
 */
import { decodeEventLog, encodeFunctionData, keccak256, toHex, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import { testKeyPair, type KeyPair } from "../chains/keys.js";
import { getBlock, mineBlockAt } from "../chains/mining.js";
import { getReceipt, TxSender, type Receipt, type TxRequest } from "../chains/tx-sender.js";
import { sendAll, type Deployment } from "../contracts/deploy.js";
import { GAS, tokenAbi } from "../contracts/gateway.js";
import { CorridorError } from "../domain/errors.js";
import { fromBaseUnits, toBaseUnits } from "../domain/money.js";
import { createRandom } from "../domain/random.js";
import type { LedgerFlow } from "../measure/conservation.js";
import type { TransferOut } from "../measure/transfer-out.js";
import type { CorridorSpec } from "../spec/spec.js";
import { endOfNextBusinessDay } from "./calendar.js";
import { HoldingLimits } from "./holding-limit.js";
import { backingMix, regimeOf, type PackId, type PackRules, type Regime } from "./packs.js";
import { ASSET_CLASSES, onDemand, ReserveLedger, type AssetClass, type Tranche } from "./reserves.js";

/** The scenario's regulation section, resolved. */
export interface RegulationConfig {
  packs: Record<string, PackId[]>;
  guardrailScale: Record<string, number>;
  mints: { at: number; currency: string; amount: string; to: "lp" | { sender: number } }[];
  orders: { at: number; currency: string; target: "busiestRecipient" | string; note?: string | undefined }[];
}

export interface RedemptionRunSpec {
  at: number;
  durationSeconds: number;
  currency: string;
  share: number;
  marketDepthPerDay?: number | undefined;
}

export interface IssuerDeps {
  spec: CorridorSpec;
  chains: Record<string, Chain>;
  deployment: Deployment;
  /** The tokens' admin (the deployer): the issuer's key for mint, burn, freeze and seize. */
  issuerKey: Hex;
  seed: number;
  /** Holders: each chain's senders (individuals, with keys), the recipients (individuals), each chain's liquidity provider (a business). */
  senders: Record<string, KeyPair[]>;
  recipients: readonly Hex[];
  lp: Record<string, KeyPair>;
  /** The run's transaction sender of a holder's key (one per key, so that it knows its nonce). */
  senderFor: (chain: string, key: KeyPair) => TxSender;
  /** The planned transfers (to name the busiest recipient of a coin). */
  planned: readonly { at: number; output: string; recipient: Hex }[];
}

export interface RunClock {
  start: number;
  scheduler: { at(t: number, fn: () => void | Promise<void>): void; now(): number };
  blockSeconds: (chain: string) => number;
}

interface MintRecord {
  at: number;
  to: Hex;
  holderKind: "individual" | "business";
  amount: bigint;
  outcome: "minted" | "refused" | "reverted" | "pending";
  reason?: string;
  tx?: Hex;
}

interface Payout extends Tranche {
  burnTx?: Hex;
  paidAt?: number;
}

interface Redemption {
  run: number;
  holder: KeyPair;
  requestTx: Hex;
  /** Set when the request is mined: what was sent, when, the deadline and the tranches. */
  amount?: bigint;
  requestedAt?: number;
  deadline?: number | null;
  payouts: Payout[];
  failed?: boolean;
}

interface Order {
  at: number;
  target: Hex;
  note?: string | undefined;
  txs: { chain: string; freeze: Hex; seize: Hex }[];
  seized: Record<string, bigint>;
}

interface RunState {
  index: number;
  spec: RedemptionRunSpec;
  holders: number;
  onDemandAtStart: bigint;
  reservesAtStart: bigint;
}

interface Coin {
  currency: string;
  home: string;
  regime: Regime;
  ledger: ReserveLedger;
  guardrail: { rule: number; scale: number; cap: bigint } | null;
  startSupply: bigint;
  startReserves: Record<AssetClass, bigint>;
  recovery: Hex;
  overLimitAtStart: number;
  mints: MintRecord[];
  redemptions: Redemption[];
  orders: Order[];
  /** Mints sent and not yet mined (the guardrail counts them). */
  pendingMint: bigint;
}

/** Base units of the recovery address balance, per coin and chain, read after the run. */
type Balances = Record<string, Record<string, bigint>>;

export class Issuers {
  private readonly coins = new Map<string, Coin>();
  private readonly runs = new Map<number, RunState>();
  private readonly txSenders = new Map<string, TxSender>();
  /** Transactions whose receipt an action waits for. */
  private watches: { chain: string; hash: Hex; fn: (rc: Receipt, ts: number) => void | Promise<void> }[] = [];
  private clock?: RunClock;
  private recoveryBalances: Balances = {};
  /** While the engine runs, actions are scheduled on it; after, `finish` does what is left. */
  private running = true;
  readonly limits: HoldingLimits;

  private constructor(
    private readonly cfg: RegulationConfig,
    private readonly deps: IssuerDeps,
  ) {
    this.limits = new HoldingLimits({
      limits: Object.fromEntries(Object.entries(cfg.packs).flatMap(([cur, ids]) => (regimeOf(ids).rules.holdingLimits ? [[cur, regimeOf(ids).rules.holdingLimits!.value]] : []))),
      balanceOf: (cur, address) => this.holdingOf(cur, address),
    });
  }

  /**
   * The issuers of the coins that have packs: grants the issuer key the burner and freezer roles,
   * and backs each coin's supply (as set up) with reserves in its regime's mix. The chains must mine
   * on their own. CORRIDOR_SCENARIO_INVALID when the set-up supply is already beyond the guardrail.
   */
  static async open(cfg: RegulationConfig, deps: IssuerDeps): Promise<Issuers> {
    const issuers = new Issuers(cfg, deps);
    const role = (name: string): Hex => keccak256(toHex(name));
    for (const [i, [currency, ids]] of Object.entries(cfg.packs).entries()) {
      const regime = regimeOf(ids);
      const home = Object.values(deps.spec.chains).find((c) => c.home === currency)!.name;
      for (const [name, d] of Object.entries(deps.deployment.chains)) {
        const token = d.tokens[currency]!;
        const grant = (r: string): TxRequest => ({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "grantRole", args: [role(r), issuers.issuerAddress] }) });
        await sendAll(issuers.txSender(name), name === home ? [grant("MINTER_ROLE"), grant("BURNER_ROLE"), grant("FREEZER_ROLE")] : [grant("FREEZER_ROLE")], "grant the issuer its roles");
      }
      const ledger = new ReserveLedger(backingMix(regime.rules));
      const startSupply = await issuers.backedSupply(currency, home);
      ledger.add(startSupply);
      const g = regime.rules.issuanceGuardrail;
      const scale = cfg.guardrailScale[currency] ?? 1;
      const guardrail = g ? { rule: g.value, scale, cap: toBaseUnits(g.value) * BigInt(Math.round(scale * 1e9)) / 1_000_000_000n } : null;
      if (guardrail && startSupply > guardrail.cap) {
        throw new CorridorError("CORRIDOR_SCENARIO_INVALID", `the set-up supply of ${currency} (${fromBaseUnits(startSupply).toFixed()}) is already beyond its issuance guardrail (${fromBaseUnits(guardrail.cap).toFixed()}${scale !== 1 ? `, scaled by ${scale}` : ""}): scale it less, or fund less`, { currency });
      }
      const coin: Coin = {
        currency,
        home,
        regime,
        ledger,
        guardrail,
        startSupply,
        startReserves: { ...ledger.holdings },
        recovery: testKeyPair(deps.seed, "recovery", i).address,
        overLimitAtStart: 0,
        mints: [],
        redemptions: [],
        orders: [],
        pendingMint: 0n,
      };
      const limit = regime.rules.holdingLimits?.value;
      if (limit) {
        for (const a of issuers.individuals()) if ((await issuers.holdingOf(currency, a)) > toBaseUnits(limit.individual)) coin.overLimitAtStart++;
      }
      issuers.coins.set(currency, coin);
    }
    return issuers;
  }

  /** Schedules the mints and lawful orders of the run (redemption runs start with their fault: `begin`). */
  schedule(clock: RunClock): void {
    this.clock = clock;
    for (const m of this.cfg.mints) clock.scheduler.at(clock.start + m.at, () => this.mint(m));
    for (const o of this.cfg.orders) clock.scheduler.at(clock.start + o.at, () => this.order(o));
  }

  // ---------------------------------------------------------------- mint

  private async mint(m: RegulationConfig["mints"][number]): Promise<void> {
    const coin = this.coins.get(m.currency)!;
    const now = this.now();
    const amount = toBaseUnits(m.amount);
    const business = m.to === "lp";
    const to = m.to === "lp" ? this.deps.lp[coin.home]!.address : this.deps.senders[coin.home]![m.to.sender]!.address;
    const record: MintRecord = { at: now, to, holderKind: business ? "business" : "individual", amount, outcome: "pending" };
    coin.mints.push(record);
    const supply = await this.backedSupply(coin.currency, coin.home);
    const reserves = coin.ledger.total();
    const refusal =
      reserves < supply
        ? `reserves ${fmt(reserves)} are below the supply ${fmt(supply)}: a mint would leave the coin short of 1:1`
        : coin.guardrail && supply + coin.pendingMint + amount > coin.guardrail.cap
          ? `beyond the issuance guardrail: ${fmt(supply + coin.pendingMint)} outstanding + ${fmt(amount)} > ${fmt(coin.guardrail.cap)}`
          : this.limits.refusal(coin.currency, to, amount, business ? "business" : "individual", await this.holdingOf(coin.currency, to));
    if (refusal) {
      record.outcome = "refused";
      record.reason = refusal;
      return;
    }
    record.tx = await this.txSender(coin.home).send({ to: this.token(coin.home, coin.currency), gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "mint", args: [to, amount] }) });
    coin.pendingMint += amount;
    this.watch(coin.home, record.tx, (rc) => {
      coin.pendingMint -= amount;
      record.outcome = rc.status === "success" ? "minted" : "reverted";
      // The holder's money becomes reserves in the mix once the coins exist.
      if (rc.status === "success") coin.ledger.add(amount);
    });
  }

  // ---------------------------------------------------------------- redemption runs

  /** A redemption run's start: a `share` of the coin's home-chain holders each redeem their whole balance at a time in the window. */
  begin(index: number, spec: RedemptionRunSpec): void {
    const coin = this.coins.get(spec.currency)!;
    const clock = this.clock!;
    const rng = createRandom(this.deps.seed).fork(`regulation/run/${index}`);
    const pool = [...this.deps.senders[coin.home]!];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const holders = pool.slice(0, Math.max(1, Math.round(spec.share * pool.length)));
    if (spec.marketDepthPerDay !== undefined) coin.ledger.limitSales(spec.marketDepthPerDay);
    const h = coin.ledger.holdings;
    this.runs.set(index, {
      index,
      spec,
      holders: holders.length,
      onDemandAtStart: (Object.keys(h) as AssetClass[]).filter(onDemand).reduce((s, c) => s + h[c], 0n),
      reservesAtStart: coin.ledger.total(),
    });
    const now = clock.scheduler.now();
    for (const holder of holders) clock.scheduler.at(now + rng.next() * spec.durationSeconds, () => this.request(coin, index, holder));
  }

  private async request(coin: Coin, run: number, holder: KeyPair): Promise<void> {
    const chain = this.deps.chains[coin.home]!;
    const token = this.token(coin.home, coin.currency);
    const balance = (await chain.client.readContract({ address: token, abi: tokenAbi(), functionName: "balanceOf", args: [holder.address] })) as bigint;
    if (balance === 0n) return;
    const requestTx = await this.deps.senderFor(coin.home, holder).send({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "transfer", args: [this.issuerAddress, balance] }) });
    const r: Redemption = { run, holder, requestTx, payouts: [] };
    coin.redemptions.push(r);
    // Reserves are drawn when the request is mined (a send of the holder's mined first may have spent part of it: then it reverts).
    this.watch(coin.home, requestTx, (rc, ts) => {
      if (rc.status !== "success") {
        r.failed = true;
        return;
      }
      r.amount = balance;
      r.requestedAt = ts;
      r.deadline = coin.regime.rules.redemptionDeadline ? endOfNextBusinessDay(ts) : null;
      const { tranches, unpaid } = coin.ledger.redeem(balance, ts);
      if (unpaid > 0n) throw new CorridorError("CORRIDOR_RESERVES_SHORT", `the ${coin.currency} issuer's reserves cannot pay ${fmt(unpaid)} of a redemption`, { currency: coin.currency });
      r.payouts = tranches;
      for (const p of tranches) {
        const due = Math.max(p.payAt, this.now());
        if (this.clock && this.running) this.clock.scheduler.at(due, () => this.pay(coin, p));
      }
    });
  }

  /** Pays a tranche: the issuer burns what the holder sent, as the money leaves the reserves. */
  private async pay(coin: Coin, p: Payout): Promise<void> {
    if (p.burnTx) return;
    p.burnTx = await this.txSender(coin.home).send({ to: this.token(coin.home, coin.currency), gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "burn", args: [p.amount] }) });
    this.watch(coin.home, p.burnTx, (rc, ts) => {
      if (rc.status !== "success") throw new CorridorError("CORRIDOR_ISSUER_TX_FAILED", `the ${coin.currency} issuer's burn of a redemption reverted`, { tx: p.burnTx });
      p.paidAt = ts;
    });
  }

  // ---------------------------------------------------------------- lawful orders

  private async order(o: RegulationConfig["orders"][number]): Promise<void> {
    const coin = this.coins.get(o.currency)!;
    const now = this.now();
    const target = (o.target === "busiestRecipient" ? this.busiestRecipient(o.currency, now - this.clock!.start) : o.target) as Hex;
    const order: Order = { at: now, target, note: o.note, txs: [], seized: {} };
    coin.orders.push(order);
    for (const name of Object.keys(this.deps.chains)) {
      const token = this.token(name, o.currency);
      const sender = this.txSender(name);
      const freeze = await sender.send({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "freeze", args: [target] }) });
      const seize = await sender.send({ to: token, gas: GAS.admin, data: encodeFunctionData({ abi: tokenAbi(), functionName: "seize", args: [target, coin.recovery] }) });
      order.txs.push({ chain: name, freeze, seize });
      this.watch(name, seize, (rc) => {
        if (rc.status !== "success") throw new CorridorError("CORRIDOR_ISSUER_TX_FAILED", `the ${o.currency} issuer's seizure on ${name} reverted`, { tx: seize });
        for (const log of rc.logs) {
          const ev = decodeEventLog({ abi: tokenAbi(), topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: false }) as { eventName?: string; args: { amount?: bigint } };
          if (ev.eventName === "Seized") order.seized[name] = ev.args.amount!;
        }
      });
    }
  }

  /** The recipient of the most planned payouts in `currency` at or after `offset` seconds. */
  private busiestRecipient(currency: string, offset: number): Hex {
    const counts = new Map<Hex, number>();
    for (const t of this.deps.planned) if (t.output === currency && t.at >= offset) counts.set(t.recipient, (counts.get(t.recipient) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (ranked.length === 0) throw new CorridorError("CORRIDOR_SCENARIO_INVALID", `no transfer pays ${currency} after +${Math.round(offset)} s: a lawful order needs a recipient to target`, { currency });
    return ranked[0]![0];
  }

  // ---------------------------------------------------------------- after the run

  /**
   * After the engine stopped: mines what the issuer still has pending, then pays every tranche not
   * yet paid in blocks stamped at its payment time (a business day later, for sales), and reads the
   * recovery addresses' balances.
   */
  async finish(): Promise<void> {
    this.running = false;
    for (let guard = 0; this.watches.length > 0 || this.unpaid().length > 0; guard++) {
      if (guard > 10_000) throw new Error("issuer: payouts did not finish");
      const chains = new Set(this.watches.map((w) => w.chain));
      for (const name of chains) await this.mineAt(name, this.now());
      await this.poll();
      const next = this.unpaid().sort((a, b) => a.p.payAt - b.p.payAt)[0];
      if (!next) continue;
      const due = this.unpaid().filter((u) => u.p.payAt === next.p.payAt);
      for (const u of due) await this.pay(u.coin, u.p);
      await this.mineAt(next.coin.home, next.p.payAt);
      await this.poll();
    }
    for (const coin of this.coins.values()) {
      this.recoveryBalances[coin.currency] = {};
      for (const [name, chain] of Object.entries(this.deps.chains)) {
        this.recoveryBalances[coin.currency]![name] = (await chain.client.readContract({ address: this.token(name, coin.currency), abi: tokenAbi(), functionName: "balanceOf", args: [coin.recovery] })) as bigint;
      }
    }
  }

  private unpaid(): { coin: Coin; p: Payout }[] {
    return [...this.coins.values()].flatMap((coin) => coin.redemptions.flatMap((r) => r.payouts.filter((p) => !p.burnTx).map((p) => ({ coin, p }))));
  }

  private async mineAt(name: string, t: number): Promise<void> {
    const chain = this.deps.chains[name]!;
    await mineBlockAt(chain, Math.max(Math.ceil(t), (await getBlock(chain)).timestamp + 1));
  }

  /**
   * What the issuers moved, for the conservation check: mints (supply and, for a sender, the senders'
   * balances), redemptions (the holder's coins sent to the issuer, then burned), seizures (out of the
   * target's group on each chain; the recovery address holds them, `report` shows it).
   */
  flows(): LedgerFlow[] {
    const out: LedgerFlow[] = [];
    for (const coin of this.coins.values()) {
      const cur = coin.currency;
      const senders = (chain: string) => new Set(this.deps.senders[chain]!.map((k) => k.address.toLowerCase()));
      for (const m of coin.mints) {
        if (m.outcome !== "minted") continue;
        out.push({ chain: coin.home, currency: cur, group: "totalSupply", amount: m.amount, what: "mint" });
        if (senders(coin.home).has(m.to.toLowerCase())) out.push({ chain: coin.home, currency: cur, group: "senders", amount: m.amount, what: "mint" });
      }
      for (const r of coin.redemptions) {
        if (r.amount === undefined) continue;
        out.push({ chain: coin.home, currency: cur, group: "senders", amount: -r.amount, what: "redeem" });
        for (const p of r.payouts) if (p.paidAt !== undefined) out.push({ chain: coin.home, currency: cur, group: "totalSupply", amount: -p.amount, what: "redeem" });
      }
      const recipients = new Set(this.deps.recipients.map((a) => a.toLowerCase()));
      for (const o of coin.orders) {
        for (const [chain, amount] of Object.entries(o.seized)) {
          const t = o.target.toLowerCase();
          const group = recipients.has(t) ? "recipients" : senders(chain).has(t) ? "senders" : undefined;
          if (group && amount > 0n) out.push({ chain, currency: cur, group, amount: -amount, what: "seize" });
        }
      }
    }
    return out;
  }

  /** What the regime and the issuers did, for results.json and the report. */
  report(transfers: readonly TransferOut[]): RegulationReport {
    const start = this.clock?.start ?? 0;
    const coins = [...this.coins.values()].map((coin): CoinReport => {
      const rules = coin.regime.rules;
      const redemptions = coin.redemptions.filter((r) => r.amount !== undefined);
      const byClass: CoinReport["redemptions"]["byClass"] = {};
      let onTime = 0n;
      let late = 0n;
      for (const r of redemptions) {
        for (const p of r.payouts) {
          const c = (byClass[p.assetClass] ??= { paid: "0", onTime: "0", late: "0" });
          const ok = r.deadline === null || (p.paidAt !== undefined && p.paidAt <= r.deadline!);
          c.paid = add(c.paid, p.amount);
          if (ok) {
            c.onTime = add(c.onTime, p.amount);
            onTime += p.amount;
          } else {
            c.late = add(c.late, p.amount);
            late += p.amount;
          }
        }
      }
      const total = redemptions.reduce((s, r) => s + r.amount!, 0n);
      const runs = [...this.runs.values()].filter((r) => r.spec.currency === coin.currency);
      const refundedTo = (t: Hex) => transfers.filter((x) => x.recipient.toLowerCase() === t.toLowerCase() && x.outputToken.currency === coin.currency && x.state === "refunded").length;
      return {
        currency: coin.currency,
        homeChain: coin.home,
        packs: coin.regime.packs.map((p) => ({ id: p.id, title: p.title, status: p.status, date: p.date })),
        rules: (Object.entries(rules) as [keyof PackRules, { value: unknown; source: string; date: string; note?: string }][]).map(([rule, c]) => ({
          rule,
          value: c.value as RuleValue,
          pack: coin.regime.from[rule]!,
          source: c.source,
          date: c.date,
          ...(c.note ? { note: c.note } : {}),
        })),
        guardrail: coin.guardrail && { rule: String(coin.guardrail.rule), scale: coin.guardrail.scale, inForce: fmt(coin.guardrail.cap) },
        reserves: {
          mix: backingMix(rules),
          start: fmtClasses(coin.startReserves),
          end: fmtClasses(coin.ledger.holdings),
          startTotal: fmt(coin.startSupply),
          endTotal: fmt(coin.ledger.total()),
        },
        mints: coin.mints.map((m) => ({ offsetSeconds: Math.round(m.at - start), to: m.to, holder: m.holderKind, amount: fmt(m.amount), outcome: m.outcome, ...(m.reason ? { reason: m.reason } : {}) })),
        redemptions: {
          requests: redemptions.length,
          failedRequests: coin.redemptions.filter((r) => r.failed).length,
          amount: fmt(total),
          paidOnTime: fmt(onTime),
          paidLate: fmt(late),
          deadline: rules.redemptionDeadline ? "end of the next business day" : null,
          byClass,
          runs: runs.map((run) => ({
            fault: run.index,
            holders: run.holders,
            redeemed: fmt(redemptions.filter((r) => r.run === run.index).reduce((s, r) => s + r.amount!, 0n)),
            onDemandAtStart: fmt(run.onDemandAtStart),
            reservesAtStart: fmt(run.reservesAtStart),
            coveredOnDemand: redemptions.filter((r) => r.run === run.index).reduce((s, r) => s + r.amount!, 0n) <= run.onDemandAtStart,
          })),
        },
        orders: coin.orders.map((o) => ({
          offsetSeconds: Math.round(o.at - start),
          target: o.target,
          frozenOn: o.txs.map((t) => t.chain),
          seized: Object.fromEntries(Object.entries(o.seized).map(([k, v]) => [k, fmt(v)])),
          recovery: coin.recovery,
          recoveryBalance: Object.fromEntries(Object.entries(this.recoveryBalances[coin.currency] ?? {}).map(([k, v]) => [k, fmt(v)])),
          transfersRefunded: refundedTo(o.target),
          ...(o.note ? { note: o.note } : {}),
        })),
        holdingLimits: rules.holdingLimits
          ? { ...rules.holdingLimits.value, overLimitAtStart: coin.overLimitAtStart, refusedMints: coin.mints.filter((m) => m.outcome === "refused" && m.reason?.startsWith("holding limit")).length, deniedTransfers: this.limits.denied(coin.currency) }
          : null,
      };
    });
    return { coins, comparability: this.comparability() };
  }

  /** For each coin under a regime with a comparability rule, the foreign coins on its chains and whether their regimes are found comparable. */
  private comparability(): RegulationReport["comparability"] {
    const out: RegulationReport["comparability"] = [];
    for (const coin of this.coins.values()) {
      const rule = coin.regime.rules.comparableForeignRegimes;
      if (!rule) continue;
      const jurisdiction = this.deps.spec.chains[coin.home]!.jurisdiction;
      for (const foreign of this.deps.spec.tokens.filter((t) => t !== coin.currency)) {
        const packs = this.cfg.packs[foreign] ?? [];
        out.push({ regime: coin.regime.from.comparableForeignRegimes!, jurisdiction, coin: foreign, packs, comparable: packs.length > 0 && packs.some((p) => rule.value.includes(p)), note: rule.note ?? "" });
      }
    }
    return out;
  }

  /** For the redemption-run fault's line in results. */
  runReport(index: number): { summary: string; affected: Record<string, number | string | null> } {
    const run = this.runs.get(index);
    if (!run) return { summary: "never started", affected: {} };
    const coin = this.coins.get(run.spec.currency)!;
    const rs = coin.redemptions.filter((r) => r.run === index && r.amount !== undefined);
    const redeemed = rs.reduce((s, r) => s + r.amount!, 0n);
    let onTime = 0n;
    const byClass: Record<string, bigint> = {};
    for (const r of rs) {
      for (const p of r.payouts) {
        byClass[p.assetClass] = (byClass[p.assetClass] ?? 0n) + p.amount;
        if (r.deadline === null || (p.paidAt !== undefined && p.paidAt <= r.deadline!)) onTime += p.amount;
      }
    }
    const covered = redeemed <= run.onDemandAtStart;
    const classes = Object.entries(byClass).map(([c, v]) => `${fmt(v)} from ${ASSET_CLASSES[c as AssetClass].label}`).join(", ");
    return {
      summary:
        `${rs.length} of ${run.holders} holders redeemed ${fmt(redeemed)} ${run.spec.currency} (${classes || "nothing"}); ` +
        (coin.regime.rules.redemptionDeadline ? `${fmt(onTime)} paid by the deadline, ${fmt(redeemed - onTime)} late; ` : "no deadline in force; ") +
        `the on-demand reserves (${fmt(run.onDemandAtStart)}) ${covered ? "covered" : "did not cover"} it`,
      affected: { holders: run.holders, requests: rs.length, redeemed: fmt(redeemed), paidOnTime: fmt(onTime), paidLate: fmt(redeemed - onTime), onDemandAtStart: fmt(run.onDemandAtStart), coveredOnDemand: covered ? "yes" : "no" },
    };
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A liquidity provider's rebalancing through the issuer (src/liquidity/providers.ts): money in for a
   * mint of `amount` (reserves grow in the mix), or a redemption burned at once (reserves pay it from
   * on-demand classes first). No-op for a coin without packs.
   */
  noteProviderIssuance(currency: string, amount: bigint, t: number): void {
    const coin = this.coins.get(currency);
    if (!coin) return;
    if (amount >= 0n) coin.ledger.add(amount);
    else coin.ledger.redeem(-amount, t);
  }

  get issuerAddress(): Hex {
    return this.txSender(Object.keys(this.deps.chains)[0]!).address;
  }

  private individuals(): Hex[] {
    return [...Object.values(this.deps.senders).flatMap((ks) => ks.map((k) => k.address)), ...this.deps.recipients];
  }

  private txSender(chain: string): TxSender {
    let s = this.txSenders.get(chain);
    if (!s) this.txSenders.set(chain, (s = new TxSender(this.deps.chains[chain]!, this.deps.issuerKey)));
    return s;
  }

  private token(chain: string, currency: string): Hex {
    return this.deps.deployment.chains[chain]!.tokens[currency]!;
  }

  private now(): number {
    return this.clock?.scheduler.now() ?? 0;
  }

  /** The coin's supply on every chain, less what holders sent the issuer to redeem and it has not burned yet. */
  private async backedSupply(currency: string, home: string): Promise<bigint> {
    let supply = 0n;
    for (const [name, chain] of Object.entries(this.deps.chains)) supply += (await chain.client.readContract({ address: this.token(name, currency), abi: tokenAbi(), functionName: "totalSupply" })) as bigint;
    const queued = (await this.deps.chains[home]!.client.readContract({ address: this.token(home, currency), abi: tokenAbi(), functionName: "balanceOf", args: [this.issuerAddress] })) as bigint;
    return supply - queued;
  }

  /** What `address` holds of the coin on every chain. */
  private async holdingOf(currency: string, address: string): Promise<bigint> {
    let sum = 0n;
    for (const [name, chain] of Object.entries(this.deps.chains)) sum += (await chain.client.readContract({ address: this.token(name, currency), abi: tokenAbi(), functionName: "balanceOf", args: [address as Hex] })) as bigint;
    return sum;
  }

  /** Runs `fn` once `hash` is mined on `chain` (polled every block while the engine runs; by `finish` after). */
  private watch(chain: string, hash: Hex, fn: (rc: Receipt, ts: number) => void | Promise<void>): void {
    this.watches.push({ chain, hash, fn });
    if (this.running && this.clock) {
      const poll = async () => {
        if (!this.running) return;
        await this.poll();
        if (this.watches.some((w) => w.hash === hash)) this.clock!.scheduler.at(this.now() + this.clock!.blockSeconds(chain), poll);
      };
      this.clock.scheduler.at(this.now() + this.clock.blockSeconds(chain), poll);
    }
  }

  private async poll(): Promise<void> {
    const waiting = this.watches;
    this.watches = [];
    for (const w of waiting) {
      const chain = this.deps.chains[w.chain]!;
      const rc = await getReceipt(chain, w.hash);
      if (!rc) {
        this.watches.push(w);
        continue;
      }
      await w.fn(rc, (await getBlock(chain, rc.blockNumber)).timestamp);
    }
  }
}

type RuleValue = number | string | boolean | string[] | Record<string, number | boolean>;

export interface CoinReport {
  currency: string;
  homeChain: string;
  packs: { id: PackId; title: string; status: string; date: string }[];
  rules: { rule: keyof PackRules; value: RuleValue; pack: PackId; source: string; date: string; note?: string }[];
  /** The guardrail by rule (whole units), the scenario's scale, and the cap in force in this run. */
  guardrail: { rule: string; scale: number; inForce: string } | null;
  reserves: { mix: Partial<Record<AssetClass, number>>; start: Record<string, string>; end: Record<string, string>; startTotal: string; endTotal: string };
  mints: { offsetSeconds: number; to: Hex; holder: string; amount: string; outcome: string; reason?: string }[];
  redemptions: {
    requests: number;
    failedRequests: number;
    amount: string;
    paidOnTime: string;
    paidLate: string;
    deadline: string | null;
    byClass: Partial<Record<AssetClass, { paid: string; onTime: string; late: string }>>;
    runs: { fault: number; holders: number; redeemed: string; onDemandAtStart: string; reservesAtStart: string; coveredOnDemand: boolean }[];
  };
  orders: { offsetSeconds: number; target: Hex; frozenOn: string[]; seized: Record<string, string>; recovery: Hex; recoveryBalance: Record<string, string>; transfersRefunded: number; note?: string }[];
  holdingLimits: { individual: number; business: number; overLimitAtStart: number; refusedMints: number; deniedTransfers: number } | null;
}

export interface RegulationReport {
  coins: CoinReport[];
  /** Foreign coins on a regime's chains and whether that regime finds theirs comparable (GENIUS §18). */
  comparability: { regime: PackId; jurisdiction: string; coin: string; packs: PackId[]; comparable: boolean; note: string }[];
}

const fmt = (v: bigint): string => fromBaseUnits(v).toFixed();
const add = (a: string, b: bigint): string => fmt(toBaseUnits(a) + b);
const fmtClasses = (h: Record<AssetClass, bigint>): Record<string, string> => Object.fromEntries(Object.entries(h).filter(([, v]) => v > 0n).map(([k, v]) => [k, fmt(v)]));
