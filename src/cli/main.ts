import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { createLogger } from "../logger.js";
import { loadScenario } from "../sim/scenario.js";
import { simulate } from "../sim/simulate.js";
import { toJson } from "../sim/results.js";
import { formatSummary } from "./summary.js";

/** Exit statuses by error family: 2 for bad input, 3 for a failed check, 1 otherwise. */
function exitStatus(e: CorridorError): number {
  if (/INVALID|MALFORMED|NOT_FOUND|USAGE/.test(e.code)) return 2;
  if (/CONSERVATION|DISCREPANCY/.test(e.code)) return 3;
  return 1;
}

function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
  return Number(v);
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("corridor")
    .description("Stablecoin corridor settlement simulator: tUSD on a US chain, tGBP on a UK chain, a relayer between them.")
    .showHelpAfterError()
    .exitOverride();

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
        console.log(formatSummary(results));
        console.log(`\nResults: ${resolve(dir, "results.json")}`);
      }
      if (!results.summary.conservation.ok) {
        throw new CorridorError("CORRIDOR_CONSERVATION_FAILED", "conservation check failed: on-chain balances do not match the transfer records");
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isCorridorError(e)) {
      console.error(`error [${e.code}]: ${e.message}`);
      return exitStatus(e);
    }
    console.error(`error [CORRIDOR_INTERNAL]: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
