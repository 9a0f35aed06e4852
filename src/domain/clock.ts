/**
 * Time as components see it: seconds since the unix epoch (fractional allowed). No component
 * reads Date.now() or sleeps directly: the simulator hands them a virtual clock, live runs a
 * wall clock.
 */
export interface Clock {
  now(): number;
}

/** A clock the discrete-event engine moves. */
export class VirtualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  /** Moves time forward (never back). */
  advanceTo(t: number): void {
    if (t < this.t) throw new Error(`virtual time cannot go back (${t} < ${this.t})`);
    this.t = t;
  }
}

export const wallClock: Clock = { now: () => Date.now() / 1000 };

/** Runs work later: the discrete-event engine under virtual time, timers under wall time. */
export interface Scheduler extends Clock {
  after(seconds: number, fn: () => void | Promise<void>): void;
}

/** True for a real calendar date YYYY-MM-DD (2025-02-30 is not): as-of dates of data sets and lists. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}
