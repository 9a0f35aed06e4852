/**
 * `npm run demo`: a live corridor and its dashboard on http://127.0.0.1:8080/.
 *
 *   npm run demo -- --port 9000 --seed 7 --rate 60
 *   npm run demo -- --chains us,uk,eu
 *   npm run demo -- --profile local --speed 1     (the instant local chains in real time)
 *
 * Options: --port (or PORT; default 8080), --host (default 127.0.0.1), --seed (default 1),
 * --rate (payments per minute at start, default 30), --token (the controls' token when --host is
 * not a loopback address; else CORRIDOR_DEMO_TOKEN, else a random one, printed), --chains (preset
 * chain names, comma-separated, at least two; default the preset corridor, src/spec/presets.ts),
 * --profile (the chain profile every chain runs, src/chains/profiles.ts; default ethereum: 12 s
 * blocks, Standard final after 2–3 epochs, 13–19 min), --speed (corridor time per wall time,
 * 1..600, default 60: a block every 200 ms on Ethereum, and every time on the dashboard is corridor
 * time). --rate stays payments per minute of wall time (at 60× speed, 30 a minute on screen are
 * 30 an hour of corridor time). Stops on Ctrl-C.
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
const { CHAIN_PROFILES } = await import("../src/chains/profiles.js");
const { MAX_TIME_SCALE } = await import("../src/server/live-corridor.js");

const PROFILES = Object.keys(CHAIN_PROFILES);
const OPTIONS = ["port", "host", "seed", "rate", "token", "chains", "profile", "speed", "help"];
const USAGE = `usage: npm run demo -- [--port N] [--host ADDR] [--seed N] [--rate PER_MINUTE] [--token TOKEN] [--chains NAME,NAME,...] [--profile NAME] [--speed N]

  --profile NAME  the chain profile every chain runs: ${PROFILES.join(", ")} (default ethereum: 12 s blocks,
                  Standard final after 2-3 epochs, ~13-19 min)
  --speed N       compressed time, 1..${MAX_TIME_SCALE} (default 60): blocks every profile block time / N, and every
                  time the dashboard shows is corridor time (wall time x N); 60 = 1 minute on screen is 1 hour
  --rate N        payments per minute of WALL time (default 30); at --speed 60 that is N per hour of corridor time
  --profile local --speed 1   the instant local chains (1 s blocks, final at once) in real time`;

const OptionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
  seed: z.coerce.number().int().nonnegative(),
  rate: z.coerce.number().min(0).max(600),
  speed: z.coerce.number().min(1).max(MAX_TIME_SCALE),
  token: z.string().optional(),
  chains: z
    .string()
    .regex(/^[a-z][a-z0-9]*(,[a-z][a-z0-9]*)+$/, "expected two or more chain names, comma-separated")
    .transform((v) => v.split(","))
    .optional(),
});

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      rate: { type: "string" },
      token: { type: "string" },
      chains: { type: "string" },
      profile: { type: "string" },
      speed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const unknown = Object.keys(values).filter((k) => !OPTIONS.includes(k));
  if (unknown.length > 0) {
    console.error(`error [CORRIDOR_USAGE_UNKNOWN_OPTION]: unknown option --${unknown[0]}; expected ${OPTIONS.slice(0, -1).map((o) => `--${o}`).join(", ")}`);
    process.exit(2);
  }
  if (values.profile === true || values.speed === true) {
    console.error(`error [CORRIDOR_USAGE_INVALID]: --${values.profile === true ? "profile" : "speed"} needs a value`);
    process.exit(2);
  }
  const profile = typeof values.profile === "string" ? values.profile : "ethereum";
  if (!CHAIN_PROFILES[profile]) {
    console.error(`error [CORRIDOR_USAGE_UNKNOWN_PROFILE]: --profile: unknown chain profile "${profile}"; expected one of ${PROFILES.join(", ")}`);
    process.exit(2);
  }
  const parsed = OptionsSchema.safeParse({
    port: values.port ?? process.env.PORT ?? 8080,
    host: values.host ?? "127.0.0.1",
    seed: values.seed ?? 1,
    rate: values.rate ?? 30,
    speed: values.speed ?? 60,
    token: values.token,
    chains: values.chains,
  });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const code = i.path[0] === "speed" ? "CORRIDOR_USAGE_INVALID_SPEED" : "CORRIDOR_USAGE_INVALID";
      console.error(`error [${code}]: --${i.path.join(".")}: ${i.message}${i.path[0] === "speed" ? ` (expected 1..${MAX_TIME_SCALE})` : ""}`);
    }
    process.exit(2);
  }
  return { ...parsed.data, profile };
}

const o = options();
const logger = createLogger({ level: process.env.CORRIDOR_LOG_LEVEL ?? "warn" });
console.log(
  `Starting the corridor: ${o.chains ? `${o.chains.length} embedded chains (${o.chains.join(", ")})` : "the preset embedded chains"} on the "${o.profile}" profile at ${o.speed}× speed, contracts, liquidity, operator and relayer…`,
);
try {
  const demo = await startDemoServer({
    port: o.port,
    host: o.host,
    token: o.token,
    logger,
    corridor: { seed: o.seed, profile: o.profile, timeScale: o.speed, settings: { arrivalPerMinute: o.rate }, ...(o.chains ? { chains: o.chains } : {}) },
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
