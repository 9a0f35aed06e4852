/**
 * Property test of the corridor's books with the REAL operator: fast-check generates random sequences
 * of actions on both chains, and every attestation that reaches a chain comes from the Operator that
 * the corridor runs (buildOperator: m-of-n independent attesters with their own SQLite journals, the
 * SQLite decision store, the quoter, and the DEFAULT compliance pipeline: the packaged OFAC list,
 * per-transfer and daily limits, the travel rule, manual review). Nothing is hand-signed here.
 *
 * The actors:
 * - senders: send on either chain, either mode, in four amount classes (small; above the travel-rule
 *   threshold; above the manual-review threshold; above the per-transfer limit), some to an address
 *   from the OFAC list (loadAddressList()), with travel-rule data that is valid, invalid, missing, or
 *   committed to but never delivered;
 * - the honest relayer: asks operator.attestation(id, message), then operator.signBatch for the attesters'
 *   signatures over the batch it submits (one item: settle, refund, finalize; several: settleBatch), and
 *   checks the answers against what the chain and the model say;
 * - a hostile caller: asks with edited messages and ids, hoards answers and submits them at odd times
 *   (after deadlines, after refunds, twice), edits returned settlements (rate, recipient, amount,
 *   deadline), asks finality for arbitrary ids and submits it (also edited), and, as a compromised
 *   coordinator, asks the attester quorum directly for refunds (also while a settlement is pending);
 * - a reviewer: operator.review approve / deny, on held transfers and on any id;
 * - the issuers and liquidity providers: pauses, freezes, seizures, deposits, withdrawals;
 * - time passing (past deadlines), and operator restarts: buildOperator again on the same state
 *   folder, so the decision store and the attesters' journals persist (the hooks' memory does not).
 * Each run ends with a drain (everything unpaused and unfrozen, the relayer asks for every transfer,
 * the reviewer approves what is still held, the relayer asks again, time passes every deadline, it
 * asks again).
 *
 * After EVERY step, from chain state read in one call per chain (contracts/testing/InvariantLens.sol):
 * - the chain matches the model (every balance, supply, liquidity, escrow, shares, pause, each id's
 *   consumed / outbound status), each transaction ended as the model predicted (exact custom error);
 * - conservation: per chain and token, balances add up to the supply and the gateway holds exactly
 *   liquidity + escrow; per currency over both chains, supply + burned in flight = issued; per source
 *   chain, escrow = pending lock-and-release amounts; per route, in = out + fees + refunds + in flight;
 * - exactly once: an id is settled, refunded, finalized at most once, never both settled and refunded
 *   (chain state and the events of every receipt), and every settled id is one that was sent;
 * - compliance: a transfer the default pipeline must deny (OFAC recipient, over the per-transfer limit,
 *   invalid travel-rule data) or that the operator's record says was denied (screening or review) is
 *   never settled, and once refunded its sender got the full amount back; a transfer that must be held
 *   (manual review, missing travel-rule data) is never settled unless the reviewer approved it first;
 * - rates: every payout is at the rate of the operator's settle decision, which is the quoter's price
 *   at the time of that decision (1e18 for burn-and-mint), and the operator never changes it;
 * - the operator's answers: what the chain says (done once settled or refunded, finalize for a settled
 *   escrow, refund once past the deadline, the same settlement again once decided); never a signature
 *   for a message its source does not hold; never a refund signed while a signed settlement can still
 *   execute (attester journals); the decision record keeps the chain's message.
 * After the drain: every transfer ended settled (and finalized, if escrowed) or refunded in full.
 *
 * What would catch a broken component: an Attester.judgeClaim that lets a refund follow a settlement
 * before its deadline is caught at "compromisedRefund" (refund signed while a settlement can execute)
 * and, once both are submitted, by "never both settled and refunded"; an Operator that signed on a
 * caller's word (edited message, id, or a record of the caller's message) is caught at "hostileAsk"
 * (signatures for an edited message) or by the record check and the relayer's checks; one that skips
 * or misreads screening or review, by the compliance invariants; one that re-prices, by the rate checks.
 *
 * CORRIDOR_FC_SEED replays a run (the setup file prints the seed); CORRIDOR_FC_RUNS sets the number of
 * runs (for a longer soak); CORRIDOR_FC_VERBOSE prints how often each action ended each way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { getAddress, keccak256, toHex, zeroHash, type Hex } from "viem";
import type { KeyPair } from "../../src/chains/keys.js";
import { testKey } from "../../src/chains/keys.js";
import { CHAIN_PROFILES } from "../../src/chains/profiles.js";
import { decodeGatewayLogs, type SettleItem } from "../../src/contracts/gateway.js";
import type { Currency } from "../helpers/contracts.js";
import { loadAddressList } from "../../src/data/sanctions-list.js";
import { buildTravelRulePayload, travelRuleHash } from "../../src/domain/compliance/ivms.js";
import { isCorridorError } from "../../src/domain/errors.js";
import { hashMessage, idOf, REFUND_REASON, type Message } from "../../src/domain/message.js";
import { OperatorErrorCode, type Attestation, type Operator } from "../../src/operator/operator.js";
import type { AttestBatch } from "../../src/operator/attester.js";
import { QuorumErrorCode } from "../../src/operator/quorum.js";
import { Quoter } from "../../src/operator/quoter.js";
import { ViewErrorCode } from "../../src/operator/chain-view.js";
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
  tok,
  write,
  type Call,
  type ChainName,
  type Fixture,
} from "../helpers/contracts.js";
import {
  advance,
  buildCorridorOperator,
  deployArtifact,
  errorChain,
  operatorStateDir,
  removeStateDir,
  revertTo,
  snapshot,
  steppedRates,
  testingArtifact,
  tryWrite,
  type TxOutcome,
} from "../helpers/invariants.js";

// ---------------------------------------------------------------- parameters

const RUNS = Number(process.env.CORRIDOR_FC_RUNS ?? 50);
const FEE_BPS = 25n;
const CHAINS = ["us", "uk"] as const;
const CURS = ["USD", "GBP"] as const;
const REFUNDED = `0x${"0".repeat(63)}1` as Hex;
const FINALIZED = `0x${"0".repeat(63)}2` as Hex;
const THRESHOLD = 2;
/** Instant local chains: a send is at its tier's depth and final in its own block (so every settlement is sourceFinal). */
const PROFILES = { us: CHAIN_PROFILES.local!, uk: CHAIN_PROFILES.local! };

const other = (n: ChainName): ChainName => (n === "us" ? "uk" : "us");
const home = (n: ChainName): Currency => (n === "us" ? "USD" : "GBP");
const key = (a: Hex): string => a.toLowerCase();
const errText = (e: unknown): string => (e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e));

// ---------------------------------------------------------------- amounts and what the default pipeline must decide

/**
 * Amount classes (6-decimal base units of the input currency), chosen so that the default pipeline's
 * outcome is certain whatever the GBP/USD mid in 0.79..0.82 (steppedRates) and the EUR/USD 0.92 of the
 * UK travel-rule threshold: small stays under every threshold (UK: EUR 1,000); medium is above the
 * travel-rule thresholds and under manual review (USD 10,000); review is above manual review and under
 * the per-transfer limit (USD 25,000); over is above the per-transfer limit.
 */
type AmountClass = "small" | "medium" | "review" | "over";
/** Travel-rule data: valid and delivered; delivered but naming another beneficiary account; none (extraHash zero); committed to but never delivered. */
type TravelRule = "valid" | "invalid" | "none" | "undelivered";
/**
 * What the default pipeline must decide, from the test's own knowledge of the send: deny for certain,
 * not allow (hold, or deny), or either way (the daily limit depends on the sender's history).
 */
type Must = "deny" | "notAllow" | "any";

function mustDecide(sanctioned: boolean, cls: AmountClass, tr: TravelRule): { must: Must; why: string } {
  if (sanctioned) return { must: "deny", why: "OFAC-listed recipient" };
  if (cls === "over") return { must: "deny", why: "over the per-transfer limit" };
  if (cls !== "small" && tr === "invalid") return { must: "deny", why: "invalid travel-rule data" };
  if (cls === "review") return { must: "notAllow", why: "above the manual-review threshold" };
  if (cls === "medium" && tr !== "valid") return { must: "notAllow", why: "travel-rule data missing" };
  return { must: "any", why: `${cls}, travel rule ${tr}` };
}

// ---------------------------------------------------------------- actions

type Edit = "sentAt" | "amount" | "recipient" | "deadline" | "outputToken" | "sameIdEdited" | "otherId" | "swapChains";
type Tamper = "rate" | "recipient" | "amount" | "deadline";

type Op =
  | { t: "send"; src: ChainName; lock: boolean; cur: Currency; from: number; to: number; cls: AmountClass; amount: bigint; tr: TravelRule; deadline: number }
  | { t: "relay"; pick: number }
  | { t: "relayBatch"; dst: ChainName; picks: number[] }
  | { t: "hoard"; pick: number }
  | { t: "hostileAsk"; pick: number; edit: Edit }
  | { t: "tamperSettle"; pick: number; how: Tamper }
  | { t: "replaySettle"; pick: number }
  | { t: "replayRefund"; pick: number }
  | { t: "replayFinalize"; pick: number }
  | { t: "compromisedRefund"; pick: number; reason: number; whileSettling: boolean }
  | { t: "finality"; picks: number[]; junk: boolean; tamper: boolean }
  | { t: "review"; pick: number; approve: boolean; anyId: boolean }
  | { t: "restart" }
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
const classed = (cls: AmountClass, a: fc.Arbitrary<bigint>) => a.map((amount) => ({ cls, amount }));
const amountArb = fc.oneof(
  { weight: 5, arbitrary: classed("small", fc.oneof(fc.bigInt(1n, 2_000n), fc.bigInt(1n, 800_000_000n))) },
  { weight: 2, arbitrary: classed("medium", fc.bigInt(3_100_000_000n, 7_500_000_000n)) },
  { weight: 2, arbitrary: classed("review", fc.bigInt(10_500_000_000n, 18_000_000_000n)) },
  { weight: 1, arbitrary: classed("over", fc.bigInt(26_000_000_000n, 40_000_000_000n)) },
);
const sendArb = fc
  .record({
    src: chainArb,
    lock: fc.boolean(),
    cur: curArb,
    from: fc.nat(2),
    // 0..2: alice, bob, carol; 3: an OFAC-listed address.
    to: fc.oneof({ weight: 5, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constant(3) }),
    a: amountArb,
    tr: fc.constantFrom<TravelRule>("valid", "valid", "invalid", "none", "undelivered"),
    deadline: fc.nat(3),
  })
  .map(({ a, ...r }) => ({ t: "send" as const, ...r, ...a }));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: sendArb },
  { weight: 8, arbitrary: fc.record({ t: fc.constant("relay" as const), pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("relayBatch" as const), dst: chainArb, picks: fc.array(pick, { minLength: 2, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("hoard" as const), pick }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("hostileAsk" as const),
      pick,
      edit: fc.constantFrom<Edit>("sentAt", "amount", "recipient", "deadline", "outputToken", "sameIdEdited", "otherId", "swapChains"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("tamperSettle" as const), pick, how: fc.constantFrom<Tamper>("rate", "recipient", "amount", "deadline") }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("replaySettle" as const), pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("replayRefund" as const), pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("replayFinalize" as const), pick }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("compromisedRefund" as const),
      pick,
      reason: fc.constantFrom(REFUND_REASON.denied, REFUND_REASON.expired, REFUND_REASON.other),
      whileSettling: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("finality" as const), picks: fc.array(pick, { minLength: 1, maxLength: 4 }), junk: fc.boolean(), tamper: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("review" as const), pick, approve: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), anyId: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 3, arbitrary: fc.constant(false) }) }) },
  { weight: 1, arbitrary: fc.constant({ t: "restart" as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pauseGateway" as const), chain: chainArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pauseToken" as const), chain: chainArb, cur: curArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("freeze" as const), chain: chainArb, cur: curArb, who: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("seize" as const), chain: chainArb, cur: curArb, who: fc.nat(4), frozenOnly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("deposit" as const), chain: chainArb, amount: fc.bigInt(1n, 2_000_000_000n) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("withdraw" as const), chain: chainArb, quarters: fc.integer({ min: 0, max: 5 }) }) },
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
  /** What the default pipeline must decide, and why (the test's own knowledge of the send). */
  must: Must;
  why: string;
  settled: boolean;
  srcState: "pending" | "refunded" | "finalized";
  /** The rate of the operator's settlement, once it gave one (to anyone). */
  rate?: bigint;
  settleItem?: SettleItem;
  /** The attesters' signatures over the batch of that one settlement (what settle(item, signatures) checks). */
  settleSigs?: Hex[];
  /** The refund reason the operator gave, once it gave one. */
  refundReason?: keyof typeof REFUND_REASON;
  refundCall?: Call;
  finalizeCall?: Call;
  /** The reviewer approved it (operator.review(id, true) succeeded). */
  approved: boolean;
  /** A compromised coordinator collected refund signatures for it straight from the attesters. */
  hostileRefund: boolean;
  /** The rate it was paid at (TransferSettled). */
  paidRate?: bigint;
  /** TransferRefunded events: who got how much back. */
  refunds: { sender: Hex; amount: bigint }[];
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
let mallory: KeyPair; // the hostile caller
/** Two addresses from the packaged OFAC list (recipients of sends that must be denied). */
const SANCTIONED = [...loadAddressList()].sort().slice(0, 2).map((a) => getAddress(a));
const lens = {} as Record<ChainName, Hex>;
let base: Record<ChainName, Hex>;
let initial: Model;
let quoter: Quoter;

// The operator of the current run, its state folder, its clock (chain time) and the travel-rule payloads delivered off chain.
let operator: Operator;
let stateDir: string;
let clockNow = 0;
const clock = { now: () => clockNow };
const travelRules = new Map<string, unknown>();

const tokenOf = (n: ChainName, c: Currency) => f.dep[n].tokens[c];
const gateway = (n: ChainName) => f.dep[n].gateway;
const feeRecipient = (n: ChainName) => f.dep[n].feeRecipient;
const holders = (n: ChainName): Hex[] => [
  ...users.map((u) => u.address),
  lp.address,
  recovery.address,
  gateway(n),
  feeRecipient(n),
  f.admin.address,
  f.relayer.address,
  mallory.address,
  ...SANCTIONED,
];
/** Who the issuer may freeze (the gateway and the fee recipient included) and seize from (not the gateway). */
const freezable = (n: ChainName): Hex[] => [...users.map((u) => u.address), lp.address, gateway(n), feeRecipient(n)];
const seizable = (n: ChainName): Hex[] => [...users.map((u) => u.address), lp.address, feeRecipient(n)];

function startOperator(): Operator {
  return buildCorridorOperator({
    chains: f.c.chains,
    profiles: PROFILES,
    deployment: f.c.deployment,
    attesterKeys: f.c.keys.attesters,
    threshold: THRESHOLD,
    quoter,
    clock,
    travelRules,
    stateDir,
  });
}

/** The operator's clock is chain time (the later of the two heads). */
async function syncClock(): Promise<void> {
  clockNow = Number((await Promise.all(CHAINS.map((n) => latestTimestamp(f.chain[n])))).reduce((a, b) => (a > b ? a : b)));
}

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
  mallory = await actor(f, "mallory");
  for (const n of CHAINS) {
    await deployFeeModule(f, n, Number(FEE_BPS));
    lens[n] = await deployArtifact(f.chain[n], f.admin.privateKey, testingArtifact("InvariantLens"));
  }
  // Enough liquidity for a settlement above the manual-review threshold.
  lp = await provideLiquidity(f, "us", "USD", 30_000_000_000n, "lp");
  await provideLiquidity(f, "uk", "GBP", 30_000_000_000n, "lp");
  quoter = new Quoter({ privateKey: testKey(f.seed, "quoter"), source: steppedRates, spreadBps: { default: 30 }, ttlSeconds: 60 });
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

/** A settlement of `x` with the operator's signatures for it (x.rate). */
function predictSettle(model: Model, x: MsgModel, now: bigint): Expected {
  const cm = model.chain[x.dst];
  const m = x.m;
  if (x.settled) return fail("MessageAlreadyProcessed", x.id);
  if (now > m.deadline) return fail("DeadlinePassed", m.deadline, undefined);
  const out = ((m.amount - m.fee) * x.rate!) / RATE_SCALE;
  if (x.lock && cm.liquidity[x.outCur] < out) return fail("InsufficientLiquidity", tokenOf(x.dst, x.outCur), cm.liquidity[x.outCur], out);
  const e = x.lock
    ? moves(cm, [[x.outCur, gateway(x.dst), m.recipient, out]])
    : moves(cm, [[x.outCur, null, m.recipient, out], ...(m.fee > 0n ? [[x.outCur, null, feeRecipient(x.dst), m.fee] as [Currency, null, Hex, bigint]] : [])]);
  if (!e.ok) return e;
  if (x.lock) cm.liquidity[x.outCur] -= out;
  x.settled = true;
  return OK;
}

/**
 * A settlement of an edited copy of `x` with the attesters' signatures for `x`: the signatures do not verify,
 * and they are checked first (before the message: an edit of a settled or expired message gets UnknownAttester too).
 */
function predictTamperedSettle(): Expected {
  return fail("UnknownAttester", undefined);
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

// ---------------------------------------------------------------- transactions and their events

function normalize(v: unknown): unknown {
  if (typeof v === "string" && v.startsWith("0x")) return v.toLowerCase();
  if (Array.isArray(v)) return v.map(normalize);
  return v;
}

/** How often each action ended each way (printed with CORRIDOR_FC_VERBOSE). */
const outcomes = new Map<string, number>();
const tally = (label: string) => outcomes.set(label, (outcomes.get(label) ?? 0) + 1);

/** Asserts that a transaction's outcome is what the model predicted (error name and arguments). */
function expectOutcome(o: TxOutcome, e: Expected, what: string): void {
  tally(`${what.split(" ")[0]}: ${o.ok ? "ok" : o.error?.errorName ?? "?"}`);
  if (e.ok) {
    expect(o.ok ? "ok" : `${what} reverted: ${errorChain(o.data).join(" <- ")}`).toBe("ok");
    return;
  }
  expect(o.ok ? `${what} succeeded` : o.error?.errorName ?? o.data, what).toBe(e.error);
  if (o.ok || !o.error) return;
  const got = normalize([...o.error.args]) as unknown[];
  expect(got, `${what} ${e.error} arguments`).toEqual(normalize(e.args.map((a, i) => (a === undefined ? got[i] : a))));
}

/** Counts the corridor events of a receipt per id, and checks each payout against the operator's decision. */
function recordEvents(model: Model, o: TxOutcome): void {
  if (!o.ok) return;
  for (const ev of decodeGatewayLogs(o.receipt.logs)) {
    expect(ev.name, "no settlement draws on or credits the Fast allowance (every settlement is sourceFinal)").not.toMatch(/^FastAllowance/);
    if (ev.name !== "TransferSettled" && ev.name !== "TransferRefunded" && ev.name !== "TransferFinalized") continue;
    const x = model.msgs.find((y) => key(y.id) === key(ev.id));
    expect(x, `${ev.name} for ${ev.id}, which no one sent`).toBeDefined();
    const c = model.events.get(ev.id) ?? { settled: 0, refunded: 0, finalized: 0 };
    if (ev.name === "TransferSettled") {
      c.settled++;
      expect({ amountOut: ev.amountOut, fee: ev.fee, rate: ev.rate }).toEqual({ amountOut: ((x!.m.amount - x!.m.fee) * x!.rate!) / RATE_SCALE, fee: x!.m.fee, rate: x!.rate });
      x!.paidRate = ev.rate;
      // Nothing is paid at a rate other than the operator's decision, and the decision is the quoter's price when it was taken.
      const d = operator.store.get(ev.id);
      expect(d?.signed?.outcome, `${ev.id} paid without the operator's settle decision`).toBe("settle");
      if (d?.signed?.outcome === "settle") {
        expect(ev.rate, `${ev.id} paid at a rate other than the operator's decision`).toBe(d.signed.rate);
        const priced = x!.lock ? quoter.price(x!.inCur, x!.outCur, d.signed.at).rate : RATE_SCALE;
        expect(d.signed.rate, `${ev.id}: the decided rate is not the quoter's price at the decision (${d.signed.at})`).toBe(priced);
      }
    } else if (ev.name === "TransferRefunded") {
      c.refunded++;
      x!.refunds.push({ sender: key(ev.sender) as Hex, amount: ev.amount });
    } else c.finalized++;
    model.events.set(ev.id, c);
  }
}

const relayerKey = () => f.relayer.privateKey;
const pickOf = <T>(list: T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

async function submitSettle(model: Model, x: MsgModel, from: Hex): Promise<void> {
  const now = await latestTimestamp(f.chain[x.dst]);
  const e = model.chain[x.dst].paused ? fail("EnforcedPause") : predictSettle(model, x, now);
  const o = await tryWrite(f.chain[x.dst], from, gw(gateway(x.dst), "settle", x.settleItem!, x.settleSigs!));
  expectOutcome(o, e, `settle ${x.id}`);
  recordEvents(model, o);
}

async function submitRefund(model: Model, x: MsgModel, from: Hex): Promise<void> {
  const e = predictRefund(model, x);
  const o = await tryWrite(f.chain[x.src], from, x.refundCall!);
  expectOutcome(o, e, `refund ${x.id}`);
  recordEvents(model, o);
}

async function submitFinalize(model: Model, x: MsgModel, from: Hex): Promise<void> {
  const e = predictFinalize(model, x);
  const o = await tryWrite(f.chain[x.src], from, x.finalizeCall!);
  expectOutcome(o, e, `finalize ${x.id}`);
  recordEvents(model, o);
}

// ---------------------------------------------------------------- asking the operator

type Asked = { ok: true; a: Attestation } | { ok: false; err: unknown };

async function ask(id: Hex, m: Message): Promise<Asked> {
  await syncClock();
  try {
    return { ok: true, a: await operator.attestation(id, m) };
  } catch (err) {
    return { ok: false, err };
  }
}

/**
 * Asks the operator for `x` as the relayer does (the chain's id and message), checks the answer
 * against the chain, the model and the operator's own record, and keeps what it signed (for the
 * relayer to submit, and for later replays). Returns the answer, or undefined when it failed.
 */
async function askHonestly(model: Model, x: MsgModel): Promise<Attestation | undefined> {
  const r = await ask(x.id, x.m);
  const d = operator.store.get(x.id);
  const expired = (await latestTimestamp(f.chain[x.dst])) > x.m.deadline;
  const label = `${x.id} (${x.why})`;
  if (!r.ok) {
    tally(`ask: ${errText(r.err).split(":")[0]}`);
    // Only refund signatures a compromised coordinator collected (journaled by the attesters) may leave the quorum short.
    expect(isCorridorError(r.err, QuorumErrorCode.NoQuorum) && x.hostileRefund, `${label}: the operator failed: ${errText(r.err)}`).toBe(true);
    return undefined;
  }
  const a = r.a;
  tally(`ask: ${a.kind}${a.kind === "refund" ? ` ${a.reason}` : ""}`);
  /** The settlement was decided before: signed again, it is the same signatures (deterministic ECDSA, the same attesters). */
  let sameAgain = false;
  if (x.settled) expect(a.kind, `${label}: settled`).toBe(x.lock && x.srcState === "pending" ? "finalize" : "done");
  else if (x.srcState !== "pending") expect(a.kind, `${label}: ${x.srcState} on the source`).toBe("done");
  else if (!x.hostileRefund) {
    // Pending on the source and unsettled: one decision per transfer, expiry first.
    if (x.refundReason !== undefined) expect(a.kind === "refund" && a.reason, `${label}: refunded before`).toBe(x.refundReason);
    else if (expired) expect(a.kind === "refund" && a.reason, `${label}: past its deadline`).toBe("expired");
    else if (x.rate !== undefined) {
      expect(a.kind === "settle" && a.rate, `${label}: settlement decided before`).toBe(x.rate);
      sameAgain = true;
    } else {
      expect(["settle", "hold", "refund"], `${label}: first answer`).toContain(a.kind);
      if (a.kind === "refund") expect(a.reason, `${label}: refunded before its deadline`).toBe("denied");
      if (x.must === "deny") expect(a.kind, `${label}: must be denied`).toBe("refund");
      if (x.must === "notAllow" && a.kind === "settle") expect(x.approved, `${label}: settlement signed for a held transfer before approval`).toBe(true);
      const s = d?.screening;
      if (a.kind === "settle") expect(s?.outcome === "allow" || (s?.outcome === "hold" && d?.review?.state === "approved"), `${label}: settlement signed against screening ${JSON.stringify(s)} / review ${d?.review?.state}`).toBe(true);
      if (a.kind === "hold") expect({ screening: s?.outcome, review: d?.review?.state }, `${label}: hold`).toEqual({ screening: "hold", review: "pending" });
      if (a.kind === "refund") expect(s?.outcome === "deny" || d?.review?.state === "denied", `${label}: denied without a deny`).toBe(true);
    }
  }
  // What the relayer does next: the attesters' signatures over the batch of this one item.
  const batch: AttestBatch | undefined =
    a.kind === "settle"
      ? { kind: "settle", items: [{ message: x.m, rate: a.rate, sourceFinal: a.sourceFinal }] }
      : a.kind === "refund"
        ? { kind: "refund", items: [{ message: x.m, reason: REFUND_REASON[a.reason] }] }
        : a.kind === "finalize"
          ? { kind: "finalize", items: [{ message: x.m }] }
          : undefined;
  let signatures: Hex[] = [];
  if (batch) {
    const signed = await signOne(batch);
    if (!signed.ok) {
      tally(`sign ${a.kind}: ${signed.why.split(":")[0]}`);
      // Only refund signatures a compromised coordinator collected (journaled by the attesters) may leave the quorum short.
      expect(x.hostileRefund, `${label}: the attesters did not sign the ${a.kind} the operator decided: ${signed.why}`).toBe(true);
      return undefined;
    }
    signatures = signed.signatures;
    if (sameAgain) expect(signatures, `${label}: the settlement decided before, signed again`).toEqual(x.settleSigs);
  }
  if (a.kind === "settle") {
    expect(x.must, `${label}: settlement signed for a transfer that must be denied`).not.toBe("deny");
    if (x.must === "notAllow") expect(x.approved, `${label}: settlement signed for a held transfer before approval`).toBe(true);
    expect(a.sourceFinal, `${label}: sourceFinal on an instant chain`).toBe(true);
    if (x.rate !== undefined) expect(a.rate, `${label}: the operator changed its rate`).toBe(x.rate);
    if (!x.lock) expect(a.rate, `${label}: burn-and-mint rate`).toBe(RATE_SCALE);
    x.rate = a.rate;
    x.settleItem = { message: x.m, rate: a.rate, sourceFinal: a.sourceFinal, quote: NO_QUOTE, quoteSignature: "0x" };
    x.settleSigs = signatures;
  } else if (a.kind === "refund") {
    if (x.refundReason === undefined || x.refundCall === undefined) {
      x.refundReason = a.reason;
      x.refundCall = gw(gateway(x.src), "refund", x.m, REFUND_REASON[a.reason], signatures);
    }
  } else if (a.kind === "finalize") {
    x.finalizeCall = gw(gateway(x.src), "finalize", x.m, signatures);
  }
  return a;
}

/**
 * The operator has the attesters sign a batch of one item (operator.signBatch): its signatures, or why
 * not (the item refused by the operator or an attester, or the quorum failing).
 */
async function signOne(batch: AttestBatch): Promise<{ ok: true; signatures: Hex[] } | { ok: false; why: string }> {
  await syncClock();
  let r: Awaited<ReturnType<Operator["signBatch"]>>;
  try {
    r = await operator.signBatch(batch);
  } catch (err) {
    return { ok: false, why: errText(err) };
  }
  if (r.refused.length > 0) {
    expect(r.batch.items, "a refused item leaves the batch").toHaveLength(0);
    expect(r.signatures, "nothing is signed for an empty batch").toEqual([]);
    return { ok: false, why: `refused: ${r.refused.map((x) => x.reason).join(", ")}` };
  }
  expect(r.batch, "the batch signed is the batch asked for").toEqual(batch);
  expect(r.signatures, "threshold signatures over the batch").toHaveLength(THRESHOLD);
  return { ok: true, signatures: r.signatures };
}

/** The relayer's turn for `x`: ask, then submit what came back. */
async function relay(model: Model, x: MsgModel): Promise<void> {
  const a = await askHonestly(model, x);
  if (a?.kind === "settle") await submitSettle(model, x, relayerKey());
  else if (a?.kind === "refund") await submitRefund(model, x, relayerKey());
  else if (a?.kind === "finalize") await submitFinalize(model, x, relayerKey());
  else if (!a && x.refundCall && x.srcState === "pending") await submitRefund(model, x, relayerKey()); // the quorum is stuck on a compromised refund: its signatures are the way out
}

/** An edited copy of x's message and the id the hostile caller sends with it. */
function edited(model: Model, x: MsgModel, edit: Edit): { id: Hex; m: Message } {
  const m = x.m;
  const withId = (e: Message) => ({ id: idOf(e), m: e });
  switch (edit) {
    case "sentAt":
      return { id: x.id, m: { ...m, sentAt: m.sentAt + 1n } }; // same id (the id leaves sentAt out), another hash
    case "amount":
      return withId({ ...m, amount: m.amount * 2n });
    case "recipient":
      return withId({ ...m, recipient: mallory.address });
    case "deadline":
      return withId({ ...m, deadline: m.deadline + 100_000n });
    case "outputToken":
      return withId({ ...m, outputToken: tokenOf(x.dst, x.outCur === "USD" ? "GBP" : "USD") });
    case "sameIdEdited":
      return { id: x.id, m: { ...m, recipient: mallory.address } };
    case "otherId":
      return { id: (model.msgs.find((y) => y.id !== x.id)?.id ?? keccak256(toHex("no such id"))) as Hex, m };
    case "swapChains":
      return withId({ ...m, srcChainId: m.dstChainId, srcGateway: m.dstGateway, dstChainId: m.srcChainId, dstGateway: m.srcGateway });
  }
}

// ---------------------------------------------------------------- running one action

async function run(model: Model, op: Op): Promise<void> {
  switch (op.t) {
    case "send": {
      const src = op.src;
      const dst = other(src);
      const cm = model.chain[src];
      const sender = users[op.from]!;
      const recipient = op.to < users.length ? users[op.to]!.address : SANCTIONED[op.from % SANCTIONED.length]!;
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
      // The sender's VASP sends the travel-rule payload off chain; the message commits to its hash.
      const payload = buildTravelRulePayload({
        // One payload per send (the customer id carries the send's nonce): an undelivered one must not match another's delivered payload.
        originator: { name: "Alice Sender", account: sender.address, customerId: `${src}/${sender.address}/${cm.nonces.get(key(sender.address))}`, country: src === "us" ? "US" : "GB" },
        beneficiary: { name: "Bob Recipient", account: op.tr === "invalid" ? mallory.address : recipient, country: dst === "us" ? "US" : "GB" },
      });
      const extraHash = op.tr === "none" ? zeroHash : travelRuleHash(payload);
      if (op.tr === "valid" || op.tr === "invalid") travelRules.set(extraHash.toLowerCase(), payload);
      const p = {
        inputToken: tokenOf(src, inCur),
        dstChainId: BigInt(f.dep[dst].chainId),
        outputToken: tokenOf(dst, outCur),
        recipient,
        amount: op.amount,
        maxFee: op.amount,
        minAmountOut: 0n,
        deadline,
        tier: TIER.standard,
        extraHash,
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
        recipient,
        inputToken: p.inputToken,
        outputToken: p.outputToken,
        amount: op.amount,
        fee,
        deadline,
        extraHash,
        mode: op.lock ? MODE.lockRelease : MODE.burnMint,
      });
      cm.nonces.set(key(sender.address), m.nonce + 1n);
      if (op.lock) cm.escrowed[inCur] += op.amount;
      const hash = await read<Hex>(f.chain[src], gw(gateway(src), "hashMessage", m));
      const { must, why } = mustDecide(op.to >= users.length, op.cls, op.tr);
      model.msgs.push({ m, id: sent.id, hash, src, dst, inCur, outCur, lock: op.lock, must, why, settled: false, srcState: "pending", approved: false, hostileRefund: false, refunds: [] });
      return;
    }
    case "relay": {
      const x = pickOf(model.msgs, op.pick);
      if (x) await relay(model, x);
      return;
    }
    case "relayBatch": {
      // The relayer batches settlements to one chain: resubmits the ones it holds (possibly stale), asks for the others.
      const candidates = model.msgs.filter((y) => y.dst === op.dst && (y.settleItem || (y.srcState === "pending" && !y.settled)));
      if (candidates.length === 0) return;
      const chosen: MsgModel[] = [];
      for (const i of op.picks) {
        const x = candidates[i % candidates.length]!;
        if (!x.settleItem) await askHonestly(model, x);
        if (x.settleItem) chosen.push(x);
      }
      if (chosen.length === 0) return;
      // One attestation for the whole batch: the operator has the attesters sign it; an item that can no longer
      // settle (its source closed, or refunded signatures out after its deadline) is refused and leaves the batch.
      await syncClock();
      const now = await latestTimestamp(f.chain[op.dst]);
      const signed = await operator.signBatch({ kind: "settle", items: chosen.map((x) => ({ message: x.m, rate: x.rate!, sourceFinal: x.settleItem!.sourceFinal })) });
      const refusedIds = new Set(signed.refused.map((r) => key(r.id)));
      for (const r of signed.refused) {
        const x = chosen.find((y) => key(y.id) === key(r.id))!;
        tally(`settleBatch refused: ${r.reason}`);
        expect(x.srcState !== "pending" || now > x.m.deadline, `${x.id}: refused in a settle batch (${r.reason}) while it can still settle`).toBe(true);
      }
      const kept = chosen.filter((x) => !refusedIds.has(key(x.id)));
      expect(signed.batch.items.map((i) => key(idOf(i.message))), "the batch signed is the batch asked for, less what was refused").toEqual(kept.map((x) => key(x.id)));
      if (kept.length === 0) {
        expect(signed.signatures).toEqual([]);
        return;
      }
      expect(signed.signatures, "threshold signatures over the whole batch").toHaveLength(THRESHOLD);
      const o = await tryWrite(f.chain[op.dst], relayerKey(), gw(gateway(op.dst), "settleBatch", kept.map((x) => x.settleItem!), signed.signatures));
      if (model.chain[op.dst].paused) {
        expectOutcome(o, fail("EnforcedPause"), "settleBatch");
        return;
      }
      expectOutcome(o, OK, "settleBatch");
      if (!o.ok) return;
      const predicted = kept.map((x) => {
        const e = predictSettle(model, x, now);
        return e.ok ? { id: x.id, result: "settled" } : { id: x.id, result: e.error };
      });
      const got = decodeGatewayLogs(o.receipt.logs)
        .filter((ev) => ev.name === "TransferSettled" || ev.name === "SettleFailed")
        .map((ev) => ({ id: (ev as { id: Hex }).id, result: ev.name === "TransferSettled" ? "settled" : errorChain((ev as { reason: Hex }).reason).join(" <- ") }));
      expect(got, "settleBatch items").toEqual(predicted);
      for (const p of predicted) tally(`settleBatch item: ${p.result}`);
      recordEvents(model, o);
      return;
    }
    case "hoard": {
      // The hostile caller asks as the relayer would and keeps the signatures for later.
      const x = pickOf(model.msgs, op.pick);
      if (x) await askHonestly(model, x);
      return;
    }
    case "hostileAsk": {
      // Edited messages and ids: the operator must refuse or find nothing to sign, whatever it was asked before.
      const x = pickOf(model.msgs, op.pick);
      if (!x) return;
      const { id, m } = edited(model, x, op.edit);
      const r = await ask(id, m);
      if (r.ok) {
        tally(`hostileAsk ${op.edit}: ${r.a.kind}`);
        expect(r.a.kind, `the operator answered ${r.a.kind} for an edited message (${op.edit}) of ${x.id}: it signs only what its source gateway holds`).toMatch(/^(pending|done)$/);
      } else {
        tally(`hostileAsk ${op.edit}: ${errText(r.err).split(":")[0]}`);
        const codes: string[] = [ViewErrorCode.IdMismatch, ViewErrorCode.UnknownRoute];
        expect(isCorridorError(r.err) && codes.includes(r.err.code), `hostileAsk ${op.edit}: ${errText(r.err)}`).toBe(true);
      }
      return;
    }
    case "tamperSettle": {
      // The hostile caller edits a settlement the operator signed and submits it.
      const x = pickOf(model.msgs.filter((y) => y.settleItem), op.pick);
      if (!x) return;
      const item = x.settleItem!;
      const m: Message =
        op.how === "recipient" ? { ...x.m, recipient: mallory.address } : op.how === "amount" ? { ...x.m, amount: x.m.amount + 1_000_000n } : op.how === "deadline" ? { ...x.m, deadline: x.m.deadline + 100_000n } : x.m;
      const tampered: SettleItem = { ...item, message: m, rate: op.how === "rate" ? item.rate + item.rate / 100n + 1n : item.rate };
      const e = model.chain[x.dst].paused ? fail("EnforcedPause") : predictTamperedSettle();
      const o = await tryWrite(f.chain[x.dst], mallory.privateKey, gw(gateway(x.dst), "settle", tampered, x.settleSigs!));
      expectOutcome(o, e, `tamperSettle-${op.how} ${x.id}`);
      recordEvents(model, o);
      return;
    }
    case "replaySettle": {
      // Any signed settlement, again, at any time (after its deadline, after a refund, after it settled).
      const x = pickOf(model.msgs.filter((y) => y.settleItem), op.pick);
      if (x) await submitSettle(model, x, mallory.privateKey);
      return;
    }
    case "replayRefund": {
      const x = pickOf(model.msgs.filter((y) => y.refundCall), op.pick);
      if (x) await submitRefund(model, x, mallory.privateKey);
      return;
    }
    case "replayFinalize": {
      const x = pickOf(model.msgs.filter((y) => y.finalizeCall), op.pick);
      if (x) await submitFinalize(model, x, mallory.privateKey);
      return;
    }
    case "compromisedRefund": {
      // A compromised coordinator asks the attesters directly for a refund (the operator is bypassed).
      // Each attester must refuse once it signed a settlement that can still execute. Half the time the
      // target is such a transfer (a settlement signed, not executed), when there is one.
      const settling = model.msgs.filter((y) => y.settleItem && !y.settled && y.srcState === "pending");
      const x = op.whileSettling && settling.length > 0 ? pickOf(settling, op.pick) : pickOf(model.msgs, op.pick);
      if (!x) return;
      await syncClock();
      const expired = (await latestTimestamp(f.chain[x.dst])) > x.m.deadline;
      let sigs: Hex[];
      try {
        const r = await operator.attesters.signBatch({ kind: "refund", items: [{ message: x.m, reason: op.reason }] });
        if (r.refused.length > 0) {
          // The attesters refused the item: it left the batch, nothing was signed.
          tally(`compromisedRefund: refused`);
          expect({ refused: r.refused.map((y) => key(y.id)), items: r.batch.items, signatures: r.signatures }).toEqual({ refused: [key(x.id)], items: [], signatures: [] });
          return;
        }
        sigs = r.signatures;
      } catch (err) {
        tally(`compromisedRefund: ${errText(err).split(":")[0]}`);
        expect(isCorridorError(err, QuorumErrorCode.NoQuorum), `compromisedRefund: ${errText(err)}`).toBe(true);
        return;
      }
      tally(`compromisedRefund: signed${expired ? " (expired)" : ""}`);
      expect(x.settled, `${x.id}: attesters signed a refund of a settled transfer`).toBe(false);
      expect(x.srcState, `${x.id}: attesters signed a refund of a closed transfer`).toBe("pending");
      expect(Boolean(x.settleItem) && !expired, `${x.id}: attesters signed a refund while a settlement they signed can still execute`).toBe(false);
      x.hostileRefund = true;
      x.refundCall = gw(gateway(x.src), "refund", x.m, op.reason, sigs);
      await submitRefund(model, x, mallory.privateKey);
      return;
    }
    case "finality": {
      // Finality for arbitrary ids (sent, junk, to either chain); what comes back is submitted (edited, sometimes).
      const ids = op.picks.map((i) => model.msgs[i % Math.max(1, model.msgs.length)]?.id ?? keccak256(toHex(`junk ${i}`)));
      if (op.junk) ids.push(keccak256(toHex(`junk ${op.picks[0]}`)));
      await syncClock();
      let r: Awaited<ReturnType<Operator["finality"]>>;
      try {
        r = await operator.finality(ids);
      } catch (err) {
        tally(`finality: ${errText(err).split(":")[0]}`);
        expect(isCorridorError(err, OperatorErrorCode.FinalityMixed), `finality: ${errText(err)}`).toBe(true);
        return;
      }
      tally(`finality: ${r ? `${r.ids.length} ids` : "none"}`);
      if (!r) return;
      const xs = r.ids.map((id) => model.msgs.find((y) => key(y.id) === key(id)));
      for (const [i, x] of xs.entries()) {
        expect(x && ids.some((a) => a.toLowerCase() === x.id.toLowerCase()), `finality signed for ${r.ids[i]}, which was not asked or never sent`).toBeTruthy();
        expect(operator.store.get(x!.id)?.signed?.outcome, `finality signed for ${x!.id} without a settle decision`).toBe("settle");
        expect(x!.dst, "finality for one destination").toBe(xs[0]!.dst);
      }
      const dst = xs[0]!.dst;
      const signedIds = op.tamper ? [...r.ids, keccak256(toHex("slipped in"))] : r.ids;
      const o = await tryWrite(f.chain[dst], mallory.privateKey, gw(gateway(dst), "creditFastAllowance", signedIds, r.signatures));
      expectOutcome(o, op.tamper ? fail("UnknownAttester", undefined) : OK, "creditFastAllowance");
      recordEvents(model, o);
      return;
    }
    case "review": {
      // The reviewer decides a held transfer (or, sometimes, any id: refused unless its review is pending).
      const held = model.msgs.filter((y) => operator.store.get(y.id)?.review?.state === "pending");
      const x = op.anyId ? pickOf(model.msgs, op.pick) : pickOf(held, op.pick);
      if (!x) return;
      const before = operator.store.get(x.id)?.review?.state;
      await syncClock();
      try {
        operator.review(x.id, op.approve, "reviewer");
        tally(`review: ${op.approve ? "approved" : "denied"}`);
        expect(before, `review of ${x.id} accepted in state ${before}`).toBe("pending");
        if (op.approve) x.approved = true;
      } catch (err) {
        tally(`review: ${errText(err).split(":")[0]}`);
        expect(isCorridorError(err, before === undefined ? OperatorErrorCode.ReviewNotFound : OperatorErrorCode.ReviewDecided), `review in state ${before}: ${errText(err)}`).toBe(true);
      }
      return;
    }
    case "restart": {
      operator.close();
      operator = startOperator();
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

/**
 * The end of a run: the issuers lift every pause and freeze, the relayer asks for every transfer and
 * submits, the reviewer approves what is still held, the relayer goes round twice (a settlement, then
 * its finalization), time passes every deadline, and it goes round twice again.
 */
async function drain(model: Model): Promise<void> {
  for (const n of CHAINS) {
    const cm = model.chain[n];
    if (cm.paused) await run(model, { t: "pauseGateway", chain: n });
    for (const c of CURS) {
      if (cm.tokenPaused[c]) await run(model, { t: "pauseToken", chain: n, cur: c });
      for (const who of [...cm.frozen[c]]) {
        await adminWrite(f, n, tok(tokenOf(n, c), "unfreeze", who));
        cm.frozen[c].delete(who);
      }
    }
  }
  const relayAll = async () => {
    for (const x of model.msgs) if (x.srcState === "pending" && (!x.settled || x.lock)) await relay(model, x);
  };
  await relayAll();
  // The reviewer approves what is still held (so that approved settlements happen in most runs), and the relayer goes round again.
  for (const x of model.msgs) {
    if (operator.store.get(x.id)?.review?.state !== "pending") continue;
    operator.review(x.id, true, "reviewer");
    x.approved = true;
    tally("review (drain): approved");
  }
  await relayAll();
  await relayAll();
  await Promise.all(CHAINS.map((n) => advance(f.chain[n], 4_000)));
  await relayAll();
  await relayAll();
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

  for (const s of status) {
    const x = s.x;
    // Exactly once, from chain state and from every receipt's events; and the chain matches the model.
    expect(s.consumed && s.outbound === REFUNDED, `${x.id} both settled and refunded`).toBe(false);
    const expectedOutbound = x.srcState === "refunded" ? REFUNDED : x.srcState === "finalized" ? FINALIZED : x.hash;
    expect({ consumed: s.consumed, outbound: s.outbound }, `${x.id} status`).toEqual({ consumed: x.settled, outbound: expectedOutbound });
    if (x.srcState === "finalized") expect(s.consumed, `${x.id} finalized but not settled`).toBe(true);
    const ev = model.events.get(x.id) ?? { settled: 0, refunded: 0, finalized: 0 };
    expect(ev, `${x.id} events`).toEqual({ settled: x.settled ? 1 : 0, refunded: x.srcState === "refunded" ? 1 : 0, finalized: x.srcState === "finalized" ? 1 : 0 });

    // Compliance, against the test's own knowledge of the send and against the operator's record.
    const d = operator.store.get(x.id);
    if (d) expect(hashMessage(d.message), `${x.id}: the operator's record holds another message than the chain's`).toBe(x.hash);
    const s1 = d?.screening?.outcome;
    if (x.must === "deny" && s1) expect(s1, `${x.id}: screened ${s1}, but it must be denied (${x.why})`).toBe("deny");
    if (x.must === "notAllow" && s1) expect(s1, `${x.id}: screened allow, but it must be held or denied (${x.why})`).not.toBe("allow");
    const denied = x.must === "deny" || s1 === "deny" || d?.review?.state === "denied";
    if (s.consumed) {
      expect(denied, `${x.id}: a denied transfer was settled (${x.why}; screening ${s1}, review ${d?.review?.state})`).toBe(false);
      if (x.must === "notAllow" || s1 === "hold") {
        expect(x.approved && d?.review?.state === "approved", `${x.id}: a held transfer was settled before the reviewer approved it (${x.why})`).toBe(true);
      }
      expect(d?.signed?.outcome, `${x.id}: settled, but the operator's decision is ${d?.signed?.outcome}`).toBe("settle");
      expect(x.paidRate, `${x.id}: paid at a rate other than the operator's decision`).toBe(d?.signed?.outcome === "settle" ? d.signed.rate : undefined);
    }
    if (x.srcState === "refunded") expect(x.refunds, `${x.id}: refunded, not in full to its sender`).toEqual([{ sender: key(x.m.sender), amount: x.m.amount }]);
  }
}

/** After the drain: every transfer ended settled (and finalized, if escrowed) or refunded in full; a denied one refunded. */
function checkSettledOrRefunded(model: Model): void {
  for (const x of model.msgs) {
    const d = operator.store.get(x.id);
    const denied = x.must === "deny" || d?.screening?.outcome === "deny" || d?.review?.state === "denied";
    const end = x.settled ? (x.lock ? x.srcState : "settled") : x.srcState;
    expect(end, `${x.id} (${x.why}) after the drain`).toBe(x.settled ? (x.lock ? "finalized" : "settled") : "refunded");
    if (denied) expect({ settled: x.settled, refunds: x.refunds }, `${x.id}: denied (${x.why})`).toEqual({ settled: false, refunds: [{ sender: key(x.m.sender), amount: x.m.amount }] });
  }
}

// ---------------------------------------------------------------- the property

describe("corridor invariants with the real operator (default compliance pipeline, m-of-n attesters), honest and hostile callers", () => {
  it(
    `after every step (${RUNS} runs of 10 to 25 actions, then a drain): books conserved; nothing settled twice or both settled and refunded; ` +
      `denied transfers (OFAC, limits, travel rule, review) never settled and refunded in full; held ones never settled before approval; ` +
      `every payout at the operator's decided rate; no signature for an edited message or a refund while a settlement can execute; all end settled or refunded`,
    async () => {
      let steps = 0;
      const tally2 = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 25 }), async (ops) => {
          for (const n of CHAINS) await revertTo(f.chain[n], base[n]);
          base = { us: await snapshot(f.chain.us), uk: await snapshot(f.chain.uk) };
          const model = cloneModel(initial);
          travelRules.clear();
          stateDir = operatorStateDir();
          await syncClock();
          operator = startOperator();
          try {
            for (const op of ops) {
              await run(model, op);
              await checkInvariants(model);
              steps++;
              tally2.set(op.t, (tally2.get(op.t) ?? 0) + 1);
            }
            await drain(model);
            await checkInvariants(model);
            checkSettledOrRefunded(model);
          } finally {
            operator.close();
            removeStateDir(stateDir);
          }
        }),
        { numRuns: RUNS, endOnFailure: false },
      );
      expect(steps).toBeGreaterThanOrEqual(RUNS * 10);
      if (process.env.CORRIDOR_FC_VERBOSE) console.log(`${steps} steps`, Object.fromEntries(tally2), Object.fromEntries([...outcomes].sort()));
    },
    Math.max(120_000, RUNS * 4_000),
  );
});
