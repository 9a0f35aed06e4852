/**
 * The operator as a service over HTTP, and its client. Every route but health needs a bearer token:
 * the relayer's token for the attestation routes, a reviewer's token for the review desk (the
 * reviewer's name goes to the decision record and the audit trail). Bodies are validated (zod) and
 * bad ones answered 4xx with a stable code. Nothing a caller sends is believed beyond the message,
 * which the operator checks against the source gateway (src/operator/operator.ts).
 */
import type { FastifyRequest } from "fastify";
import type { Hex } from "viem";
import type { Logger } from "pino";
import { z } from "zod";
import { CorridorError } from "../domain/errors.js";
import { parseWithBigints, stringifyWithBigints } from "../domain/json.js";
import type { Message } from "../domain/message.js";
import { bearerToken, createHttpApp, ErrorBodySchema, HttpError, HttpErrorCode, sameToken, type HttpApp } from "../http/app.js";
import { OperatorErrorCode, type Attestation, type Operator, type OperatorApi, type SignedBatch } from "./operator.js";
import type { AttestBatch } from "./attester.js";
import type { Decision, ReviewState } from "./decisions.js";
import { TravelRuleInboxCode, type TravelRuleInbox } from "./travel-rule-inbox.js";

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
const ReviewsQuery = z.object({ state: z.enum(["pending", "approved", "denied", "expired", "all"]).default("pending") });
const ReviewParams = z.object({ id: hex32 });
const TravelRuleBody = z.object({ data: z.record(z.unknown()) }).strict();

export interface OperatorAuth {
  /** Bearer tokens the relayers present. */
  relayerTokens: string[];
  /** People who may decide reviews, each with their own token. */
  reviewers: { name: string; token: string }[];
}

/** HTTP status of a coded error the operator raises while answering (the HTTP edge's own refusals carry theirs). */
function statusOf(code: string): number | undefined {
  if (code === OperatorErrorCode.ReviewNotFound) return 404;
  if (code === OperatorErrorCode.ReviewDecided) return 409;
  if (code.startsWith("CORRIDOR_ATTEST_") || code === OperatorErrorCode.FinalityMixed) return 422;
  if (code === "CORRIDOR_ATTESTERS_NO_QUORUM" || code === TravelRuleInboxCode.Full) return 503;
  if (code === TravelRuleInboxCode.Invalid) return 400;
  return undefined;
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
 * POST /v1/finality {ids}, POST /v1/travel-rule {data} → {extraHash} (relayer token);
 * GET /v1/reviews[?state=], POST /v1/reviews/<id> {decision} (a reviewer's token); GET /v1/health.
 * Tokens are checked before a body is read. Binds to loopback unless told otherwise.
 */
export async function serveOperator(
  operator: Operator,
  opts: { port: number; host?: string; logger: Logger; auth: OperatorAuth; travelRules?: TravelRuleInbox },
): Promise<HttpApp> {
  const log = opts.logger.child({ module: "operator-http" });
  if (opts.auth.relayerTokens.length === 0) throw new CorridorError("CORRIDOR_CONFIG_INVALID", "the operator needs at least one relayer token");
  const app = createHttpApp({ logger: log, bodyLimit: MAX_BODY, parseJson: parseWithBigints, serialize: stringifyWithBigints, statusOf, failureCode: "CORRIDOR_OPERATOR_FAILED" });
  app.decorateRequest("reviewer", "");
  const relayerOnly = async (request: FastifyRequest) => {
    const t = bearerToken(request);
    if (!t || !opts.auth.relayerTokens.some((k) => sameToken(t, k))) throw new HttpError(401, HttpErrorCode.Unauthorized, "a relayer bearer token is required");
  };
  const reviewerOnly = async (request: FastifyRequest) => {
    const t = bearerToken(request);
    const who = t ? opts.auth.reviewers.find((r) => sameToken(t, r.token)) : undefined;
    if (!who) throw new HttpError(401, HttpErrorCode.Unauthorized, "a reviewer's bearer token is required");
    request.setDecorator("reviewer", who.name);
  };

  app.get("/v1/health", async () => ({ ok: true }));
  app.post("/v1/attestation", { onRequest: relayerOnly, schema: { body: AttestationBody } }, async (request) => ({
    result: await operator.attestation(request.body.id as Hex, request.body.message as Message),
  }));
  app.post("/v1/batch-signatures", { onRequest: relayerOnly, schema: { body: BatchBody } }, async (request) => ({
    result: await operator.signBatch(request.body as AttestBatch),
  }));
  app.post("/v1/finality", { onRequest: relayerOnly, schema: { body: FinalityBody } }, async (request) => ({
    result: (await operator.finality(request.body.ids as Hex[])) ?? null,
  }));
  const inbox = opts.travelRules;
  if (inbox) {
    app.post("/v1/travel-rule", { onRequest: relayerOnly, schema: { body: TravelRuleBody } }, async (request) => ({ extraHash: inbox.put(request.body.data) }));
  }
  app.get("/v1/reviews", { onRequest: reviewerOnly, schema: { querystring: ReviewsQuery } }, async (request) => ({
    reviews: operator.store.reviews(request.query.state as ReviewState | "all").map(reviewView),
  }));
  app.post("/v1/reviews/:id", { onRequest: reviewerOnly, schema: { params: ReviewParams, body: ReviewBody } }, async (request) => {
    const by = request.getDecorator<string>("reviewer");
    const d = operator.review(request.params.id as Hex, request.body.decision === "approve", by);
    log.info({ id: d.id, decision: request.body.decision, by }, "review decided");
    return { review: reviewView(d) };
  });
  await app.listen({ port: opts.port, host: opts.host ?? "127.0.0.1" });
  return app;
}

async function call<T>(url: string, path: string, token: string, init: { method: string; body?: unknown }, timeoutMs: number): Promise<T> {
  const res = await fetch(`${url.replace(/\/$/, "")}${path}`, {
    method: init.method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    ...(init.body === undefined ? {} : { body: stringifyWithBigints(init.body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = parseWithBigints(text);
  } catch {
    throw new CorridorError("CORRIDOR_OPERATOR_FAILED", `operator answered ${res.status} with a body that is not JSON`);
  }
  const refused = ErrorBodySchema.safeParse(json);
  if (refused.success) throw new CorridorError(refused.data.error.code, refused.data.error.message);
  if (!res.ok) throw new CorridorError("CORRIDOR_OPERATOR_FAILED", `operator answered ${res.status}`);
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

  /** Posts a transfer's IVMS101 travel-rule data; returns the hash to send as its extraHash. */
  async submitTravelRule(data: unknown): Promise<Hex> {
    return (await call<{ extraHash: Hex }>(this.url, "/v1/travel-rule", this.token, { method: "POST", body: { data } }, this.timeoutMs)).extraHash;
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
