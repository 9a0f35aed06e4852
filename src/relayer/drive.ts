/**
 * One round of driving the relayer over some chains, the same under any clock: deliver what is
 * queued (parked settlements back in the queue, then batches), let the chains make their blocks,
 * then read what they hold. The simulator makes the blocks itself under virtual time; the live
 * daemon and the bench let the nodes mine on their own.
 */
import type { Relayer } from "./relayer.js";

export interface DriveRound {
  /** The chains whose turn it is, in order. */
  chains: readonly string[];
  /** Chains the relayer is not running for (an outage): their blocks still come; nothing is delivered or read. */
  skip?: (chain: string) => boolean;
  /** Makes the round's blocks; absent when the chains mine on their own. */
  produceBlocks?: (chains: readonly string[]) => Promise<void>;
  /** Runs each part (redeliver parked, flush, poll) on its own, e.g. to swallow injected RPC errors without skipping the next part. */
  guard?: (part: () => Promise<void>) => Promise<void>;
  /** After the blocks, before the relayer reads a chain. */
  beforePoll?: (chain: string) => Promise<void>;
  /** After the relayer read a chain. */
  afterPoll?: (chain: string) => Promise<void>;
}

type Driven = Pick<Relayer, "retryParked" | "flush" | "poll">;

export async function driveRound(relayer: Driven, round: DriveRound): Promise<void> {
  const guard = round.guard ?? ((part) => part());
  const running = (n: string) => !round.skip?.(n);
  for (const n of round.chains) {
    if (!running(n)) continue;
    await guard(() => relayer.retryParked(n));
    await guard(() => relayer.flush(n));
  }
  if (round.produceBlocks) await round.produceBlocks(round.chains);
  for (const n of round.chains) {
    await round.beforePoll?.(n);
    if (running(n)) await guard(() => relayer.poll(n));
    await round.afterPoll?.(n);
  }
}
