import type { Scheduler } from "../domain/clock.js";

/** Wall time: `after` is a timer; errors in scheduled work are reported, never thrown into the loop. */
export function createWallScheduler(onError: (err: unknown) => void): Scheduler & { stop(): void } {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  return {
    now: () => Date.now() / 1000,
    after(seconds, fn) {
      if (stopped) return;
      const t = setTimeout(
        () => {
          timers.delete(t);
          if (stopped) return;
          Promise.resolve()
            .then(fn)
            .catch(onError);
        },
        Math.max(0, seconds * 1000),
      );
      timers.add(t);
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
