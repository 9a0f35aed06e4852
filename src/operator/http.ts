/**
 * The operator as a service over HTTP, and its clients. Every route but health needs a bearer token:
 * the relayer's token for the attestation routes, a reviewer's token for the review desk (the
 * reviewer's name goes to the decision record and the audit trail). Each body and answer has one zod
 * schema, which the server validates with and the clients parse with; bad bodies are answered 4xx
 * with a stable code. Nothing a caller sends is believed beyond the message, which the operator
 * checks against the source gateway (src/operator/operator.ts).
 */
import type { FastifyRequest } from "fastify";
import type { Hex } from "viem";
import type { Logger } from "pino";
import { z } from "zod";
import { CorridorError } from "../domain/errors.js";
import { bigintReplacer, parseWithBigints, stringifyWithBigints } from "../domain/json.js";
import { hex32, hexBytes, LockedQuoteSchema, MessageSchema, REFUND_REASON, type Message, type RefundReason } from "../domain/message.js";
import type { LiveConfig } from "../live/config.js";
import { bearerToken, callJson, createHttpApp, HttpError, HttpErrorCode, sameToken, type HttpApp } from "../http/app.js";
import { OperatorErrorCode, type Operator, type OperatorApi } from "./operator.js";
import { RefusalSchema, type AttestBatch } from "./attester.js";
import { RouteSchema } from "./chain-view.js";
import { ReviewRecordSchema, ReviewStateSchema, ScreeningOutcomeSchema, type Decision } from "./decisions.js";
import { TravelRuleInboxCode, type TravelRuleInbox } from "./travel-rule-inbox.js";

/** Largest request body the operator accepts (a finality batch of a few thousand ids fits). */
const MAX_BODY = 1024 * 1024;
const MAX_FINALITY_IDS = 5_000;
/** Most items in one batch to sign (a batch transaction holds far fewer). */
const MAX_BATCH_ITEMS = 500;

const uint256 = z.bigint().min(0n).max((1n << 256n) - 1n);
const byte = z.number().int().min(0).max(255);

const AttestationBody = z.object({ id: hex32, message: MessageSchema }).strict();
const FinalityBody = z.object({ ids: z.array(hex32).min(1).max(MAX_FINALITY_IDS) }).strict();
/** A batch to sign, with `items` the list of its items (1 to MAX_BATCH_ITEMS in a request; any number, none too, in an answer). */
const batchOf = (items: <T extends z.ZodTypeAny>(item: T) => z.ZodArray<T>) =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("settle"), items: items(z.object({ message: MessageSchema, rate: uint256, sourceFinal: z.boolean() }).strict()) }).strict(),
    z.object({ kind: z.literal("refund"), items: items(z.object({ message: MessageSchema, reason: byte }).strict()) }).strict(),
    z.object({ kind: z.literal("finalize"), items: items(z.object({ message: MessageSchema }).strict()) }).strict(),
  ]);
const BatchBody = batchOf((item) => z.array(item).min(1).max(MAX_BATCH_ITEMS));
const ReviewBody = z.object({ decision: z.enum(["approve", "deny"]) }).strict();
const ReviewsQuery = z.object({ state: z.union([ReviewStateSchema, z.literal("all")]).default("pending") });
const ReviewParams = z.object({ id: hex32 });
const TravelRuleBody = z.object({ data: z.record(z.unknown()) }).strict();

/** The compliance outcome, for the relayer's records and reports (informational: nothing trusts it back). */
const ComplianceSchema = ScreeningOutcomeSchema.pick({ outcome: true, reason: true, hook: true, jurisdiction: true }).extend({ reviewed: z.enum(["approved", "denied"]).optional() });
export type ComplianceSummary = z.infer<typeof ComplianceSchema>;
const compliance = ComplianceSchema.optional();

/** The operator's answer for one id. */
const AttestationSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("settle"), rate: uint256, mid: uint256, sourceFinal: z.boolean(), quote: LockedQuoteSchema, quoteSignature: hexBytes, compliance }),
  z.object({ kind: z.literal("refund"), reason: z.enum(Object.keys(REFUND_REASON) as [RefundReason, ...RefundReason[]]), detail: z.string().optional(), compliance }),
  z.object({ kind: z.literal("hold"), reason: z.string(), reviewSeconds: z.number().optional(), compliance }),
  z.object({ kind: z.literal("finalize") }),
  /** Nothing to sign yet: not (yet) at its tier's depth on the source as the operator reads it. */
  z.object({ kind: z.literal("pending"), reason: z.string() }),
  /** Nothing left to sign: settled (same currency), refunded or finalized. */
  z.object({ kind: z.literal("done"), reason: z.string() }),
]);
export type Attestation = z.infer<typeof AttestationSchema>;

/** A batch as signed: the items the signatures cover, the signatures (signers ascending), and the items left out. */
const SignedBatchSchema = z.object({ batch: batchOf((item) => z.array(item)), signatures: z.array(hexBytes), refused: z.array(RefusalSchema) });
export type SignedBatch = z.infer<typeof SignedBatchSchema>;

const ReviewViewSchema = z.object({
  id: hex32,
  route: RouteSchema,
  amount: uint256,
  sender: MessageSchema.shape.sender,
  recipient: MessageSchema.shape.recipient,
  screening: ScreeningOutcomeSchema.optional(),
  review: ReviewRecordSchema.optional(),
});
export type ReviewView = z.infer<typeof ReviewViewSchema>;

/** Each route's answer: the server checks what it sends with it, the clients what they read. */
const Answer = {
  health: z.object({ ok: z.literal(true) }),
  attestation: z.object({ result: AttestationSchema }),
  batch: z.object({ result: SignedBatchSchema }),
  finality: z.object({ result: z.object({ ids: z.array(hex32), signatures: z.array(hexBytes) }).nullable() }),
  travelRule: z.object({ extraHash: hex32 }),
  reviews: z.object({ reviews: z.array(ReviewViewSchema) }),
  review: z.object({ review: ReviewViewSchema }),
};

/** The tokens the relayers present, and the people who may decide reviews, each with their own token (the live config's). */
export type OperatorAuth = Pick<LiveConfig["operator"], "relayerTokens" | "reviewers">;

/** HTTP status of a coded error the operator raises while answering (the HTTP edge's own refusals carry theirs). */
function statusOf(code: string): number | undefined {
  if (code === OperatorErrorCode.ReviewNotFound) return 404;
  if (code === OperatorErrorCode.ReviewDecided) return 409;
  if (code.startsWith("CORRIDOR_ATTEST_") || code === OperatorErrorCode.FinalityMixed) return 422;
  if (code === "CORRIDOR_ATTESTERS_NO_QUORUM" || code === TravelRuleInboxCode.Full) return 503;
  if (code === TravelRuleInboxCode.Invalid) return 400;
  return undefined;
}

const reviewView = (d: Decision): ReviewView => ({ id: d.id, route: d.route, amount: d.message.amount, sender: d.message.sender, recipient: d.message.recipient, screening: d.screening, review: d.review });

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
  const app = createHttpApp({ logger: log, bodyLimit: MAX_BODY, parseJson: parseWithBigints, replacer: bigintReplacer, statusOf, failureCode: "CORRIDOR_OPERATOR_FAILED" });
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

  app.get("/v1/health", { schema: { response: { 200: Answer.health } } }, async () => ({ ok: true as const }));
  app.post("/v1/attestation", { onRequest: relayerOnly, schema: { body: AttestationBody, response: { 200: Answer.attestation } } }, async (request) => ({
    result: await operator.attestation(request.body.id, request.body.message),
  }));
  app.post("/v1/batch-signatures", { onRequest: relayerOnly, schema: { body: BatchBody, response: { 200: Answer.batch } } }, async (request) => ({
    result: await operator.signBatch(request.body),
  }));
  app.post("/v1/finality", { onRequest: relayerOnly, schema: { body: FinalityBody, response: { 200: Answer.finality } } }, async (request) => ({
    result: (await operator.finality(request.body.ids)) ?? null,
  }));
  const inbox = opts.travelRules;
  if (inbox) {
    app.post("/v1/travel-rule", { onRequest: relayerOnly, schema: { body: TravelRuleBody, response: { 200: Answer.travelRule } } }, async (request) => ({ extraHash: inbox.put(request.body.data) }));
  }
  app.get("/v1/reviews", { onRequest: reviewerOnly, schema: { querystring: ReviewsQuery, response: { 200: Answer.reviews } } }, async (request) => ({
    reviews: operator.store.reviews(request.query.state).map(reviewView),
  }));
  app.post("/v1/reviews/:id", { onRequest: reviewerOnly, schema: { params: ReviewParams, body: ReviewBody, response: { 200: Answer.review } } }, async (request) => {
    const by = request.getDecorator<string>("reviewer");
    const d = operator.review(request.params.id, request.body.decision === "approve", by);
    log.info({ id: d.id, decision: request.body.decision, by }, "review decided");
    return { review: reviewView(d) };
  });
  await app.listen({ port: opts.port, host: opts.host ?? "127.0.0.1" });
  return app;
}

/** The operator's routes as a client calls them, each answer read with its route's schema. */
class OperatorClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  protected call<S extends z.ZodTypeAny>(answer: S, path: string, method: string, body?: unknown): Promise<z.output<S>> {
    const init = { method, token: this.token, timeoutMs: this.timeoutMs, parseJson: parseWithBigints };
    return callJson(answer, `${this.url.replace(/\/$/, "")}${path}`, body === undefined ? init : { ...init, body: stringifyWithBigints(body) });
  }
}

/** A remote operator over HTTP (what `corridor relayer` uses when the operator runs on its own). */
export class RemoteOperator extends OperatorClient implements OperatorApi {
  async attestation(id: Hex, message: Message): Promise<Attestation> {
    return (await this.call(Answer.attestation, "/v1/attestation", "POST", { id, message })).result;
  }

  async finality(ids: Hex[]) {
    return (await this.call(Answer.finality, "/v1/finality", "POST", { ids })).result ?? undefined;
  }

  async signBatch(batch: AttestBatch): Promise<SignedBatch> {
    return (await this.call(Answer.batch, "/v1/batch-signatures", "POST", batch)).result;
  }

  /** Posts a transfer's IVMS101 travel-rule data; returns the hash to send as its extraHash. */
  async submitTravelRule(data: unknown): Promise<Hex> {
    return (await this.call(Answer.travelRule, "/v1/travel-rule", "POST", { data })).extraHash;
  }
}

/** The review desk's client (`corridor review`): lists and decides reviews with a reviewer's token. */
export class ReviewDeskClient extends OperatorClient {
  async list(state: z.input<typeof ReviewsQuery>["state"] = "pending"): Promise<ReviewView[]> {
    return (await this.call(Answer.reviews, `/v1/reviews?state=${state}`, "GET")).reviews;
  }

  async decide(id: Hex, decision: "approve" | "deny"): Promise<ReviewView> {
    return (await this.call(Answer.review, `/v1/reviews/${id}`, "POST", { decision })).review;
  }
}
