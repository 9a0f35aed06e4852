import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Hex } from "viem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isCorridorError } from "../../src/domain/errors.js";
import type { Message } from "../../src/domain/message.js";
import type { TransferRecord } from "../../src/domain/transfer.js";
import { MIGRATIONS, SCHEMA_VERSION, SqliteStoreErrorCode, migrate, openSqliteStore, type SqliteTransferStore } from "../../src/relayer/sqlite-store.js";
import { MemoryTransferStore, type InflightBatch, type TransferStore } from "../../src/relayer/store.js";

const hex = (n: number, bytes: number): Hex => `0x${n.toString(16).padStart(bytes * 2, "0")}`;
const id = (n: number) => hex(n, 32);
const MAX_UINT256 = 2n ** 256n - 1n;

function message(n: number): Message {
  return {
    srcChainId: 31337n,
    srcGateway: hex(0xa1, 20),
    dstChainId: 2n ** 64n - 1n,
    dstGateway: hex(0xb2, 20),
    nonce: BigInt(n),
    sender: hex(0x11, 20),
    recipient: hex(0x22, 20),
    inputToken: hex(0x33, 20),
    outputToken: hex(0x44, 20),
    amount: MAX_UINT256 - BigInt(n),
    fee: 123_456_789_012_345_678_901_234_567_890n,
    minAmountOut: 9_007_199_254_740_993n, // 2^53 + 1: would lose precision as a number
    deadline: 1_700_000_000n + BigInt(n),
    tier: 1,
    mode: 1,
    extraHash: hex(0xee, 32),
    quoteHash: hex(0xdd, 32),
    sentAt: 1_699_999_000n,
  };
}

function fresh(n: number): TransferRecord {
  return {
    id: id(n),
    message: message(n),
    srcChain: "us",
    dstChain: "uk",
    inputCurrency: "USD",
    outputCurrency: "GBP",
    state: "initiated",
    stages: { initiated: 1_700_000_000 + n },
    srcBlock: 100 + n,
    srcTxHash: hex(0x5000 + n, 32),
    settleAttempts: 0,
  };
}

function full(n: number): TransferRecord {
  return {
    ...fresh(n),
    state: "settled",
    stages: {
      initiated: 10,
      confirmed: 20,
      screened: 21,
      held: 22,
      reviewed: 25,
      attested: 30,
      submitted: 31,
      settled: 40,
      refundAttested: 50,
      refunded: 60,
      finalized: 70,
    },
    dstBlock: 900,
    dstTxHash: hex(0x9000 + n, 32),
    rate: 790_000_000_000_000_000n,
    amountOut: MAX_UINT256,
    refundReason: "expired",
    lastError: "DeadlinePassed",
    settleAttempts: 2,
    finalized: true,
  };
}

/** A settlement batch in flight as the relayer saves it: bigints in the fees, the gas and deep in the jobs. */
function inflightBatch(n: number): InflightBatch {
  return {
    chain: "uk",
    kind: "settle",
    hashes: [hex(0x7000 + n, 32)],
    nonce: 40 + n,
    fees: { maxFeePerGas: 3_000_000_000n + BigInt(n), maxPriorityFeePerGas: 1_000_000n },
    to: hex(0xb2, 20),
    gas: 1_234_567n,
    ids: [id(n), id(n + 1)],
    jobs: [id(n), id(n + 1)].map((i, k) => ({
      kind: "settle",
      id: i,
      item: { message: message(n + k), rate: 790_000_000_000_000_000n, sourceFinal: true, signatures: [hex(1, 65), hex(2, 65)], quote: { rate: MAX_UINT256, expiresAt: 5n }, quoteSignature: "0x" },
    })),
    firstSentAt: 1_700_000_000,
    sentAt: 1_700_000_000,
  };
}

/** The in-flight batch methods of the TransferStore interface, for every store. */
function inflightContract(make: () => TransferStore) {
  it("saves a batch in flight, appends each replacement's hash with its fees, lists per chain, and forgets it", () => {
    const store = make();
    const a = inflightBatch(1);
    const aId = store.saveInflight(a);
    expect(a.id).toBe(aId);
    const credit: InflightBatch = { ...inflightBatch(5), kind: "credit", jobs: [{ kind: "credit", id: id(5), ids: [id(5), id(6)], signatures: [hex(3, 65)] }] };
    store.saveInflight(credit);
    store.saveInflight({ ...inflightBatch(9), chain: "us", kind: "finalize" });
    expect(store.inflight("uk")).toStrictEqual([{ ...inflightBatch(1), id: aId }, { ...credit }]);

    // A replacement: same nonce, one more hash, higher fees, sent later; the jobs stay as they were.
    a.hashes.push(hex(0x7fff, 32));
    a.fees = { maxFeePerGas: 61_000_000_000n, maxPriorityFeePerGas: 1_125_000n };
    a.sentAt = 1_700_000_060;
    expect(store.saveInflight(a)).toBe(aId);
    const [again] = store.inflight("uk");
    expect(again).toStrictEqual({ ...inflightBatch(1), id: aId, hashes: [hex(0x7001, 32), hex(0x7fff, 32)], fees: a.fees, sentAt: 1_700_000_060 });
    expect(again!.nonce).toBe(41);

    store.removeInflight(aId);
    expect(store.inflight("uk").map((b) => b.kind)).toEqual(["credit"]);
    expect(store.inflight("us")).toHaveLength(1);
    expect(store.inflight("mars")).toEqual([]);
  });
}

describe("MemoryTransferStore", () => {
  inflightContract(() => new MemoryTransferStore());
});

describe("SqliteTransferStore in memory", () => {
  let store: SqliteTransferStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it("returns a full record with every bigint exactly as it was put", () => {
    const r = full(1);
    store.put(r);
    const back = store.get(r.id);
    expect(back).toStrictEqual(r);
    expect(back).not.toBe(r);
    expect(typeof back?.message.amount).toBe("bigint");
    expect(typeof back?.message.tier).toBe("number");
  });

  it("round-trips record fields and stages that have no column of their own", () => {
    // Stand-ins for fields TransferRecord may gain: they land in the `extra` JSON column.
    const r = { ...full(5), laterField: { outcome: "hold", amount: MAX_UINT256, list: [1n, "x"] }, laterCount: 3 } as TransferRecord;
    (r.stages as Record<string, number>).laterStage = 99;
    store.put(r);
    expect(store.get(r.id)).toStrictEqual(r);
  });

  it("leaves absent optional fields absent, so a fresh record round-trips too", () => {
    const r = fresh(2);
    store.put(r);
    expect(store.get(r.id)).toStrictEqual(r);
    expect(store.get(id(999))).toBeUndefined();
  });

  it("keeps finalized: false distinct from never finalized", () => {
    store.put({ ...fresh(3), finalized: false });
    expect(store.get(id(3))?.finalized).toBe(false);
  });

  it("updates state and stages on a second put of the same id", () => {
    const r = fresh(4);
    store.put(r);
    r.state = "confirmed";
    r.stages.confirmed = 1_700_000_100;
    r.lastError = "Reverted";
    r.settleAttempts = 1;
    store.put(r);
    expect(store.count()).toBe(1);
    expect(store.get(r.id)).toStrictEqual(r);
    // A field cleared in the record is cleared in the row.
    delete r.lastError;
    store.put(r);
    expect(store.get(r.id)).toStrictEqual(r);
  });

  it("iterates all records in insertion order, across pages", () => {
    store.transaction(() => {
      for (let i = 1; i <= 2_500; i++) store.put(fresh(i));
    });
    store.put({ ...fresh(7), state: "confirmed" }); // an update keeps its place
    expect(store.count()).toBe(2_500);
    const ids = [...store.all()].map((r) => r.id);
    expect(ids).toHaveLength(2_500);
    expect(ids[0]).toBe(id(1));
    expect(ids[6]).toBe(id(7));
    expect(ids.at(-1)).toBe(id(2_500));
  });

  it("lists transfers by state and the non-terminal ones", () => {
    store.put({ ...fresh(1), state: "settled" });
    store.put({ ...fresh(2), state: "refunded" });
    store.put({ ...fresh(3), state: "held" });
    store.put({ ...fresh(4), state: "confirmed" });
    store.put({ ...fresh(5), state: "held" });
    expect([...store.byState("held")].map((r) => r.id)).toEqual([id(3), id(5)]);
    expect(new Set([...store.nonTerminal()].map((r) => r.id))).toEqual(new Set([id(3), id(4), id(5)]));
  });

  it("skips a record that left the state while iterating by state", () => {
    store.put({ ...fresh(1), state: "held" });
    store.put({ ...fresh(2), state: "held" });
    const seen: Hex[] = [];
    for (const r of store.byState("held")) {
      seen.push(r.id);
      store.put({ ...fresh(2), state: "attested" });
    }
    expect(seen).toEqual([id(1)]);
  });

  it("rolls a transaction back when its function throws, and commits nested savepoints", () => {
    expect(() =>
      store.transaction(() => {
        store.put(fresh(1));
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.count()).toBe(0);

    store.transaction(() => {
      store.put(fresh(2));
      expect(() =>
        store.transaction(() => {
          store.put(fresh(3));
          throw new Error("inner");
        }),
      ).toThrow("inner");
      store.transaction(() => store.put(fresh(4)));
    });
    expect([...store.all()].map((r) => r.id)).toEqual([id(2), id(4)]);
  });

  it("refuses an async transaction function and rolls it back", () => {
    let caught: unknown;
    try {
      store.transaction(async () => store.put(fresh(1)));
    } catch (err) {
      caught = err;
    }
    expect(isCorridorError(caught, SqliteStoreErrorCode.AsyncTransaction)).toBe(true);
    expect(store.count()).toBe(0);
  });

  it("adds, marks sent and removes pending batches, per chain and oldest first", () => {
    const payload = { items: [{ message: message(1), rate: 10n ** 18n, signatures: [hex(1, 65)] }] };
    const a = store.addPendingBatch({ chain: "uk", kind: "settle", payload, createdAt: 100 });
    const b = store.addPendingBatch({ chain: "uk", kind: "refund", payload: { ids: [id(2)] }, createdAt: 101 });
    store.addPendingBatch({ chain: "us", kind: "finalize", payload: {}, createdAt: 102 });

    expect(store.pendingBatches("uk")).toStrictEqual([
      { id: a, chain: "uk", kind: "settle", payload, createdAt: 100 },
      { id: b, chain: "uk", kind: "refund", payload: { ids: [id(2)] }, createdAt: 101 },
    ]);

    store.markBatchSent(a, hex(0xabc, 32));
    expect(store.pendingBatches("uk")[0]?.txHash).toBe(hex(0xabc, 32));

    store.removePendingBatch(a);
    expect(store.pendingBatches("uk").map((x) => x.id)).toEqual([b]);
    expect(store.pendingBatches("us")).toHaveLength(1);
  });

});

describe("SqliteTransferStore: batches in flight", () => {
  const stores: SqliteTransferStore[] = [];
  afterEach(() => stores.splice(0).forEach((s) => s.close()));
  inflightContract(() => {
    const s = openSqliteStore(":memory:");
    stores.push(s);
    return s;
  });

  it("keeps the generic pending batches apart from the batches in flight", () => {
    const store = openSqliteStore(":memory:");
    stores.push(store);
    const queued = store.addPendingBatch({ chain: "uk", kind: "refund", payload: { ids: [id(2)] }, createdAt: 100 });
    store.markBatchSent(queued, hex(0xabc, 32));
    store.saveInflight(inflightBatch(1));
    expect(store.inflight("uk")).toHaveLength(1);
    expect(store.pendingBatches("uk").map((b) => b.kind)).toEqual(["refund", "settle"]);
  });
});

describe("SqliteTransferStore on a file", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "corridor-sqlite-"));
    path = join(dir, "relayer.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps cursors and records across close and reopen", () => {
    const a = openSqliteStore(path);
    expect(a.cursor("us")).toBeUndefined();
    a.setCursor("us", 41);
    a.setCursor("us", 42);
    a.setCursor("uk", 7);
    a.put(full(1));
    a.close();

    const b = openSqliteStore(path);
    expect(b.cursor("us")).toBe(42);
    expect(b.cursor("uk")).toBe(7);
    expect(b.get(id(1))).toStrictEqual(full(1));
    b.close();
  });

  it("keeps a batch in flight across close and reopen (what a restarted relayer checks)", () => {
    const a = openSqliteStore(path);
    const batch = inflightBatch(3);
    a.saveInflight(batch);
    a.close();
    const b = openSqliteStore(path);
    expect(b.inflight("uk")).toStrictEqual([{ ...inflightBatch(3), id: batch.id }]);
    b.removeInflight(batch.id!);
    b.close();
    const c = openSqliteStore(path);
    expect(c.inflight("uk")).toEqual([]);
    c.close();
  });

  it("migrates a version 2 file: pending batches keep their ids and hashes, and credits become allowed", () => {
    const raw = new DatabaseSync(path);
    raw.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)");
    for (const [v, sql] of MIGRATIONS.slice(0, 2).entries()) {
      raw.exec(sql);
      raw.prepare("INSERT INTO schema_version (version) VALUES (?)").run(v + 1);
    }
    raw.prepare("INSERT INTO pending_batches (id, chain, kind, tx_hash, payload, created_at) VALUES (7, 'uk', 'settle', ?, '{}', 100)").run(hex(0xabc, 32));
    expect(() => raw.prepare("INSERT INTO pending_batches (chain, kind, payload, created_at) VALUES ('uk', 'credit', '{}', 1)").run()).toThrow(/CHECK/);
    expect(migrate(raw)).toEqual({ from: 2, to: SCHEMA_VERSION });
    expect(raw.prepare("SELECT id, tx_hash, tx_hashes FROM pending_batches").all()).toEqual([{ id: 7, tx_hash: hex(0xabc, 32), tx_hashes: JSON.stringify([hex(0xabc, 32)]) }]);
    raw.close();
    const store = openSqliteStore(path);
    expect(store.pendingBatches("uk")).toStrictEqual([{ id: 7, chain: "uk", kind: "settle", txHash: hex(0xabc, 32), payload: {}, createdAt: 100 }]);
    const credit = store.saveInflight({ ...inflightBatch(1), kind: "credit" });
    expect(credit).toBeGreaterThan(7);
    store.close();
  });

  it("uses WAL and records the schema version it migrated to", () => {
    openSqliteStore(path).close();
    const raw = new DatabaseSync(path);
    expect(raw.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(raw.prepare("SELECT MAX(version) AS v FROM schema_version").get()).toEqual({ v: SCHEMA_VERSION });
    raw.close();
  });

  it("creates no audit or reviews tables (the operator keeps those in its own store); a file that has them from before still opens", () => {
    const tables = (file: string) => {
      const raw = new DatabaseSync(file);
      const names = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      raw.close();
      return names;
    };
    openSqliteStore(path).close();
    expect(tables(path)).not.toContain("audit");
    expect(tables(path)).not.toContain("reviews");

    // A version 1 file as the first migration used to leave it.
    const old = join(dir, "old.db");
    const raw = new DatabaseSync(old);
    raw.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)");
    raw.exec(MIGRATIONS[0]!);
    raw.exec("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, transfer_id TEXT NOT NULL, time INTEGER NOT NULL, hook TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT, data TEXT NOT NULL)");
    raw.exec("CREATE TABLE reviews (transfer_id TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT, created_at INTEGER NOT NULL, decided_at INTEGER)");
    raw.prepare("INSERT INTO schema_version (version) VALUES (1)").run();
    raw.close();
    const store = openSqliteStore(old);
    store.put(full(1));
    expect(store.get(id(1))).toStrictEqual(full(1));
    store.close();
    expect(tables(old)).toEqual(expect.arrayContaining(["audit", "reviews", "transfers", "pending_batches"]));
  });

  it("refuses a file written by a newer schema", () => {
    openSqliteStore(path).close();
    const raw = new DatabaseSync(path);
    raw.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SCHEMA_VERSION + 1);
    raw.close();
    let caught: unknown;
    try {
      openSqliteStore(path);
    } catch (err) {
      caught = err;
    }
    expect(isCorridorError(caught, SqliteStoreErrorCode.SchemaTooNew)).toBe(true);
  });

  it("lets a second connection to the same file see committed writes, and only those", () => {
    const writer = openSqliteStore(path);
    const reader = openSqliteStore(path);
    try {
      writer.put(fresh(1));
      writer.setCursor("uk", 5);
      expect(reader.get(id(1))).toStrictEqual(fresh(1));
      expect(reader.cursor("uk")).toBe(5);

      writer.transaction(() => {
        writer.put(fresh(2));
        expect(reader.get(id(2))).toBeUndefined(); // not yet committed
      });
      expect(reader.get(id(2))).toStrictEqual(fresh(2));
      expect(reader.count()).toBe(2);
    } finally {
      writer.close();
      reader.close();
    }
  });
});
