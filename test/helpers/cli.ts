/** Runs the `corridor` command as a user would (the package's own Node), for tests of the CLI. */
import { spawn, type ChildProcess } from "node:child_process";
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

/** A running `corridor up`, in its own process group (the nodes it starts join it). */
export interface CorridorUp {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

/** Starts `corridor up …` detached (its own process group) and resolves once it prints that it is up. */
export function startCorridorUp(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; groups?: number[] } = {}): Promise<CorridorUp> {
  const child = spawn(NODE, [CLI, "up", ...args], { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env, detached: true });
  opts.groups?.push(child.pid!);
  const up: CorridorUp = { child, stdout: "", stderr: "" };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`corridor up did not come up in ${timeoutMs / 1000} s\n${up.stdout}\n${up.stderr}`)), timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      up.stdout += d.toString("utf8");
      if (up.stdout.includes("Stop with Ctrl-C")) {
        clearTimeout(timer);
        resolve(up);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (up.stderr += d.toString("utf8")));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`corridor up exited with ${code}\n${up.stdout}\n${up.stderr}`));
    });
  });
}

/** SIGKILL to a whole process group (a `corridor up` and the nodes it started); no error if it is gone. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    /* already gone */
  }
}
