import type { Hex } from "viem";
import { createRandom } from "../domain/random.js";
import { Decimal, toBaseUnits } from "../domain/money.js";
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
}

export interface Workload {
  transfers: PlannedTransfer[];
  senders: Record<"us" | "uk", KeyPair[]>;
  /** What each sender needs (base units of its chain's home currency). */
  needs: Map<Hex, bigint>;
  recipients: Hex[];
}

/**
 * The transfers a scenario asks for: arrival times (a Poisson process conditioned on the count,
 * i.e. sorted uniform times), corridor and tier mix, lognormal amounts. Deterministic per seed.
 */
export function planWorkload(s: Scenario): Workload {
  const rng = createRandom(s.seed).fork("workload");
  const w = s.workload;
  const senders = {
    us: Array.from({ length: w.senders }, (_, i) => testKeyPair(s.seed, "sender/us", i)),
    uk: Array.from({ length: w.senders }, (_, i) => testKeyPair(s.seed, "sender/uk", i)),
  };
  // A pool of recipients (deriving a key per transfer would dominate large runs).
  const recipients = Array.from({ length: Math.min(w.transfers, w.senders * 5) }, (_, i) => testKeyPair(s.seed, "recipient", i).address);
  const times = Array.from({ length: w.transfers }, () => rng.next() * w.durationSeconds).sort((a, b) => a - b);
  const totalWeight = w.mix.reduce((sum, m) => sum + m.weight, 0);
  const needs = new Map<Hex, bigint>();
  const transfers = times.map((at, index): PlannedTransfer => {
    let pick = rng.next() * totalWeight;
    const mix = w.mix.find((m) => (pick -= m.weight) < 0) ?? w.mix[w.mix.length - 1]!;
    const usd = Math.min(w.amount.maxUsd, Math.max(w.amount.minUsd, w.amount.medianUsd * Math.exp(w.amount.sigma * rng.normal())));
    const inInput = mix.input === "USD" ? usd : usd * s.fx.gbpPerUsd;
    const amount = toBaseUnits(new Decimal(inInput).toFixed(2));
    const sender = rng.pick(senders[mix.from]);
    needs.set(sender.address, (needs.get(sender.address) ?? 0n) + amount);
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
      recipient: rng.pick(recipients),
    };
  });
  return { transfers, senders, needs, recipients };
}
