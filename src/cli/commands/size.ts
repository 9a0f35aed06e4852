import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import { parseTarget, type Target } from "../../sizing/target.js";
import { table } from "../table.js";
import { parseInteger, prepareOutDir, UsageCode } from "../options.js";

// The simulator and the sweep's job runner load when the command runs (`--help` and usage errors stay fast).

interface SizeFlags {
  target: Target;
  out: string;
  jobs: number;
  tolerance: number;
  maxScale: number;
  quiet?: boolean;
}

function parseTolerance(v: string): number {
  const n = Number(v);
  if (!/^\d*\.?\d+$/.test(v.trim()) || !(n >= 0.001 && n <= 0.5)) throw new CorridorError(UsageCode.Invalid, `--tolerance: expected a relative width from 0.001 to 0.5 (e.g. 0.05 for 5%), got ${JSON.stringify(v.slice(0, 40))}`, { flag: "--tolerance" });
  return n;
}

export function registerSize(program: Command): void {
  program
    .command("size")
    .description(
      "find the smallest prefunding per liquidity pool that meets a service level, by a search over simulated runs: first every pool scaled by one factor of the scenario's liquidity (doubled until the target is met, halved until it is not, then bisection), then each pool alone in name order (halving, then bisection), the pools before it at their minima and those after it at the joint level; prints the curve (each run's prefunding and figure) and writes size.json and report.html",
    )
    .argument("<scenario-file>", "scenario JSON file (see scenarios/)")
    .requiredOption("--target <target>", 'the service level: "p95<=60s" (p50, p95, p99; s, m, h), "share within one hour >= 0.75", or "no settlement queued longer than 300s"', (v: string) => parseTarget(v))
    .option("--out <dir>", "output folder (size.json, report.html, and each run under runs/)", "out/size")
    .option("--jobs <n>", "runs at a time, each in its own process using about one core", parseInteger("--jobs", 1, 64), 2)
    .option("--tolerance <x>", "stop when the bracket is within this share of its upper end (0.05: 5%)", parseTolerance, 0.05)
    .option("--max-scale <n>", "largest multiple of the scenario's liquidity tried when it does not meet the target", parseInteger("--max-scale", 1, 1_000_000), 64)
    .option("--quiet", "print nothing but the answer and errors")
    .action(async (file: string, o: SizeFlags) => {
      const [{ loadScenario }, { sizeCorridor }, { renderSizeReport }] = await Promise.all([import("../../sim/scenario.js"), import("../../sizing/search.js"), import("../../sizing/report.js")]);
      const scenario = loadScenario(file);
      const dir = prepareOutDir("--out", o.out);
      const names = Object.keys(scenario.spec.chains).sort();
      const log = (line: string) => {
        if (!o.quiet) process.stderr.write(line + "\n");
      };
      log(`Sizing ${scenario.name} for ${o.target.text}: runs ${o.jobs} at a time (each a full simulation)`);
      const result = await sizeCorridor({
        scenario,
        scenarioDir: dirname(resolve(file)),
        scenarioName: scenario.name,
        target: o.target,
        tolerance: o.tolerance,
        jobs: o.jobs,
        out: dir,
        maxScale: o.maxScale,
        onRun: (p) => log(`  run ${p.step} (${p.phase}): ${names.map((n) => `${n} ${p.liquidity[n]}`).join(", ")} -> ${fmt(o.target, p.value)} ${p.meets ? "meets" : "short"} (${p.wallSeconds} s)`),
      });
      const command = ["corridor size", file, "--target", JSON.stringify(o.target.text), "--tolerance", String(o.tolerance), ...(o.out !== "out/size" ? ["--out", o.out] : [])].join(" ");
      writeFileSync(resolve(dir, "size.json"), JSON.stringify({ command, ...result }, null, 2) + "\n");
      writeFileSync(resolve(dir, "report.html"), renderSizeReport(result, command));
      if (!o.quiet) {
        console.log(`\nThe curve (prefunding per pool, whole units of its currency, against ${o.target.title.toLowerCase()}):\n`);
        console.log(
          table(
            ["run", "phase", ...names, `total ${result.numeraire}`, o.target.kind === "withinOneHour" ? "within 1 h" : "figure", "meets"],
            result.points.map((p) => [String(p.step), p.phase, ...names.map((n) => p.liquidity[n]!), String(p.totalNumeraire), fmt(o.target, p.value), p.meets ? "yes" : "no"]),
          ),
        );
      }
      console.log(`\nMinimum prefunding for ${o.target.text} (${result.points.length} runs, tolerance ${o.tolerance}):`);
      for (const n of names) {
        const p = result.pools[n]!;
        console.log(`  ${n}: ${p.minimum} ${p.currency}${p.below !== null ? ` (${p.below} falls short)` : ""}`);
      }
      console.log(`  at which ${o.target.title.toLowerCase()} is ${fmt(o.target, result.answer.value)} (run ${result.answer.step}, ${result.answer.dir})`);
      console.log(`\nSize:   ${resolve(dir, "size.json")}\nReport: ${resolve(dir, "report.html")}`);
    });
}

function fmt(t: Target, v: number | null): string {
  if (v === null) return "none";
  return t.unit === "share" ? String(Math.round(v * 10_000) / 10_000) : `${Math.round(v * 10) / 10}s`;
}
