/**
 * Property test of the corridor's books: fast-check generates random sequences of operations on both
 * chains (sends, settlements signed by the real attesters, batches, refunds, finalizations, gateway and
 * token pauses, freezes, seizures, liquidity deposits and withdrawals, time passing, and replays of
 * settlements, refunds and finalizations already submitted). A TypeScript model predicts each step's
 * outcome (success, or the exact custom error) and every balance; after EVERY step the test checks,
 * from chain state read in one call per chain (contracts/testing/InvariantLens.sol):
 * - the chain matches the model: every holder's balance, total supply, liquidity, escrow, shares, pause
 *   state, each id's consumed / outbound status;
 * - per chain and token: the sum of all holders' balances is the total supply (no one else got any);
 * - per chain and token: the gateway holds exactly liquidity + escrow;
 * - per currency, across both chains: total supply + burned-but-unsettled-and-unrefunded = issued;
 * - per source chain: escrow = the amounts of pending lock-and-release transfers;
 * - per route: value in = value out + fees + refunds + in flight, and each paid amount is
 *   floor((amount - fee) * rate / 1e18);
 * - exactly once: an id is settled at most once, refunded at most once, finalized at most once, and
 *   never both settled and refunded (from chain state and from the events of every receipt).
 *
 * The operator is modelled as honest: it signs a refund only for a transfer that is not settled and
 * either expired on the destination or denied before any settlement was signed, and it signs a
 * finalization only after the destination settled. A stale settlement signed before a refund can
 * still be replayed; the deadline rejects it (DeadlinePassed). Seizures never target the gateway (an
 * issuer seizing the gateway's own holdings would break the escrow identity by design).
 *
 * CORRIDOR_FC_SEED and CORRIDOR_FC_RUNS override the seed and number of runs (for a longer soak).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { zeroHash, type Hex } from "viem";
import type { KeyPair } from "../../src/chains/keys.js";
import { decodeGatewayLogs, type SettleItem } from "../../src/contracts/gateway.js";
import type { Currency } from "../../src/contracts/deploy.js";
import type { Message } from "../../src/domain/message.js";
import {
  MODE,
  NO_QUOTE,
  RATE_SCALE,
  TIER,
  actor,
  adminWrite,
  corridorFixture,
  deployFeeModule,
  gw,
  latestTimestamp,
  provideLiquidity,
  read,
  settleItem,
  signSettle,
  tok,
  write,
  type Call,
  type ChainName,
  type Fixture,
} from "../helpers/contracts.js";
import { advance, deployArtifact, errorChain, revertTo, snapshot, testingArtifact, tryWrite, type TxOutcome } from "../helpers/invariants.js";

// ---------------------------------------------------------------- parameters

const RUNS = Number(process.env.CORRIDOR_FC_RUNS ?? 60);
const SEED = Number(process.env.CORRIDOR_FC_SEED ?? 20_240_611);
const FEE_BPS = 25n;
const CHAINS = ["us", "uk"] as const;
const CURS = ["USD", "GBP"] as const;
/** Attested FX rates of the lock-and-release routes, by source chain (all 18 decimals in use). */
const LOCK_RATE: Record<ChainName, bigint> = { us: 790_123_456_789_012_345n, uk: 1_265_432_109_876_543_210n };
const REFUNDED = `0x${"0".repeat(63)}1` as Hex;
const FINALIZED = `0x${"0".repeat(63)}2` as Hex;
const REASON = { denied: 0, expired: 1 } as const;

const other = (n: ChainName): ChainName => (n === "us" ? "uk" : "us");
const home = (n: ChainName): Currency => (n === "us" ? "USD" : "GBP");
const key = (a: Hex): string => a.toLowerCase();

// ---------------------------------------------------------------- operations

type Op =
  | { t: "send"; src: ChainName; lock: boolean; cur: Currency; from: number; to: number; amount: bigint; deadline: number }
  | { t: "settle"; pick: number }
  | { t: "settleBatch"; dst: ChainName; picks: number[] }
  | { t: "replaySettle"; pick: number }
  | { t: "refund"; pick: number }
  | { t: "replayRefund"; pick: number }
  | { t: "finalize"; pick: number }
  | { t: "replayFinalize"; pick: number }
  | { t: "pauseGateway"; chain: ChainName }
  | { t: "pauseToken"; chain: ChainName; cur: Currency }
  | { t: "freeze"; chain: ChainName; cur: Currency; who: number }
  | { t: "seize"; chain: ChainName; cur: Currency; who: number; frozenOnly: boolean }
  | { t: "deposit"; chain: ChainName; amount: bigint }
  | { t: "withdraw"; chain: ChainName; quarters: number }
  | { t: "advance"; seconds: number };

const chainArb = fc.constantFrom<ChainName>(...CHAINS);
const curArb = fc.constantFrom<Currency>(...CURS);
const pick = fc.nat(1_000);
const amountArb = fc.oneof(fc.bigInt(1n, 2_000n), fc.bigInt(1n, 1_500_000_000n));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant("send" as const), src: chainArb, lock: fc.boolean(), cur: curArb, from: fc.nat(2), to: fc.nat(2), amount: amountArb, deadline: fc.nat(3) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant("settle" as const), pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("settleBatch" as const), dst: chainArb, picks: fc.array(pick, { minLength: 2, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("replaySettle" as const), pick }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("refund" as const), pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("replayRefund" as const), pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("finalize" as const), pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("replayFinalize" as const), pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pauseGateway" as const), chain: chainArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pauseToken" as const), chain: chainArb, cur: curArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("freeze" as const), chain: chainArb, cur: curArb, who: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("seize" as const), chain: chainArb, cur: curArb, who: fc.nat(4), frozenOnly: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("deposit" as const), chain: chainArb, amount: fc.bigInt(1n, 2_000_000_000n) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("withdraw" as const), chain: chainArb, quarters: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), seconds: fc.constantFrom(1_000, 2_000) }) },
);

// ---------------------------------------------------------------- the model

interface ChainModel {
  paused: boolean;
  tokenPaused: Record<Currency, boolean>;
  frozen: Record<Currency, Set<string>>;
  bal: Record<Currency, Map<string, bigint>>;
  supply: Record<Currency, bigint>;
  liquidity: Record<Currency, bigint>;
  escrowed: Record<Currency, bigint>;
  totalShares: Record<Currency, bigint>;
  shares: Record<Currency, Map<string, bigint>>;
  /** Each sender's next nonce (the gateway numbers each sender's sends). */
  nonces: Map<string, bigint>;
}

interface MsgModel {
  m: Message;
  id: Hex;
  hash: Hex;
  src: ChainName;
  dst: ChainName;
  inCur: Currency;
  outCur: Currency;
  lock: boolean;
  rate: bigint;
  settled: boolean;
  srcState: "pending" | "refunded" | "finalized";
  denied: boolean;
  settleItem?: SettleItem;
  refundCall?: Call;
  finalizeCall?: Call;
}

interface Model {
  chain: Record<ChainName, ChainModel>;
  /** What the issuers minted, per currency, over both chains. */
  issued: Record<Currency, bigint>;
  msgs: MsgModel[];
  /** Events seen per id, over every receipt of the run. */
  events: Map<Hex, { settled: number; refunded: number; finalized: number }>;
}

/** A predicted revert: the error name and its arguments (undefined = any value). */
type Expected = { ok: true } | { ok: false; error: string; args: readonly unknown[] };
const OK: Expected = { ok: true };
const fail = (error: string, ...args: unknown[]): Expected => ({ ok: false, error, args });

const add = (m: Map<string, bigint>, a: Hex, v: bigint) => m.set(key(a), (m.get(key(a)) ?? 0n) + v);
const get = (m: Map<string, bigint>, a: Hex) => m.get(key(a)) ?? 0n;

// ---------------------------------------------------------------- set-up

let f: Fixture;
let users: KeyPair[]; // alice, bob, carol: senders and recipients
let lp: KeyPair;
let recovery: KeyPair;
const lens = {} as Record<ChainName, Hex>;
let base: Record<ChainName, Hex>;
let initial: Model;

const tokenOf = (n: ChainName, c: Currency) => f.dep[n].tokens[c];
const gateway = (n: ChainName) => f.dep[n].gateway;
const feeRecipient = (n: ChainName) => f.dep[n].feeRecipient;
const holders = (n: ChainName): Hex[] => [...users.map((u) => u.address), lp.address, recovery.address, gateway(n), feeRecipient(n), f.admin.address, f.relayer.address];
/** Who the issuer may freeze (the gateway and the fee recipient included) and seize from (not the gateway). */
const freezable = (n: ChainName): Hex[] => [...users.map((u) => u.address), lp.address, gateway(n), feeRecipient(n)];
const seizable = (n: ChainName): Hex[] => [...users.map((u) => u.address), lp.address, feeRecipient(n)];

interface LensView {
  gatewayPaused: boolean;
  tokens: { totalSupply: bigint; balances: bigint[]; liquidity: bigint; escrowed: bigint; totalShares: bigint; shares: bigint[] }[];
  consumed: boolean[];
  outbound: Hex[];
}

async function readLens(n: ChainName, ids: Hex[]): Promise<LensView> {
  const [gatewayPaused, tokens, consumed, outbound] = await read<[boolean, LensView["tokens"], boolean[], Hex[]]>(f.chain[n], {
    to: lens[n],
    abi: testingArtifact("InvariantLens").abi,
    functionName: "read",
    args: [gateway(n), CURS.map((c) => tokenOf(n, c)), holders(n), ids],
  });
  return { gatewayPaused, tokens: [...tokens], consumed: [...consumed], outbound: [...outbound] };
}

async function modelFromChain(): Promise<Model> {
  const chain = {} as Record<ChainName, ChainModel>;
  const issued = { USD: 0n, GBP: 0n } as Record<Currency, bigint>;
  for (const n of CHAINS) {
    const v = await readLens(n, []);
    const cm: ChainModel = {
      paused: v.gatewayPaused,
      tokenPaused: { USD: false, GBP: false },
      frozen: { USD: new Set(), GBP: new Set() },
      bal: { USD: new Map(), GBP: new Map() },
      supply: { USD: 0n, GBP: 0n },
      liquidity: { USD: 0n, GBP: 0n },
      escrowed: { USD: 0n, GBP: 0n },
      totalShares: { USD: 0n, GBP: 0n },
      shares: { USD: new Map(), GBP: new Map() },
      nonces: new Map(await Promise.all(holders(n).map(async (h) => [key(h), await read<bigint>(f.chain[n], gw(gateway(n), "nonces", h))] as const))),
    };
    CURS.forEach((c, i) => {
      const t = v.tokens[i]!;
      holders(n).forEach((h, j) => {
        cm.bal[c].set(key(h), t.balances[j]!);
        cm.shares[c].set(key(h), t.shares[j]!);
      });
      cm.supply[c] = t.totalSupply;
      cm.liquidity[c] = t.liquidity;
      cm.escrowed[c] = t.escrowed;
      cm.totalShares[c] = t.totalShares;
      issued[c] += t.totalSupply;
    });
    chain[n] = cm;
  }
  return { chain, issued, msgs: [], events: new Map() };
}

function cloneModel(m: Model): Model {
  const chain = {} as Record<ChainName, ChainModel>;
  for (const n of CHAINS) {
    const c = m.chain[n];
    chain[n] = {
      ...c,
      tokenPaused: { ...c.tokenPaused },
      frozen: { USD: new Set(c.frozen.USD), GBP: new Set(c.frozen.GBP) },
      bal: { USD: new Map(c.bal.USD), GBP: new Map(c.bal.GBP) },
      supply: { ...c.supply },
      liquidity: { ...c.liquidity },
      escrowed: { ...c.escrowed },
      totalShares: { ...c.totalShares },
      shares: { USD: new Map(c.shares.USD), GBP: new Map(c.shares.GBP) },
      nonces: new Map(c.nonces),
    };
  }
  return { chain, issued: { ...m.issued }, msgs: [], events: new Map() };
}

beforeAll(async () => {
  f = await corridorFixture();
  users = await Promise.all(["alice", "bob", "carol"].map((n) => actor(f, n)));
  recovery = await actor(f, "recovery");
  for (const n of CHAINS) {
    await deployFeeModule(f, n, Number(FEE_BPS));
    lens[n] = await deployArtifact(f.chain[n], f.admin.privateKey, testingArtifact("InvariantLens"));
  }
  lp = await provideLiquidity(f, "us", "USD", 4_000_000_000n, "lp");
  await provideLiquidity(f, "uk", "GBP", 4_000_000_000n, "lp");
  initial = await modelFromChain();
  base = { us: await snapshot(f.chain.us), uk: await snapshot(f.chain.uk) };
});

afterAll(async () => {
  await f?.close();
});

// ---------------------------------------------------------------- predictions (the model's semantics)

/** A CorridorToken balance move through `_update` (transfer, transferFrom, mint, burn): pause, then freezes, then balance. */
function tokenMove(cm: ChainModel, cur: Currency, from: Hex | null, to: Hex | null, amount: bigint): Expected {
  if (cm.tokenPaused[cur]) return fail("EnforcedPause");
  if (from && cm.frozen[cur].has(key(from))) return fail("AccountFrozen", from);
  if (to && cm.frozen[cur].has(key(to))) return fail("AccountFrozen", to);
  if (from && get(cm.bal[cur], from) < amount) return fail("ERC20InsufficientBalance", from, get(cm.bal[cur], from), amount);
  return OK;
}
function applyMove(cm: ChainModel, cur: Currency, from: Hex | null, to: Hex | null, amount: bigint): void {
  if (from) add(cm.bal[cur], from, -amount);
  else cm.supply[cur] += amount;
  if (to) add(cm.bal[cur], to, amount);
  else cm.supply[cur] -= amount;
}
/** Checks a sequence of moves in order; applies them all only if all pass (a revert undoes the transaction). */
function moves(cm: ChainModel, list: [Currency, Hex | null, Hex | null, bigint][]): Expected {
  const scratch: ChainModel = { ...cm, bal: { USD: new Map(cm.bal.USD), GBP: new Map(cm.bal.GBP) }, supply: { ...cm.supply } };
  for (const [cur, from, to, amount] of list) {
    const e = tokenMove(scratch, cur, from, to, amount);
    if (!e.ok) return e;
    applyMove(scratch, cur, from, to, amount);
  }
  cm.bal = scratch.bal;
  cm.supply = scratch.supply;
  return OK;
}

function predictSettle(model: Model, x: MsgModel, now: bigint): Expected {
  const cm = model.chain[x.dst];
  const m = x.m;
  if (x.settled) return fail("MessageAlreadyProcessed", x.id);
  if (now > m.deadline) return fail("DeadlinePassed", m.deadline, undefined);
  const out = ((m.amount - m.fee) * x.rate) / RATE_SCALE;
  if (x.lock && cm.liquidity[x.outCur] < out) return fail("InsufficientLiquidity", tokenOf(x.dst, x.outCur), cm.liquidity[x.outCur], out);
  const e = x.lock
    ? moves(cm, [[x.outCur, gateway(x.dst), m.recipient, out]])
    : moves(cm, [[x.outCur, null, m.recipient, out], ...(m.fee > 0n ? [[x.outCur, null, feeRecipient(x.dst), m.fee] as [Currency, null, Hex, bigint]] : [])]);
  if (!e.ok) return e;
  if (x.lock) cm.liquidity[x.outCur] -= out;
  x.settled = true;
  return OK;
}

function predictRefund(model: Model, x: MsgModel): Expected {
  const cm = model.chain[x.src];
  if (x.srcState !== "pending") return fail("MessageAlreadyProcessed", x.id);
  const e = x.lock ? moves(cm, [[x.inCur, gateway(x.src), x.m.sender, x.m.amount]]) : moves(cm, [[x.inCur, null, x.m.sender, x.m.amount]]);
  if (!e.ok) return e;
  if (x.lock) cm.escrowed[x.inCur] -= x.m.amount;
  x.srcState = "refunded";
  return OK;
}

function predictFinalize(model: Model, x: MsgModel): Expected {
  const cm = model.chain[x.src];
  if (x.srcState !== "pending") return fail("MessageAlreadyProcessed", x.id);
  if (x.m.fee > 0n) {
    const e = moves(cm, [[x.inCur, gateway(x.src), feeRecipient(x.src), x.m.fee]]);
    if (!e.ok) return e;
  }
  cm.escrowed[x.inCur] -= x.m.amount;
  cm.liquidity[x.inCur] += x.m.amount - x.m.fee;
  x.srcState = "finalized";
  return OK;
}

// ---------------------------------------------------------------- running one operation

function normalize(v: unknown): unknown {
  if (typeof v === "string" && v.startsWith("0x")) return v.toLowerCase();
  if (Array.isArray(v)) return v.map(normalize);
  return v;
}

/** Asserts that a transaction's outcome is what the model predicted (error name and arguments). */
function expectOutcome(o: TxOutcome, e: Expected, what: string): void {
  const label = `${what.split(" ")[0]}: ${o.ok ? "ok" : o.error?.errorName ?? "?"}`;
  outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
  if (e.ok) {
    expect(o.ok ? "ok" : `${what} reverted: ${errorChain(o.data).join(" <- ")}`).toBe("ok");
    return;
  }
  expect(o.ok ? `${what} succeeded` : o.error?.errorName ?? o.data, what).toBe(e.error);
  if (o.ok || !o.error) return;
  const got = normalize([...o.error.args]) as unknown[];
  expect(got, `${what} ${e.error} arguments`).toEqual(normalize(e.args.map((a, i) => (a === undefined ? got[i] : a))));
}

/** Counts the corridor events of a receipt per id, and checks each settlement's payout. */
function recordEvents(model: Model, o: TxOutcome): void {
  if (!o.ok) return;
  for (const ev of decodeGatewayLogs(o.receipt.logs)) {
    if (ev.name !== "TransferSettled" && ev.name !== "TransferRefunded" && ev.name !== "TransferFinalized") continue;
    const c = model.events.get(ev.id) ?? { settled: 0, refunded: 0, finalized: 0 };
    if (ev.name === "TransferSettled") {
      c.settled++;
      const x = model.msgs.find((y) => y.id === ev.id)!;
      expect({ amountOut: ev.amountOut, fee: ev.fee, rate: ev.rate }).toEqual({ amountOut: ((x.m.amount - x.m.fee) * x.rate) / RATE_SCALE, fee: x.m.fee, rate: x.rate });
    } else if (ev.name === "TransferRefunded") c.refunded++;
    else c.finalized++;
    model.events.set(ev.id, c);
  }
}

const relayer = () => f.relayer.privateKey;
/** How often each transaction kind ended in each way (printed with CORRIDOR_FC_VERBOSE). */
const outcomes = new Map<string, number>();
const pickOf = <T>(list: T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

async function signSettleItem(x: MsgModel): Promise<SettleItem> {
  x.settleItem ??= settleItem(x.m, x.rate, await signSettle(f, x.m, x.rate));
  return x.settleItem;
}

async function submitSettle(model: Model, x: MsgModel): Promise<void> {
  const item = await signSettleItem(x);
  const now = await latestTimestamp(f.chain[x.dst]);
  const e = model.chain[x.dst].paused ? fail("EnforcedPause") : predictSettle(model, x, now);
  const o = await tryWrite(f.chain[x.dst], relayer(), gw(gateway(x.dst), "settle", item));
  expectOutcome(o, e, `settle ${x.id}`);
  recordEvents(model, o);
}

async function submitRefund(model: Model, x: MsgModel): Promise<void> {
  const e = predictRefund(model, x);
  const o = await tryWrite(f.chain[x.src], relayer(), x.refundCall!);
  expectOutcome(o, e, `refund ${x.id}`);
  recordEvents(model, o);
}

async function submitFinalize(model: Model, x: MsgModel): Promise<void> {
  const e = predictFinalize(model, x);
  const o = await tryWrite(f.chain[x.src], relayer(), x.finalizeCall!);
  expectOutcome(o, e, `finalize ${x.id}`);
  recordEvents(model, o);
}

async function run(model: Model, op: Op): Promise<void> {
  switch (op.t) {
    case "send": {
      const src = op.src;
      const dst = other(src);
      const cm = model.chain[src];
      const sender = users[op.from]!;
      const recipient = users[op.to]!;
      const inCur = op.lock ? home(src) : op.cur;
      const outCur = op.lock ? home(dst) : op.cur;
      // The issuer mints the amount to the sender first, when it can (token not paused, sender not frozen).
      if (tokenMove(cm, inCur, null, sender.address, op.amount).ok) {
        await adminWrite(f, src, tok(tokenOf(src, inCur), "mint", sender.address, op.amount));
        applyMove(cm, inCur, null, sender.address, op.amount);
        model.issued[inCur] += op.amount;
      }
      await write(f.chain[src], sender.privateKey, tok(tokenOf(src, inCur), "approve", gateway(src), op.amount));
      const deadline = (await latestTimestamp(f.chain[src])) + 500n + 1_000n * BigInt(op.deadline);
      const fee = (op.amount * FEE_BPS) / 10_000n;
      const p = {
        inputToken: tokenOf(src, inCur),
        dstChainId: BigInt(f.dep[dst].chainId),
        outputToken: tokenOf(dst, outCur),
        recipient: recipient.address,
        amount: op.amount,
        maxFee: op.amount,
        minAmountOut: 0n,
        deadline,
        tier: TIER.standard,
        extraHash: zeroHash,
        quote: NO_QUOTE,
      };
      let e: Expected;
      if (cm.paused) e = fail("EnforcedPause");
      else {
        e = moves(cm, [[inCur, sender.address, gateway(src), op.amount], ...(op.lock ? [] : [[inCur, gateway(src), null, op.amount] as [Currency, Hex, null, bigint]])]);
      }
      const o = await tryWrite(f.chain[src], sender.privateKey, gw(gateway(src), "send", p));
      expectOutcome(o, e, "send");
      if (!o.ok) return;
      const sent = decodeGatewayLogs(o.receipt.logs).find((x) => x.name === "TransferSent");
      if (!sent || sent.name !== "TransferSent") throw new Error("no TransferSent");
      const m = sent.message;
      expect(m).toMatchObject({
        nonce: cm.nonces.get(key(sender.address))!,
        sender: sender.address,
        recipient: recipient.address,
        inputToken: p.inputToken,
        outputToken: p.outputToken,
        amount: op.amount,
        fee,
        deadline,
        mode: op.lock ? MODE.lockRelease : MODE.burnMint,
      });
      cm.nonces.set(key(sender.address), m.nonce + 1n);
      if (op.lock) cm.escrowed[inCur] += op.amount;
      const hash = await read<Hex>(f.chain[src], gw(gateway(src), "hashMessage", m));
      model.msgs.push({ m, id: sent.id, hash, src, dst, inCur, outCur, lock: op.lock, rate: op.lock ? LOCK_RATE[src] : RATE_SCALE, settled: false, srcState: "pending", denied: false });
      return;
    }
    case "settle": {
      // The operator attests a transfer it has not denied, and never one it already refunded; the relayer
      // submits it (again, if an earlier attempt failed). Replays of settled ones are replaySettle's.
      const x = pickOf(model.msgs.filter((y) => !y.settled && !y.denied && (y.settleItem || y.srcState === "pending")), op.pick);
      if (x) await submitSettle(model, x);
      return;
    }
    case "replaySettle": {
      const x = pickOf(model.msgs.filter((y) => y.settleItem), op.pick);
      if (x) await submitSettle(model, x);
      return;
    }
    case "settleBatch": {
      const candidates = model.msgs.filter((y) => y.dst === op.dst && !y.denied && (y.settleItem || y.srcState === "pending"));
      if (candidates.length === 0) return;
      const chosen = op.picks.map((i) => candidates[i % candidates.length]!);
      const items: SettleItem[] = [];
      for (const x of chosen) items.push(await signSettleItem(x));
      const now = await latestTimestamp(f.chain[op.dst]);
      const o = await tryWrite(f.chain[op.dst], relayer(), gw(gateway(op.dst), "settleBatch", items));
      if (model.chain[op.dst].paused) {
        expectOutcome(o, fail("EnforcedPause"), "settleBatch");
        return;
      }
      expectOutcome(o, OK, "settleBatch");
      if (!o.ok) return;
      const predicted = chosen.map((x) => {
        const e = predictSettle(model, x, now);
        return e.ok ? { id: x.id, result: "settled" } : { id: x.id, result: e.error };
      });
      const got = decodeGatewayLogs(o.receipt.logs)
        .filter((ev) => ev.name === "TransferSettled" || ev.name === "SettleFailed")
        .map((ev) => ({ id: (ev as { id: Hex }).id, result: ev.name === "TransferSettled" ? "settled" : errorChain((ev as { reason: Hex }).reason).join(" <- ") }));
      expect(got, "settleBatch items").toEqual(predicted);
      for (const p of predicted) outcomes.set(`settleBatch item: ${p.result}`, (outcomes.get(`settleBatch item: ${p.result}`) ?? 0) + 1);
      recordEvents(model, o);
      return;
    }
    case "refund": {
      // The honest operator refunds a transfer that is not settled and either expired on its
      // destination (any settlement signed before can no longer pass the deadline), or is denied
      // before any settlement was signed for it.
      const x = pickOf(model.msgs.filter((y) => !y.settled && y.srcState === "pending" && !y.refundCall), op.pick);
      if (!x) return;
      const dstNow = await latestTimestamp(f.chain[x.dst]);
      let reason: number;
      if (dstNow > x.m.deadline) reason = REASON.expired;
      else if (!x.settleItem) {
        reason = REASON.denied;
        x.denied = true;
      } else return;
      x.refundCall = gw(gateway(x.src), "refund", x.m, reason, await f.c.attesters.signRefund(x.m, reason));
      await submitRefund(model, x);
      return;
    }
    case "replayRefund": {
      const x = pickOf(model.msgs.filter((y) => y.refundCall), op.pick);
      if (x) await submitRefund(model, x);
      return;
    }
    case "finalize": {
      // Signed only once the destination settled a lock-and-release transfer.
      const x = pickOf(model.msgs.filter((y) => y.lock && y.settled && !y.finalizeCall), op.pick);
      if (!x) return;
      x.finalizeCall ??= gw(gateway(x.src), "finalize", x.m, await f.c.attesters.signFinalize(x.m));
      await submitFinalize(model, x);
      return;
    }
    case "replayFinalize": {
      const x = pickOf(model.msgs.filter((y) => y.finalizeCall), op.pick);
      if (x) await submitFinalize(model, x);
      return;
    }
    case "pauseGateway": {
      const cm = model.chain[op.chain];
      await adminWrite(f, op.chain, gw(gateway(op.chain), cm.paused ? "unpause" : "pause"));
      cm.paused = !cm.paused;
      return;
    }
    case "pauseToken": {
      const cm = model.chain[op.chain];
      await adminWrite(f, op.chain, tok(tokenOf(op.chain, op.cur), cm.tokenPaused[op.cur] ? "unpause" : "pause"));
      cm.tokenPaused[op.cur] = !cm.tokenPaused[op.cur];
      return;
    }
    case "freeze": {
      const cm = model.chain[op.chain];
      const who = freezable(op.chain)[op.who % freezable(op.chain).length]!;
      const frozen = cm.frozen[op.cur].has(key(who));
      await adminWrite(f, op.chain, tok(tokenOf(op.chain, op.cur), frozen ? "unfreeze" : "freeze", who));
      if (frozen) cm.frozen[op.cur].delete(key(who));
      else cm.frozen[op.cur].add(key(who));
      return;
    }
    case "seize": {
      // Mostly from a frozen account on any chain and token (when there is one), sometimes from any
      // account on the op's chain and token (AccountNotFrozen unless frozen).
      const frozenOnes = CHAINS.flatMap((n) => CURS.flatMap((c) => seizable(n).filter((a) => model.chain[n].frozen[c].has(key(a))).map((a) => [n, c, a] as const)));
      const [chain, cur, who] = op.frozenOnly && frozenOnes.length > 0 ? frozenOnes[op.who % frozenOnes.length]! : ([op.chain, op.cur, seizable(op.chain)[op.who % seizable(op.chain).length]!] as const);
      const cm = model.chain[chain];
      const e: Expected = cm.frozen[cur].has(key(who)) ? OK : fail("AccountNotFrozen", who);
      const o = await tryWrite(f.chain[chain], f.admin.privateKey, tok(tokenOf(chain, cur), "seize", who, recovery.address));
      expectOutcome(o, e, "seize");
      if (e.ok) {
        const amount = get(cm.bal[cur], who);
        add(cm.bal[cur], who, -amount);
        add(cm.bal[cur], recovery.address, amount);
      }
      return;
    }
    case "deposit": {
      const cm = model.chain[op.chain];
      const cur = home(op.chain);
      if (tokenMove(cm, cur, null, lp.address, op.amount).ok) {
        await adminWrite(f, op.chain, tok(tokenOf(op.chain, cur), "mint", lp.address, op.amount));
        applyMove(cm, cur, null, lp.address, op.amount);
        model.issued[cur] += op.amount;
      }
      await write(f.chain[op.chain], lp.privateKey, tok(tokenOf(op.chain, cur), "approve", gateway(op.chain), op.amount));
      const minted = (op.amount * (cm.totalShares[cur] + 1n)) / (cm.liquidity[cur] + 1n);
      const e = minted === 0n ? fail("ZeroAmount") : moves(cm, [[cur, lp.address, gateway(op.chain), op.amount]]);
      const o = await tryWrite(f.chain[op.chain], lp.privateKey, gw(gateway(op.chain), "deposit", tokenOf(op.chain, cur), op.amount));
      expectOutcome(o, e, "deposit");
      if (e.ok) {
        cm.totalShares[cur] += minted;
        add(cm.shares[cur], lp.address, minted);
        cm.liquidity[cur] += op.amount;
      }
      return;
    }
    case "withdraw": {
      const cm = model.chain[op.chain];
      const cur = home(op.chain);
      const held = get(cm.shares[cur], lp.address);
      // quarters 0..4 of the provider's shares; 5 asks for one share more than it holds.
      const shareAmount = op.quarters === 5 ? held + 1n : (held * BigInt(op.quarters)) / 4n;
      const amount = (shareAmount * (cm.liquidity[cur] + 1n)) / (cm.totalShares[cur] + 1n);
      let e: Expected;
      if (shareAmount === 0n) e = fail("ZeroAmount");
      else if (held < shareAmount) e = fail("InsufficientShares", held, shareAmount);
      else e = moves(cm, [[cur, gateway(op.chain), lp.address, amount]]);
      const o = await tryWrite(f.chain[op.chain], lp.privateKey, gw(gateway(op.chain), "withdraw", tokenOf(op.chain, cur), shareAmount));
      expectOutcome(o, e, "withdraw");
      if (e.ok) {
        add(cm.shares[cur], lp.address, -shareAmount);
        cm.totalShares[cur] -= shareAmount;
        cm.liquidity[cur] -= amount;
      }
      return;
    }
    case "advance": {
      await Promise.all(CHAINS.map((n) => advance(f.chain[n], op.seconds)));
      return;
    }
  }
}

// ---------------------------------------------------------------- the invariants

async function checkInvariants(model: Model): Promise<void> {
  const ids = model.msgs.map((x) => x.id);
  const views = { us: await readLens("us", ids), uk: await readLens("uk", ids) };
  const status = model.msgs.map((x, i) => ({ x, consumed: views[x.dst].consumed[i]!, outbound: views[x.src].outbound[i]! }));

  for (const n of CHAINS) {
    const v = views[n];
    const cm = model.chain[n];
    expect(v.gatewayPaused, `${n} gateway paused`).toBe(cm.paused);
    CURS.forEach((c, t) => {
      const tv = v.tokens[t]!;
      const hs = holders(n);
      // The chain matches the model.
      expect(Object.fromEntries(hs.map((h, j) => [h, tv.balances[j]])), `${n} ${c} balances`).toEqual(Object.fromEntries(hs.map((h) => [h, get(cm.bal[c], h)])));
      expect({ supply: tv.totalSupply, liquidity: tv.liquidity, escrowed: tv.escrowed, totalShares: tv.totalShares }, `${n} ${c} books`).toEqual({
        supply: cm.supply[c],
        liquidity: cm.liquidity[c],
        escrowed: cm.escrowed[c],
        totalShares: cm.totalShares[c],
      });
      // Conservation on this chain, from chain state alone.
      expect(tv.balances.reduce((a, b) => a + b, 0n), `${n} ${c}: sum of balances = total supply`).toBe(tv.totalSupply);
      const held = tv.balances[hs.indexOf(gateway(n))]!;
      expect(held, `${n} ${c}: gateway holds liquidity + escrow`).toBe(tv.liquidity + tv.escrowed);
      expect(tv.shares.reduce((a, b) => a + b, 0n), `${n} ${c}: shares add up`).toBe(tv.totalShares);
      // Escrow is exactly the pending lock-and-release transfers sent from here in this token.
      const pendingLocked = status
        .filter((s) => s.x.src === n && s.x.lock && s.x.inCur === c && s.outbound !== REFUNDED && s.outbound !== FINALIZED)
        .reduce((a, s) => a + s.x.m.amount, 0n);
      expect(tv.escrowed, `${n} ${c}: escrow = pending lock-and-release transfers`).toBe(pendingLocked);
    });
  }

  // Burn-and-mint: per currency, over both chains, supply + in flight = issued.
  for (const c of CURS) {
    const supply = views.us.tokens[CURS.indexOf(c)]!.totalSupply + views.uk.tokens[CURS.indexOf(c)]!.totalSupply;
    const inFlight = status.filter((s) => !s.x.lock && s.x.inCur === c && !s.consumed && s.outbound !== REFUNDED).reduce((a, s) => a + s.x.m.amount, 0n);
    expect(supply + inFlight, `${c}: supply on both chains + burned in flight = issued`).toBe(model.issued[c]);
  }

  // Per route: value in = value out + fees + refunds + in flight (in input-token units).
  const routes = new Map<string, { in: bigint; out: bigint; fees: bigint; refunds: bigint; inFlight: bigint }>();
  for (const s of status) {
    const r = `${s.x.src}:${s.x.inCur}->${s.x.dst}:${s.x.outCur}`;
    const v = routes.get(r) ?? { in: 0n, out: 0n, fees: 0n, refunds: 0n, inFlight: 0n };
    v.in += s.x.m.amount;
    if (s.consumed) {
      v.out += s.x.m.amount - s.x.m.fee;
      v.fees += s.x.m.fee;
    } else if (s.outbound === REFUNDED) v.refunds += s.x.m.amount;
    else v.inFlight += s.x.m.amount;
    routes.set(r, v);
  }
  for (const [r, v] of routes) expect(v.in, `${r}: value in = out + fees + refunds + in flight`).toBe(v.out + v.fees + v.refunds + v.inFlight);

  // Exactly once, from chain state and from every receipt's events; and the chain matches the model.
  for (const s of status) {
    expect(s.consumed && s.outbound === REFUNDED, `${s.x.id} both settled and refunded`).toBe(false);
    const expectedOutbound = s.x.srcState === "refunded" ? REFUNDED : s.x.srcState === "finalized" ? FINALIZED : s.x.hash;
    expect({ consumed: s.consumed, outbound: s.outbound }, `${s.x.id} status`).toEqual({ consumed: s.x.settled, outbound: expectedOutbound });
    if (s.x.srcState === "finalized") expect(s.consumed, `${s.x.id} finalized but not settled`).toBe(true);
    const ev = model.events.get(s.x.id) ?? { settled: 0, refunded: 0, finalized: 0 };
    expect(ev, `${s.x.id} events`).toEqual({ settled: s.x.settled ? 1 : 0, refunded: s.x.srcState === "refunded" ? 1 : 0, finalized: s.x.srcState === "finalized" ? 1 : 0 });
  }
}

// ---------------------------------------------------------------- the property

describe("corridor invariants under random operation sequences", () => {
  it(`hold after every step (${RUNS} runs of 10 to 25 steps)`, async () => {
    let steps = 0;
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 25 }), async (ops) => {
        for (const n of CHAINS) await revertTo(f.chain[n], base[n]);
        base = { us: await snapshot(f.chain.us), uk: await snapshot(f.chain.uk) };
        const model = cloneModel(initial);
        for (const op of ops) {
          await run(model, op);
          await checkInvariants(model);
          steps++;
          tally.set(op.t, (tally.get(op.t) ?? 0) + 1);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    expect(steps).toBeGreaterThanOrEqual(RUNS * 10);
    if (process.env.CORRIDOR_FC_VERBOSE) console.log(`${steps} steps`, Object.fromEntries(tally), Object.fromEntries([...outcomes].sort()));
  }, Math.max(120_000, RUNS * 3_000));
});
