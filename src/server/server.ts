/**
 * The demo's web server, on 127.0.0.1 by default: the dashboard page and its assets, the live
 * state as server-sent events (GET /events) and as JSON (GET /api/state), and the controls
 * (POST /api/controls, a JSON body of at most MAX_CONTROL_BODY bytes validated with zod).
 *
 * Access: on a loopback address, requests must name a local host (Host: 127.0.0.1, localhost or
 * [::1]), which keeps a web page that rebinds its own name to 127.0.0.1 away from the controls.
 * On any other address the controls require a token: `Authorization: Bearer <token>`, or the
 * cookie set by opening the dashboard once at `/?token=<token>` (DemoServer.openUrl). The token is
 * DemoServerOptions.token, else CORRIDOR_DEMO_TOKEN, else a random one. The page and the read-only
 * state stay open to anyone who can reach the address.
 *
 * Refusals are the HTTP edge's (src/http/app.ts: 404, 405, 413, 415, 400, 431, 408), and
 * CORRIDOR_HTTP_HOST_FORBIDDEN 403, CORRIDOR_HTTP_TOKEN_REQUIRED 401, CORRIDOR_HTTP_TOKEN_INVALID 401,
 * CORRIDOR_DEMO_INVALID_CONTROLS 400 (with `issues`), CORRIDOR_DEMO_BUSY 409, CORRIDOR_DEMO_STARTING 503,
 * CORRIDOR_DEMO_STOPPED 503, CORRIDOR_DEMO_FAILED 500.
 * Starting the server: CORRIDOR_DEMO_PORT_IN_USE, CORRIDOR_DEMO_TOKEN_INVALID (a token too short to be secret).
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { isIP, type AddressInfo } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { CorridorError } from "../domain/errors.js";
import { bearerToken, createHttpApp, HttpError, sameToken } from "../http/app.js";
import { silentLogger } from "../logger.js";
import { DashboardStateSchema } from "./board.js";
import { ControlsAnswerSchema, controlsBodyFor } from "./controls.js";
import { demoSpec, LiveCorridor, type LiveCorridorOptions } from "./live-corridor.js";
import { ASSETS, CONTENT_SECURITY_POLICY, dashboardPage } from "./page.js";

/** Largest control body accepted (a control body is a few dozen bytes). */
export const MAX_CONTROL_BODY = 16 * 1024;
/** The cookie that carries the control token for the dashboard page. */
export const TOKEN_COOKIE = "corridor_demo_token";
/** Shortest token accepted: 16 characters from [A-Za-z0-9._~-]. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,256}$/;
const HEARTBEAT_MS = 15_000;

export interface DemoServerOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. Any other than a loopback address makes the controls require a token. */
  host?: string;
  /**
   * The token the controls require. Default: none on a loopback address; on any other,
   * CORRIDOR_DEMO_TOKEN or a random one. Given explicitly, it is required on loopback too.
   */
  token?: string;
  corridor?: LiveCorridorOptions;
  logger?: Logger;
  /** Told the URL to open (with the token, if any) as soon as the server listens (the corridor is still starting). */
  onListening?: (url: string) => void;
}

export interface DemoServer {
  url: string;
  /** The URL to open in a browser: `url`, with `?token=…` when the controls require a token. */
  openUrl: string;
  /** The token the controls require, or null. */
  token: string | null;
  port: number;
  corridor: LiveCorridor;
  close(): Promise<void>;
}

const STATUS_OF: Record<string, number> = { CORRIDOR_DEMO_BUSY: 409, CORRIDOR_DEMO_STOPPED: 503, CORRIDOR_DEMO_STARTING: 503 };

/** Whether `host` (an address or a name to bind) is a loopback one. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}

/** The token the controls require on `host`, or null (see DemoServerOptions.token). */
export function controlToken(host: string, token: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = token ?? (isLoopbackHost(host) ? undefined : env.CORRIDOR_DEMO_TOKEN || randomBytes(24).toString("base64url"));
  if (chosen === undefined) return null;
  if (!TOKEN_PATTERN.test(chosen)) {
    throw new CorridorError("CORRIDOR_DEMO_TOKEN_INVALID", "the control token must be 16 to 256 characters from A-Z, a-z, 0-9 and . _ ~ -");
  }
  return chosen;
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Starts the server, then the corridor; resolves when both are up. */
export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const logger = opts.logger ?? silentLogger;
  const log = logger.child({ module: "demo-server" });
  const host = opts.host ?? "127.0.0.1";
  const token = controlToken(host, opts.token);
  const loopback = isLoopbackHost(host);
  // The corridor the page describes (its chains and currencies); a bad spec fails here, before listening.
  const spec = demoSpec(opts.corridor);
  const page = dashboardPage(spec);
  const controlsSchema = controlsBodyFor(spec);
  let corridor: LiveCorridor | undefined;
  const clients = new Set<ServerResponse>();

  /** On loopback, the Host header must name a local host (a DNS-rebinding page names its own). */
  function checkHost(req: FastifyRequest): void {
    if (!loopback || req.headers.host === undefined) return;
    let name: string;
    try {
      name = new URL(`http://${req.headers.host}`).hostname;
    } catch {
      name = "";
    }
    if (!isLoopbackHost(name)) throw new HttpError(403, "CORRIDOR_HTTP_HOST_FORBIDDEN", "this dashboard answers only to a local host name (127.0.0.1, localhost, [::1])");
  }

  /** The controls' token, when one is required: a bearer token or the dashboard's cookie. */
  async function checkToken(req: FastifyRequest): Promise<void> {
    if (token === null) return;
    const given = bearerToken(req) ?? cookie(req, TOKEN_COOKIE);
    if (given === undefined) {
      throw new HttpError(401, "CORRIDOR_HTTP_TOKEN_REQUIRED", "the controls need the dashboard's token: open the dashboard with ?token=…, or send Authorization: Bearer <token>");
    }
    if (!sameToken(given, token)) throw new HttpError(401, "CORRIDOR_HTTP_TOKEN_INVALID", "the token does not match this dashboard's");
  }

  function ready(): LiveCorridor {
    if (!corridor) throw new CorridorError("CORRIDOR_DEMO_STARTING", "the corridor is still starting; try again in a few seconds");
    return corridor;
  }

  const app = createHttpApp({
    logger: log,
    bodyLimit: MAX_CONTROL_BODY,
    statusOf: (code) => STATUS_OF[code],
    invalidCode: "CORRIDOR_DEMO_INVALID_CONTROLS",
    failureCode: "CORRIDOR_DEMO_FAILED",
    guard: checkHost,
  });
  // Every answer: not cached, not sniffed, scripts and connections from this server only.
  app.addHook("onSend", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
    reply.header("referrer-policy", "no-referrer");
  });
  // The event streams are the server's to end: close() waits for no browser.
  app.addHook("preClose", (done) => {
    for (const c of clients) c.end();
    clients.clear();
    done();
  });

  const pageAnswer = async (req: FastifyRequest<{ Querystring: { token?: unknown } }>, reply: FastifyReply) => {
    const given = req.query.token;
    if (token !== null && typeof given === "string" && sameToken(given, token)) {
      // Keep the token in an HttpOnly cookie for the page's requests, and out of the address bar.
      return reply.code(303).header("set-cookie", `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`).header("location", "/").type("text/plain; charset=utf-8").send("");
    }
    return reply.type("text/html; charset=utf-8").send(page);
  };
  app.route({ method: ["GET", "HEAD"], url: "/", handler: pageAnswer });
  app.route({ method: ["GET", "HEAD"], url: "/index.html", handler: pageAnswer });
  // The static assets: every file the page loads is served here, from page.ts's ASSETS.
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.route({ method: ["GET", "HEAD"], url: path, handler: async (_req, reply) => reply.type(asset.type).send(asset.body) });
  }
  app.get("/events", async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      // The stream holds its connection until it ends (then the socket closes, so close() need not wait on it).
      connection: "close",
      "x-content-type-options": "nosniff",
    });
    res.write("retry: 2000\n\n");
    clients.add(res);
    const beat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
    req.raw.on("close", () => {
      clearInterval(beat);
      clients.delete(res);
    });
    if (corridor) res.write(event(corridor.snapshot()));
  });
  app.get("/api/state", { schema: { response: { 200: DashboardStateSchema } } }, async () => ready().snapshot());
  app.post("/api/controls", { onRequest: checkToken, schema: { body: controlsSchema, response: { 200: ControlsAnswerSchema } } }, async (req) => ({
    ok: true as const,
    ...(await ready().control(req.body)),
  }));

  const event = (state: unknown) => `event: state\ndata: ${JSON.stringify(state)}\n\n`;

  try {
    await app.listen({ port: opts.port ?? 8080, host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === "EADDRINUSE" ? new CorridorError("CORRIDOR_DEMO_PORT_IN_USE", `port ${opts.port ?? 8080} on ${host} is in use; pass --port`, { port: opts.port }, err) : err;
  }
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
  const openUrl = token === null ? url : `${url}?token=${token}`;
  opts.onListening?.(openUrl);

  try {
    corridor = await LiveCorridor.start({ logger, ...opts.corridor, spec, chains: undefined, profile: undefined });
  } catch (err) {
    await app.close();
    throw err;
  }
  const live = corridor;
  let closing = false;
  live.subscribe((state) => {
    if (closing) return;
    const text = event(state);
    for (const c of clients) c.write(text);
  });
  return {
    url,
    openUrl,
    token,
    port,
    corridor: live,
    close: async () => {
      if (closing) return;
      closing = true;
      await app.close();
      await live.stop();
    },
  };
}
