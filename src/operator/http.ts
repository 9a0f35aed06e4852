import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Hex } from "viem";
import type { Logger } from "pino";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { parseWithBigints, stringifyWithBigints } from "../domain/json.js";
import type { RefundReason } from "../domain/message.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { AttestationResult, OperatorApi } from "./operator.js";

/** Largest request body the operator accepts (a finality batch of a few thousand records fits). */
const MAX_BODY = 4 * 1024 * 1024;

const ROUTES = ["attestTransfer", "quoteAndSign", "attestRefund", "refundDenied", "attestFinalize", "attestFinality", "reviewOutcome"] as const;
type Route = (typeof ROUTES)[number];

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new CorridorError("CORRIDOR_HTTP_BODY_TOO_LARGE", `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The operator as a service: POST /v1/<method> with a JSON body (bigints as {"$bigint": "…"}),
 * answered with the method's result. The operator checks every message against the source chain
 * itself, so a caller can ask but never make it sign something that was not sent.
 */
export function serveOperator(operator: OperatorApi, opts: { port: number; host?: string; logger: Logger }): Promise<Server> {
  const log = opts.logger.child({ module: "operator-http" });
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(stringifyWithBigints(body));
    };
    try {
      if (req.method === "GET" && req.url === "/v1/health") return send(200, { ok: true });
      const route = req.url?.startsWith("/v1/") ? (req.url.slice(4) as Route) : undefined;
      if (req.method !== "POST" || !route || !ROUTES.includes(route)) return send(404, { error: { code: "CORRIDOR_HTTP_NOT_FOUND", message: `no route ${req.method} ${req.url}` } });
      let body: { record?: TransferRecord; records?: TransferRecord[]; reason?: RefundReason };
      try {
        body = parseWithBigints(await readBody(req));
      } catch (e) {
        if (isCorridorError(e)) return send(413, { error: { code: e.code, message: e.message } });
        return send(400, { error: { code: "CORRIDOR_HTTP_MALFORMED_JSON", message: "request body is not valid JSON" } });
      }
      if (route === "attestFinality" ? !Array.isArray(body.records) : !body.record?.message) {
        return send(400, { error: { code: "CORRIDOR_HTTP_INVALID_BODY", message: route === "attestFinality" ? "expected { records: [...] }" : "expected { record: { id, message, ... } }" } });
      }
      const r = body.record!;
      const result =
        route === "attestFinality"
          ? await operator.attestFinality(body.records!)
          : route === "attestRefund"
            ? await operator.attestRefund(r, body.reason ?? "other")
            : await operator[route](r);
      send(200, { result: result ?? null, record: r });
    } catch (e) {
      log.error({ err: e }, "operator request failed");
      send(500, { error: { code: isCorridorError(e) ? e.code : "CORRIDOR_OPERATOR_FAILED", message: (e as Error).message } });
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve(server));
  });
}

/** A remote operator over HTTP (what `corridor relayer` uses when the operator runs on its own). */
export class RemoteOperator implements OperatorApi {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async call<T>(route: Route, body: object): Promise<T> {
    const res = await fetch(`${this.url.replace(/\/$/, "")}/v1/${route}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stringifyWithBigints(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const json = parseWithBigints<{ result?: T; record?: TransferRecord; error?: { code: string; message: string } }>(await res.text());
    if (!res.ok || json.error) throw new CorridorError(json.error?.code ?? "CORRIDOR_OPERATOR_FAILED", json.error?.message ?? `operator answered ${res.status}`);
    // The operator may annotate the record (screening outcome): carry that back.
    const rec = (body as { record?: TransferRecord }).record;
    if (rec && json.record) Object.assign(rec, { compliance: json.record.compliance ?? rec.compliance });
    return json.result as T;
  }

  attestTransfer = (record: TransferRecord) => this.call<AttestationResult>("attestTransfer", { record });
  quoteAndSign = (record: TransferRecord) => this.call<AttestationResult>("quoteAndSign", { record });
  attestRefund = (record: TransferRecord, reason: RefundReason) => this.call<AttestationResult>("attestRefund", { record, reason });
  refundDenied = (record: TransferRecord) => this.call<AttestationResult>("refundDenied", { record });
  attestFinalize = async (record: TransferRecord) => (await this.call<Hex[] | null>("attestFinalize", { record })) ?? undefined;
  attestFinality = async (records: TransferRecord[]) => (await this.call<{ ids: Hex[]; signatures: Hex[] } | null>("attestFinality", { records })) ?? undefined;
  reviewOutcome = (record: TransferRecord) => this.call<AttestationResult>("reviewOutcome", { record });
}
