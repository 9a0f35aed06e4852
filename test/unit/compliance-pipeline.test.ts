import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createHook,
  createHookRegistry,
  createHooks,
  converterAt,
  currenciesIn,
  registerHook,
  runPipeline,
  type ComplianceHook,
  type Decision,
  type ScreeningContext,
} from "../../src/domain/compliance/index.js";
import { isCorridorError } from "../../src/domain/errors.js";
import { combineRates, fixedRate } from "../../src/domain/fx/rate-source.js";
import { toBaseUnits } from "../../src/domain/money.js";
import { USD_EUR, USD_GBP } from "../helpers/fx.js";

const ALICE = "0x1111111111111111111111111111111111111111";
const BOB = "0x2222222222222222222222222222222222222222";
const EVE = "0x03893a7c7463AE47D46bc7f091665f1893656003";

const US = { id: "US", travelRule: { amount: 3000, currency: "USD" } };
const UK = { id: "UK", travelRule: { amount: 1000, currency: "EUR", belowThreshold: { requires: "names" as const } } };

const ctx = (usd: string, over: Partial<ScreeningContext> = {}): ScreeningContext => ({
  transferId: "0x01",
  sender: ALICE,
  recipient: BOB,
  amount: toBaseUnits(usd),
  currency: "USD",
  sourceChain: "us",
  destinationChain: "uk",
  jurisdictions: { source: US, destination: US },
  numeraire: "USD",
  now: 500,
  convert: converterAt(combineRates([fixedRate("0.8", USD_GBP), fixedRate("0.92", USD_EUR)]), 500),
  ...over,
});

function fixed(name: string, decision: Decision, calls: string[]): ComplianceHook {
  return { name, check: () => (calls.push(name), decision) };
}

describe("compliance pipeline", () => {
  it("runs every hook in order and allows when all allow, auditing each decision", async () => {
    const calls: string[] = [];
    const r = await runPipeline([fixed("a", { outcome: "allow", data: { looked: 1 } }, calls), fixed("b", { outcome: "allow" }, calls)], ctx("1"));
    expect(calls).toEqual(["a", "b"]);
    expect(r.decision.outcome).toBe("allow");
    expect(r.decidedBy).toBeUndefined();
    expect(r.audit).toEqual([
      { time: 500, transferId: "0x01", hook: "a", outcome: "allow", data: { looked: 1 } },
      { time: 500, transferId: "0x01", hook: "b", outcome: "allow", data: {} },
    ]);
  });

  it("stops at the first deny and records which hook decided", async () => {
    const calls: string[] = [];
    const r = await runPipeline(
      [fixed("a", { outcome: "allow" }, calls), fixed("b", { outcome: "deny", reason: "NOPE", details: { why: "x" } }, calls), fixed("c", { outcome: "allow" }, calls)],
      ctx("1"),
    );
    expect(calls).toEqual(["a", "b"]);
    expect(r).toMatchObject({ decision: { outcome: "deny", reason: "NOPE" }, decidedBy: "b" });
    expect(r.audit.map((e) => [e.hook, e.outcome, e.reason])).toEqual([["a", "allow", undefined], ["b", "deny", "NOPE"]]);
    expect(r.audit[1]?.data).toEqual({ why: "x" });
  });

  it("stops at the first hold and keeps its review time", async () => {
    const calls: string[] = [];
    const r = await runPipeline([fixed("h", { outcome: "hold", reason: "WAIT", reviewSeconds: 30 }, calls), fixed("z", { outcome: "deny", reason: "NO" }, calls)], ctx("1"));
    expect(calls).toEqual(["h"]);
    expect(r.decision).toMatchObject({ outcome: "hold", reviewSeconds: 30 });
    expect(r.audit[0]).toMatchObject({ outcome: "hold", reason: "WAIT", data: { reviewSeconds: 30 } });
  });

  it("awaits asynchronous hooks", async () => {
    const slow: ComplianceHook = { name: "slow", check: async () => ({ outcome: "deny", reason: "LATE" }) };
    expect((await runPipeline([slow], ctx("1"))).decision).toMatchObject({ reason: "LATE" });
  });

  it("holds a transfer whose hook throws (fails closed) and records the error", async () => {
    const broken: ComplianceHook = { name: "broken", check: () => { throw new Error("db down"); } };
    const r = await runPipeline([broken], ctx("1"));
    expect(r.decision).toMatchObject({ outcome: "hold", reason: "HOOK_FAILED" });
    expect(r.audit[0]?.data).toEqual({ error: "db down" });
  });

  it("tells every hook that ran the final decision, so limits do not count a later denial", async () => {
    const hooks = createHooks([{ hook: "limits", daily: 150 }, { hook: "sanctions", addresses: [EVE] }]);
    await runPipeline(hooks, ctx("100", { recipient: EVE }));
    const r = await runPipeline(hooks, ctx("100"));
    expect(r.decision.outcome).toBe("allow");
    const again = await runPipeline(hooks, ctx("100"));
    expect(again).toMatchObject({ decision: { reason: "LIMIT_DAILY" }, decidedBy: "limits" });
  });
});

describe("hook registry", () => {
  it("builds the built-in hooks from a scenario's hook list", async () => {
    const loaded: string[] = [];
    const hooks = createHooks(
      [
        { hook: "sanctions", listFile: "list.txt", asOf: "2026-01-05" },
        { hook: "travelRule", onMissing: "deny" },
        { hook: "limits", perTransfer: 50_000, daily: "100000" },
        { hook: "kyc", addresses: [ALICE, BOB] },
        { hook: "manualReview", above: 25_000, reviewSeconds: 600 },
      ],
      { loadSanctionsList: (f, asOf) => (loaded.push(`${f} ${asOf}`), { addresses: new Set([EVE.toLowerCase()]), asOf: asOf!, file: f }) },
    );
    expect(loaded).toEqual(["list.txt 2026-01-05"]);
    expect(hooks.map((h) => h.name)).toEqual(["sanctions", "travelRule", "limits", "kyc", "manualReview"]);
    expect((await runPipeline(hooks, ctx("100"))).decision.outcome).toBe("allow");
    const denied = await runPipeline(hooks, ctx("100", { recipient: EVE }));
    expect(denied.decision).toMatchObject({ reason: "SANCTIONED_RECIPIENT", details: { list: { file: "list.txt", asOf: "2026-01-05" } } });
    expect((await runPipeline(hooks, ctx("5000"))).decision).toMatchObject({ reason: "TRAVEL_RULE_MISSING" });
  });

  it("rejects an unknown hook with CORRIDOR_HOOK_UNKNOWN and bad options with CORRIDOR_INVALID_CONFIG", () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isCorridorError(e) ? e.code : "other";
      }
      return "none";
    };
    expect(codeOf(() => createHook({ hook: "astrology" }))).toBe("CORRIDOR_HOOK_UNKNOWN");
    expect(codeOf(() => createHook({ hook: "limits", perTransfer: -1 }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "limits", dialy: 5 }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "sanctions", addresses: ["0xnot"] }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "sanctions", listFile: "x.txt" }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "sanctions", listFile: "x.txt", asOf: "2025-02-30" }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "sanctions", addresses: [ALICE], asOf: "2025-02-01" }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "sanctions", byJurisdiction: { uk: { listFile: "x.txt" } } }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "travelRule", thresholds: { UK: { amount: 1, currency: "EUR", belowThreshold: { requires: "everything" } } } }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "limits", currency: "usd" }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "travelRule", eurPerUsd: 0.9 }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "travelRule", thresholds: { us: { amount: 1, currency: "USD" } } }))).toBe("CORRIDOR_INVALID_CONFIG");
    expect(codeOf(() => createHook({ hook: "manualReview", above: 1, aboveUsd: 1 }))).toBe("CORRIDOR_INVALID_CONFIG");
  });

  it("lists the currencies a hook spec names, for the caller to check against the corridor's", () => {
    expect(currenciesIn({ hook: "travelRule", thresholds: { US: { amount: 1, currency: "JPY" }, UK: null } })).toEqual([{ path: ["thresholds", "US", "currency"], currency: "JPY" }]);
    expect(currenciesIn({ hook: "limits", currency: "GBP" })).toEqual([{ path: ["currency"], currency: "GBP" }]);
    expect(currenciesIn({ hook: "kyc", addresses: [ALICE] })).toEqual([]);
  });

  it("records the jurisdiction whose rule decided in the audit trail", async () => {
    const [travel] = createHooks([{ hook: "travelRule" }]);
    const r = await runPipeline([travel!], ctx("100", { jurisdictions: { source: US, destination: UK } }));
    expect(r.decision).toMatchObject({ outcome: "hold", reason: "TRAVEL_RULE_MISSING", jurisdiction: "UK" });
    expect(r.audit[0]).toMatchObject({ hook: "travelRule", reason: "TRAVEL_RULE_MISSING", data: { decidedByJurisdiction: "UK", decidedBy: { jurisdiction: "UK", side: "destination" } } });
  });

  it("takes any ISO currency code and per-jurisdiction travel-rule thresholds (null: none)", async () => {
    const [travel, limits, review] = createHooks([
      { hook: "travelRule", thresholds: { US: { amount: "100", currency: "EUR" }, UK: null } },
      { hook: "limits", perTransfer: 1_000, currency: "GBP" },
      { hook: "manualReview", above: 5_000 },
    ]);
    expect((await runPipeline([travel!], ctx("108.69"))).decision.outcome).toBe("allow"); // 99.99 EUR
    expect((await runPipeline([travel!], ctx("108.70"))).decision).toMatchObject({ reason: "TRAVEL_RULE_MISSING" });
    expect((await runPipeline([travel!], ctx("1000000", { jurisdictions: { source: UK, destination: UK } }))).decision.outcome).toBe("allow");
    expect((await runPipeline([limits!], ctx("1250.01"))).decision).toMatchObject({ reason: "LIMIT_PER_TRANSFER" });
    expect((await runPipeline([review!], ctx("5000.01"))).decision).toMatchObject({ reason: "MANUAL_REVIEW" });
  });

  it("lets a user register a hook of their own and list it by name", async () => {
    registerHook("weekendBlock", {
      schema: z.object({ name: z.string().optional() }).strict(),
      create: (o) => ({
        name: o.name ?? "weekendBlock",
        check: (c) => (Math.floor(c.now / 86_400) % 7 >= 2 && Math.floor(c.now / 86_400) % 7 <= 3 ? { outcome: "hold", reason: "WEEKEND" } : { outcome: "allow" }),
      }),
    });
    const [hook] = createHooks([{ hook: "weekendBlock" }]);
    expect(hook?.name).toBe("weekendBlock");
    expect((await runPipeline([hook as ComplianceHook], ctx("1", { now: 2 * 86_400 }))).decision).toMatchObject({ reason: "WEEKEND" });
  });

  it("keeps separate registries independent", () => {
    const r = createHookRegistry();
    r.register("custom", { schema: z.object({}), create: () => ({ name: "custom", check: () => ({ outcome: "allow" }) }) });
    expect(r.names()).toContain("custom");
    expect(createHookRegistry().names()).not.toContain("custom");
  });
});

describe("hooks scoped to corridors", () => {
  it("run only on their corridors, so each corridor can have limits of its own", async () => {
    const hooks = createHooks([
      { hook: "limits", name: "limits us->uk", corridors: ["us->uk"], perTransfer: 100 },
      { hook: "limits", name: "limits us->eu", corridors: ["us->eu"], perTransfer: 1_000 },
    ]);
    const run = (dst: string, usd: string) => runPipeline(hooks, ctx(usd, { destinationChain: dst }));
    expect((await run("uk", "500")).decision).toMatchObject({ outcome: "deny", reason: "LIMIT_PER_TRANSFER" });
    expect((await run("eu", "500")).decision.outcome).toBe("allow");
    expect((await run("eu", "5000")).decision).toMatchObject({ outcome: "deny", reason: "LIMIT_PER_TRANSFER" });
    // A corridor neither names: no limit applies, and the audit says so.
    const other = await run("xx", "5000");
    expect(other.decision.outcome).toBe("allow");
    expect(other.audit.map((a) => a.data.applies)).toEqual([false, false]);
  });

  it("refuse a corridor that is not <from>-><to>", () => {
    expect(() => createHooks([{ hook: "limits", corridors: ["us:USD->uk"], perTransfer: 1 }])).toThrow();
  });
});
