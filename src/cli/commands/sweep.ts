import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import { packagePath } from "../../paths.js";
import type { SimulationResults } from "../../sim/results.js";
import type { GridPoint, Vary } from "../../sim/sweep.js";
import { duration, table } from "../table.js";
import { parseInteger, parseSeed, prepareOutDir } from "../options.js";

type Summary = SimulationResults["summary"];

/** One grid point in sweep.json. */
export interface SweepRowOut {
  label: string;
  params: Record<string, string | number>;
  summary: Summary;
  /** Share of transfers with an outcome settled within one hour. */
  shareWithinOneHour?: number;
  /** Where the run's results.json and transfers.csv are. */
  dir: string;
  wallSeconds: number;
}

/** Relative list files resolve against the scenario's folder: the temporary copy names them absolutely. */
function absoluteListFiles(json: Record<string, unknown>, scenarioDir: string): void {
  const hooks = (json.compliance as { hooks?: { listFile?: string }[] } | undefined)?.hooks;
  for (const h of hooks ?? []) {
    if (h.listFile && !isAbsolute(h.listFile) && existsSync(resolve(scenarioDir, h.listFile))) h.listFile = resolve(scenarioDir, h.listFile);
  }
}

/** Runs `corridor simulate` in a child process; resolves with its exit code and the tail of its stderr. */
function runChild(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [packagePath("bin", "corridor.mjs"), ...args], { stdio: ["ignore", "ignore", "pipe"], env: process.env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-4000);
    });
    child.on("error", (err) => done({ code: 1, stderr: String(err) }));
    child.on("close", (code) => done({ code: code ?? 1, stderr }));
  });
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${x.toFixed(3)}%`);
const share = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);

/** The comparison table: one row per grid point. */
export function formatSweepTable(varies: readonly Vary[], rows: readonly SweepRowOut[]): string {
  return table(
    [...varies.map((v) => v.name), "p50", "p95", "within 1 h", "all-in cost", "settled", "refunded", "books"],
    rows.map((r) => [
      ...varies.map((v) => String(r.params[v.name] ?? "")),
      duration(r.summary.settlementSeconds.p50),
      duration(r.summary.settlementSeconds.p95),
      share(r.shareWithinOneHour),
      pct(r.summary.costs.meanAllInPct ?? r.summary.costs.meanTotalPct),
      r.summary.transfers.settled,
      r.summary.transfers.refunded,
      r.summary.conservation.ok ? "balance" : "FAIL",
    ]),
  );
}

/** The names of VARY_SHORTHANDS (src/sim/sweep.ts), for the help text without loading the simulator. */
export const SHORTHANDS = "tier, fx.spreadBps, transfers, fastShare";

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("run a scenario over a grid of parameter values (child processes, --jobs at a time) and compare the runs")
    .argument("<scenario-file>", "scenario JSON file (see scenarios/)")
    .requiredOption(
      "--vary <path=values>",
      `a scenario path and comma-separated values, repeatable: fee.bps=0,5,10, tier=fast,standard, fx.spreadBps=0,10,25, workload.transfers=100,1000, or any dotted path (shorthands: ${SHORTHANDS}, fee.<field>)`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--out <dir>", "output folder: one sub-folder per grid point, and sweep.json", "out/sweep")
    .option("--jobs <n>", "runs at a time (each uses about one core)", parseInteger("--jobs", 1, 64), 2)
    .option("--seed <n>", "override the scenario's seed for every point (the same seed everywhere: paired comparisons)", parseSeed())
    .action(async (file: string, o: { vary: string[]; out: string; jobs: number; seed?: number }) => {
      const [{ loadScenario }, { expandGrid, parseVary, pointSlug, scenarioForPoint }, { renderSweepReport }] = await Promise.all([
        import("../../sim/scenario.js"),
        import("../../sim/sweep.js"),
        import("../../report/sweep.js"),
      ]);
      const base = loadScenario(file);
      const scenarioDir = dirname(resolve(file));
      const varies = o.vary.map(parseVary);
      const grid = expandGrid(varies);
      // Every point is validated before anything runs.
      const points = grid.map((p) => ({ point: p, ...scenarioForPoint(base, p, varies) }));
      const out = prepareOutDir("--out", o.out);
      const tmp = mkdtempSync(resolve(tmpdir(), "corridor-sweep-"));
      const width = String(points.length).length;
      const rows: (SweepRowOut | undefined)[] = new Array(points.length);
      const failed: { label: string; params: GridPoint["params"]; code: number; error: string }[] = [];
      const log = (line: string) => process.stderr.write(line + "\n");
      log(`Sweep of ${base.name}: ${points.length} runs, ${Math.min(o.jobs, points.length)} at a time`);
      const wallStart = performance.now();
      let next = 0;
      let finished = 0;
      try {
        const worker = async () => {
          for (let i = next++; i < points.length; i = next++) {
            const { point, json } = points[i]!;
            const slug = pointSlug(point, i, width);
            const dir = resolve(out, slug);
            const scenarioFile = resolve(tmp, `${slug}.json`);
            absoluteListFiles(json, scenarioDir);
            writeFileSync(scenarioFile, JSON.stringify(json, null, 2));
            const args = ["simulate", scenarioFile, "--out", dir, "--quiet", ...(o.seed !== undefined ? ["--seed", String(o.seed)] : [])];
            const t0 = performance.now();
            const { code, stderr } = await runChild(args);
            const wallSeconds = (performance.now() - t0) / 1000;
            finished++;
            const summaryFile = resolve(dir, "summary.json");
            // Exit 3 is a failed conservation check: the run finished and its results say so.
            if ((code === 0 || code === 3) && existsSync(summaryFile)) {
              const summary = (JSON.parse(readFileSync(summaryFile, "utf8")) as { summary: Summary }).summary;
              const within = summary.withinOneHour?.share;
              rows[i] = { label: point.label, params: point.params, summary, ...(within !== null && within !== undefined ? { shareWithinOneHour: within } : {}), dir, wallSeconds };
              log(`  [${finished}/${points.length}] ${point.label}: ${summary.transfers.settled} settled, ${summary.transfers.refunded} refunded (${duration(wallSeconds)})`);
            } else {
              const error = stderr.trim().split("\n").slice(-5).join("\n") || `exit status ${code}`;
              failed.push({ label: point.label, params: point.params, code, error });
              log(`  [${finished}/${points.length}] ${point.label}: FAILED (exit ${code})\n${error.replace(/^/gm, "      ")}`);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(o.jobs, points.length) }, worker));
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      const done = rows.filter((r): r is SweepRowOut => r !== undefined);
      const sweepFile = resolve(out, "sweep.json");
      writeFileSync(
        sweepFile,
        JSON.stringify(
          {
            scenario: base.name,
            description: base.description,
            file: resolve(file),
            seed: o.seed ?? base.seed,
            command: ["corridor", "sweep", file, ...o.vary.flatMap((v) => ["--vary", v]), ...(o.seed !== undefined ? ["--seed", String(o.seed)] : [])].join(" "),
            vary: varies.map((v) => ({ name: v.name, path: v.path, values: v.raw })),
            wallSeconds: (performance.now() - wallStart) / 1000,
            rows: done,
            failed,
          },
          null,
          2,
        ) + "\n",
      );
      console.log(`Sweep of ${base.name} (seed ${o.seed ?? base.seed}): ${done.length} of ${points.length} runs in ${duration((performance.now() - wallStart) / 1000)}\n`);
      console.log(formatSweepTable(varies, done));
      // The same kind of report as a single run's, with one comparison chart per measure.
      const reportFile = resolve(out, "report.html");
      const command = ["corridor", "sweep", file, ...o.vary.flatMap((v) => ["--vary", v]), ...(o.seed !== undefined ? ["--seed", String(o.seed)] : [])].join(" ");
      writeFileSync(reportFile, renderSweepReport(done as never, { command, title: `Sweep of ${base.name}`, description: base.description }));
      console.log(`\nAll-in cost: fee + FX spread + gas, mean over settled transfers, % of the amount sent. Sweep: ${sweepFile}\nReport: ${reportFile}`);
      if (failed.length > 0) throw new CorridorError("CORRIDOR_SWEEP_FAILED", `${failed.length} of ${points.length} runs failed: ${failed.map((f) => f.label).join("; ")}`);
      if (done.some((r) => !r.summary.conservation.ok)) throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", "conservation check failed in at least one run");
    });
}
