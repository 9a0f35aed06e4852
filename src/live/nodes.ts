import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { packagePath, PACKAGE_ROOT } from "../paths.js";
import { CorridorError } from "../domain/errors.js";

export type NodeKind = "hardhat" | "anvil";

export interface LocalNode {
  name: string;
  url: string;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** True if something already listens on 127.0.0.1:`port` (it cannot be bound). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(true));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(false)));
  });
}

/**
 * Starts a local JSON-RPC node on 127.0.0.1 for the spec's chain `name` with its `chainId`:
 * `hardhat node` (the generic `corridor` network of hardhat.config.ts) or anvil. Resolves once it answers.
 * Refuses a port already in use: the node that answers there would be another one (an earlier
 * corridor's, say), and the caller would deploy onto it believing it new.
 */
/** Block gas limit of local anvil nodes: EDR's default, so that a corridor behaves alike on both engines. */
export const BLOCK_GAS_LIMIT = 60_000_000;

export async function startLocalNode(kind: NodeKind, name: string, port: number, opts: { chainId: number; blockTimeSeconds?: number }): Promise<LocalNode> {
  const chainId = opts.chainId;
  if (await portInUse(port)) throw new CorridorError("CORRIDOR_NODE_FAILED", `cannot start the ${name} node: port ${port} on 127.0.0.1 is in use (another node, or an earlier corridor up still running?)`, { kind, name, port });
  const args =
    kind === "hardhat"
      ? // Run Hardhat's CLI on this process's Node (22), not whatever `node` is first on PATH.
        [process.execPath, [packagePath("node_modules", "hardhat", "dist", "src", "cli.js"), "node", "--network", "corridor", "--chain-id", String(chainId), "--port", String(port), "--hostname", "127.0.0.1"]]
      : // The embedded chains' block gas limit (EDR's 60M), not anvil's 30M: the same batches fit a block on either.
        [process.execPath, [packagePath("node_modules", "@foundry-rs", "anvil", "bin.mjs"), "--port", String(port), "--host", "127.0.0.1", "--chain-id", String(chainId), "--gas-limit", String(BLOCK_GAS_LIMIT), "--silent", ...(opts.blockTimeSeconds ? ["--block-time", String(opts.blockTimeSeconds)] : [])]];
  const child = spawn(args[0] as string, args[1] as string[], { cwd: PACKAGE_ROOT, stdio: ["ignore", "ignore", "pipe"], env: process.env });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new CorridorError("CORRIDOR_NODE_FAILED", `${kind} node for ${name} exited: ${stderr.trim()}`, { kind, name, port });
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      const json = (await res.json()) as { result?: string };
      if (json.result) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new CorridorError("CORRIDOR_NODE_FAILED", `${kind} node for ${name} did not answer on ${url}`, { kind, name, port });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name,
    url,
    chainId,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
