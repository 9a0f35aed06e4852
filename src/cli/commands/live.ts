import { resolve } from "node:path";
import type { Command } from "commander";
import type { Service } from "../../live/runtime.js";
import type { LiveConfig } from "../../live/config.js";
import { table } from "../table.js";
import { parseInteger, parsePort, parseTransferId } from "../options.js";
import { CorridorError } from "../../domain/errors.js";

const DEFAULT_CONFIG = ".corridor/live.json";

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

/** What `corridor up` prints once the services run: endpoints, addresses and the funded test accounts. */
function printUp(how: string, file: string, config: LiveConfig): void {
  console.log(`Corridor is up (${how}). Config: ${file}\n`);
  console.log(table(["chain", "endpoint", "chain id", "gateway", "tUSD", "tGBP"], Object.entries(config.deployment.chains).map(([n, d]) => [n, config.chains[n as "us"]!.url, d.chainId, d.gateway, d.tokens.USD, d.tokens.GBP])));
  console.log(`\nOperator: ${config.operator.url}   Relayer metrics: http://127.0.0.1:${config.relayer.metricsPort}/metrics\n`);
  console.log("Funded test accounts (1,000,000 of the chain's home stablecoin each; test keys, never use them elsewhere):");
  console.log(table(["chain", "address", "private key"], config.accounts.map((a) => [a.chain, a.address, a.privateKey])));
  console.log(`\nTry: corridor send --from us --to uk --amount 250.00 --recipient ${config.accounts.find((a) => a.chain === "uk")?.address}`);
}

export function registerLive(program: Command): void {
  program
    .command("up")
    .description("start two local nodes, deploy the corridor, and run the operator and the relayer against them (or resume the corridor recorded in --dir if its nodes still run)")
    .option("--node <kind>", "hardhat (default) or anvil", "hardhat")
    .option("--us-port <port>", "JSON-RPC port of the US chain", parsePort("--us-port"), 8545)
    .option("--uk-port <port>", "JSON-RPC port of the UK chain", parsePort("--uk-port"), 8546)
    .option("--operator-port <port>", "operator HTTP port", parsePort("--operator-port"), 8547)
    .option("--metrics-port <port>", "relayer metrics port", parsePort("--metrics-port"), 9464)
    .option("--dir <dir>", "where to keep the config and databases", ".corridor")
    .option("--fresh", "move an earlier corridor's state in --dir into --dir/stale-<time>/ and start new chains")
    .option("--accounts <n>", "funded test accounts per chain", parseInteger("--accounts", 1, 100), 3)
    .action(async (o: { node: string; usPort: number; ukPort: number; operatorPort: number; metricsPort: number; dir: string; fresh?: boolean; accounts: number }) => {
      if (o.node !== "hardhat" && o.node !== "anvil") throw new CorridorError("CORRIDOR_USAGE_INVALID", `--node must be hardhat or anvil, got "${o.node}"`);
      const ports = [o.usPort, o.ukPort, o.operatorPort, o.metricsPort];
      if (new Set(ports).size !== ports.length) throw new CorridorError("CORRIDOR_USAGE_INVALID", `the four ports must differ (--us-port ${o.usPort}, --uk-port ${o.ukPort}, --operator-port ${o.operatorPort}, --metrics-port ${o.metricsPort})`);
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

      await portFree(o.usPort, "--us-port");
      await portFree(o.ukPort, "--uk-port");
      await portFree(o.operatorPort, "--operator-port");
      if (o.fresh) {
        const moved = upDir.archiveUpDir(dir);
        if (moved) console.log(`Moved the earlier corridor's state (${moved.files.join(", ")}) into ${moved.folder}\n`);
      }
      const { config, nodes, corridor } = await bringUp({
        node: o.node,
        ports: { us: o.usPort, uk: o.ukPort, operator: o.operatorPort, metrics: o.metricsPort },
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
    .description("read both chains and check the books: per route value in = out + refunds + in flight; exits 3 on a discrepancy")
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
