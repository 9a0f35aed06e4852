/**
 * The demo's load: payments over every route of the corridor spec, as a Poisson process at the
 * configured rate (seeded), with lognormal amounts sized in the spec's numeraire and converted at
 * the rate source's mid, a share on the Fast tier, half of the senders locking a firm FX quote and
 * the others giving a minimum payout, and travel-rule data for most of them. Sends go straight to
 * the source gateway, signed locally.
 *
 * Who can send what: each chain's funded senders hold its home currency, so every route out of a
 * chain in its home currency is open from the start. A route in another currency (a burn-and-mint
 * representation, such as a token that arrived from its home chain) is open once one of the
 * load's recipients holds that token on that chain: the corridor tells the load what each settled
 * payment paid out (`credit`), and those recipients send it on.
 */
import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { KeyPair } from "../chains/keys.js";
import { TxSender } from "../chains/tx-sender.js";
import type { Deployment } from "../contracts/deploy.js";
import { GAS } from "../contracts/gateway.js";
import { buildSend } from "../corridor/send.js";
import type { FeeSchedule } from "../domain/fees.js";
import { midFor, type RateSource } from "../domain/fx/rate-source.js";
import { ZERO_HASH } from "../domain/message.js";
import { Decimal, fromBaseUnits, toBaseUnits } from "../domain/money.js";
import type { Random } from "../domain/random.js";
import { buildTravelRulePayload, travelRuleHash, type TravelRulePayload } from "../domain/compliance/ivms.js";
import type { Quoter } from "../operator/quoter.js";
import { jurisdictionOf, type CorridorSpec, type Route } from "../spec/spec.js";
import type { ChainName, SentTransfer } from "./board.js";

type CountryCode = Parameters<typeof buildTravelRulePayload>[0]["originator"]["country"];

export interface LoadOptions {
  spec: CorridorSpec;
  chains: Record<string, Chain>;
  deployment: Deployment;
  /** Each chain's funded senders (they hold its home currency). */
  senders: Record<ChainName, KeyPair[]>;
  /** Who is paid; funded with gas and approvals on every chain, so that what they receive they can send on. */
  recipients: KeyPair[];
  /** Addresses on the sanctions list (the "sanctioned transfer" button pays one). */
  sanctioned: Hex[];
  quoter: Quoter;
  /** Mids for sizing amounts: every currency of the spec against its numeraire. */
  rates: RateSource;
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
  /** Amounts: lognormal in units of the numeraire. */
  amount?: { median: number; sigma: number; min: number; max: number };
  /** Share of senders whose VASP sends travel-rule data; default 0.85. */
  travelRuleDataShare?: number;
  /** Share of senders who lock a firm quote; the others accept 0.5% slippage. Default 0.5. */
  lockQuoteShare?: number;
  deadlineSeconds?: number;
}

const GIVEN = ["Ada", "Grace", "Alan", "Mary", "John", "Ruth", "Omar", "Priya", "Chen", "Lena"];
const FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Garcia", "Patel", "Nguyen", "Okafor", "Silva", "Khan"];
const SLIPPAGE_BPS = 50;
/** The sanctioned-address button's payment, units of the numeraire. */
export const SANCTIONED_AMOUNT = 250;
/** Smallest payment a holder of a carried token makes (whole units): below it, it waits to hold more. */
const MIN_ONWARD = 1;

export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly txSenders = new Map<string, TxSender>();
  /** One send at a time per sender and chain: a TxSender's nonce is read and bumped around an await. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly travelRule = new Map<Hex, TravelRulePayload>();
  private readonly txs = new Map<Hex, { from: Hex; to: Hex; data: Hex; chain: ChainName }>();
  /** Tokens the recipients hold away from their home chain, by "<chain>:<currency>" then address (base units). */
  private readonly holdings = new Map<string, Map<Hex, bigint>>();
  private readonly recipientByAddress: Map<string, KeyPair>;

  constructor(private readonly opts: LoadOptions) {
    this.recipientByAddress = new Map(opts.recipients.map((k) => [k.address.toLowerCase(), k]));
  }

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

  /** The travel-rule payload a message's extraHash commits to (its sender's VASP sent it off chain). */
  travelRuleFor(extraHash: Hex): TravelRulePayload | undefined {
    return this.travelRule.get(extraHash.toLowerCase() as Hex);
  }

  /** The send transaction, to replay it when it reverted. */
  txOf(hash: Hex): { from: Hex; to: Hex; data: Hex; chain: ChainName } | undefined {
    return this.txs.get(hash);
  }

  /**
   * A payment settled: `amount` of `currency` paid to `recipient` on `chain`. When it is one of the
   * load's recipients and the token is not the chain's home currency, they may send it on.
   */
  credit(chain: ChainName, recipient: Hex, currency: string, amount: bigint): void {
    if (this.opts.spec.chains[chain]?.home === currency || !this.recipientByAddress.has(recipient.toLowerCase())) return;
    const key = `${chain}:${currency}`;
    const held = this.holdings.get(key) ?? new Map<Hex, bigint>();
    const a = recipient.toLowerCase() as Hex;
    held.set(a, (held.get(a) ?? 0n) + amount);
    this.holdings.set(key, held);
  }

  /** The routes open now: out of each chain in its home currency, and in a carried token where a recipient holds enough. */
  openRoutes(): Route[] {
    const { spec } = this.opts;
    const min = toBaseUnits(String(MIN_ONWARD));
    return spec.routes.filter((r) => r.input === spec.chains[r.from]!.home || [...(this.holdings.get(`${r.from}:${r.input}`)?.values() ?? [])].some((v) => v >= min));
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

  /** Sends one transfer now; `sanctioned` pays an address on the sanctions list, home currency to home currency. */
  send(opts: { sanctioned?: boolean }): Promise<SentTransfer> {
    return this.track(this.sendNow(opts));
  }

  private async sendNow(opts: { sanctioned?: boolean }): Promise<SentTransfer> {
    const o = this.opts;
    const { spec } = o;
    const rng = o.random;
    const sanctioned = opts.sanctioned ?? false;
    const home = (r: Route) => r.input === spec.chains[r.from]!.home;
    const open = sanctioned ? spec.routes.filter((r) => home(r) && r.input !== r.output) : this.openRoutes();
    const route = rng.pick(open.length > 0 ? open : spec.routes.filter(home));
    const { from, to, input, output } = route;
    const src = o.deployment.chains[from]!;
    const dst = o.deployment.chains[to]!;
    const a = o.amount ?? { median: 300, sigma: 0.9, min: 5, max: 20_000 };
    const inNumeraire = sanctioned ? SANCTIONED_AMOUNT : Math.min(a.max, Math.max(a.min, a.median * Math.exp(a.sigma * rng.normal())));
    const now = o.now();
    let amount = toBaseUnits(new Decimal(inNumeraire).times(midFor(o.rates, spec.numeraire, input, now)).toFixed(2));

    // The payer: a funded sender for the home currency, else a recipient holding the carried token.
    let sender: KeyPair;
    let senderIndex: number;
    if (home(route)) {
      senderIndex = rng.int(0, o.senders[from]!.length - 1);
      sender = o.senders[from]![senderIndex]!;
    } else {
      const held = this.holdings.get(`${from}:${input}`)!;
      const min = toBaseUnits(String(MIN_ONWARD));
      const holders = [...held.entries()].filter(([, v]) => v >= min).sort(([x], [y]) => x.localeCompare(y));
      const [address, balance] = rng.pick(holders);
      sender = this.recipientByAddress.get(address)!;
      senderIndex = o.recipients.indexOf(sender) + 37;
      // What it holds, whole cents: no more than that.
      const all = toBaseUnits(fromBaseUnits(balance).toFixed(2, Decimal.ROUND_DOWN));
      if (amount > all) amount = all;
      held.set(address, balance - amount);
    }
    const others = o.recipients.filter((r) => r.address !== sender.address);
    const recipient = sanctioned ? rng.pick(o.sanctioned) : rng.pick(others).address;
    const tier = sanctioned ? "standard" : rng.chance(o.fastShare()) ? "fast" : "standard";
    const lockQuote = !sanctioned && input !== output && rng.chance(o.lockQuoteShare ?? 0.5);
    const withData = sanctioned || rng.chance(o.travelRuleDataShare ?? 0.85);
    const person = (i: number) => `${GIVEN[i % GIVEN.length]} ${FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]}`;
    // The spec holds ISO 3166-1 alpha-2 codes (checked when it is resolved).
    const country = (chain: string) => jurisdictionOf(spec, chain).country as CountryCode;
    const travelRule = withData
      ? buildTravelRulePayload({
          originator: { name: person(senderIndex), account: sender.address, country: country(from) },
          beneficiary: { name: person(senderIndex + 37), account: recipient, country: country(to) },
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
    const hash = await this.serial(`${from}:${sender.address}`, () => this.txSender(from, sender).send({ to: src.gateway, data, gas: GAS.send }));
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
    const id = `${chain}:${key.address}`;
    let s = this.txSenders.get(id);
    if (!s) this.txSenders.set(id, (s = new TxSender(this.opts.chains[chain]!, key.privateKey)));
    return s;
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
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
