import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import { duration } from "../table.js";
import { addSanctionsListOptions, parseSeed, prepareOutDir, sanctionsListFlag } from "../options.js";

// The simulator, the chains and their libraries load when the command runs (`corridor --help` and usage errors stay fast).

/** A progress bar on stderr (only when it is a terminal): transfers final, virtual time, wall time. */
async function progressBar(): Promise<{ update(done: number, total: number, virtualSeconds: number): void; stop(): void }> {
  const { default: cliProgress } = await import("cli-progress");
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "  {bar} {percentage}% | {value}/{total} transfers final | {virtual} simulated | {duration_formatted} elapsed | ETA {eta_formatted}",
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 200,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, virtualSeconds) {
      if (!started) {
        bar.start(total, 0, { virtual: duration(0) });
        started = true;
      }
      bar.update(done, { virtual: duration(virtualSeconds) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerSimulate(program: Command): void {
  const command = program
    .command("simulate")
    .description("run a scenario on two embedded chains under virtual time; write results.json, summary.json, transfers.csv and report.html")
    .argument("<scenario-file>", "scenario JSON file (see scenarios/)")
    .option("--seed <n>", "override the scenario's seed", parseSeed())
    .option("--out <dir>", "output folder", "out")
    .option("--quiet", "print nothing but errors")
    .option("--chains <backend>", "where the chains run: embedded (in this process) or anvil (child processes with bounded history; slower on long runs, see BENCHMARKS.md)");
  addSanctionsListOptions(command).action(
    async (file: string, o: { seed?: number; out: string; quiet?: boolean; chains?: string; sanctionsList?: string; sanctionsAsOf?: string }) => {
      if (o.chains !== undefined && o.chains !== "embedded" && o.chains !== "anvil") throw new CorridorError("CORRIDOR_USAGE_INVALID", `--chains must be embedded or anvil, got "${o.chains}"`);
      const list = sanctionsListFlag(o);
      const [{ loadScenario }, { withSanctionsList }] = await Promise.all([import("../../sim/scenario.js"), import("../../data/run-data.js")]);
      const loaded = loadScenario(file);
      const scenario = list ? withSanctionsList(loaded, list.file, list.asOf) : loaded;
      const dir = prepareOutDir("--out", o.out);
      const [{ createLogger }, { simulate }, { toJson, writeJsonArray, writeResultsJson }, { writeTransfersCsv }, { writeReport }, { formatSummary }] = await Promise.all([
        import("../../logger.js"),
        import("../../sim/simulate.js"),
        import("../../sim/results.js"),
        import("../../measure/csv.js"),
        import("./report.js"),
        import("../summary.js"),
      ]);
      // Faults make components warn on purpose (retries, failed batches): a simulation shows errors only, unless asked.
      const logger = createLogger({ level: process.env.CORRIDOR_LOG_LEVEL ?? "error" });
      const bar = !o.quiet && process.stderr.isTTY ? await progressBar() : undefined;
      if (bar) process.stderr.write(`  Deploying the corridor and funding ${(scenario.workload.senders * 2).toLocaleString("en-US")} senders…\n`);
      let results;
      try {
        results = await simulate({
          scenario,
          scenarioDir: dirname(resolve(file)),
          seed: o.seed,
          chains: o.chains,
          logger,
          onProgress: bar ? (done, total, info) => bar.update(done, total, info.virtualSeconds) : undefined,
        });
      } finally {
        bar?.stop();
      }
      const { audit, ...rest } = results;
      writeResultsJson(resolve(dir, "results.json"), rest);
      writeTransfersCsv(resolve(dir, "transfers.csv"), rest.transfers);
      writeJsonArray(resolve(dir, "audit.json"), audit);
      // The summary alone, small enough to read back quickly (sweeps compare runs from it).
      writeFileSync(resolve(dir, "summary.json"), toJson({ scenario: rest.scenario, seed: rest.seed, summary: rest.summary }) + "\n");
      // The report for policymakers, with the command that reproduces the run.
      const flags = [
        ...(o.seed !== undefined ? ["--seed", String(o.seed)] : []),
        ...(o.out !== "out" ? ["--out", o.out] : []),
        ...(list ? ["--sanctions-list", list.file, ...(list.asOf ? ["--sanctions-as-of", list.asOf] : [])] : []),
      ];
      await writeReport(rest as never, resolve(dir, "report.html"), ["corridor simulate", file, ...flags].join(" "));
      if (!o.quiet) {
        console.log(formatSummary(rest));
        console.log(`\nResults: ${resolve(dir, "results.json")}, ${resolve(dir, "transfers.csv")}\nReport:  ${resolve(dir, "report.html")}`);
      }
      if (!results.summary.conservation.ok) {
        throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", "conservation check failed: on-chain balances do not match the transfer records");
      }
    },
  );
}
