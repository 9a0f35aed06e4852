/** Runs the `corridor` command as a user would (the package's own Node), for tests of the CLI. */
import { spawn } from "node:child_process";
import { packagePath } from "../../src/paths.js";

export const NODE = packagePath("node_modules", ".bin", "node");
export const CLI = packagePath("bin", "corridor.mjs");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One `corridor …` command to completion: its exit status and output (killed after `timeoutMs`). */
export function runCorridor(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [CLI, ...args], { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
