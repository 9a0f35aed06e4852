import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { CorridorError } from "../../domain/errors.js";
import { createLogger } from "../../logger.js";
import { loadScenario } from "../../sim/scenario.js";
import { simulate } from "../../sim/simulate.js";
import { toJson } from "../../sim/results.js";
import { formatSummary } from "../summary.js";
import { parseSeed } from "../options.js";

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("run a scenario on two embedded chains under virtual time and write results.json")
    .argument("<scenario-file>", "scenario JSON file (see scenarios/)")
    .option("--seed <n>", "override the scenario's seed", parseSeed)
    .option("--out <dir>", "output folder", "out")
    .option("--quiet", "print nothing but errors")
    .action(async (file: string, o: { seed?: number; out: string; quiet?: boolean }) => {
      const scenario = loadScenario(file);
      const logger = createLogger();
      const results = await simulate({
        scenario,
        scenarioDir: dirname(resolve(file)),
        seed: o.seed,
        logger,
        onProgress: (done, total) => {
          if (!o.quiet && process.stderr.isTTY) process.stderr.write(`\r  ${done}/${total} transfers final`);
        },
      });
      if (!o.quiet && process.stderr.isTTY) process.stderr.write("\n");
      const dir = resolve(o.out);
      mkdirSync(dir, { recursive: true });
      const { audit, ...rest } = results;
      writeFileSync(resolve(dir, "results.json"), toJson(rest) + "\n");
      writeFileSync(resolve(dir, "audit.json"), toJson(audit) + "\n");
      if (!o.quiet) {
        console.log(formatSummary(rest));
        console.log(`\nResults: ${resolve(dir, "results.json")}`);
      }
      if (!results.summary.conservation.ok) {
        throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", "conservation check failed: on-chain balances do not match the transfer records");
      }
    });
}
