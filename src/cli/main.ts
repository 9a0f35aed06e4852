import { Command, CommanderError } from "commander";
import { isCorridorError, type CorridorError } from "../domain/errors.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerSweep } from "./commands/sweep.js";
import { registerLive } from "./commands/live.js";
import { registerTransfer } from "./commands/transfer.js";
import { registerReport } from "./commands/report.js";

/** Exit statuses by error family: 2 for bad input, 3 for a failed check, 1 otherwise. */
export function exitStatus(e: CorridorError): number {
  if (/INVALID|MALFORMED|NOT_FOUND|USAGE|UNKNOWN/.test(e.code)) return 2;
  if (/CONSERVATION|DISCREPANCY/.test(e.code)) return 3;
  return 1;
}

/** Every command registers itself here: one file per command under commands/. */
const COMMANDS: ((program: Command) => void)[] = [registerSimulate, registerSweep, registerLive, registerTransfer, registerReport];

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("corridor")
    .description("Stablecoin corridor settlement simulator: tUSD on a US chain, tGBP on a UK chain, a relayer between them.")
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
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

// Daemons keep the process alive themselves; a finished command sets the exit code.
const code = await main(process.argv.slice(2));
if (process.exitCode === undefined) process.exitCode = code;
