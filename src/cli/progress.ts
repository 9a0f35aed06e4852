/**
 * Progress of a long command on stderr: a bar (cli-progress) when stderr is a terminal, otherwise a
 * line at every tenth of the way (logs and CI keep a readable record). Each shows what is done out of
 * the total, the time elapsed and the time left at the rate so far.
 */
import { duration } from "./table.js";

export interface Progress {
  /** `done` of `total` units; `note` is shown beside them ("4 min 10 s simulated"). */
  update(done: number, total: number, note?: string): void;
  stop(): void;
}

/** `unit` names what is counted: "transfers final", "replications done". */
export async function startProgress(unit: string, stream: NodeJS.WriteStream = process.stderr): Promise<Progress> {
  return stream.isTTY ? progressBar(unit, stream) : progressLines(unit, stream);
}

/**
 * The time left at the rate since the first update (set-up before it, such as deploying the corridor, is
 * not work counted in units): ", about 2 min 10 s left", or "" until there is a rate or when done.
 */
function timeLeft(): (done: number, total: number) => string {
  let first: { at: number; done: number } | undefined;
  return (done, total) => {
    const now = performance.now();
    first ??= { at: now, done };
    if (done <= first.done || done >= total) return "";
    const rate = (done - first.done) / ((now - first.at) / 1000);
    return `, about ${duration((total - done) / rate)} left`;
  };
}

async function progressBar(unit: string, stream: NodeJS.WriteStream): Promise<Progress> {
  const { default: cliProgress } = await import("cli-progress");
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `  {bar} {percentage}% | {value}/{total} ${unit}{note} | {duration_formatted} elapsed{left}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 200,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const left = timeLeft();
  return {
    update(done, total, note) {
      const payload = { note: note ? ` | ${note}` : "", left: left(done, total) };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function progressLines(unit: string, stream: NodeJS.WriteStream): Progress {
  const t0 = performance.now();
  const left = timeLeft();
  let lastTenth = 0;
  return {
    update(done, total, note) {
      const remaining = left(done, total);
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      stream.write(`  ${pct}% | ${done}/${total} ${unit}${note ? ` | ${note}` : ""} | ${duration((performance.now() - t0) / 1000)} elapsed${remaining}\n`);
    },
    stop() {},
  };
}
