import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import { renderReport } from "../../report/html.js";
import { toPacs008, validatePacs008 } from "../../report/pacs008.js";
import { loadG20Targets } from "../../report/g20-targets.js";
import type { SimulationResults } from "../../sim/results.js";

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
  const r = json as Partial<SimulationResults>;
  if (!r || typeof r !== "object" || !r.summary || !Array.isArray(r.transfers) || !r.scenario) {
    throw new CorridorError("CORRIDOR_RESULTS_INVALID", `${file} is not a corridor results.json (expected scenario, summary and transfers)`, { file });
  }
  return r as SimulationResults;
}

/** The report for a results object, as `corridor simulate` and `corridor report` write it. */
export function writeReport(results: SimulationResults, file: string, command: string): void {
  writeFileSync(file, renderReport(results, { command, targets: loadG20Targets() }));
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description("write the self-contained HTML report for a results.json")
    .argument("<results-json>", "results.json written by corridor simulate")
    .option("--out <file>", "where to write (default: report.html beside the results)")
    .action((file: string, o: { out?: string }) => {
      const results = readResults(file);
      const out = resolve(o.out ?? resolve(dirname(file), "report.html"));
      writeReport(results, out, `corridor simulate <scenario ${results.scenario.name}> --seed ${results.seed}`);
      console.log(`Report: ${out}`);
    });

  program
    .command("export")
    .description("export settled transfers in a banks' format")
    .argument("<results-json>", "results.json written by corridor simulate")
    .requiredOption("--format <format>", "pacs008 (ISO 20022 FIToFICustomerCreditTransfer)")
    .option("--out <file>", "where to write (default: pacs008.xml beside the results)")
    .action((file: string, o: { format: string; out?: string }) => {
      if (o.format !== "pacs008") throw new CorridorError("CORRIDOR_USAGE_INVALID", `unknown --format "${o.format}"; supported: pacs008`);
      const xml = toPacs008(readResults(file));
      const check = validatePacs008(xml);
      if (!check.ok) throw new CorridorError("CORRIDOR_EXPORT_INVALID", `the pacs.008 document failed validation:\n${check.errors.join("\n")}`);
      const out = resolve(o.out ?? resolve(dirname(file), "pacs008.xml"));
      writeFileSync(out, xml);
      console.log(`pacs.008: ${out} (${(xml.match(/<CdtTrfTxInf>/g) ?? []).length} transactions, validated)`);
    });
}
