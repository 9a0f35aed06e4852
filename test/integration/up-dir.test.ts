/**
 * `corridor up` run again on the same `--dir`: it resumes the chains recorded there while their
 * nodes still run, refuses (CORRIDOR_UP_STALE_DIR, exit 2, the databases untouched) once they are
 * gone or replaced, and with `--fresh` moves the old state into `stale-<time>/` and starts new
 * chains on which a transfer settles. Real processes throughout: the CLI as users run it, anvil.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { portInUse, startLocalNode } from "../../src/live/nodes.js";
import { inspectUpDir } from "../../src/live/up-dir.js";
import { killGroup, runCorridor, startCorridorUp } from "../helpers/cli.js";
import { nextPort as freePort } from "../helpers/live.js";

const RECIPIENT = "0x1f811b4e74E1F9304d6446f644E781A248A13e15";
const ENV = { ...process.env, CORRIDOR_LOG_LEVEL: "error", NO_COLOR: "1", FORCE_COLOR: "0" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const run = (args: string[], timeoutMs = 60_000) => runCorridor(args, { env: ENV, timeoutMs });

const groups: number[] = [];
const startUp = (args: string[]) => startCorridorUp(args, { env: ENV, groups });

async function untilFree(ports: number[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (const p of ports) while (await portInUse(p)) {
    if (Date.now() > deadline) throw new Error(`port ${p} still in use`);
    await sleep(100);
  }
}

/** Sends 25.00 from us to uk and waits for `corridor status` to say settled. */
async function sendAndSettle(config: string): Promise<string> {
  const sent = await run(["send", "--from", "us", "--to", "uk", "--amount", "25.00", "--recipient", RECIPIENT, "--config", config, "--originator-name", "Ada Lovelace", "--beneficiary-name", "Grace Hopper"]);
  expect(sent.status, sent.stderr).toBe(0);
  const id = /Transfer id: (0x[0-9a-f]{64})/.exec(sent.stdout)?.[1];
  expect(id, sent.stdout).toBeDefined();
  const deadline = Date.now() + 30_000;
  let last = "";
  while (Date.now() < deadline) {
    const s = await run(["status", id!, "--config", config]);
    last = s.stdout + s.stderr;
    if (s.status === 0 && /: settled \(on chain: (settled|finalized)\)/.test(s.stdout)) return id!;
    await sleep(500);
  }
  throw new Error(`transfer ${id} did not settle: ${last}`);
}

const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const dbFiles = (dir: string) => readdirSync(dir).filter((f) => /^(relayer|operator)\.db(-wal|-shm)?$|^(live|chains)\.json$/.test(f)).sort();

const dir = mkdtempSync(join(tmpdir(), "corridor-up-dir-"));
afterAll(() => {
  for (const g of groups) killGroup(g);
  rmSync(dir, { recursive: true, force: true });
});

describe("corridor up on an existing --dir", () => {
  it("resumes live chains, refuses dead or replaced ones (exit 2, state untouched), and --fresh archives and starts anew", async () => {
    const [us, uk, operator, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const flags = ["--dir", dir, "--node", "anvil", "--us-port", String(us), "--uk-port", String(uk), "--operator-port", String(operator), "--metrics-port", String(metrics), "--accounts", "1"];
    const config = join(dir, "live.json");

    // 1. First up; then only the CLI dies (SIGKILL to its pid): its anvil nodes live on.
    const first = await startUp(flags);
    expect(first.stdout).toContain("Corridor is up (anvil nodes)");
    expect(existsSync(join(dir, "chains.json"))).toBe(true);
    await new Promise<void>((r) => {
      first.child.once("exit", () => r());
      first.child.kill("SIGKILL");
    });
    expect(await portInUse(us)).toBe(true);

    // 2. Up again: the same chains answer, so it resumes without deploying, and a transfer settles.
    const gatewayBefore = JSON.parse(readFileSync(config, "utf8")).deployment.chains.us.gateway;
    const second = await startUp(flags);
    expect(second.stdout).toContain("resumed");
    expect(JSON.parse(readFileSync(config, "utf8")).deployment.chains.us.gateway).toBe(gatewayBefore);
    await sendAndSettle(config);

    // 3. Everything dies (both process groups: CLIs and nodes).
    for (const g of groups.splice(0)) killGroup(g);
    await untilFree([us, uk, operator]);
    const before = Object.fromEntries(dbFiles(dir).map((f) => [f, digest(join(dir, f))]));
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["chains.json", "live.json", "operator.db", "relayer.db"]));

    // 4a. Up on the same dir with the nodes gone: refused, exit 2, nothing touched.
    const refused = await run(["up", ...flags]);
    expect(refused.status, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain("CORRIDOR_UP_STALE_DIR");
    expect(refused.stderr).toContain("--fresh");
    expect(refused.stderr).toContain("no node answers");
    expect(Object.fromEntries(dbFiles(dir).map((f) => [f, digest(join(dir, f))]))).toEqual(before);
    expect(readdirSync(dir).some((f) => f.startsWith("stale-"))).toBe(false);
    expect(await portInUse(us)).toBe(false);

    // 4b. New nodes on the same ports, same chain ids (other genesis): not the recorded chains either.
    const impostors = await Promise.all([startLocalNode("anvil", "us", us, { chainId: 31_001 }), startLocalNode("anvil", "uk", uk, { chainId: 31_002 })]);
    try {
      const state = await inspectUpDir(dir);
      expect(state.kind).toBe("stale");
      expect(state.kind === "stale" && state.problems.join("; ")).toContain("is another chain");
    } finally {
      await Promise.all(impostors.map((n) => n.stop()));
    }
    await untilFree([us, uk]);
    expect(Object.fromEntries(dbFiles(dir).map((f) => [f, digest(join(dir, f))]))).toEqual(before);

    // 5. --fresh: the old state moves into stale-<time>/ byte for byte, new chains start, a transfer settles.
    const fresh = await startUp([...flags, "--fresh"]);
    expect(fresh.stdout).toContain("Moved the earlier corridor's state");
    const stale = readdirSync(dir).filter((f) => f.startsWith("stale-"));
    expect(stale).toHaveLength(1);
    expect(Object.fromEntries(dbFiles(join(dir, stale[0]!)).map((f) => [f, digest(join(dir, stale[0]!, f))]))).toEqual(before);
    const id = await sendAndSettle(config);
    expect(id).toMatch(/^0x/);
  }, 150_000);
});
