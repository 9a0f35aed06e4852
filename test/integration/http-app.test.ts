/**
 * The HTTP edge the operator's API and the dashboard share (src/http/app.ts), on its own: closing
 * lets a request in flight finish and then returns at once, a handler's failure is a coded 500 that
 * names nothing of the server's insides, and a request with no route is refused before its body is read.
 */
import { request as httpRequest, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApp, ErrorBodySchema, type HttpApp } from "../../src/http/app.js";
import { silentLogger } from "../../src/logger.js";

const portOf = (app: HttpApp) => (app.server.address() as AddressInfo).port;

/** One request on a keep-alive connection (as browsers and fetch keep them). */
function get(port: number, path: string, agent: Agent): Promise<{ status: number; text: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, connection: res.headers.connection }));
    });
    req.on("error", reject);
    req.end();
  });
}

const opened: HttpApp[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((a) => a.close()));
});

describe("the HTTP edge", () => {
  it("lets a request in flight finish when closing, then closes without waiting for its idle connection", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const app = createHttpApp({ logger: silentLogger, bodyLimit: 1024, failureCode: "CORRIDOR_TEST_FAILED" });
    app.get("/slow", async () => {
      await released;
      return { done: true };
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = portOf(app);
    const agent = new Agent({ keepAlive: true });
    const answer = get(port, "/slow", agent);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const closed = app.close();
    await new Promise((r) => setTimeout(r, 200));
    // No new connection once closing.
    await expect(get(port, "/slow", new Agent())).rejects.toMatchObject({ code: "ECONNREFUSED" });
    release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ done: true });
    // The answer ends its keep-alive connection, so close() need not wait for the client to hang up.
    expect(res.connection).toBe("close");
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
    agent.destroy();
  });

  it("answers a handler's failure with a coded 500 that names nothing of the server's insides", async () => {
    const app = createHttpApp({ logger: silentLogger, bodyLimit: 1024, failureCode: "CORRIDOR_TEST_FAILED" });
    opened.push(app);
    app.post("/boom", { schema: { body: z.object({ n: z.number() }).strict() } }, async (request) => {
      throw new Error(`database password hunter2 at /srv/secret.db (n=${request.body.n})`);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const res = await fetch(`http://127.0.0.1:${portOf(app)}/boom`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1 }) });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(ErrorBodySchema.parse(JSON.parse(text)).error.code).toBe("CORRIDOR_TEST_FAILED");
    expect(text).not.toMatch(/hunter2|secret|srv|n=1|Error/);
  });

  it("refuses a path with no route, and a method its path does not take, before reading the body", async () => {
    const app = createHttpApp({ logger: silentLogger, bodyLimit: 1024, failureCode: "CORRIDOR_TEST_FAILED" });
    opened.push(app);
    app.route({ method: ["GET", "HEAD"], url: "/thing", handler: async () => ({ ok: true }) });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${portOf(app)}`;
    // Bodies that are not JSON: answered by the route's absence, not by the parser.
    const nowhere = await fetch(`${base}/nothing`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(nowhere.status).toBe(404);
    expect(ErrorBodySchema.parse(await nowhere.json()).error.code).toBe("CORRIDOR_HTTP_NOT_FOUND");
    const wrong = await fetch(`${base}/thing`, { method: "DELETE", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
    expect(ErrorBodySchema.parse(await wrong.json()).error.code).toBe("CORRIDOR_HTTP_METHOD_NOT_ALLOWED");
    expect((await fetch(`${base}/thing`, { method: "HEAD" })).status).toBe(200);
  });
});
