import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { http, type EIP1193RequestFn } from "viem";
import { getIpcRpcClient, ipc } from "viem/node";
import type { Chain } from "./chain.js";
import { chainFromProvider } from "./chain.js";
import { CorridorError } from "../domain/errors.js";
import { packagePath } from "../paths.js";
import { StateJournal } from "./state-journal.js";

/**
 * A chain in an anvil child process whose history is bounded: anvil keeps the state of its last
 * few blocks (`--prune-history`, `CHAIN_STATES`) and the transactions, receipts and logs of the last
 * `keepBlocks` blocks (`--transaction-block-keeper`); older ones are dropped. Reads at blocks down to
 * `history` below the head are served through a journal of what each block changed
 * (src/chains/state-journal.ts): anvil keeps a full copy of the state per remembered block, so
 * remembering 193 of them would cost 193 copies of a state that grows with every transfer. Hardhat's in-process
 * EDR keeps every block, receipt and state diff of the run (~31 KB per transfer on the high-volume
 * day), so long simulations run their chains here instead (src/sim/simulate.ts picks it).
 *
 * Configured like the embedded chains (hardhat.config.ts's `corridor` network, Hardhat 3 defaults):
 * the Osaka hardfork, a 60M block gas limit, blocks with the same timestamp allowed (anvil's
 * `evm_mine` accepts them), so a run's transactions, gas and simulated times are the same on
 * either. Its RSS is the child's own: count it with the Node process's.
 */
export interface AnvilChainOptions {
  chainId: number;
  /** Genesis timestamp (unix seconds): set-up blocks follow it, as on an embedded chain with `initialDate`. */
  genesisTimestamp?: number;
  /** How deep below the head reads may go: at least the deepest historical read (the tier's depth) plus a margin. */
  history: number;
  /** Blocks whose transactions, receipts and logs are kept (default: `history`): at least as far back as any receipt or log read. */
  keepBlocks?: number;
  /** JSON-RPC over a Unix socket (default) or HTTP on 127.0.0.1. */
  transport?: "ipc" | "http";
}

/** Hardhat 3's defaults for an `edr-simulated` L1 network, which hardhat.config.ts's `corridor` network keeps. */
const EDR_HARDFORK = "osaka";
const EDR_BLOCK_GAS_LIMIT = 60_000_000;
/** Block states anvil itself keeps: the head and its parent (re-executed to journal the head), with slack. */
export const CHAIN_STATES = 6;

/** The anvil binary of @foundry-rs/anvil's platform package (no Node wrapper process in between), or the wrapper if absent. */
export function anvilCommand(): { cmd: string; args: string[] } {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const binary = packagePath("node_modules", "@foundry-rs", `anvil-${process.platform}-${arch}`, "bin", "anvil");
  if (existsSync(binary)) return { cmd: binary, args: [] };
  return { cmd: process.execPath, args: [packagePath("node_modules", "@foundry-rs", "anvil", "bin.mjs")] };
}

/** A free TCP port on 127.0.0.1 (anvil always serves HTTP, even beside IPC). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Children still running, killed when this process exits however it exits (an error, a signal). */
const running = new Set<ChildProcess>();
let hooked = false;
function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      for (const c of running) c.kill("SIGKILL");
      // Then die of the signal as if nobody had listened (the default behaviour).
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/** Starts an anvil child process for the chain `name` and connects to it. `close()` stops it. */
export async function startAnvilChain(name: string, opts: AnvilChainOptions): Promise<Chain> {
  const transport = opts.transport ?? "ipc";
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "corridor-anvil-"));
  const ipcPath = join(dir, "anvil.ipc");
  const { cmd, args } = anvilCommand();
  const history = Math.max(1, Math.ceil(opts.history));
  const keep = Math.max(history, Math.ceil(opts.keepBlocks ?? history));
  const child = spawn(
    cmd,
    [
      ...args,
      "--host", "127.0.0.1",
      "--port", String(port),
      "--chain-id", String(opts.chainId),
      "--hardfork", EDR_HARDFORK,
      "--gas-limit", String(EDR_BLOCK_GAS_LIMIT),
      // No base fee until blocks fill past the target: the set-up's automined blocks (how many
      // transactions each holds depends on timing) then leave the same fee level at every run.
      "--block-base-fee-per-gas", "0",
      "--prune-history", String(CHAIN_STATES),
      "--transaction-block-keeper", String(keep),
      "--accounts", "1",
      "--no-request-size-limit",
      "--silent",
      ...(opts.genesisTimestamp !== undefined ? ["--timestamp", String(opts.genesisTimestamp)] : []),
      ...(transport === "ipc" ? ["--ipc", ipcPath] : []),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  killOnExit(child);
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-2000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = (why: string) => new CorridorError("CORRIDOR_NODE_FAILED", `anvil for chain "${name}" ${why}${stderr.trim() ? `: ${stderr.trim()}` : ""}`, { name, port });
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    // Up once it answers over HTTP (the IPC socket is created at the same time).
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw failed(`exited (${child.exitCode ?? child.signalCode})`);
      try {
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
        if (((await res.json()) as { result?: string }).result && (transport === "http" || existsSync(ipcPath))) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw failed(`did not answer on ${url}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const t = transport === "ipc" ? ipc(ipcPath, { timeout: 600_000, retryCount: 0 })({}) : http(url, { timeout: 600_000, retryCount: 0 })({});
    const request = t.request as unknown as EIP1193RequestFn;
    const journal = new StateJournal((method, params) => request({ method, params } as never), { keepBlocks: history, chainStates: CHAIN_STATES });
    return await chainFromProvider({
      name,
      kind: "anvil",
      endpoint: transport === "ipc" ? `anvil:${ipcPath}` : `anvil:${url}`,
      provider: { request: (a) => journal.request(a.method, (a.params ?? []) as readonly unknown[]) },
      close: async () => {
        if (transport === "ipc") (await getIpcRpcClient(ipcPath)).close();
        await stop();
      },
    });
  } catch (err) {
    await stop();
    throw err;
  }
}
