/**
 * The demo's web server, on 127.0.0.1: the dashboard page and its assets, the live state as
 * server-sent events (GET /events) and as JSON (GET /api/state), and the controls
 * (POST /api/controls, a JSON body validated with zod).
 *
 * Errors are JSON `{ "error": { "code", "message", "issues"? } }` with stable codes:
 * CORRIDOR_HTTP_NOT_FOUND 404, CORRIDOR_HTTP_METHOD_NOT_ALLOWED 405, CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE 415,
 * CORRIDOR_HTTP_BODY_TOO_LARGE 413, CORRIDOR_HTTP_MALFORMED_JSON 400, CORRIDOR_DEMO_INVALID_CONTROLS 400,
 * CORRIDOR_DEMO_BUSY 409, CORRIDOR_DEMO_STARTING 503, CORRIDOR_DEMO_FAILED 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { silentLogger } from "../logger.js";
import { ControlsBodySchema } from "./controls.js";
import { LiveCorridor, type LiveCorridorOptions } from "./live-corridor.js";
import { ASSETS, CONTENT_SECURITY_POLICY, dashboardPage } from "./page.js";

/** Largest control body accepted (a control body is a few dozen bytes). */
export const MAX_CONTROL_BODY = 16 * 1024;
const HEARTBEAT_MS = 15_000;

export interface DemoServerOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  corridor?: LiveCorridorOptions;
  logger?: Logger;
  /** Told the URL as soon as the server listens (the corridor is still starting). */
  onListening?: (url: string) => void;
}

export interface DemoServer {
  url: string;
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

/** Starts the server, then the corridor; resolves when both are up. */
export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const logger = opts.logger ?? silentLogger;
  const log = logger.child({ module: "demo-server" });
  const host = opts.host ?? "127.0.0.1";
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = (methods: string[]) => {
      if (!methods.includes(req.method ?? "")) {
        res.setHeader("allow", methods.join(", "));
        throw new HttpError(405, "CORRIDOR_HTTP_METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${path}; use ${methods.join(" or ")}`);
      }
    };
    if (path === "/" || path === "/index.html") {
      route(["GET", "HEAD"]);
      return send(res, 200, "text/html; charset=utf-8", dashboardPage(), req.method === "HEAD");
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
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") throw new HttpError(415, "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE", "send the controls as application/json");
      const text = await readBody(req, MAX_CONTROL_BODY);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new HttpError(400, "CORRIDOR_HTTP_MALFORMED_JSON", "the request body is not valid JSON");
      }
      const parsed = ControlsBodySchema.safeParse(json);
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
  const url = `http://${host}:${port}/`;
  opts.onListening?.(url);

  const closeServer = async () => {
    closing = true;
    for (const c of clients) c.end();
    clients.clear();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  try {
    corridor = await LiveCorridor.start({ logger, ...opts.corridor });
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
