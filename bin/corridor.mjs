#!/usr/bin/env node
// The `corridor` command. Runs the TypeScript sources through tsx on Node 22 or later
// (Hardhat 3 needs it). If started by an older Node, re-runs itself on the Node 22 that the
// npm `node` package installed into node_modules/.bin.
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (Number(process.versions.node.split(".")[0]) < 22) {
  const node = join(root, "node_modules", ".bin", "node");
  if (!existsSync(node)) {
    console.error(`corridor needs Node 22 or later (this is ${process.version}); run \`npm install\` in ${root} first.`);
    process.exit(2);
  }
  const r = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
// The contracts are compiled on install (postinstall); if they are missing (installed with
// --ignore-scripts, or artifacts/ deleted) compile them now rather than fail on first use.
if (!existsSync(join(root, "artifacts", "contracts", "CorridorGateway.sol", "CorridorGateway.json"))) {
  console.error("corridor: compiling the contracts first (once; `npm run build:contracts` does the same)");
  const hardhat = realpathSync(join(root, "node_modules", ".bin", "hardhat"));
  const r = spawnSync(process.execPath, [hardhat, "build", "--quiet"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    console.error("corridor: compiling the contracts failed; `npm run build:contracts` shows why");
    process.exit(r.status ?? 1);
  }
}
// node:sqlite is stable in practice but still flagged experimental on Node 22: keep the notice out of users' output.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => (String(warning).includes("SQLite") ? undefined : emitWarning.call(process, warning, ...rest));
const { register } = await import("tsx/esm/api");
register();
await import(join(root, "src", "cli", "main.ts"));
