import { VirtualClock } from "../domain/clock.js";

type Handler = () => void | Promise<void>;

interface Event {
  t: number;
  seq: number;
  fn: Handler;
}

/**
 * A discrete-event engine: a min-heap of (time, insertion order) events run one at a time,
 * each awaited before the next, so a run is a deterministic function of its inputs.
 */
export class EventEngine {
  readonly clock: VirtualClock;
  private heap: Event[] = [];
  private seq = 0;
  private stopped = false;
  /** Events run so far. */
  processed = 0;

  constructor(startTime: number) {
    this.clock = new VirtualClock(startTime);
  }

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` at virtual time `t` (at once if `t` is not in the future). */
  at(t: number, fn: Handler): void {
    this.push({ t: Math.max(t, this.now()), seq: this.seq++, fn });
  }

  /**
   * Reserves `n` places in the order of events at equal times, as if `n` events were scheduled now: an event
   * scheduled later with `atReserved(t, first + i, fn)` runs where it would have run had it been scheduled
   * now. So a long series of events (a day's arrivals) can be scheduled one at a time, each by the one
   * before it, with the same order as all at once, and without holding them all.
   */
  reserve(n: number): number {
    const first = this.seq;
    this.seq += n;
    return first;
  }

  /** Runs `fn` at virtual time `t` (at once if not in the future), ordered among equal times by the reserved place `seq`. */
  atReserved(t: number, seq: number, fn: Handler): void {
    this.push({ t: Math.max(t, this.now()), seq, fn });
  }

  after(seconds: number, fn: Handler): void {
    this.at(this.now() + seconds, fn);
  }

  get pending(): number {
    return this.heap.length;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Runs events in order until none remain, `stop()` is called, or time would pass `until`. */
  async run(until = Infinity): Promise<void> {
    this.stopped = false;
    while (!this.stopped && this.heap.length > 0) {
      const next = this.heap[0]!;
      if (next.t > until) break;
      this.pop();
      this.clock.advanceTo(next.t);
      this.processed++;
      await next.fn();
    }
  }

  private less(a: Event, b: Event): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
