/**
 * The HTTP edge the operator's API (src/operator/http.ts), the dashboard (src/server/server.ts) and
 * the relayer's /metrics share, on fastify with fastify-type-provider-zod: every body, query and
 * answer has a zod schema (the one definition; handlers get its types, clients parse with it, and
 * an answer that does not match is refused as a 500), one error body for every refusal, tokens
 * compared in constant time, and a close that lets requests in flight finish.
 *
 * Every refusal is `{ "error": { "code", "message", "issues"? } }` (ErrorBodySchema) with a stable
 * code: CORRIDOR_HTTP_NOT_FOUND 404, CORRIDOR_HTTP_METHOD_NOT_ALLOWED 405 (with `allow`),
 * CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE 415 (a body that is not application/json),
 * CORRIDOR_HTTP_BODY_TOO_LARGE 413 (refused on its declared length before it is read),
 * CORRIDOR_HTTP_MALFORMED_JSON 400, the app's invalid-body code 400 (the schema's issues),
 * CORRIDOR_HTTP_BAD_REQUEST 400 (a target or request HTTP cannot parse), CORRIDOR_HTTP_HEADERS_TOO_LARGE
 * 431, CORRIDOR_HTTP_TIMEOUT 408. A CorridorError raised by a handler keeps its code with the status
 * the app gives it; anything else (an answer its schema refuses too) is a 500 with the app's failure
 * code and no detail (the log has it).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import { createSerializerCompiler, hasZodFastifySchemaValidationErrors, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { z } from "zod";
import { CorridorError, isCorridorError } from "../domain/errors.js";

export const HttpErrorCode = {
  NotFound: "CORRIDOR_HTTP_NOT_FOUND",
  MethodNotAllowed: "CORRIDOR_HTTP_METHOD_NOT_ALLOWED",
  UnsupportedMediaType: "CORRIDOR_HTTP_UNSUPPORTED_MEDIA_TYPE",
  BodyTooLarge: "CORRIDOR_HTTP_BODY_TOO_LARGE",
  MalformedJson: "CORRIDOR_HTTP_MALFORMED_JSON",
  InvalidBody: "CORRIDOR_HTTP_INVALID_BODY",
  BadRequest: "CORRIDOR_HTTP_BAD_REQUEST",
  HeadersTooLarge: "CORRIDOR_HTTP_HEADERS_TOO_LARGE",
  Timeout: "CORRIDOR_HTTP_TIMEOUT",
  Unauthorized: "CORRIDOR_HTTP_UNAUTHORIZED",
  /** A client's: an answer that is not JSON, or not its schema's. */
  BadAnswer: "CORRIDOR_HTTP_BAD_ANSWER",
} as const;

/** The body of every refusal; clients read errors with it. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Where a body or query failed its schema. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A refusal with its HTTP status. */
export class HttpError extends CorridorError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly issues?: ErrorBody["error"]["issues"],
  ) {
    super(code, message);
  }
}

export interface HttpAppOptions {
  logger: Logger;
  /** Largest request body, bytes. */
  bodyLimit: number;
  /** Reads a JSON body (default JSON.parse; the operator's keeps bigints). */
  parseJson?: (text: string) => unknown;
  /** Writes values JSON has no form for (the operator's bigints). */
  replacer?: (key: string, value: unknown) => unknown;
  /** The status of a coded error a handler raised; undefined makes it a 500. */
  statusOf?: (code: string) => number | undefined;
  /** The code of a body or query that fails its schema (default CORRIDOR_HTTP_INVALID_BODY). */
  invalidCode?: string;
  /** The code of a 500 that is not a CorridorError. */
  failureCode: string;
  /** Checked on every request before routing answers (the dashboard's Host check); throws an HttpError to refuse. */
  guard?: (request: FastifyRequest) => void;
}

/** Compares in constant time (over the digests, so the length does not leak either). */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return request.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** A fastify app with the behaviour above; the caller adds routes, then listens on 127.0.0.1 unless told otherwise. */
export function createHttpApp(opts: HttpAppOptions) {
  const parseJson = opts.parseJson ?? JSON.parse;
  /** The methods of each fixed path, for 405 and `allow`. */
  const methodsAt = new Map<string, string[]>();
  let closing = false;

  const answerOf = (err: unknown): HttpError => {
    if (err instanceof HttpError) return err;
    if (isCorridorError(err)) return new HttpError(opts.statusOf?.(err.code) ?? 500, err.code, err.message);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({ path: v.params.issue.path.join("."), message: v.message }));
      const said = issues.map((i) => `${i.path || "(whole)"}: ${i.message}`).join("; ");
      const part = (err as { validationContext?: string }).validationContext;
      // A path parameter that is not one of the route's is a path with no route.
      if (part === "params") return new HttpError(404, HttpErrorCode.NotFound, `no such resource: ${said}`);
      return new HttpError(400, opts.invalidCode ?? HttpErrorCode.InvalidBody, `invalid ${part === "querystring" ? "query" : "request body"}: ${said}`, issues);
    }
    const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
    if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new HttpError(415, HttpErrorCode.UnsupportedMediaType, "send the body as application/json");
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return new HttpError(413, HttpErrorCode.BodyTooLarge, `the request body is over ${opts.bodyLimit} bytes`);
    // Fastify's other 4xx: a body shorter than its content-length, a stream cut off.
    if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) return new HttpError(400, HttpErrorCode.BadRequest, "the request is not valid HTTP");
    return new HttpError(500, opts.failureCode, "the request failed; the server's log has the details");
  };
  const sendError = (reply: FastifyReply, err: unknown) => {
    const e = answerOf(err);
    if (e.status >= 500) opts.logger.error({ err, method: reply.request.method, url: reply.request.url }, "request failed");
    // A body refused unread is not drained: the connection ends with the answer.
    if (e.status === 413) reply.header("connection", "close");
    const body: ErrorBody = { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } };
    return reply.code(e.status).type("application/json; charset=utf-8").send(body);
  };
  const notFound = (request: FastifyRequest, reply: FastifyReply): HttpError => {
    const path = request.url.split("?")[0]!;
    const methods = methodsAt.get(path);
    if (!methods) return new HttpError(404, HttpErrorCode.NotFound, `no route ${request.method} ${path}`);
    reply.header("allow", methods.join(", "));
    return new HttpError(405, HttpErrorCode.MethodNotAllowed, `${request.method} is not allowed on ${path}; use ${methods.join(" or ")}`);
  };

  const app = Fastify({
    // Fastify's own lines at warn and above (not "Server listening": the caller says where it listens).
    loggerInstance: opts.logger.levelVal >= 40 ? opts.logger : opts.logger.child({}, { level: "warn" }),
    // No line per request: refusals that matter (5xx) are logged by sendError.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    // HEAD only where a route says so; fastify's 503 during close has its own body shape, so requests in flight are answered normally.
    exposeHeadRoutes: false,
    return503OnClosing: false,
    requestTimeout: 30_000,
    // A URL fastify cannot decode (`%zz`) reaches no route.
    frameworkErrors: (_err, _request, reply) => sendError(reply, new HttpError(400, HttpErrorCode.BadRequest, "the request's target is not a valid URL")),
    // A request HTTP cannot parse (a header over Node's limit, a broken request line) still gets a JSON error with a code.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === "ECONNRESET" || !socket.writable) return socket.destroy();
      const [status, code, message] =
        err.code === "HPE_HEADER_OVERFLOW"
          ? [431, HttpErrorCode.HeadersTooLarge, "the request's headers are too large"]
          : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? [408, HttpErrorCode.Timeout, "the request took too long to arrive"]
            : [400, HttpErrorCode.BadRequest, "the request is not valid HTTP"];
      const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(createSerializerCompiler({ replacer: opts.replacer }));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, text, done) => {
    try {
      done(null, parseJson(text as string));
    } catch {
      done(new HttpError(400, HttpErrorCode.MalformedJson, "the request body is not valid JSON"), undefined);
    }
  });
  app.setErrorHandler((err, _request, reply) => sendError(reply, err));
  app.addHook("onRoute", (route) => {
    if (!/[:*]/.test(route.url)) methodsAt.set(route.url, [...(methodsAt.get(route.url) ?? []), ...[route.method].flat()]);
    // A route that declares its answer answers refusals with the error body, checked like any answer.
    if (route.schema?.response) route.schema.response = { "4xx": ErrorBodySchema, "5xx": ErrorBodySchema, ...(route.schema.response as object) };
  });
  // Refused before any body is read: the guard, then a path or method with no route (so fastify's own 404 handler is never reached).
  app.addHook("onRequest", async (request, reply) => {
    opts.guard?.(request);
    if (request.is404) throw notFound(request, reply);
  });
  // Closing: connections still answering close with their answer, so close() returns once they are done.
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;

/**
 * A client's call: one JSON request, its answer read with `answer` (the route's own schema). A
 * refusal comes back as a CorridorError with the server's code; an answer that is neither is
 * CORRIDOR_HTTP_BAD_ANSWER.
 */
export async function callJson<S extends z.ZodTypeAny>(
  answer: S,
  url: string,
  init: { method: string; body?: string; token?: string; timeoutMs: number; parseJson?: (text: string) => unknown },
): Promise<z.output<S>> {
  const res = await fetch(url, {
    method: init.method,
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body,
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  let json: unknown;
  try {
    json = (init.parseJson ?? JSON.parse)(await res.text());
  } catch {
    throw new CorridorError(HttpErrorCode.BadAnswer, `${url} answered ${res.status} with a body that is not JSON`);
  }
  const refused = ErrorBodySchema.safeParse(json);
  if (!res.ok && refused.success) throw new CorridorError(refused.data.error.code, refused.data.error.message);
  const parsed = res.ok ? answer.safeParse(json) : undefined;
  if (!parsed?.success) throw new CorridorError(HttpErrorCode.BadAnswer, `${url} answered ${res.status} with a body that is not its schema's${parsed ? `: ${parsed.error.issues[0]?.message}` : ""}`);
  return parsed.data;
}
