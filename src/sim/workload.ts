import type { Hex } from "viem";
import { createRandom } from "../domain/random.js";
import { Decimal, toBaseUnits } from "../domain/money.js";
import { buildTravelRulePayload, type TravelRulePayload } from "../domain/compliance/ivms.js";
import { testKeyPair, type KeyPair } from "../chains/keys.js";
import type { Scenario } from "./scenario.js";

export interface PlannedTransfer {
  index: number;
  /** Seconds after the start of the run. */
  at: number;
  from: "us" | "uk";
  to: "us" | "uk";
  input: "USD" | "GBP";
  output: "USD" | "GBP";
  tier: "standard" | "fast";
  /** Input-currency base units. */
  amount: bigint;
  sender: KeyPair;
  recipient: Hex;
  /** The recipient was drawn from the sanctions list. */
  sanctioned: boolean;
  /** Cross-currency sender locks a firm quote at send. */
  lockQuote: boolean;
  /** IVMS101 originator and beneficiary data the sender's VASP provides (off chain). */
  travelRule?: TravelRulePayload;
}

export interface Workload {
  transfers: PlannedTransfer[];
  senders: Record<"us" | "uk", KeyPair[]>;
  /** What each sender needs (base units of its chain's home currency). */
  needs: Map<Hex, bigint>;
  recipients: Hex[];
}

const GIVEN = ["Ada", "Grace", "Alan", "Mary", "John", "Ruth", "Omar", "Priya", "Chen", "Lena"];
const FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Garcia", "Patel", "Nguyen", "Okafor", "Silva", "Khan"];

/**
 * The transfers a scenario asks for: arrival times (a Poisson process conditioned on the count,
 * i.e. sorted uniform times), corridor and tier mix, lognormal amounts, sanctioned recipients,
 * travel-rule data and quote locking. Deterministic per seed.
 */
export function planWorkload(s: Scenario, opts: { sanctioned?: readonly Hex[] } = {}): Workload {
  const rng = createRandom(s.seed).fork("workload");
  const w = s.workload;
  const senders = {
    us: Array.from({ length: w.senders }, (_, i) => testKeyPair(s.seed, "sender/us", i)),
    uk: Array.from({ length: w.senders }, (_, i) => testKeyPair(s.seed, "sender/uk", i)),
  };
  // A pool of recipients (deriving a key per transfer would dominate large runs).
  const recipients = Array.from({ length: Math.min(w.transfers, w.senders * 5) }, (_, i) => testKeyPair(s.seed, "recipient", i).address);
  const sanctioned = opts.sanctioned ?? [];
  const times = Array.from({ length: w.transfers }, () => rng.next() * w.durationSeconds).sort((a, b) => a - b);
  const totalWeight = w.mix.reduce((sum, m) => sum + m.weight, 0);
  const needs = new Map<Hex, bigint>();
  const person = (i: number) => `${GIVEN[i % GIVEN.length]} ${FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]}`;
  const transfers = times.map((at, index): PlannedTransfer => {
    let pick = rng.next() * totalWeight;
    const mix = w.mix.find((m) => (pick -= m.weight) < 0) ?? w.mix[w.mix.length - 1]!;
    const usd = Math.min(w.amount.maxUsd, Math.max(w.amount.minUsd, w.amount.medianUsd * Math.exp(w.amount.sigma * rng.normal())));
    const inInput = mix.input === "USD" ? usd : usd * s.fx.gbpPerUsd;
    const amount = toBaseUnits(new Decimal(inInput).toFixed(2));
    const senderIndex = rng.int(0, w.senders - 1);
    const sender = senders[mix.from][senderIndex]!;
    const isSanctioned = sanctioned.length > 0 && rng.chance(w.sanctionedShare);
    const recipient = isSanctioned ? rng.pick(sanctioned) : rng.pick(recipients);
    needs.set(sender.address, (needs.get(sender.address) ?? 0n) + amount);
    const withData = rng.chance(w.travelRuleDataShare);
    return {
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
      lockQuote: mix.input !== mix.output && rng.chance(s.fx.lockQuoteShare),
      travelRule: withData
        ? buildTravelRulePayload({
            originator: { name: person(senderIndex), account: sender.address, country: mix.from === "us" ? "US" : "GB" },
            beneficiary: { name: person(index + 7), account: recipient, country: mix.to === "us" ? "US" : "GB" },
          })
        : undefined,
    };
  });
  return { transfers, senders, needs, recipients };
}
