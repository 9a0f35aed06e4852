/**
 * The high-volume days, measured from outside: `corridor simulate` on a scenario in a child process,
 * sampling every ~2 s the resident memory of the whole process tree (the Node child and its anvil
 * grandchildren, read from /proc), so the peak is what the machine had to give, not one process's.
 *
 *   npx tsx scripts/bench-high-volume.ts            # the 100,000-transfer day (BENCH_MILLION=1: then the 1,000,000-transfer day)
 *   npx tsx scripts/bench-high-volume.ts FILE [-- simulate flags…]   # any scenario (BENCH_OUT=DIR keeps its output,
 *                                                                   # BENCH_SAMPLES_FILE=F appends each sample as it is taken)
 *
 * Prints for each day: wall time, CPU time, peak tree RSS, RSS at each 10% of the run and at each tenth
 * of its transfers final (and the growth in KiB per transfer between the first and last), and the 1M/100k peak
 * ratio (target ≤ 1.2: memory that does not grow with the length of the run). Linux only (/proc).
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packagePath } from "../src/paths.js";

export interface TreeSample {
  /** Seconds since the child started. */
  t: number;
  /** Resident memory of the whole tree, MiB. */
  rssMiB: number;
  /** Of which the largest process (the simulator's Node process, with its chains on the embedded backend). */
  nodeMiB: number;
  /** Processes in the tree: the child and its descendants (anvil chains). */
  processes: number;
  /** CPU seconds (user + system) the tree has used so far: on a shared machine, the figure that other load moves least. */
  cpuSeconds: number;
}

export interface MeasuredRun {
  scenario: string;
  status: number | null;
  wallSeconds: number;
  peakRssMiB: number;
  /** Peak of the largest process alone. */
  peakNodeMiB: number;
  /** CPU seconds of the whole tree at the last sample. */
  cpuSeconds: number;
  /** Tree RSS as the run reached each tenth of its transfers (the simulator's progress lines): memory against the run's length. */
  byTransfers: { done: number; total: number; rssMiB: number; t: number }[];
  samples: TreeSample[];
  stderr: string;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited meanwhile
  }
}

/** Clock ticks a second of /proc/PID/stat's times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** User + system CPU seconds of `pid` so far, from /proc/PID/stat (0 once it exited). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** `pid` and all its descendants, from /proc/PID/task/TID/children. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${out[i]}/task/${t}/children`, "utf8").trim().split(/\s+/)) if (c) out.push(Number(c));
      } catch {
        /* the task ended */
      }
    }
  }
  return out;
}

/** A progress line of `corridor simulate` when its stderr is not a terminal (src/cli/progress.ts): "  10% | 1000/10000 transfers final | …". */
const PROGRESS_LINE = /\b(\d+)\/(\d+) transfers final\b/;

/** The transfers final and their total in a progress line of `corridor simulate`, or null if the line is not one. */
export function parseProgressLine(line: string): { done: number; total: number } | null {
  const m = PROGRESS_LINE.exec(line);
  return m ? { done: Number(m[1]), total: Number(m[2]) } : null;
}

/**
 * Runs `corridor simulate SCENARIO --out OUT [extra…]` in a child process and samples its process tree's
 * RSS every `intervalMs` (default 2 s), and again at each of the simulator's progress lines (each tenth of
 * the transfers final). The run's summary (stdout) is not shown. Resolves when the child exits.
 */
export function measureSimulate(scenarioFile: string, opts: { outDir: string; extraArgs?: string[]; intervalMs?: number; env?: Record<string, string>; samplesFile?: string }): Promise<MeasuredRun> {
  const args = [packagePath("bin", "corridor.mjs"), "simulate", scenarioFile, "--out", opts.outDir, ...(opts.extraArgs ?? [])];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...opts.env } });
  let stderr = "";
  let partial = "";
  const byTransfers: MeasuredRun["byTransfers"] = [];
  child.stderr!.on("data", (d) => {
    stderr = (stderr + String(d)).slice(-20_000);
    process.stderr.write(d);
    const lines = (partial + String(d)).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      const p = parseProgressLine(line);
      if (!p) continue;
      sample();
      const last = samples[samples.length - 1];
      if (last) byTransfers.push({ ...p, rssMiB: last.rssMiB, t: last.t });
    }
  });
  const samples: TreeSample[] = [];
  // The last CPU time seen of each process of the tree (a process that exited keeps what it used).
  const cpuByPid = new Map<number, number>();
  const sample = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    const pids = processTree(child.pid);
    const each = pids.map(rssKiB);
    const total = each.reduce((a, b) => a + b, 0);
    // bin/corridor.mjs may run the simulator in a Node child of its own: the largest process is the simulator.
    const node = Math.max(0, ...each);
    for (const p of pids) cpuByPid.set(p, Math.max(cpuByPid.get(p) ?? 0, cpuSecondsOf(p)));
    let cpu = 0;
    for (const c of cpuByPid.values()) cpu += c;
    const s: TreeSample = { t: (performance.now() - t0) / 1000, rssMiB: total / 1024, nodeMiB: node / 1024, processes: pids.length, cpuSeconds: cpu };
    samples.push(s);
    // Also as they come, for a run watched while it lasts (or cut short).
    if (opts.samplesFile) appendFileSync(opts.samplesFile, `${Math.round(s.t)}\t${Math.round(s.rssMiB)}\t${Math.round(s.nodeMiB)}\t${s.processes}\t${Math.round(s.cpuSeconds)}\n`);
  };
  const timer = setInterval(sample, opts.intervalMs ?? 2000);
  return new Promise((resolve, reject) => {
    child.once("error", (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.once("exit", (code) => {
      clearInterval(timer);
      const wallSeconds = (performance.now() - t0) / 1000;
      resolve({
        scenario: scenarioFile,
        status: code,
        wallSeconds,
        peakRssMiB: Math.max(0, ...samples.map((s) => s.rssMiB)),
        peakNodeMiB: Math.max(0, ...samples.map((s) => s.nodeMiB)),
        cpuSeconds: samples.length ? samples[samples.length - 1]!.cpuSeconds : 0,
        byTransfers,
        samples,
        stderr,
      });
    });
  });
}

/** Tree RSS (MiB) at 0%, 10%, …, 100% of the run's wall time (the sample nearest each point). */
export function rssAtTenths(run: MeasuredRun): number[] {
  if (run.samples.length === 0) return [];
  return Array.from({ length: 11 }, (_, i) => {
    const at = (run.wallSeconds * i) / 10;
    let best = run.samples[0]!;
    for (const s of run.samples) if (Math.abs(s.t - at) < Math.abs(best.t - at)) best = s;
    return Math.round(best.rssMiB);
  });
}

const BARS = "▁▂▃▄▅▆▇█";
/** A one-line sparkline of values, scaled from 0 to their maximum. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(1, ...values);
  return values.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * BARS.length))]).join("");
}

function minutes(s: number): string {
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/**
 * KiB of tree RSS per transfer between the first and the last tenth of the transfers final (the growth with
 * the run's length; 0 is flat memory), or null without two progress points.
 */
export function growthPerTransferKiB(r: MeasuredRun): number | null {
  const pts = r.byTransfers;
  if (pts.length < 2) return null;
  const a = pts[0]!;
  const b = pts[pts.length - 1]!;
  return b.done > a.done ? ((b.rssMiB - a.rssMiB) * 1024) / (b.done - a.done) : null;
}

/** One line about a measured run (and its memory over time). */
export function describeRun(label: string, r: MeasuredRun): string {
  const tenths = rssAtTenths(r);
  const growth = growthPerTransferKiB(r);
  const byDone = r.byTransfers.map((p) => `${p.done}: ${Math.round(p.rssMiB)}`);
  return [
    `${label}: ${minutes(r.wallSeconds)} wall, ${minutes(r.cpuSeconds)} CPU (user + system, whole tree, to the last sample), peak RSS ${Math.round(r.peakRssMiB)} MiB (whole process tree; largest process alone ${Math.round(r.peakNodeMiB)} MiB)${r.status ? `, exit status ${r.status}` : ""}`,
    `   RSS at each 10% of the run (MiB): ${tenths.join(" ")}  ${sparkline(tenths)}`,
    ...(byDone.length
      ? [
          `   RSS as transfers became final (transfers: MiB): ${byDone.join(", ")}  ${sparkline(r.byTransfers.map((p) => p.rssMiB))}`,
          `   growth with the run's length: ${growth === null ? "n/a" : `${growth.toFixed(1)} KiB of RSS per transfer`} (flat memory: ~0)`,
        ]
      : []),
  ].join("\n");
}

/**
 * Section 5 of scripts/bench.ts: the 100,000-transfer day (scenarios/high-volume.json) and, unless
 * BENCH_MILLION=1, the 1,000,000-transfer day (scenarios/million.json), one after the other, each
 * with its wall time, peak RSS and memory over time, then the 1M/100k peak ratio.
 */
export async function benchHighVolume(opts: { million?: boolean; log?: (line: string) => void } = {}): Promise<{ day: MeasuredRun; million?: MeasuredRun }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  // The 1M day is asked for (BENCH_MILLION=1): on the embedded chains it needs more memory than this machine
  // has, and on anvil many hours (BENCHMARKS.md). Both days run on BENCH_HV_CHAINS (embedded by default).
  const million = opts.million ?? process.env.BENCH_MILLION === "1";
  const extraArgs = ["--chains", process.env.BENCH_HV_CHAINS === "anvil" ? "anvil" : "embedded"];
  const dir = mkdtempSync(join(tmpdir(), "corridor-bench-hv-"));
  try {
    const day = await measureSimulate(packagePath("scenarios", "high-volume.json"), { outDir: join(dir, "high-volume"), extraArgs });
    log(describeRun("5. high-volume day (scenarios/high-volume.json, 100,000 transfers)", day) + "  (targets ≤ 5 min, < 1,536 MiB, goal 1,024 MiB)");
    if (!million) {
      log("   1,000,000-transfer day: skipped (BENCH_MILLION=1 to run it: hours, see BENCHMARKS.md)");
      return { day };
    }
    const big = await measureSimulate(packagePath("scenarios", "million.json"), { outDir: join(dir, "million"), extraArgs });
    log(describeRun("   million day (scenarios/million.json, 1,000,000 transfers)", big));
    log(`   peak RSS 1M day / 100k day: ×${(big.peakRssMiB / day.peakRssMiB).toFixed(2)} (target ≤ ×1.2)`);
    return { day, million: big };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, ...rest] = process.argv.slice(2);
  if (file) {
    const dir = mkdtempSync(join(tmpdir(), "corridor-bench-hv-"));
    const keepOut = process.env.BENCH_OUT;
    const r = await measureSimulate(file, { outDir: keepOut ?? join(dir, "out"), extraArgs: rest.filter((a) => a !== "--"), samplesFile: process.env.BENCH_SAMPLES_FILE });
    console.log(describeRun(file, r));
    if (process.env.BENCH_SAMPLES) console.log(JSON.stringify(r.samples.map((s) => [Math.round(s.t), Math.round(s.rssMiB), Math.round(s.nodeMiB), s.processes, Math.round(s.cpuSeconds)])));
    rmSync(dir, { recursive: true, force: true });
  } else {
    await benchHighVolume();
  }
}
