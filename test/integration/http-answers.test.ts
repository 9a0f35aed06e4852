/**
 * Answers have schemas too (src/http/app.ts, fastify-type-provider-zod): a route whose answer does
 * not match its schema is refused by the server as a coded 500 that names nothing of the answer,
 * and the operator's client refuses an answer that is not its route's schema with a coded error.
 */
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { bigintReplacer, parseWithBigints } from "../../src/domain/json.js";
import { isCorridorError } from "../../src/domain/errors.js";
import { NO_QUOTE, ZERO_HASH, type Message } from "../../src/domain/message.js";
import { createHttpApp, ErrorBodySchema, HttpErrorCode, type HttpApp } from "../../src/http/app.js";
import { silentLogger } from "../../src/logger.js";
import { RemoteOperator } from "../../src/operator/http.js";

const opened: HttpApp[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((a) => a.close()));
});

async function listen(app: HttpApp): Promise<string> {
  opened.push(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const message: Message = {
  srcChainId: 1n,
  srcGateway: `0x${"1".repeat(40)}`,
  dstChainId: 2n,
  dstGateway: `0x${"2".repeat(40)}`,
  nonce: 0n,
  sender: `0x${"3".repeat(40)}`,
  recipient: `0x${"4".repeat(40)}`,
  inputToken: `0x${"5".repeat(40)}`,
  outputToken: `0x${"6".repeat(40)}`,
  amount: 10n ** 24n,
  fee: 0n,
  minAmountOut: 0n,
  deadline: 0n,
  tier: 0,
  mode: 0,
  extraHash: ZERO_HASH,
  quoteHash: ZERO_HASH,
  sentAt: 0n,
};

describe("answers and their schemas", () => {
  it("refuses an answer that is not its route's schema as a coded 500 naming nothing of it, and sends one that is (bigints kept)", async () => {
    const app = createHttpApp({ logger: silentLogger, bodyLimit: 1024, failureCode: "CORRIDOR_TEST_FAILED", replacer: bigintReplacer });
    const Answer = z.object({ amount: z.bigint(), owner: z.string() });
    app.get("/wrong", { schema: { response: { 200: Answer } } }, async () => ({ amount: "12345", owner: "hunter2@secret" }) as unknown as z.infer<typeof Answer>);
    app.get("/right", { schema: { response: { 200: Answer } } }, async () => ({ amount: 10n ** 30n, owner: "alice", extra: "stripped" }));
    const base = await listen(app);

    const wrong = await fetch(`${base}/wrong`);
    expect(wrong.status).toBe(500);
    const text = await wrong.text();
    expect(ErrorBodySchema.parse(JSON.parse(text)).error.code).toBe("CORRIDOR_TEST_FAILED");
    expect(text).not.toMatch(/12345|hunter2|secret|amount|owner|bigint|Zod|schema/i);

    const right = await fetch(`${base}/right`);
    expect(right.status).toBe(200);
    expect(Answer.strict().parse(parseWithBigints(await right.text()))).toEqual({ amount: 10n ** 30n, owner: "alice" });
  });

  it("the operator's client refuses an answer that is not its route's, or not JSON, with a coded error", async () => {
    const app = createHttpApp({ logger: silentLogger, bodyLimit: 1 << 20, failureCode: "CORRIDOR_TEST_FAILED" });
    // A stand-in operator that answers whatever the test says (no answer schemas: it is the one misbehaving).
    let answer: { status: number; body: string } = { status: 200, body: "" };
    app.post("/v1/attestation", async (_request, reply) => reply.code(answer.status).type("application/json").send(answer.body));
    const op = new RemoteOperator(await listen(app), "relayer-token-0123456789");
    const id = ZERO_HASH;

    const cases: [string, { status: number; body: string }][] = [
      ["an unknown kind", { status: 200, body: JSON.stringify({ result: { kind: "pay-me", to: "0xattacker" } }) }],
      ["a settle with the rate as a float", { status: 200, body: JSON.stringify({ result: { kind: "settle", rate: 1.5, mid: 1.5, sourceFinal: true, quote: {}, quoteSignature: "0x" } }) }],
      ["no result", { status: 200, body: JSON.stringify({ ok: true }) }],
      ["not JSON", { status: 200, body: "<html>proxy</html>" }],
      ["a 502 that is not an error body", { status: 502, body: JSON.stringify({ message: "bad gateway" }) }],
    ];
    for (const [what, a] of cases) {
      answer = a;
      const err = await op.attestation(id, message).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isCorridorError(err), what).toBe(true);
      expect((err as { code: string }).code, what).toBe(HttpErrorCode.BadAnswer);
    }

    // A refusal keeps the server's code; an answer that is the schema's is read, bigints and all.
    answer = { status: 422, body: JSON.stringify({ error: { code: "CORRIDOR_ATTEST_ID_MISMATCH", message: "no" } }) };
    await expect(op.attestation(id, message)).rejects.toMatchObject({ code: "CORRIDOR_ATTEST_ID_MISMATCH" });
    const quote = JSON.parse(JSON.stringify(NO_QUOTE, bigintReplacer)) as unknown;
    answer = { status: 200, body: JSON.stringify({ result: { kind: "settle", rate: { $bigint: "999" }, mid: { $bigint: "1000" }, sourceFinal: false, quote, quoteSignature: "0x" } }) };
    expect(await op.attestation(id, message)).toEqual({ kind: "settle", rate: 999n, mid: 1000n, sourceFinal: false, quote: NO_QUOTE, quoteSignature: "0x" });
  });
});
