import type { Hex } from "viem";
import { createRandom } from "../domain/random.js";
import { Decimal, toBaseUnits } from "../domain/money.js";
import { buildTravelRulePayload, type TravelRulePayload } from "../domain/compliance/ivms.js";
import { testKeyPair, type KeyPair } from "../chains/keys.js";
import type { Scenario } from "./scenario.js";
import { jurisdictionOf } from "../spec/spec.js";
import type { CountryCode } from "ivms101";

export interface PlannedTransfer {
  index: number;
  /** Seconds after the start of the run. */
  at: number;
  /** Chain names and currencies of the scenario's spec. */
  from: string;
  to: string;
  input: string;
  output: string;
  tier: "standard" | "fast";
  /** Input-currency base units. */
  amount: bigint;
  sender: KeyPair;
  recipient: Hex;
  /** The recipient was drawn from the sanctions list. */
  sanctioned: boolean;
  /** The sender is one of the listed (sanctioned) senders. */
  sanctionedSender: boolean;
  /** Cross-currency sender locks a firm quote at send. */
  lockQuote: boolean;
  /** IVMS101 originator and beneficiary data the sender's VASP provides (off chain). */
  travelRule?: TravelRulePayload;
}

export interface Workload {
  transfers: PlannedTransfer[];
  /** By chain name. */
  senders: Record<string, KeyPair[]>;
  /** What each sender needs (base units of its chain's home currency). */
  needs: Map<Hex, bigint>;
  recipients: Hex[];
  /** Senders the simulation adds to the screening list (a share of transfers come from them). */
  listedSenders: Hex[];
}

/** Listed senders per chain (a handful is enough: what matters is the share of transfers they send). */
const LISTED_SENDERS = 3;

/**
 * The arrival intensity as a piecewise-constant function over [0, duration): its breakpoints
 * (hour boundaries of the daily profile, burst edges) and the weight of each piece.
 */
export function arrivalIntensity(s: Pick<Scenario, "startTime"> & { workload: Pick<Scenario["workload"], "durationSeconds" | "dailyProfile" | "bursts"> }): { edges: number[]; weights: number[] } {
  const w = s.workload;
  const T = w.durationSeconds;
  const cuts = new Set<number>([0, T]);
  const t0 = Math.floor(Date.parse(s.startTime) / 1000);
  if (w.dailyProfile) {
    // Hour boundaries (UTC) that fall inside the run.
    for (let t = 3600 - (((t0 % 3600) + 3600) % 3600); t < T; t += 3600) if (t > 0) cuts.add(t);
  }
  for (const b of w.bursts) {
    if (b.at < T) cuts.add(b.at);
    if (b.at + b.durationSeconds < T) cuts.add(b.at + b.durationSeconds);
  }
  const edges = [...cuts].sort((a, b) => a - b);
  const weights = edges.slice(0, -1).map((a) => {
    let x = 1;
    if (w.dailyProfile) x *= w.dailyProfile[Math.floor((((t0 + a) % 86_400) + 86_400) % 86_400 / 3600)]!;
    for (const b of w.bursts) if (a >= b.at && a < b.at + b.durationSeconds) x *= b.multiplier;
    return x;
  });
  return { edges, weights };
}

/**
 * Maps sorted uniforms in [0, 1) to arrival times of an inhomogeneous Poisson process conditioned
 * on its count: the inverse of the intensity's cumulative distribution, which is monotone, so
 * sorted uniforms give sorted times. With a flat intensity it is `u * duration`.
 */
export function arrivalTimes(uniforms: readonly number[], intensity: { edges: number[]; weights: number[] }): number[] {
  const { edges, weights } = intensity;
  const cum = [0];
  for (let i = 0; i < weights.length; i++) cum.push(cum[i]! + weights[i]! * (edges[i + 1]! - edges[i]!));
  const total = cum[cum.length - 1]!;
  if (!(total > 0)) throw new Error("the arrival intensity is zero over the whole run: give some hours of the daily profile a weight above 0");
  let k = 0;
  return uniforms.map((u) => {
    const m = u * total;
    while (k < weights.length - 1 && cum[k + 1]! <= m) k++;
    // Pieces of weight 0 have no mass, so m never falls in one (cum does not grow across it).
    return edges[k]! + (m - cum[k]!) / weights[k]!;
  });
}

const GIVEN = ["Ada", "Grace", "Alan", "Mary", "John", "Ruth", "Omar", "Priya", "Chen", "Lena"];
const FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Garcia", "Patel", "Nguyen", "Okafor", "Silva", "Khan"];

/** A scenario's workload without its transfers held in memory: they are planned again, lazily, on each pass. */
export interface LazyWorkload extends Omit<Workload, "transfers"> {
  /** How many transfers. */
  count: number;
  /** The recipients the transfers pay, in order of first payment. */
  payees: Hex[];
  /**
   * The planned transfers in arrival order, planned as they are read: every call is a new pass giving the
   * same transfers (a pass draws from fresh streams of the same seed), and holds only the arrival times
   * (8 bytes a transfer), so a run of any length does not keep its plan (issue 14).
   */
  transfers(): Generator<PlannedTransfer>;
}

/**
 * The transfers a scenario asks for: arrival times (a Poisson process conditioned on the count,
 * with a rate that follows the daily profile and bursts), corridor and tier mix, lognormal
 * amounts, sanctioned recipients and senders, travel-rule data and quote locking. Deterministic
 * per seed. All of them in memory: `lazyWorkload` plans the same transfers one at a time.
 */
export function planWorkload(s: Scenario, opts: { sanctioned?: readonly Hex[] } = {}): Workload {
  const { count: _count, payees: _payees, transfers, ...rest } = lazyWorkload(s, opts);
  return { ...rest, transfers: [...transfers()] };
}

/**
 * The workload of `planWorkload`, planned lazily: one pass here for what the set-up needs before the
 * run (each sender's needs, the recipients paid), then one pass per call of `transfers()`.
 */
export function lazyWorkload(s: Scenario, opts: { sanctioned?: readonly Hex[] } = {}): LazyWorkload {
  const w = s.workload;
  const spec = s.spec;
  const names = Object.keys(spec.chains);
  const perChain = (make: (name: string) => KeyPair[]): Record<string, KeyPair[]> => Object.fromEntries(names.map((n) => [n, make(n)]));
  const senders = perChain((n) => Array.from({ length: w.senders }, (_, i) => testKeyPair(s.seed, `sender/${n}`, i)));
  // A pool of recipients (deriving a key per transfer would dominate large runs).
  const recipients = Array.from({ length: Math.min(w.transfers, w.senders * 5) }, (_, i) => testKeyPair(s.seed, "recipient", i).address);
  const sanctioned = opts.sanctioned ?? [];
  const listed = perChain((n) => (w.sanctionedSenderShare > 0 ? Array.from({ length: LISTED_SENDERS }, (_, i) => testKeyPair(s.seed, `sender/listed/${n}`, i)) : []));
  // The spec holds ISO 3166-1 alpha-2 codes (checked when it is resolved).
  const country = (chain: string) => jurisdictionOf(spec, chain).country as CountryCode;
  const totalWeight = w.mix.reduce((sum, m) => sum + m.weight, 0);
  const person = (i: number) => `${GIVEN[i % GIVEN.length]} ${FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]}`;
  const intensity = arrivalIntensity(s);
  /** `payloads: false` leaves the travel-rule payloads out (they draw nothing: the other fields are the same). */
  function* plan(payloads: boolean): Generator<PlannedTransfer> {
    const rng = createRandom(s.seed).fork("workload");
    const times = arrivalTimes(
      Array.from({ length: w.transfers }, () => rng.next()).sort((a, b) => a - b),
      intensity,
    );
    // Listed senders draw from their own stream: adding them does not move any other draw.
    const listedRng = createRandom(s.seed).fork("workload/listed-senders");
    for (let index = 0; index < times.length; index++) {
      const at = times[index]!;
      let pick = rng.next() * totalWeight;
      const mix = w.mix.find((m) => (pick -= m.weight) < 0) ?? w.mix[w.mix.length - 1]!;
      const usd = Math.min(w.amount.maxUsd, Math.max(w.amount.minUsd, w.amount.medianUsd * Math.exp(w.amount.sigma * rng.normal())));
      // Sized in the numeraire, converted at the input currency's mid (the spec's).
      const inInput = usd * spec.currencies[mix.input]!.mid;
      const amount = toBaseUnits(new Decimal(inInput).toFixed(2));
      const senderIndex = rng.int(0, w.senders - 1);
      const fromListed = w.sanctionedSenderShare > 0 && listedRng.chance(w.sanctionedSenderShare);
      const sender = fromListed ? listedRng.pick(listed[mix.from]!) : senders[mix.from]![senderIndex]!;
      const isSanctioned = sanctioned.length > 0 && rng.chance(w.sanctionedShare);
      const recipient = isSanctioned ? rng.pick(sanctioned) : rng.pick(recipients);
      const withData = rng.chance(w.travelRuleDataShare);
      yield {
        index,
        at,
        from: mix.from,
        to: mix.to,
        input: mix.input,
        output: mix.output,
        tier: rng.chance(w.fastShare) ? "fast" : "standard",
        amount,
        sender,
        recipient,
        sanctioned: isSanctioned,
        sanctionedSender: fromListed,
        lockQuote: mix.input !== mix.output && rng.chance(s.fx.lockQuoteShare),
        travelRule: withData && payloads
          ? buildTravelRulePayload({
              originator: { name: person(senderIndex), account: sender.address, country: country(mix.from) },
              beneficiary: { name: person(index + 7), account: recipient, country: country(mix.to) },
            })
          : undefined,
      };
    }
  }
  const transfers = () => plan(true);
  // The first pass: what each sender needs, and who is paid.
  const needs = new Map<Hex, bigint>();
  const payees = new Set<Hex>();
  for (const t of plan(false)) {
    needs.set(t.sender.address, (needs.get(t.sender.address) ?? 0n) + t.amount);
    payees.add(t.recipient);
  }
  return {
    count: w.transfers,
    payees: [...payees],
    transfers,
    senders: perChain((n) => [...senders[n]!, ...listed[n]!]),
    needs,
    recipients,
    listedSenders: names.flatMap((n) => listed[n]!).map((k) => k.address),
  };
}
