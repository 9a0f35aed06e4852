/**
 * `npm run demo`: a live corridor and its dashboard on http://127.0.0.1:8080/.
 *
 *   npm run demo -- --port 9000 --seed 7 --rate 60
 *   npm run demo -- --chains us,uk,eu
 *
 * Options: --port (or PORT; default 8080), --host (default 127.0.0.1), --seed (default 1),
 * --rate (payments per minute at start, default 30), --token (the controls' token when --host is
 * not a loopback address; else CORRIDOR_DEMO_TOKEN, else a random one, printed), --chains (preset
 * chain names, comma-separated, at least two; default the preset corridor, src/spec/presets.ts).
 * Stops on Ctrl-C.
 */
import { parseArgs } from "node:util";
import { z } from "zod";

// node:sqlite is stable in practice but still flagged experimental on Node 22: keep the notice out of the output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) =>
  String(warning).includes("SQLite") ? undefined : (emitWarning as (...a: unknown[]) => void)(warning, ...rest)) as typeof process.emitWarning;

const { startDemoServer } = await import("../src/server/server.js");
const { createLogger } = await import("../src/logger.js");
const { isCorridorError } = await import("../src/domain/errors.js");

const OptionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
  seed: z.coerce.number().int().nonnegative(),
  rate: z.coerce.number().min(0).max(600),
  token: z.string().optional(),
  chains: z
    .string()
    .regex(/^[a-z][a-z0-9]*(,[a-z][a-z0-9]*)+$/, "expected two or more chain names, comma-separated")
    .transform((v) => v.split(","))
    .optional(),
});

function options() {
  const { values } = parseArgs({
    options: { port: { type: "string" }, host: { type: "string" }, seed: { type: "string" }, rate: { type: "string" }, token: { type: "string" }, chains: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: false,
  });
  if (values.help) {
    console.log("usage: npm run demo -- [--port N] [--host ADDR] [--seed N] [--rate PER_MINUTE] [--token TOKEN] [--chains NAME,NAME,...]");
    process.exit(0);
  }
  const unknown = Object.keys(values).filter((k) => !["port", "host", "seed", "rate", "token", "chains", "help"].includes(k));
  if (unknown.length > 0) {
    console.error(`error [CORRIDOR_USAGE_UNKNOWN_OPTION]: unknown option --${unknown[0]}; expected --port, --host, --seed, --rate, --token, --chains`);
    process.exit(2);
  }
  const parsed = OptionsSchema.safeParse({ port: values.port ?? process.env.PORT ?? 8080, host: values.host ?? "127.0.0.1", seed: values.seed ?? 1, rate: values.rate ?? 30, token: values.token, chains: values.chains });
  if (!parsed.success) {
    for (const i of parsed.error.issues) console.error(`error [CORRIDOR_USAGE_INVALID]: --${i.path.join(".")}: ${i.message}`);
    process.exit(2);
  }
  return parsed.data;
}

const o = options();
const logger = createLogger({ level: process.env.CORRIDOR_LOG_LEVEL ?? "warn" });
console.log(`Starting the corridor: ${o.chains ? `${o.chains.length} local chains (${o.chains.join(", ")})` : "the preset local chains"}, contracts, liquidity, operator and relayer…`);
try {
  const demo = await startDemoServer({
    port: o.port,
    host: o.host,
    token: o.token,
    logger,
    corridor: { seed: o.seed, settings: { arrivalPerMinute: o.rate }, ...(o.chains ? { chains: o.chains } : {}) },
    onListening: (url) => console.log(`Dashboard: ${url}  (the corridor is still starting)`),
  });
  console.log(`Ready. Open ${demo.openUrl} in a browser. Ctrl-C stops the demo.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await demo.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
} catch (err) {
  console.error(isCorridorError(err) ? `${err.message} (${err.code})` : err);
  process.exit(1);
}
