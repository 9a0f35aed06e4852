import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { CorridorError, isCorridorError } from "../../domain/errors.js";
import type { SimulationResults } from "../../sim/results.js";
import type { ReplicationsReport } from "../../sim/replications.js";
import { specOfScenario } from "../../report/spec.js";

/** Reads a results.json written by `corridor simulate`, with a clear error when it is not one. */
export function readResults(file: string): SimulationResults {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError("CORRIDOR_RESULTS_NOT_FOUND", `cannot read ${file}`, { file }, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CorridorError("CORRIDOR_RESULTS_MALFORMED", `${file} is not valid JSON`, { file }, cause);
  }
  const r = ResultsShape.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 8).map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new CorridorError("CORRIDOR_RESULTS_INVALID", `${file} is not a corridor results.json (written by corridor simulate):\n${issues.join("\n")}`, { file, issues: r.error.issues.slice(0, 8) });
  }
  const results = json as SimulationResults;
  // A results.json from before corridor specs: its spec from its chains (and the presets).
  if (!(results.scenario as { spec?: unknown }).spec) {
    let spec;
    try {
      spec = specOfScenario(results.scenario);
    } catch (cause) {
      throw new CorridorError("CORRIDOR_RESULTS_INVALID", `${file}: its scenario's chains do not make a corridor: ${(cause as Error).message}`, { file }, cause);
    }
    results.scenario = { ...results.scenario, spec };
  }
  return results;
}

/**
 * The parts of results.json the report and the export read, checked before they are used (the
 * file may come from anywhere). Loose on purpose: extra fields and older files still pass.
 */
const num = z.number().finite();
const ResultsShape = z.object({
  scenario: z.object({
    name: z.string(),
    startTime: z.string(),
    chains: z.record(z.string(), z.object({ profile: z.string() }).passthrough()).refine((c) => Object.keys(c).length >= 2, { message: "expected at least two chains" }),
    fx: z.object({ spreadBps: z.record(z.string(), num) }).passthrough(),
    workload: z.object({ mix: z.array(z.object({ from: z.string(), to: z.string(), input: z.string(), output: z.string(), weight: num }).passthrough()) }).passthrough(),
  }).passthrough(),
  seed: z.number().int().nonnegative(),
  summary: z.object({
    transfers: z.object({ planned: num, sent: num, settled: num, refunded: num, inFlight: num }).passthrough(),
    settlementSeconds: z.object({ count: num }).passthrough(),
    refundsByReason: z.record(z.string(), num),
    costs: z.object({ feesByCurrency: z.record(z.string(), z.unknown()) }).passthrough(),
    compliance: z.object({}).passthrough(),
    fastAllowance: z.object({ settlementsUsingIt: num }).passthrough(),
    conservation: z.object({ ok: z.boolean() }).passthrough(),
    virtualSeconds: num,
    wallClock: z.object({ seconds: num }).passthrough(),
  }).passthrough(),
  transfers: z.array(
    z.object({
      id: z.string(),
      srcChain: z.string(),
      dstChain: z.string(),
      state: z.enum(["settled", "refunded"]),
      amountIn: z.string(),
      stages: z.record(z.string(), num.nullable()),
    }).passthrough(),
  ),
}).passthrough();

/** Runs `fn` over a results file's content; a shape the checks above let through but the renderer cannot use is bad input too. */
export async function fromResults<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (isCorridorError(cause)) throw cause;
    throw new CorridorError("CORRIDOR_RESULTS_INVALID", `${file} is not a complete corridor results.json: ${(cause as Error)?.message ?? String(cause)}`, { file }, cause);
  }
}

/** Writes an output file; a path that cannot be written is a usage error. */
function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (cause) {
    throw new CorridorError("CORRIDOR_USAGE_OUTPUT_UNWRITABLE", `--out: cannot write ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { file }, cause);
  }
}

/** The report for a results object, as `corridor simulate` and `corridor report` write it (with the intervals of a replicated run, `results` being its replication 0). */
export async function writeReport(results: SimulationResults, file: string, command: string, replications?: ReplicationsReport): Promise<void> {
  writeFileSync(file, await renderHtml(results, command, replications));
}

async function renderHtml(results: SimulationResults, command: string, replications?: ReplicationsReport): Promise<string> {
  const [{ renderReport }, { loadG20Targets }] = await Promise.all([import("../../report/html.js"), import("../../measure/g20-targets.js")]);
  return renderReport(results, { command, targets: loadG20Targets(), ...(replications ? { replications } : {}) });
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description("write the self-contained HTML report for a results.json")
    .argument("<results-json>", "results.json written by corridor simulate")
    .option("--out <file>", "where to write (default: report.html beside the results)")
    .action(async (file: string, o: { out?: string }) => {
      const results = readResults(file);
      const out = resolve(o.out ?? resolve(dirname(file), "report.html"));
      const html = await fromResults(file, () => renderHtml(results, `corridor simulate <scenario ${results.scenario.name}> --seed ${results.seed}`));
      writeOut(out, html);
      console.log(`Report: ${out}`);
    });

  program
    .command("export")
    .description("export settled transfers in a banks' format")
    .argument("<results-json>", "results.json written by corridor simulate")
    .requiredOption("--format <format>", "pacs008 (ISO 20022 FIToFICustomerCreditTransfer, pacs.008.001.09)")
    .option("--out <file>", "where to write (default: pacs008.xml beside the results)")
    .action(async (file: string, o: { format: string; out?: string }) => {
      if (o.format !== "pacs008") throw new CorridorError("CORRIDOR_USAGE_INVALID", `unknown --format "${o.format}"; supported: pacs008`);
      const results = readResults(file);
      const { PACS008_MESSAGE, toPacs008 } = await import("../../report/pacs008.js");
      // toPacs008 refuses (CORRIDOR_EXPORT_INVALID) a document the official schema rejects: nothing is written then.
      const xml = await fromResults(file, () => toPacs008(results));
      const out = resolve(o.out ?? resolve(dirname(file), "pacs008.xml"));
      writeOut(out, xml);
      console.log(`${PACS008_MESSAGE}: ${out} (${(xml.match(/<CdtTrfTxInf>/g) ?? []).length} transactions, valid against the official ISO 20022 schema)`);
    });
}
