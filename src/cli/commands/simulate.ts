import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import type { Scenario } from "../../sim/scenario.js";
import type { ChainBackend } from "../../sim/chain-backend.js";
import { duration } from "../table.js";
import { addSanctionsListOptions, parseChoice, parseInteger, parseSeed, prepareOutDir, sanctionsListFlag } from "../options.js";
import { startProgress } from "../progress.js";

// The simulator, the chains and their libraries load when the command runs (`corridor --help` and usage errors stay fast).

const CHAIN_BACKENDS: readonly ChainBackend[] = ["embedded", "anvil"];

export function registerSimulate(program: Command): void {
  const command = program
    .command("simulate")
    .description("run a scenario on two embedded chains under virtual time; write results.json, summary.json, transfers.csv and report.html")
    .argument("<scenario-file>", "scenario JSON file (see scenarios/)")
    .option("--seed <n>", "override the scenario's seed", parseSeed())
    .option("--out <dir>", "output folder", "out")
    .option("--quiet", "print nothing but errors")
    .option("--chains <backend>", "where the chains run: embedded (in this process) or anvil (child processes with bounded history; slower on long runs, see BENCHMARKS.md)", parseChoice("--chains", CHAIN_BACKENDS))
    .option("--replications <n>", "run the scenario N times (replication 0 with its own seed, the others with seeds derived from it), each into its own folder under --out, and report each headline figure as a mean with its 95% interval", parseInteger("--replications", 2, 1000))
    .option("--jobs <n>", "with --replications: runs at a time, each in its own process using about one core (default 2)", parseInteger("--jobs", 1, 64));
  addSanctionsListOptions(command).action(async (file: string, o: SimulateFlags) => {
    if (o.jobs !== undefined && o.replications === undefined) throw new CorridorError("CORRIDOR_USAGE_INVALID", "--jobs: only with --replications (a single run uses one process)", { flag: "--jobs" });
    const list = sanctionsListFlag(o);
    const [{ loadScenario }, { withSanctionsList }] = await Promise.all([import("../../sim/scenario.js"), import("../../data/run-data.js")]);
    const loaded = loadScenario(file);
    const scenario = list ? withSanctionsList(loaded, list.file, list.asOf) : loaded;
    const dir = prepareOutDir("--out", o.out);
    if (o.replications !== undefined) await simulateReplications(file, scenario, dir, o, o.replications);
    else await simulateOnce(file, scenario, dir, o);
  });
}

interface SimulateFlags {
  seed?: number;
  out: string;
  quiet?: boolean;
  chains?: ChainBackend;
  replications?: number;
  jobs?: number;
  sanctionsList?: string;
  sanctionsAsOf?: string;
}

/** The flags a replication's child run gets as given (they change what is screened). */
function listFlags(o: SimulateFlags): string[] {
  const list = sanctionsListFlag(o);
  return list ? ["--sanctions-list", list.file, ...(list.asOf ? ["--sanctions-as-of", list.asOf] : [])] : [];
}

/** The command line that reproduces a run (the flags that change its results). */
function reproduce(file: string, o: SimulateFlags): string {
  return [
    "corridor simulate",
    file,
    ...(o.replications !== undefined ? ["--replications", String(o.replications)] : []),
    ...(o.seed !== undefined ? ["--seed", String(o.seed)] : []),
    ...(o.out !== "out" ? ["--out", o.out] : []),
    ...listFlags(o),
  ].join(" ");
}

/** One run in this process: results.json, summary.json, transfers.csv, audit.json and report.html in `dir`, and the summary. */
async function simulateOnce(file: string, scenario: Scenario, dir: string, o: SimulateFlags): Promise<void> {
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
  const progress = o.quiet ? undefined : await startProgress("transfers final");
  if (progress) process.stderr.write(`  Deploying the corridor and funding ${(scenario.workload.senders * 2).toLocaleString("en-US")} senders…\n`);
  let results;
  try {
    results = await simulate({
      scenario,
      scenarioDir: dirname(resolve(file)),
      seed: o.seed,
      chains: o.chains,
      logger,
      onProgress: progress ? (done, total, info) => progress.update(done, total, `${duration(info.virtualSeconds)} simulated`) : undefined,
    });
  } finally {
    progress?.stop();
  }
  const { audit, ...rest } = results;
  writeResultsJson(resolve(dir, "results.json"), rest);
  writeTransfersCsv(resolve(dir, "transfers.csv"), rest.transfers);
  writeJsonArray(resolve(dir, "audit.json"), audit);
  // The summary alone, small enough to read back quickly (sweeps and replications compare runs from it).
  writeFileSync(resolve(dir, "summary.json"), toJson({ scenario: rest.scenario, seed: rest.seed, summary: rest.summary }) + "\n");
  // The report for policymakers, with the command that reproduces the run.
  await writeReport(rest as never, resolve(dir, "report.html"), reproduce(file, o));
  if (!o.quiet) {
    console.log(formatSummary(rest));
    console.log(`\nResults: ${resolve(dir, "results.json")}, ${resolve(dir, "transfers.csv")}\nReport:  ${resolve(dir, "report.html")}`);
  }
  if (!results.summary.conservation.ok) {
    throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", "conservation check failed: on-chain balances do not match the transfer records");
  }
}

/**
 * N replications as child processes (src/cli/replicate.ts), each into its own folder; then
 * replications.json (every replication's seed and figures, each figure's interval), report.html
 * (the intervals, and replication 0's charts) and the intervals on stdout.
 */
async function simulateReplications(file: string, scenario: Scenario, dir: string, o: SimulateFlags, replications: number): Promise<void> {
  const [{ replicate }, { readResults, writeReport }, { formatReplications }, { replicationDir }] = await Promise.all([
    import("../replicate.js"),
    import("./report.js"),
    import("../summary.js"),
    import("../../sim/replications.js"),
  ]);
  const report = await replicate({
    file,
    scenarioName: scenario.name,
    seed: o.seed ?? scenario.seed,
    replications,
    jobs: o.jobs ?? 2,
    out: o.out,
    outDir: dir,
    chains: o.chains,
    extraArgs: listFlags(o),
    quiet: o.quiet ?? false,
    command: reproduce(file, o),
  });
  const jsonFile = resolve(dir, "replications.json");
  writeFileSync(jsonFile, JSON.stringify(report, null, 2) + "\n");
  const first = readResults(resolve(dir, replicationDir(0, replications), "results.json"));
  const reportFile = resolve(dir, "report.html");
  await writeReport(first, reportFile, report.command, report);
  if (!o.quiet) {
    console.log(formatReplications(report));
    console.log(`\nReplications: ${jsonFile} (each replication's results in its folder)\nReport:       ${reportFile}`);
  }
  const failed = report.conservation.failed;
  if (failed.length > 0) {
    throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", `conservation check failed in replication${failed.length > 1 ? "s" : ""} ${failed.join(", ")}: on-chain balances do not match the transfer records`, { replications: failed });
  }
}
