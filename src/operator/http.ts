/**
 * The operator as a service over HTTP, and its client. Every route but health needs a bearer token:
 * the relayer's token for the attestation routes, a reviewer's token for the review desk (the
 * reviewer's name goes to the decision record and the audit trail). Bodies are validated (zod) and
 * bad ones answered 4xx with a stable code. Nothing a caller sends is believed beyond the message,
 * which the operator checks against the source gateway (src/operator/operator.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual, createHash } from "node:crypto";
import type { Hex } from "viem";
import type { Logger } from "pino";
import { z } from "zod";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { parseWithBigints, stringifyWithBigints } from "../domain/json.js";
import type { Message } from "../domain/message.js";
import type { Attestation, Operator, OperatorApi, SignedBatch } from "./operator.js";
import type { AttestBatch } from "./attester.js";
import type { Decision, ReviewState } from "./decisions.js";

/** Largest request body the operator accepts (a finality batch of a few thousand ids fits). */
const MAX_BODY = 1024 * 1024;
const MAX_FINALITY_IDS = 5_000;
/** Most items in one batch to sign (a batch transaction holds far fewer). */
const MAX_BATCH_ITEMS = 500;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes of hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");
const uint = (bits: number) => z.bigint().min(0n).max((1n << BigInt(bits)) - 1n);

export const MessageSchema = z
  .object({
    srcChainId: uint(64),
    srcGateway: address,
    dstChainId: uint(64),
    dstGateway: address,
    nonce: uint(64),
    sender: address,
    recipient: address,
    inputToken: address,
    outputToken: address,
    amount: uint(256),
    fee: uint(256),
    minAmountOut: uint(256),
    deadline: uint(64),
    tier: z.number().int().min(0).max(255),
    mode: z.number().int().min(0).max(255),
    extraHash: hex32,
    quoteHash: hex32,
    sentAt: uint(64),
  })
  .strict();

const AttestationBody = z.object({ id: hex32, message: MessageSchema }).strict();
const FinalityBody = z.object({ ids: z.array(hex32).min(1).max(MAX_FINALITY_IDS) }).strict();
const BatchBody = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("settle"), items: z.array(z.object({ message: MessageSchema, rate: uint(256), sourceFinal: z.boolean() }).strict()).min(1).max(MAX_BATCH_ITEMS) }).strict(),
  z.object({ kind: z.literal("refund"), items: z.array(z.object({ message: MessageSchema, reason: z.number().int().min(0).max(255) }).strict()).min(1).max(MAX_BATCH_ITEMS) }).strict(),
  z.object({ kind: z.literal("finalize"), items: z.array(z.object({ message: MessageSchema }).strict()).min(1).max(MAX_BATCH_ITEMS) }).strict(),
]);
const ReviewBody = z.object({ decision: z.enum(["approve", "deny"]) }).strict();
const ReviewStateQuery = z.enum(["pending", "approved", "denied", "expired", "all"]);

export interface OperatorAuth {
  /** Bearer tokens the relayers present. */
  relayerTokens: string[];
  /** People who may decide reviews, each with their own token. */
  reviewers: { name: string; token: string }[];
}

export const HttpErrorCode = {
  Unauthorized: "CORRIDOR_HTTP_UNAUTHORIZED",
  NotFound: "CORRIDOR_HTTP_NOT_FOUND",
  MalformedJson: "CORRIDOR_HTTP_MALFORMED_JSON",
  InvalidBody: "CORRIDOR_HTTP_INVALID_BODY",
  BodyTooLarge: "CORRIDOR_HTTP_BODY_TOO_LARGE",
} as const;

/** HTTP status for a coded error raised while answering. */
function statusOf(code: string): number {
  if (code === HttpErrorCode.BodyTooLarge) return 413;
  if (code === HttpErrorCode.Unauthorized) return 401;
  if (code === HttpErrorCode.NotFound || code === "CORRIDOR_REVIEW_NOT_FOUND") return 404;
  if (code === "CORRIDOR_REVIEW_ALREADY_DECIDED") return 409;
  if (code === HttpErrorCode.MalformedJson || code === HttpErrorCode.InvalidBody) return 400;
  if (code.startsWith("CORRIDOR_ATTEST_") || code === "CORRIDOR_FINALITY_INVALID") return 422;
  if (code === "CORRIDOR_ATTESTERS_NO_QUORUM") return 503;
  return 500;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new CorridorError(HttpErrorCode.BodyTooLarge, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function parseBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = parseWithBigints(await readBody(req));
  } catch (e) {
    if (isCorridorError(e)) throw e;
    throw new CorridorError(HttpErrorCode.MalformedJson, "request body is not valid JSON");
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    throw new CorridorError(HttpErrorCode.InvalidBody, r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "), { issues: r.error.issues.length });
  }
  return r.data;
}

/** Constant-time comparison of a presented token with each known one (hashed first, so lengths do not leak). */
function matches(presented: string, known: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(known).digest();
  return timingSafeEqual(a, b);
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

const reviewView = (d: Decision) => ({
  id: d.id,
  route: d.route,
  amount: d.message.amount,
  sender: d.message.sender,
  recipient: d.message.recipient,
  screening: d.screening,
  review: d.review,
});

/**
 * Serves the operator: POST /v1/attestation {id, message}, POST /v1/batch-signatures {kind, items},
 * POST /v1/finality {ids} (relayer token);
 * GET /v1/reviews[?state=], POST /v1/reviews/<id> {decision} (a reviewer's token); GET /v1/health.
 * Binds to loopback unless told otherwise.
 */
export function serveOperator(operator: Operator, opts: { port: number; host?: string; logger: Logger; auth: OperatorAuth }): Promise<Server> {
  const log = opts.logger.child({ module: "operator-http" });
  if (opts.auth.relayerTokens.length === 0) throw new CorridorError("CORRIDOR_CONFIG_INVALID", "the operator needs at least one relayer token");
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(stringifyWithBigints(body));
  };
  const fail = (code: string, message: string) => new CorridorError(code, message);
  const relayerOnly = (req: IncomingMessage) => {
    const t = bearer(req);
    if (!t || !opts.auth.relayerTokens.some((k) => matches(t, k))) throw fail(HttpErrorCode.Unauthorized, "a relayer bearer token is required");
  };
  const reviewerOf = (req: IncomingMessage): string => {
    const t = bearer(req);
    const who = t ? opts.auth.reviewers.find((r) => matches(t, r.token)) : undefined;
    if (!who) throw fail(HttpErrorCode.Unauthorized, "a reviewer's bearer token is required");
    return who.name;
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://operator");
      const path = url.pathname;
      if (req.method === "GET" && path === "/v1/health") return send(res, 200, { ok: true });
      if (req.method === "POST" && path === "/v1/attestation") {
        relayerOnly(req);
        const body = await parseBody(req, AttestationBody);
        return send(res, 200, { result: await operator.attestation(body.id as Hex, body.message as Message) });
      }
      if (req.method === "POST" && path === "/v1/batch-signatures") {
        relayerOnly(req);
        const body = await parseBody(req, BatchBody);
        return send(res, 200, { result: await operator.signBatch(body as AttestBatch) });
      }
      if (req.method === "POST" && path === "/v1/finality") {
        relayerOnly(req);
        const body = await parseBody(req, FinalityBody);
        return send(res, 200, { result: (await operator.finality(body.ids as Hex[])) ?? null });
      }
      if (req.method === "GET" && path === "/v1/reviews") {
        reviewerOf(req);
        const state = ReviewStateQuery.safeParse(url.searchParams.get("state") ?? "pending");
        if (!state.success) throw fail(HttpErrorCode.InvalidBody, "state must be pending, approved, denied, expired or all");
        return send(res, 200, { reviews: operator.store.reviews(state.data as ReviewState | "all").map(reviewView) });
      }
      const review = /^\/v1\/reviews\/(0x[0-9a-fA-F]{64})$/.exec(path);
      if (req.method === "POST" && review) {
        const by = reviewerOf(req);
        const body = await parseBody(req, ReviewBody);
        const d = operator.review(review[1]! as Hex, body.decision === "approve", by);
        log.info({ id: d.id, decision: body.decision, by }, "review decided");
        return send(res, 200, { review: reviewView(d) });
      }
      throw fail(HttpErrorCode.NotFound, `no route ${req.method} ${path}`);
    } catch (e) {
      const code = isCorridorError(e) ? e.code : "CORRIDOR_OPERATOR_FAILED";
      const status = statusOf(code);
      if (status >= 500) log.error({ err: e }, "operator request failed");
      send(res, status, { error: { code, message: (e as Error).message } });
    }
  });
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve(server));
  });
}

async function call<T>(url: string, path: string, token: string, init: { method: string; body?: unknown }, timeoutMs: number): Promise<T> {
  const res = await fetch(`${url.replace(/\/$/, "")}${path}`, {
    method: init.method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    ...(init.body === undefined ? {} : { body: stringifyWithBigints(init.body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: { error?: { code: string; message: string } } & Record<string, unknown>;
  try {
    json = parseWithBigints(text);
  } catch {
    throw new CorridorError("CORRIDOR_OPERATOR_FAILED", `operator answered ${res.status} with a body that is not JSON`);
  }
  if (!res.ok || json.error) throw new CorridorError(json.error?.code ?? "CORRIDOR_OPERATOR_FAILED", json.error?.message ?? `operator answered ${res.status}`);
  return json as T;
}

/** A remote operator over HTTP (what `corridor relayer` uses when the operator runs on its own). */
export class RemoteOperator implements OperatorApi {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async attestation(id: Hex, message: Message): Promise<Attestation> {
    return (await call<{ result: Attestation }>(this.url, "/v1/attestation", this.token, { method: "POST", body: { id, message } }, this.timeoutMs)).result;
  }

  async finality(ids: Hex[]) {
    return (await call<{ result: { ids: Hex[]; signatures: Hex[] } | null }>(this.url, "/v1/finality", this.token, { method: "POST", body: { ids } }, this.timeoutMs)).result ?? undefined;
  }

  async signBatch(batch: AttestBatch): Promise<SignedBatch> {
    return (await call<{ result: SignedBatch }>(this.url, "/v1/batch-signatures", this.token, { method: "POST", body: batch }, this.timeoutMs)).result;
  }
}

/** The review desk's client (`corridor review`): lists and decides reviews with a reviewer's token. */
export class ReviewDeskClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async list(state: ReviewState | "all" = "pending"): Promise<ReturnType<typeof reviewView>[]> {
    return (await call<{ reviews: ReturnType<typeof reviewView>[] }>(this.url, `/v1/reviews?state=${state}`, this.token, { method: "GET" }, this.timeoutMs)).reviews;
  }

  async decide(id: Hex, decision: "approve" | "deny"): Promise<ReturnType<typeof reviewView>> {
    return (await call<{ review: ReturnType<typeof reviewView> }>(this.url, `/v1/reviews/${id}`, this.token, { method: "POST", body: { decision } }, this.timeoutMs)).review;
  }
}
