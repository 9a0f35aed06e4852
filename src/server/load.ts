/**
 * The demo's load: senders on both chains paying recipients on the other, as a Poisson process
 * at the configured rate (seeded), with lognormal amounts, a share on the Fast tier, half of the
 * senders locking a firm FX quote and the others giving a minimum payout, and travel-rule data
 * for most of them. Sends go straight to the source gateway, signed locally.
 */
import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { KeyPair } from "../chains/keys.js";
import { TxSender } from "../chains/tx-sender.js";
import type { Deployment } from "../contracts/deploy.js";
import { GAS } from "../contracts/gateway.js";
import { buildSend } from "../corridor/send.js";
import type { FeeSchedule } from "../domain/fees.js";
import { ZERO_HASH } from "../domain/message.js";
import { Decimal, toBaseUnits } from "../domain/money.js";
import type { Random } from "../domain/random.js";
import { buildTravelRulePayload, travelRuleHash, type TravelRulePayload } from "../domain/compliance/ivms.js";
import type { Quoter } from "../operator/quoter.js";
import type { ChainName, Currency, SentTransfer } from "./board.js";

export interface LoadOptions {
  chains: Record<string, Chain>;
  deployment: Deployment;
  senders: Record<ChainName, KeyPair[]>;
  recipients: Hex[];
  /** Addresses on the sanctions list (the "sanctioned transfer" button pays one). */
  sanctioned: Hex[];
  quoter: Quoter;
  random: Random;
  /** Arrivals per minute and the Fast share, read at each arrival. */
  rate: () => number;
  fastShare: () => number;
  /** The fee schedule a sender caps its fee at (the highest of the schedules in force or on the way). */
  feeSchedule: () => FeeSchedule;
  /** Unix seconds (wall clock). */
  now: () => number;
  onSent: (sent: SentTransfer) => void;
  onError: (err: unknown) => void;
  /** Amounts: lognormal in USD terms. */
  amount?: { medianUsd: number; sigma: number; minUsd: number; maxUsd: number };
  /** Share of senders whose VASP sends travel-rule data; default 0.85. */
  travelRuleDataShare?: number;
  /** Share of senders who lock a firm quote; the others accept 0.5% slippage. Default 0.5. */
  lockQuoteShare?: number;
  deadlineSeconds?: number;
}

const HOME: Record<ChainName, Currency> = { us: "USD", uk: "GBP" };
const GIVEN = ["Ada", "Grace", "Alan", "Mary", "John", "Ruth", "Omar", "Priya", "Chen", "Lena"];
const FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Garcia", "Patel", "Nguyen", "Okafor", "Silva", "Khan"];
const SLIPPAGE_BPS = 50;

export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly txSenders = new Map<Hex, TxSender>();
  /** One send at a time per sender: a TxSender's nonce is read and bumped around an await. */
  private readonly queues = new Map<Hex, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly travelRule = new Map<Hex, TravelRulePayload>();
  private readonly txs = new Map<Hex, { from: Hex; to: Hex; data: Hex; chain: ChainName }>();

  constructor(private readonly opts: LoadOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Draws the next arrival again (after a rate change: the process is memoryless). */
  reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.stopped) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /** The travel-rule payload a sender's VASP sent for the transfer in this source transaction. */
  /** The travel-rule payload a message's extraHash commits to (its sender's VASP sent it off chain). */
  travelRuleFor(extraHash: Hex): TravelRulePayload | undefined {
    return this.travelRule.get(extraHash.toLowerCase() as Hex);
  }

  /** The send transaction, to replay it when it reverted. */
  txOf(hash: Hex): { from: Hex; to: Hex; data: Hex; chain: ChainName } | undefined {
    return this.txs.get(hash);
  }

  private schedule(): void {
    const perMinute = this.opts.rate();
    if (!(perMinute > 0)) return; // paused: a rate change reschedules
    const wait = this.opts.random.exponential(60 / perMinute);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.track(this.send({}).catch(this.opts.onError));
      this.schedule();
    }, wait * 1000);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => void this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  /** Sends one transfer now; `sanctioned` pays an address on the sanctions list from the US side. */
  send(opts: { sanctioned?: boolean }): Promise<SentTransfer> {
    return this.track(this.sendNow(opts));
  }

  private async sendNow(opts: { sanctioned?: boolean }): Promise<SentTransfer> {
    const o = this.opts;
    const rng = o.random;
    const sanctioned = opts.sanctioned ?? false;
    const from: ChainName = sanctioned ? "us" : rng.chance(0.5) ? "us" : "uk";
    const to: ChainName = from === "us" ? "uk" : "us";
    const input = HOME[from];
    const output = HOME[to];
    const src = o.deployment.chains[from]!;
    const dst = o.deployment.chains[to]!;
    const a = o.amount ?? { medianUsd: 300, sigma: 0.9, minUsd: 5, maxUsd: 20_000 };
    const usd = sanctioned ? 250 : Math.min(a.maxUsd, Math.max(a.minUsd, a.medianUsd * Math.exp(a.sigma * rng.normal())));
    const now = o.now();
    const gbpPerUsd = o.quoter.price("USD", "GBP", now).mid;
    const amount = toBaseUnits((input === "USD" ? new Decimal(usd) : new Decimal(usd).times(gbpPerUsd)).toFixed(2));
    const tier = sanctioned ? "standard" : rng.chance(o.fastShare()) ? "fast" : "standard";
    const senderIndex = rng.int(0, o.senders[from].length - 1);
    const sender = o.senders[from][senderIndex]!;
    const recipient = sanctioned ? rng.pick(o.sanctioned) : rng.pick(o.recipients);
    const lockQuote = !sanctioned && rng.chance(o.lockQuoteShare ?? 0.5);
    const withData = sanctioned || rng.chance(o.travelRuleDataShare ?? 0.85);
    const person = (i: number) => `${GIVEN[i % GIVEN.length]} ${FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]}`;
    const travelRule = withData
      ? buildTravelRulePayload({
          originator: { name: person(senderIndex), account: sender.address, country: from === "us" ? "US" : "GB" },
          beneficiary: { name: person(senderIndex + 37), account: recipient, country: to === "us" ? "US" : "GB" },
        })
      : undefined;
    const { data } = await buildSend({
      quoter: o.quoter,
      src,
      dst,
      input,
      output,
      sender: sender.address,
      recipient,
      amount,
      tier,
      feeSchedule: o.feeSchedule(),
      lockQuote,
      slippageBps: SLIPPAGE_BPS,
      now,
      deadlineSeconds: o.deadlineSeconds ?? 3600,
      extraHash: travelRule ? travelRuleHash(travelRule) : ZERO_HASH,
    });
    const hash = await this.serial(sender.address, () => this.txSender(from, sender).send({ to: src.gateway, data, gas: GAS.send }));
    if (travelRule) this.travelRule.set(travelRuleHash(travelRule).toLowerCase() as Hex, travelRule);
    this.txs.set(hash, { from: sender.address, to: src.gateway, data, chain: from });
    const sent: SentTransfer = { hash, from, to, input, output, tier, amount, recipient, sanctioned, sentAt: now };
    o.onSent(sent);
    return sent;
  }

  /** Forgets what a finished transfer needed (its travel-rule data and its transaction). */
  forget(hash: Hex): void {
    this.travelRule.delete(hash);
    this.txs.delete(hash);
  }

  private txSender(chain: ChainName, key: KeyPair): TxSender {
    let s = this.txSenders.get(key.address);
    if (!s) this.txSenders.set(key.address, (s = new TxSender(this.opts.chains[chain]!, key.privateKey)));
    return s;
  }

  private serial<T>(key: Hex, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}
