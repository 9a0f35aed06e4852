// Hardhat 3's simulated chains (EDR) load a native package chosen by
// platform, declared as an optional dependency that needs Node >= 22.
// `npm install` runs on the machine's own Node (20 here), so npm skips that
// optional package as "engine unsupported" even though every script then runs
// on the Node 22 that the npm `node` package provides. This postinstall step
// runs on that Node 22 (npm puts node_modules/.bin first on PATH) and installs
// the platform package when it is missing, so a fresh clone works with a plain
// `npm install`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (process.env.CORRIDOR_ENSURE_NATIVE === "running") process.exit(0);

const root = process.cwd();
const edrManifest = join(root, "node_modules", "@nomicfoundation", "edr", "package.json");
if (!existsSync(edrManifest)) process.exit(0); // not installed at all
const edr = JSON.parse(readFileSync(edrManifest, "utf8"));
const libc = process.platform === "linux"
  ? (process.report?.getReport()?.header?.glibcVersionRuntime ? "gnu" : "musl")
  : undefined;
const suffix = [process.platform, process.arch, libc].filter(Boolean).join("-");
const wanted = Object.entries(edr.optionalDependencies ?? {}).find(([name]) =>
  name.endsWith(`-${suffix}`) || (process.platform === "win32" && name.includes(`${process.platform}-${process.arch}`)),
);
if (!wanted) {
  console.warn(`[corridor] no EDR native package for ${suffix}; Hardhat's simulated chains may not load`);
  process.exit(0);
}
const [name, version] = wanted;
if (existsSync(join(root, "node_modules", ...name.split("/"), "package.json"))) process.exit(0);

console.log(`[corridor] installing ${name}@${version} (npm skipped it: it judged engines by the machine's Node)`);
// `npm pack` fetches just that package's tarball (from the cache or the registry) and it is unpacked in
// place: a nested `npm install` would re-resolve and rewrite the rest of node_modules.
const tmp = mkdtempSync(join(tmpdir(), "corridor-native-"));
try {
  const tarball = execFileSync("npm", ["pack", `${name}@${version}`, "--pack-destination", tmp, "--silent"], {
    encoding: "utf8",
    shell: process.platform === "win32",
    env: { ...process.env, CORRIDOR_ENSURE_NATIVE: "running" },
  }).trim().split(/\r?\n/).pop();
  const target = join(root, "node_modules", ...name.split("/"));
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", join(tmp, tarball), "-C", target, "--strip-components=1"], { stdio: "inherit" });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
