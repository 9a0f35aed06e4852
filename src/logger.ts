import { pino, type Logger } from "pino";

/**
 * The one root logger. Components take a child ({ module: "relayer", chain: <chain name> }).
 * Pretty in a terminal, JSON otherwise; level from CORRIDOR_LOG_LEVEL (default "warn" so
 * that command output stays readable; daemons pass "info").
 */
export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.CORRIDOR_LOG_LEVEL ?? "warn";
  const pretty = opts.pretty ?? (process.stderr.isTTY && process.env.CORRIDOR_LOG_JSON !== "1");
  if (pretty) {
    return pino({ level, transport: { target: "pino-pretty", options: { destination: 2, colorize: true } } });
  }
  return pino({ level }, pino.destination(2));
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = pino({ level: "silent" });
