import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Service } from "../../live/runtime.js";
import type { LiveConfig } from "../../live/config.js";
import { table } from "../table.js";
import { parseChainList, parseChainPort, parseInteger, parsePort, parseTransferId, UsageCode } from "../options.js";
import { DEFAULT_CHAIN_NAMES, PRESET_CHAINS } from "../../spec/presets.js";
import { CorridorError } from "../../domain/errors.js";
import { CorridorSpecInputSchema, resolveSpec, type CorridorSpecInput } from "../../spec/spec.js";

const DEFAULT_CONFIG = ".corridor/live.json";
const PRESET_CHAIN_NAMES = Object.keys(PRESET_CHAINS);

// Chains, services and their libraries load when a command runs (`corridor --help` and usage errors stay fast).
const logger = async () => (await import("../../logger.js")).createLogger({ level: process.env.CORRIDOR_LOG_LEVEL ?? "info" });
const loadLiveConfig = async (file: string) => (await import("../../live/config.js")).loadLiveConfig(file);

/** Keeps a daemon running until SIGINT or SIGTERM, then stops its services in order. */
function untilSignal(services: Service[], extra: () => Promise<void> = async () => {}): Promise<void> {
  return new Promise((done) => {
    const stop = async () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      for (const s of services) await s.stop().catch(() => {});
      await extra();
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** What `corridor up` prints once the services run: endpoints, addresses (a column per currency) and the funded test accounts. */
function printUp(how: string, file: string, config: LiveConfig): void {
  console.log(`Corridor is up (${how}). Config: ${file}\n`);
  const deployments = Object.entries(config.deployment.chains);
  const currencies = [...new Set(deployments.flatMap(([, d]) => Object.keys(d.tokens)))];
  console.log(
    table(
      ["chain", "endpoint", "chain id", "home", "gateway", ...currencies.map((c) => `t${c}`)],
      deployments.map(([n, d]) => [n, config.chains[n]!.url, d.chainId, d.home, d.gateway, ...currencies.map((c) => d.tokens[c] ?? "")]),
    ),
  );
  console.log(`\nOperator: ${config.operator.url}   Relayer metrics: http://127.0.0.1:${config.relayer.metricsPort}/metrics\n`);
  console.log("Funded test accounts (1,000,000 of the chain's home stablecoin each; test keys, never use them elsewhere):");
  console.log(table(["chain", "address", "private key"], config.accounts.map((a) => [a.chain, a.address, a.privateKey])));
  const [from, to] = Object.keys(config.chains);
  console.log(`\nTry: corridor send --from ${from} --to ${to} --amount 250.00 --recipient ${config.accounts.find((a) => a.chain === to)?.address}`);
}

/** A chain's port flag kept from the two-chain days (`--<chain>-port`): one per preset chain, the same as `--port <chain>=N`. */
const chainPortFlag = (name: string) => `--${name}-port`;
const chainPortKey = (name: string) => `${name}Port`;

interface UpFlags {
  node: string;
  chains?: string[];
  spec?: string;
  basePort: number;
  port?: Record<string, number>;
  operatorPort?: number;
  metricsPort: number;
  dir: string;
  fresh?: boolean;
  accounts: number;
  [chainPort: string]: unknown;
}

/** Each chain's port: `--port name=N`, else `--<name>-port`, else `--base-port` plus the chain's position. */
function chainPorts(names: string[], o: UpFlags): { ports: Record<string, number>; flags: Record<string, string> } {
  const ports: Record<string, number> = {};
  const flags: Record<string, string> = {};
  for (const [i, n] of names.entries()) {
    const legacy = o[chainPortKey(n)] as number | undefined;
    if (o.port?.[n] !== undefined) [ports[n], flags[n]] = [o.port[n]!, `--port ${n}=${o.port[n]}`];
    else if (legacy !== undefined) [ports[n], flags[n]] = [legacy, `${chainPortFlag(n)} ${legacy}`];
    else [ports[n], flags[n]] = [o.basePort + i, `--base-port ${o.basePort} + ${i}`];
  }
  for (const n of Object.keys(o.port ?? {})) if (!names.includes(n)) throw new CorridorError(UsageCode.UnknownChain, `--port: chain "${n}" is not one of --chains (${names.join(",")})`, { flag: "--port", chain: n });
  for (const n of PRESET_CHAIN_NAMES) {
    if (o[chainPortKey(n)] !== undefined && !names.includes(n)) throw new CorridorError(UsageCode.UnknownChain, `${chainPortFlag(n)}: chain "${n}" is not one of --chains (${names.join(",")})`, { flag: chainPortFlag(n), chain: n });
  }
  return { ports, flags };
}

export function registerLive(program: Command): void {
  const up = program
    .command("up")
    .description("start a local node per chain, deploy the corridor, and run the operator and the relayer against them (or resume the corridor recorded in --dir if its nodes still run)")
    .option("--node <kind>", "hardhat (default) or anvil", "hardhat")
    .option("--chains <names>", `the corridor's chains, comma-separated, at least two (known: ${PRESET_CHAIN_NAMES.join(", ")}; default ${DEFAULT_CHAIN_NAMES.join(",")})`, parseChainList("--chains"))
    .option("--spec <file>", "a corridor spec (JSON: chains, and currencies and jurisdictions beyond the presets) instead of --chains")
    .option("--base-port <port>", "JSON-RPC port of the first chain; the others take the next ports in --chains order", parsePort("--base-port"), 8545)
    .option("--port <chain=port>", "JSON-RPC port of one chain, e.g. --port eu=8600 (repeatable)", parseChainPort("--port"));
  for (const n of PRESET_CHAIN_NAMES) up.option(`${chainPortFlag(n)} <port>`, `JSON-RPC port of chain ${n} (same as --port ${n}=N)`, parsePort(chainPortFlag(n)));
  up.option("--operator-port <port>", "operator HTTP port (default: the port after the chains' with --base-port)", parsePort("--operator-port"))
    .option("--metrics-port <port>", "relayer metrics port", parsePort("--metrics-port"), 9464)
    .option("--dir <dir>", "where to keep the config and databases", ".corridor")
    .option("--fresh", "move an earlier corridor's state in --dir into --dir/stale-<time>/ and start new chains")
    .option("--accounts <n>", "funded test accounts per chain", parseInteger("--accounts", 1, 100), 3)
    .action(async (o: UpFlags) => {
      if (o.node !== "hardhat" && o.node !== "anvil") throw new CorridorError("CORRIDOR_USAGE_INVALID", `--node must be hardhat or anvil, got "${o.node}"`);
      if (o.spec && o.chains) throw new CorridorError("CORRIDOR_USAGE_INVALID", "give --chains or --spec, not both (a spec file names its chains)", { flags: ["--chains", "--spec"] });
      const specInput = o.spec ? readSpecFile(o.spec) : undefined;
      const names = specInput ? Object.keys(specInput.chains ?? {}) : (o.chains ?? [...DEFAULT_CHAIN_NAMES]);
      const unknown = specInput ? [] : names.filter((n) => !PRESET_CHAIN_NAMES.includes(n));
      if (unknown.length) {
        throw new CorridorError(
          UsageCode.UnknownChain,
          `--chains: ${unknown.map((n) => `"${n}"`).join(", ")} ${unknown.length === 1 ? "is not a chain" : "are not chains"} corridor up knows (${PRESET_CHAIN_NAMES.join(", ")}); a corridor of other chains runs from a live config of its own (corridor relayer/operator --config)`,
          { flag: "--chains", chains: unknown },
        );
      }
      const { ports: nodePorts, flags: portFlags } = chainPorts(names, o);
      const operatorPort = o.operatorPort ?? o.basePort + names.length;
      const ports = [...Object.values(nodePorts), operatorPort, o.metricsPort];
      if (new Set(ports).size !== ports.length) {
        const said = [...names.map((n) => `${n} ${nodePorts[n]} (${portFlags[n]})`), `operator ${operatorPort}`, `metrics ${o.metricsPort}`].join(", ");
        throw new CorridorError("CORRIDOR_USAGE_INVALID", `the ${ports.length} ports must differ (${said})`);
      }
      let spec: ReturnType<typeof resolveSpec>;
      try {
        spec = resolveSpec(specInput ?? { chains: Object.fromEntries(names.map((n) => [n, {}])) });
      } catch (e) {
        if (specInput) throw new CorridorError("CORRIDOR_SPEC_INVALID", `--spec ${o.spec}: ${(e as Error).message}`, { flag: "--spec", file: o.spec }, e);
        throw new CorridorError(UsageCode.UnknownChain, `--chains: ${(e as Error).message}`, { flag: "--chains", chains: names }, e);
      }
      const [log, { bringUp }, { writeLiveConfig }, { startOperatorService, startRelayerService, connectChains }, upDir, { portInUse }] = await Promise.all([
        logger(),
        import("../../live/up.js"),
        import("../../live/config.js"),
        import("../../live/runtime.js"),
        import("../../live/up-dir.js"),
        import("../../live/nodes.js"),
      ]);
      const dir = resolve(o.dir);
      const file = resolve(dir, upDir.LIVE_FILE);
      const portFree = async (port: number, what: string) => {
        if (await portInUse(port)) throw new CorridorError("CORRIDOR_UP_PORT_IN_USE", `port ${port} (${what}) on 127.0.0.1 is in use: is another corridor up running? Stop it, or choose other ports`, { port });
      };

      // The databases in --dir belong to the chains they were written against: resume those
      // chains, or refuse, or (--fresh) move the old state aside; never reuse it with new chains.
      const state = o.fresh ? undefined : await upDir.inspectUpDir(dir);
      if (state?.kind === "stale") throw upDir.staleDirError(dir, state);
      if (state?.kind === "resumable") {
        const config = state.config;
        const recorded = Object.keys(config.chains);
        if (o.chains && recorded.join(",") !== names.join(",")) {
          throw new CorridorError(
            UsageCode.Invalid,
            `--chains: ${dir} holds a running corridor of chains ${recorded.join(",")}, and --chains asks for ${names.join(",")}: pass --chains ${recorded.join(",")} (or none) to resume it, or another --dir for a new corridor`,
            { dir, recorded, asked: names },
          );
        }
        await portFree(config.operator.port, "the operator's, from live.json");
        const chains = await connectChains(config, 5);
        const operator = await startOperatorService(config, { logger: log, chains });
        const relayer = await startRelayerService(config, { logger: log, chains, operator: operator.operator });
        printUp(`resumed: the chains recorded in ${dir} still run, nothing deployed again`, file, config);
        console.log("Stop with Ctrl-C (the nodes were not started by this command and keep running).");
        await untilSignal([relayer, operator], async () => {
          await Promise.all(Object.values(chains).map((c) => c.close()));
        });
        return;
      }

      for (const n of names) await portFree(nodePorts[n]!, `chain ${n}'s, ${portFlags[n]}`);
      await portFree(operatorPort, "--operator-port");
      if (o.fresh) {
        const moved = upDir.archiveUpDir(dir);
        if (moved) console.log(`Moved the earlier corridor's state (${moved.files.join(", ")}) into ${moved.folder}\n`);
      }
      const { config, nodes, corridor } = await bringUp({
        node: o.node,
        spec,
        ports: { chains: nodePorts, operator: operatorPort, metrics: o.metricsPort },
        seed: "live",
        accounts: o.accounts,
        dir,
        logger: log,
        blockTimeSeconds: 1,
      });
      const stopAll = async () => {
        await corridor.close();
        await Promise.all(nodes.map((n) => n.stop()));
      };
      let services: Service[];
      try {
        // The chains' fingerprints first: a later corridor up checks the chains against them before resuming.
        upDir.writeFingerprints(dir, await upDir.fingerprintChains(corridor.chains, config));
        writeLiveConfig(file, config);
        const operator = await startOperatorService(config, { logger: log, chains: corridor.chains });
        const relayer = await startRelayerService(config, { logger: log, chains: corridor.chains, operator: operator.operator });
        services = [relayer, operator];
      } catch (e) {
        await stopAll();
        throw e;
      }
      printUp(`${o.node} nodes`, file, config);
      console.log("Stop with Ctrl-C.");
      await untilSignal(services, stopAll);
    });

  program
    .command("relayer")
    .description("run the relayer daemon against the endpoints in a config file")
    .option("--config <file>", "live config (written by corridor up)", DEFAULT_CONFIG)
    .option("--store <file>", "override the SQLite store path")
    .action(async (o: { config: string; store?: string }) => {
      const config = await loadLiveConfig(o.config);
      if (o.store) config.relayer.store = o.store;
      const { startRelayerService } = await import("../../live/runtime.js");
      const relayer = await startRelayerService(config, { logger: await logger() });
      await untilSignal([relayer]);
    });

  program
    .command("operator")
    .description("run the operator service (screening, quotes, attestations) against the endpoints in a config file")
    .option("--config <file>", "live config (written by corridor up)", DEFAULT_CONFIG)
    .action(async (o: { config: string }) => {
      const config = await loadLiveConfig(o.config);
      const { startOperatorService } = await import("../../live/runtime.js");
      const operator = await startOperatorService(config, { logger: await logger() });
      await untilSignal([operator]);
    });

  program
    .command("reconcile")
    .description("read every chain and check the books: per route value in = out + refunds + in flight; exits 3 on a discrepancy")
    .option("--config <file>", "live config (written by corridor up)", DEFAULT_CONFIG)
    .action(async (o: { config: string }) => {
      const config = await loadLiveConfig(o.config);
      const [{ connectChains }, { reconcile }, { fromBaseUnits }] = await Promise.all([import("../../live/runtime.js"), import("../../live/reconcile.js"), import("../../domain/money.js")]);
      const chains = await connectChains(config, 5);
      const r = await reconcile(chains, config.deployment as never);
      const u = (v: bigint) => fromBaseUnits(v).toFixed(2);
      console.log(table(["route", "sent", "settled (fees incl.)", "fees", "refunded", "in flight", "ok"], r.routes.map((x) => [x.route, u(x.sent), u(x.settled), u(x.fees), u(x.refunded), u(x.inFlight), x.ok ? "yes" : "NO"])));
      console.log("");
      console.log(table(["chain", "token", "check", "expected", "on chain", "ok"], r.tokens.map((t) => [t.chain, t.token, t.check, u(t.expected), u(t.actual), t.ok ? "yes" : "NO"])));
      for (const d of r.discrepancies) console.log(`DISCREPANCY ${d.kind}: ${d.detail}${d.transfers.length ? ` (${d.transfers.slice(0, 10).join(", ")}${d.transfers.length > 10 ? ", …" : ""})` : ""}`);
      await Promise.all(Object.values(chains).map((c) => c.close()));
      if (!r.ok) throw new CorridorError("CORRIDOR_DISCREPANCY", `${r.discrepancies.length} discrepancies in the books`);
      console.log("\nThe books balance.");
    });

  const review = program.command("review").description("manual review of held transfers (the operator's review desk, over its HTTP API with a reviewer's token)");
  /** The desk as one of the config's reviewers (`--as NAME`, or the first): who decides is recorded. */
  const desk = async (file: string, as?: string) => {
    const config = await loadLiveConfig(file);
    const reviewer = as === undefined ? config.operator.reviewers[0] : config.operator.reviewers.find((r) => r.name === as);
    if (!reviewer) throw new CorridorError("CORRIDOR_REVIEWER_UNKNOWN", as === undefined ? `${file} names no reviewer (operator.reviewers)` : `no reviewer named "${as}" in ${file}`);
    const { ReviewDeskClient } = await import("../../operator/http.js");
    return new ReviewDeskClient(config.operator.url, reviewer.token);
  };
  review
    .command("list")
    .option("--config <file>", "live config", DEFAULT_CONFIG)
    .option("--as <name>", "the reviewer (one of operator.reviewers in the config)")
    .option("--all", "include decided reviews")
    .action(async (o: { config: string; as?: string; all?: boolean }) => {
      const rows = await (await desk(o.config, o.as)).list(o.all ? "all" : "pending");
      console.log(
        rows.length === 0
          ? "No reviews pending."
          : table(
              ["transfer", "status", "reason", "held at", "decided by"],
              rows.map((r) => [r.id, r.review?.state ?? "", r.review?.reason ?? "", new Date((r.review?.openedAt ?? 0) * 1000).toISOString(), r.review?.by ?? ""]),
            ),
      );
    });
  for (const decision of ["approve", "deny"] as const) {
    review
      .command(decision)
      .argument("<id>", "transfer id (0x…)", parseTransferId())
      .option("--config <file>", "live config", DEFAULT_CONFIG)
      .option("--as <name>", "the reviewer (one of operator.reviewers in the config)")
      .action(async (id: string, o: { config: string; as?: string }) => {
        const r = await (await desk(o.config, o.as)).decide(id as `0x${string}`, decision);
        console.log(`${id}: ${decision === "approve" ? "approved; it will settle" : "denied; it will be refunded in full"} (by ${r.review?.by})`);
      });
  }
}

/** A corridor spec file for `corridor up --spec`: `{ chains, currencies?, jurisdictions? }` as in a scenario; errors name the file and field. */
function readSpecFile(file: string): CorridorSpecInput {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new CorridorError(missing ? "CORRIDOR_SPEC_NOT_FOUND" : "CORRIDOR_SPEC_MALFORMED", `--spec ${file}: ${missing ? "no such file" : (e as Error).message}`, { flag: "--spec", file }, e);
  }
  const r = CorridorSpecInputSchema.strict().safeParse(json);
  if (!r.success) throw new CorridorError("CORRIDOR_SPEC_INVALID", `--spec ${file} is invalid:\n${r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("\n")}`, { flag: "--spec", file, issues: r.error.issues });
  return r.data;
}
