/**
 * What `corridor up` finds in its `--dir`, and what it may do with it.
 *
 * The relayer's and the operator's SQLite databases belong to the chains they were written
 * against: the relayer's cursor, the transfers it knows, the reviews held. Used with other chains
 * (a node restarted from genesis deploys the same addresses, since the keys are deterministic),
 * they silently hide new transfers. So `corridor up` either resumes the very chains recorded in
 * the dir, or refuses, or (with `--fresh`) moves the old state aside and starts new chains.
 *
 * A chain counts as the same one when its node still answers at the recorded endpoint with the
 * recorded chain id, its genesis block and deployment block have the hashes recorded in
 * `chains.json` at the first `corridor up` (genesis carries the node's start time, so a restarted
 * node has another), and the gateway still has code at the recorded address.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CorridorError } from "../domain/errors.js";
import type { Chain } from "../chains/chain.js";
import { getBlock } from "../chains/mining.js";
import { loadLiveConfig, type LiveConfig } from "./config.js";

export const LIVE_FILE = "live.json";
export const FINGERPRINT_FILE = "chains.json";
/** The files of one corridor's state in its dir (SQLite's WAL and shared-memory files included). */
const STATE_FILE = /^(live\.json|chains\.json|(relayer|operator)\.db(-wal|-shm|-journal)?)$/;

const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const ChainFingerprintSchema = z.object({
  url: z.string(),
  chainId: z.number().int().positive(),
  genesisHash: hash,
  deployBlock: z.object({ number: z.number().int().nonnegative(), hash }),
});
const FingerprintsSchema = z.object({ version: z.literal(1), createdAt: z.string(), chains: z.record(z.string(), ChainFingerprintSchema) });
export type Fingerprints = z.infer<typeof FingerprintsSchema>;

/** Reads each chain's genesis hash and the hash of its deployment block (the config's startBlock). */
export async function fingerprintChains(chains: Record<string, Chain>, config: LiveConfig): Promise<Fingerprints> {
  const entries = await Promise.all(
    Object.entries(chains).map(async ([name, chain]) => {
      const startBlock = config.deployment.chains[name]!.startBlock;
      const [genesis, deploy] = await Promise.all([getBlock(chain, 0), getBlock(chain, startBlock)]);
      return [name, { url: config.chains[name]!.url, chainId: chain.chainId, genesisHash: genesis.hash, deployBlock: { number: deploy.number, hash: deploy.hash } }] as const;
    }),
  );
  return { version: 1, createdAt: new Date().toISOString(), chains: Object.fromEntries(entries) };
}

export function writeFingerprints(dir: string, f: Fingerprints): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, FINGERPRINT_FILE);
  writeFileSync(file, JSON.stringify(f, null, 2) + "\n");
  return file;
}

export type DirState =
  /** Nothing of a corridor in the dir: start new chains. */
  | { kind: "empty" }
  /** The recorded chains are still there: start the services against them and the same databases. */
  | { kind: "resumable"; config: LiveConfig; files: string[] }
  /** State from chains that are gone (or cannot be checked). */
  | { kind: "stale"; files: string[]; problems: string[] };

/** One JSON-RPC call with a short timeout and no retries (a dead node should be found quickly). */
async function rpc<T>(url: string, method: string, params: unknown[], timeoutMs: number): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = (await res.json()) as { result?: T; error?: { message?: string } };
  if (json.error || json.result === undefined) throw new Error(json.error?.message ?? `no result for ${method}`);
  return json.result;
}

/** Why one recorded chain is not the one answering at its endpoint now, or undefined if it is. */
async function checkChain(name: string, config: LiveConfig, fp: z.infer<typeof ChainFingerprintSchema> | undefined, timeoutMs: number): Promise<string | undefined> {
  const url = config.chains[name]!.url;
  const d = config.deployment.chains[name]!;
  if (!fp) return `${name}: ${FINGERPRINT_FILE} has no record of this chain`;
  if (fp.url !== url) return `${name}: ${LIVE_FILE} names ${url} but ${FINGERPRINT_FILE} recorded ${fp.url}`;
  let chainId: number;
  try {
    chainId = Number(await rpc<string>(url, "eth_chainId", [], timeoutMs));
  } catch {
    return `${name}: no node answers at ${url}`;
  }
  if (chainId !== d.chainId || chainId !== fp.chainId) return `${name}: the node at ${url} has chain id ${chainId}, expected ${d.chainId}`;
  const block = (n: number) => rpc<{ hash: string } | null>(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false], timeoutMs).catch(() => null);
  const genesis = await block(0);
  if (genesis?.hash?.toLowerCase() !== fp.genesisHash.toLowerCase()) return `${name}: the node at ${url} is another chain (genesis ${genesis?.hash ?? "unreadable"}, recorded ${fp.genesisHash})`;
  const deploy = await block(fp.deployBlock.number);
  if (deploy?.hash?.toLowerCase() !== fp.deployBlock.hash.toLowerCase()) return `${name}: the node at ${url} no longer has the deployment block ${fp.deployBlock.number} (${fp.deployBlock.hash})`;
  const code = await rpc<string>(url, "eth_getCode", [d.gateway, "latest"], timeoutMs).catch(() => "0x");
  if (!code || code === "0x") return `${name}: no gateway code at ${d.gateway} on ${url}`;
  return undefined;
}

/** Looks at `dir` (without opening its databases) and says whether `corridor up` may resume there. */
export async function inspectUpDir(dir: string, opts: { timeoutMs?: number } = {}): Promise<DirState> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => STATE_FILE.test(f)).sort() : [];
  if (files.length === 0) return { kind: "empty" };
  if (!files.includes(LIVE_FILE)) return { kind: "stale", files, problems: [`no ${LIVE_FILE} says which chains the databases belong to`] };
  let config: LiveConfig;
  try {
    config = loadLiveConfig(join(dir, LIVE_FILE));
  } catch (e) {
    return { kind: "stale", files, problems: [(e as Error).message] };
  }
  if (!files.includes(FINGERPRINT_FILE)) return { kind: "stale", files, problems: [`no ${FINGERPRINT_FILE} (the chains' genesis hashes, written by corridor up) to check the chains against`] };
  let fingerprints: Fingerprints;
  try {
    fingerprints = FingerprintsSchema.parse(JSON.parse(readFileSync(join(dir, FINGERPRINT_FILE), "utf8")));
  } catch (e) {
    return { kind: "stale", files, problems: [`${FINGERPRINT_FILE} cannot be read: ${(e as Error).message.split("\n")[0]}`] };
  }
  const problems = (await Promise.all(Object.keys(config.chains).map((n) => checkChain(n, config, fingerprints.chains[n], timeoutMs)))).filter((p): p is string => p !== undefined);
  return problems.length === 0 ? { kind: "resumable", config, files } : { kind: "stale", files, problems };
}

/** The refusal for a dir holding state from chains that are gone (exit status 2). */
export function staleDirError(dir: string, state: Extract<DirState, { kind: "stale" }>): CorridorError {
  return new CorridorError(
    "CORRIDOR_UP_STALE_DIR",
    `${dir} holds the state of an earlier corridor whose chains are gone (found ${state.files.join(", ")}; ${state.problems.join("; ")}). ` +
      `Its relayer and operator databases belong to those chains and would hide transfers on new ones, so they are not reused. ` +
      `Run \`corridor up --fresh\` with the same --dir to move them into ${join(dir, "stale-<time>")}/ and start new chains, or pass another --dir.`,
    { dir, files: state.files, problems: state.problems },
  );
}

/** Moves the corridor's state files from `dir` into a new `dir/stale-<ISO time>/` folder (never deletes); returns the folder. */
export function archiveUpDir(dir: string, now = new Date()): { folder: string; files: string[] } | undefined {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => STATE_FILE.test(f)) : [];
  if (files.length === 0) return undefined;
  const stamp = now.toISOString().replace(/:/g, "-");
  let folder = join(dir, `stale-${stamp}`);
  for (let i = 2; existsSync(folder); i++) folder = join(dir, `stale-${stamp}-${i}`);
  mkdirSync(folder, { recursive: true });
  for (const f of files) renameSync(join(dir, f), join(folder, f));
  return { folder, files };
}
