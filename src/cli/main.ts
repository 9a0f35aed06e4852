import { Command, CommanderError } from "commander";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerSweep } from "./commands/sweep.js";
import { registerWorker } from "./commands/worker.js";
import { registerLive } from "./commands/live.js";
import { registerTransfer } from "./commands/transfer.js";
import { registerReport } from "./commands/report.js";
import { registerData } from "./commands/data.js";
import { registerSize } from "./commands/size.js";
import { UsageCode } from "./options.js";

/**
 * Exit statuses by error family: 2 for bad input (a `--dir` holding another corridor's state,
 * `STALE`, included: the user must choose `--fresh` or another dir), 3 for a failed check, 1 otherwise.
 */
export function exitStatus(e: CorridorError): number {
  if (/INVALID|MALFORMED|NOT_FOUND|USAGE|UNKNOWN|CHECKSUM|STALE/.test(e.code)) return 2;
  if (/CONSERVATION|DISCREPANCY/.test(e.code)) return 3;
  return 1;
}

/** Every command registers itself here: one file per command under commands/. */
const COMMANDS: ((program: Command) => void)[] = [registerSimulate, registerSweep, registerWorker, registerLive, registerTransfer, registerReport, registerData, registerSize];

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("corridor")
    .description("Stablecoin corridor settlement simulator: test stablecoins on local chains (as many as a scenario declares), an attesting operator and a relayer between them.")
    // Usage errors are printed by main() with a stable code, not by commander.
    .configureOutput({ outputError: () => {} })
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Commander's usage errors as stable codes. */
const COMMANDER_CODES: Record<string, string> = {
  "commander.unknownCommand": UsageCode.UnknownCommand,
  "commander.unknownOption": UsageCode.UnknownOption,
  "commander.missingArgument": UsageCode.MissingArgument,
  "commander.optionMissingArgument": UsageCode.MissingValue,
  "commander.missingMandatoryOptionValue": UsageCode.MissingOption,
  "commander.excessArguments": UsageCode.ExcessArguments,
  "commander.invalidArgument": UsageCode.Invalid,
  "commander.conflictingOption": UsageCode.Invalid,
  // A command that needs a sub-command, given none: commander has printed the help.
  "commander.help": UsageCode.MissingCommand,
};

/** The usage error for a CommanderError (exit 2), or undefined for help and version (exit 0). */
export function usageError(e: CommanderError): CorridorError | undefined {
  if (e.exitCode === 0) return undefined;
  const code = COMMANDER_CODES[e.code] ?? UsageCode.Invalid;
  const message = e.code === "commander.help" ? "give a command (see the list above)" : e.message.replace(/^error: /, "");
  return new CorridorError(code, message, { commander: e.code });
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      const err = usageError(e);
      if (!err) return 0;
      const command = argv.find((a) => !a.startsWith("-"));
      const known = command !== undefined && buildProgram().commands.some((c) => c.name() === command);
      console.error(`error [${err.code}]: ${err.message}\n(see \`corridor ${known ? `${command} ` : ""}--help\`)`);
      return 2;
    }
    if (isCorridorError(e)) {
      console.error(`error [${e.code}]: ${e.message}`);
      return exitStatus(e);
    }
    console.error(`error [CORRIDOR_INTERNAL]: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
}

// Daemons keep the process alive themselves; a finished command sets the exit code.
const code = await main(process.argv.slice(2));
if (process.exitCode === undefined) process.exitCode = code;
