import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { MemoryAttesterJournal, SqliteAttesterJournal, judgeClaim, type AttesterJournal, type JournalEntry } from "../../src/operator/attester.js";
import { MemoryDecisionStore, SqliteDecisionStore, type Decision } from "../../src/operator/decisions.js";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const settle = (n: number, rate = 1n): JournalEntry => ({ id: id(n), outcome: "settle", rate, at: 1 });
const refund = (n: number, reason = 0): JournalEntry => ({ id: id(n), outcome: "refund", reason, at: 2 });

describe("an attester's rule: one outcome per id", () => {
  it("records the first outcome and repeats it, at the same rate or for the same reason only", () => {
    expect(judgeClaim(undefined, settle(1), false)).toEqual({ write: true });
    expect(judgeClaim(settle(1), settle(1), false)).toEqual({ write: false });
    expect(judgeClaim(settle(1, 1n), settle(1, 2n), false).refusal).toBe("SETTLED_AT_ANOTHER_RATE");
    expect(judgeClaim(refund(1, 0), refund(1, 1), false).refusal).toBe("REFUNDED_FOR_ANOTHER_REASON");
  });

  it("never settles after a refund, and refunds after a settlement only once it expired unexecuted", () => {
    expect(judgeClaim(refund(1), settle(1), true).refusal).toBe("REFUND_ALREADY_SIGNED");
    expect(judgeClaim(settle(1), refund(1), false).refusal).toBe("SETTLEMENT_ALREADY_SIGNED");
    expect(judgeClaim(settle(1), refund(1), true)).toEqual({ write: true });
  });
});

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "corridor-journal-"));
  dirs.push(d);
  return d;
};

describe.each([
  ["in memory", () => new MemoryAttesterJournal() as AttesterJournal],
  ["in SQLite", () => new SqliteAttesterJournal(join(tmp(), "a.db")) as AttesterJournal],
])("an attester journal %s", (_name, open) => {
  it("refuses the other outcome once one is claimed", () => {
    const j = open();
    expect(j.claim(settle(7, 5n), false)).toBeUndefined();
    expect(j.claim(refund(7), false)).toBe("SETTLEMENT_ALREADY_SIGNED");
    expect(j.get(id(7))).toMatchObject({ outcome: "settle", rate: 5n });
    expect(j.claim(refund(7), true)).toBeUndefined();
    expect(j.get(id(7))).toMatchObject({ outcome: "refund", afterExpiry: true });
    expect(j.claim(settle(7, 5n), false)).toBe("REFUND_ALREADY_SIGNED");
    j.close?.();
  });
});

describe("the SQLite attester journal across processes and restarts", () => {
  it("keeps a claim after reopening, and two connections to one file cannot claim both outcomes", () => {
    const file = join(tmp(), "a.db");
    const a = new SqliteAttesterJournal(file);
    const b = new SqliteAttesterJournal(file);
    expect(a.claim(refund(3), false)).toBeUndefined();
    expect(b.claim(settle(3), false)).toBe("REFUND_ALREADY_SIGNED");
    a.close();
    b.close();
    const again = new SqliteAttesterJournal(file);
    expect(again.get(id(3))?.outcome).toBe("refund");
    expect(again.claim(settle(3), false)).toBe("REFUND_ALREADY_SIGNED");
    again.close();
  });
});

describe.each([
  ["in memory", () => new MemoryDecisionStore()],
  ["in SQLite", () => new SqliteDecisionStore(join(tmp(), "operator.db"))],
])("the operator's decision store %s", (_name, open) => {
  const decision = (n: number): Decision => ({
    id: id(n),
    message: { srcChainId: 1n, srcGateway: `0x${"1".repeat(40)}`, dstChainId: 2n, dstGateway: `0x${"2".repeat(40)}`, nonce: BigInt(n), sender: `0x${"3".repeat(40)}`, recipient: `0x${"4".repeat(40)}`, inputToken: `0x${"5".repeat(40)}`, outputToken: `0x${"6".repeat(40)}`, amount: 10n ** 30n, fee: 1n, minAmountOut: 0n, deadline: 99n, tier: 0, mode: 1, extraHash: id(0), quoteHash: id(0), sentAt: 5n },
    route: { srcChain: "us", dstChain: "uk", inputCurrency: "USD", outputCurrency: "GBP" },
  });

  it("creates a decision once, changes it atomically, and lists reviews by state", () => {
    const s = open();
    expect(s.getOrCreate(decision(1)).message.amount).toBe(10n ** 30n);
    s.update(id(1), (d) => ({ ...d, screening: { outcome: "hold", reason: "MANUAL_REVIEW", at: 1 }, review: { state: "pending", openedAt: 1 } }));
    // A second create does not overwrite.
    expect(s.getOrCreate(decision(1)).screening?.outcome).toBe("hold");
    // A change that returns undefined leaves it as it is.
    expect(s.update(id(1), () => undefined)?.review?.state).toBe("pending");
    expect(s.reviews().map((d) => d.id)).toEqual([id(1)]);
    s.update(id(1), (d) => ({ ...d, review: { ...d.review!, state: "approved", by: "ada", decidedAt: 2 } }));
    expect(s.reviews()).toEqual([]);
    expect(s.reviews("all")[0]!.review).toMatchObject({ state: "approved", by: "ada" });
    expect(s.update(id(9), (d) => d)).toBeUndefined();
    s.appendAudit([{ time: 2, transferId: id(1), hook: "review", outcome: "allow", reason: "REVIEW_APPROVED", data: { by: "ada" } }]);
    expect(s.auditFor(id(1))).toHaveLength(1);
    expect(s.auditFor(id(2))).toEqual([]);
    s.close();
  });

  it("never lets a caller change a stored decision: not through what it stored, nor through what it read", () => {
    const s = open();
    const d = decision(3);
    s.getOrCreate(d);
    (d.route as { dstChain: string }).dstChain = "elsewhere";
    expect(s.get(id(3))!.route.dstChain).toBe("uk");
    const read = s.get(id(3))!;
    try {
      (read.route as { dstChain: string }).dstChain = "elsewhere";
      (read as { signed?: unknown }).signed = { outcome: "refund", reason: "denied", at: 1 };
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError); // the store in memory hands out frozen decisions
    }
    expect(s.get(id(3))!.route.dstChain).toBe("uk");
    expect(s.get(id(3))!.signed).toBeUndefined();
    const changed = s.update(id(3), (cur) => ({ ...cur, screening: { outcome: "allow", at: 4 } }))!;
    try {
      (changed.screening as { outcome: string }).outcome = "deny";
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
    }
    expect(s.get(id(3))!.screening?.outcome).toBe("allow");
    s.close();
  });
});
