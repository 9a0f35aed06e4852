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
 * Errors are JSON `{ "error": { "code", "message", "issues"? } }` with stable codes:
 * CORRIDOR_HTTP_NOT_FOUND 404, CORRIDOR_HTTP_METHOD_NOT_ALLOWED 405, CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE 415,
 * CORRIDOR_HTTP_BODY_TOO_LARGE 413, CORRIDOR_HTTP_MALFORMED_JSON 400, CORRIDOR_HTTP_BAD_REQUEST 400 (unparsable HTTP),
 * CORRIDOR_HTTP_HEADERS_TOO_LARGE 431, CORRIDOR_HTTP_TIMEOUT 408, CORRIDOR_HTTP_HOST_FORBIDDEN 403,
 * CORRIDOR_HTTP_TOKEN_REQUIRED 401, CORRIDOR_HTTP_TOKEN_INVALID 401, CORRIDOR_DEMO_INVALID_CONTROLS 400,
 * CORRIDOR_DEMO_BUSY 409, CORRIDOR_DEMO_STARTING 503, CORRIDOR_DEMO_STOPPED 503, CORRIDOR_DEMO_FAILED 500.
 * Starting the server: CORRIDOR_DEMO_PORT_IN_USE, CORRIDOR_DEMO_TOKEN_INVALID (a token too short to be secret).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP, type AddressInfo, type Socket } from "node:net";
import type { Logger } from "pino";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { silentLogger } from "../logger.js";
import { controlsBodyFor } from "./controls.js";
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

class HttpError extends CorridorError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}

const STATUS_OF: Record<string, number> = { CORRIDOR_DEMO_BUSY: 409, CORRIDOR_DEMO_STOPPED: 503 };

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

const digest = (s: string) => createHash("sha256").update(s).digest();
/** Compares in constant time (over the digests, so the length does not leak either). */
const sameToken = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

function cookie(req: IncomingMessage, name: string): string | undefined {
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
  let closing = false;
  const clients = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof HttpError ? err : isCorridorError(err) ? new HttpError(STATUS_OF[err.code] ?? 500, err.code, err.message) : new HttpError(500, "CORRIDOR_DEMO_FAILED", (err as Error)?.message ?? "internal error");
      if (e.status >= 500) log.error({ err }, "request failed");
      sendError(res, e);
    });
  });

  // A request HTTP cannot parse (a header over Node's limit, a broken request line) still gets a JSON error with a code.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "CORRIDOR_HTTP_HEADERS_TOO_LARGE", "the request's headers are too large"]
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "CORRIDOR_HTTP_TIMEOUT", "the request took too long to arrive"]
          : [400, "CORRIDOR_HTTP_BAD_REQUEST", "the request is not valid HTTP"];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });

  /** On loopback, the Host header must name a local host (a DNS-rebinding page names its own). */
  function checkHost(req: IncomingMessage): void {
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
  function checkToken(req: IncomingMessage): void {
    if (token === null) return;
    const auth = req.headers.authorization;
    const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const given = bearer ?? cookie(req, TOKEN_COOKIE);
    if (given === undefined) {
      throw new HttpError(401, "CORRIDOR_HTTP_TOKEN_REQUIRED", "the controls need the dashboard's token: open the dashboard with ?token=…, or send Authorization: Bearer <token>");
    }
    if (!sameToken(given, token)) throw new HttpError(401, "CORRIDOR_HTTP_TOKEN_INVALID", "the token does not match this dashboard's");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      throw new HttpError(400, "CORRIDOR_HTTP_BAD_REQUEST", "the request's target is not a URL");
    }
    const path = url.pathname;
    checkHost(req);
    const route = (methods: string[]) => {
      if (!methods.includes(req.method ?? "")) {
        res.setHeader("allow", methods.join(", "));
        throw new HttpError(405, "CORRIDOR_HTTP_METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${path}; use ${methods.join(" or ")}`);
      }
    };
    if (path === "/" || path === "/index.html") {
      route(["GET", "HEAD"]);
      const given = url.searchParams.get("token");
      if (token !== null && given !== null && sameToken(given, token)) {
        // Keep the token in an HttpOnly cookie for the page's requests, and out of the address bar.
        res.setHeader("set-cookie", `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
        res.setHeader("location", "/");
        return send(res, 303, "text/plain; charset=utf-8", "");
      }
      return send(res, 200, "text/html; charset=utf-8", page, req.method === "HEAD");
    }
    const asset = ASSETS[path];
    if (asset) {
      route(["GET", "HEAD"]);
      return send(res, 200, asset.type, asset.body, req.method === "HEAD");
    }
    if (path === "/events") {
      route(["GET"]);
      return openStream(req, res);
    }
    if (path === "/api/state") {
      route(["GET"]);
      return sendJson(res, 200, ready().snapshot());
    }
    if (path === "/api/controls") {
      route(["POST"]);
      checkToken(req);
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") throw new HttpError(415, "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE", "send the controls as application/json");
      const text = await readBody(req, MAX_CONTROL_BODY);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new HttpError(400, "CORRIDOR_HTTP_MALFORMED_JSON", "the request body is not valid JSON");
      }
      const parsed = controlsSchema.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        throw new HttpError(400, "CORRIDOR_DEMO_INVALID_CONTROLS", `invalid controls: ${issues.map((i) => `${i.path || "(body)"}: ${i.message}`).join("; ")}`, { issues });
      }
      const result = await ready().control(parsed.data);
      return sendJson(res, 200, { ok: true, ...result });
    }
    throw new HttpError(404, "CORRIDOR_HTTP_NOT_FOUND", `nothing at ${path}`);
  }

  function ready(): LiveCorridor {
    if (!corridor) throw new HttpError(503, "CORRIDOR_DEMO_STARTING", "the corridor is still starting; try again in a few seconds");
    return corridor;
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    res.write("retry: 2000\n\n");
    clients.add(res);
    const beat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
    req.on("close", () => {
      clearInterval(beat);
      clients.delete(res);
    });
    if (corridor) res.write(event(corridor.snapshot()));
  }

  const event = (state: unknown) => `event: state\ndata: ${JSON.stringify(state)}\n\n`;

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "EADDRINUSE" ? new CorridorError("CORRIDOR_DEMO_PORT_IN_USE", `port ${opts.port ?? 8080} on ${host} is in use; pass --port`, { port: opts.port }, err) : err),
    );
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
  const openUrl = token === null ? url : `${url}?token=${token}`;
  opts.onListening?.(openUrl);

  const closeServer = async () => {
    closing = true;
    for (const c of clients) c.end();
    clients.clear();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  try {
    corridor = await LiveCorridor.start({ logger, ...opts.corridor, spec, chains: undefined, profile: undefined });
  } catch (err) {
    await closeServer();
    throw err;
  }
  const live = corridor;
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
      await closeServer();
      await live.stop();
    },
  };
}

function headers(res: ServerResponse, type: string): void {
  res.setHeader("content-type", type);
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
  res.setHeader("referrer-policy", "no-referrer");
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  headers(res, type);
  res.statusCode = status;
  res.setHeader("content-length", Buffer.byteLength(body));
  res.end(headOnly ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

function sendError(res: ServerResponse, e: HttpError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const issues = (e.details as { issues?: unknown }).issues;
  if (e.status === 413) res.setHeader("connection", "close");
  sendJson(res, e.status, { error: { code: e.code, message: e.message, ...(issues ? { issues } : {}) } });
}

/** Reads a body of at most `limit` bytes; a larger one is refused with 413 without keeping it. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new HttpError(413, "CORRIDOR_HTTP_BODY_TOO_LARGE", `the request body is over ${limit} bytes`, { limit });
  if (Number(req.headers["content-length"] ?? "0") > limit) {
    req.resume(); // discarded; the connection closes after the answer
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    let over = false;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}
