/**
 * The operator's decision record (SQLite) and the attesters' journals (SQLite, one file each) under
 * random sequences of requests and restarts, on embedded chains, with a hostile caller among the
 * actors. Each run makes fresh sends (three allowed, one denied by the screen, one held for review),
 * builds the operator on a fresh state folder, and plays a generated sequence of steps: honest asks,
 * concurrent bursts, asks with edited messages, review decisions, restarts (close the operator and
 * build a new one on the same folder), the destination's clock moved past the deadline, a
 * compromised coordinator asking the attesters directly, and submissions of whatever signatures
 * were returned. An honest relayer then catches up (asks every id, submits what it gets).
 *
 * After each run, on the chains: no id both settled and refunded; the denied one never settled; the
 * held one never settled unless approved; an allowed or approved one never refunded before its
 * deadline. And directly, over every signature set returned (signers recovered over the real
 * message's digests): never m valid signatures for both settle and refund of one id before the
 * deadline, nothing ever for an edited message, no settlement for the denied or unapproved held one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recoverAddress, type Hex } from "viem";
import { testKeyPair, testKey, type KeyPair } from "../../src/chains/keys.js";
import { CHAIN_PROFILES } from "../../src/chains/profiles.js";
import { isCorridorError } from "../../src/domain/errors.js";
import { fixedRate } from "../../src/domain/fx/rate-source.js";
import { USD_GBP } from "../helpers/fx.js";
import { hashMessage, idOf, MODE, REFUND_REASON, refundDigest, settleDigest, TIER, type Message } from "../../src/domain/message.js";
import { wallClock } from "../../src/domain/clock.js";
import { buildOperator } from "../../src/operator/build.js";
import { OUTBOUND_FINALIZED, OUTBOUND_REFUNDED } from "../../src/contracts/gateway.js";
import type { Attestation, Operator, Screen } from "../../src/operator/operator.js";
import type { AttestBatch } from "../../src/operator/attester.js";
import { Quoter } from "../../src/operator/quoter.js";
import { actor, corridorFixture, finalizeCall, gatewayView, latestTimestamp, provideLiquidity, refundCall, sendTransfer, settleCall, type ChainName, type Fixture } from "../helpers/contracts.js";
import { advance, tryWrite } from "../helpers/invariants.js";

type Role = "allow" | "deny" | "hold";

interface Transfer {
  role: Role;
  id: Hex;
  message: Message;
  src: ChainName;
  dst: ChainName;
}

/** A signature set someone obtained: from the operator (honest or hostile caller) or straight from the attesters (a compromised coordinator). */
interface Obtained {
  seq: number;
  id: Hex;
  kind: "settle" | "refund" | "finalize";
  via: "operator" | "rogue";
  /** The message the caller named (edited or real). */
  message: Message;
  signatures: Hex[];
  rate?: bigint;
  sourceFinal?: boolean;
  reason?: number;
  /** The destination's head was past the message's deadline when the set came back. */
  pastDeadline: boolean;
  /** The held transfer was approved (by the model) when the set came back. */
  approved: boolean;
  res?: Attestation;
}

type Step =
  | { t: "ask"; i: number }
  | { t: "burst"; i: number; n: number }
  | { t: "edit"; i: number; e: number; ownId: boolean }
  | { t: "review"; i: number; approve: boolean }
  | { t: "restart" }
  | { t: "advance" }
  | { t: "submit"; k: number }
  | { t: "submitAll" }
  | { t: "rogue"; i: number; outcome: "settle" | "refund" };

const N_TRANSFERS = 5;
const EDITS = 9;
/** Errors the operator may answer with (anything else is a bug and fails the run). */
const EXPECTED_CODES = new Set(["CORRIDOR_ATTEST_ID_MISMATCH", "CORRIDOR_ATTEST_UNKNOWN_ROUTE", "CORRIDOR_ATTESTERS_NO_QUORUM"]);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant("ask" as const), i: fc.nat(N_TRANSFERS - 1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("burst" as const), i: fc.nat(N_TRANSFERS - 1), n: fc.integer({ min: 2, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("edit" as const), i: fc.nat(N_TRANSFERS - 1), e: fc.nat(EDITS - 1), ownId: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("review" as const), i: fc.oneof(fc.constant(4), fc.nat(N_TRANSFERS - 1)), approve: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ t: "restart" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "advance" as const }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("submit" as const), k: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.constant({ t: "submitAll" as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("rogue" as const), i: fc.nat(N_TRANSFERS - 1), outcome: fc.constantFrom("settle" as const, "refund" as const) }) },
);

function edit(m: Message, e: number, f: Fixture, attacker: Hex): Message {
  const src: ChainName = Number(m.srcChainId) === f.dep.us.chainId ? "us" : "uk";
  const dst: ChainName = src === "us" ? "uk" : "us";
  const otherToken = (n: ChainName, t: Hex) => Object.values(f.dep[n].tokens).find((x) => x.toLowerCase() !== t.toLowerCase())! as Hex;
  switch (e) {
    case 0:
      return { ...m, amount: m.amount + 1n };
    case 1:
      return { ...m, recipient: attacker };
    case 2:
      return { ...m, outputToken: otherToken(dst, m.outputToken) };
    case 3:
      return { ...m, srcChainId: m.dstChainId, srcGateway: m.dstGateway, dstChainId: m.srcChainId, dstGateway: m.srcGateway, inputToken: m.outputToken, outputToken: m.inputToken };
    case 4:
      return { ...m, sentAt: m.sentAt + 1n };
    case 5:
      return { ...m, deadline: m.deadline + 100_000n };
    case 6:
      return { ...m, mode: m.mode === MODE.burnMint ? MODE.lockRelease : MODE.burnMint };
    case 7:
      return { ...m, sender: attacker };
    default:
      return { ...m, minAmountOut: m.minAmountOut + 1n, fee: m.fee };
  }
}

describe("the operator's decisions and the attesters' journals under random requests, restarts and a hostile caller", () => {
  let f: Fixture;
  let sender: KeyPair;
  const deniedRecipient = testKeyPair("journal-property", "denied-recipient").address;
  const heldRecipient = testKeyPair("journal-property", "held-recipient").address;
  const attacker = testKeyPair("journal-property", "attacker").address;
  const stats = { runs: 0, steps: 0, restarts: 0, sets: 0, rogueSets: 0, settled: 0, refunded: 0, noQuorum: 0, editsRefused: 0 };

  beforeAll(async () => {
    f = await corridorFixture();
    sender = await actor(f, "sender");
    await provideLiquidity(f, "uk", "GBP", 100_000_000_000n);
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  /** Five fresh sends: three allowed (one cross-currency), one to the denied recipient, one to the held recipient. */
  async function sendAll(): Promise<Transfer[]> {
    const plan: { role: Role; from: ChainName; output?: "USD" | "GBP"; recipient: Hex; amount: bigint; tier?: number }[] = [
      { role: "allow", from: "us", recipient: testKeyPair("journal-property", "r0").address, amount: 100_000_000n },
      { role: "allow", from: "us", output: "GBP", recipient: testKeyPair("journal-property", "r1").address, amount: 200_000_000n },
      { role: "allow", from: "uk", recipient: testKeyPair("journal-property", "r2").address, amount: 50_000_000n, tier: TIER.fast },
      { role: "deny", from: "us", recipient: deniedRecipient, amount: 70_000_000n },
      { role: "hold", from: "us", recipient: heldRecipient, amount: 90_000_000n },
    ];
    const out: Transfer[] = [];
    for (const p of plan) {
      const s = await sendTransfer(f, sender, { from: p.from, output: p.output, recipient: p.recipient, amount: p.amount, maxFee: 0n, tier: p.tier });
      out.push({ role: p.role, id: s.id, message: s.message, src: p.from, dst: p.from === "us" ? "uk" : "us" });
    }
    return out;
  }

  const screen: Screen = (input) => {
    const r = input.message.recipient.toLowerCase();
    if (r === deniedRecipient.toLowerCase()) return { outcome: "deny", reason: "SANCTIONED_RECIPIENT", hook: "test" };
    if (r === heldRecipient.toLowerCase()) return { outcome: "hold", reason: "MANUAL_REVIEW", hook: "test", reviewSeconds: 60 };
    return { outcome: "allow" };
  };

  const build = (stateDir: string): Operator =>
    buildOperator({
      chains: f.c.chains,
      profiles: { us: CHAIN_PROFILES.local!, uk: CHAIN_PROFILES.local! },
      deployment: f.c.deployment,
      attesterKeys: f.c.keys.attesters,
      threshold: f.c.attesters.threshold,
      stateDir,
      quoter: new Quoter({ privateKey: testKey(f.seed, "quoter"), source: fixedRate(0.75, USD_GBP), spreadBps: { default: 10 }, ttlSeconds: 60 }),
      screen,
      clock: wallClock,
    });

  it("never both settles and refunds one id, never settles a denied or unapproved held one, never refunds an approved one before its deadline", async () => {
    const started = Date.now();
    const attesterSet = new Set(f.c.attesters.addresses.map((a) => a.toLowerCase()));
    const threshold = f.c.attesters.threshold;

    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 3, maxLength: 14 }), async (steps) => {
        stats.runs++;
        const transfers = await sendAll();
        const stateDir = mkdtempSync(join(tmpdir(), "corridor-journal-"));
        let operator = build(stateDir);
        const obtained: Obtained[] = [];
        const violations: string[] = [];
        const approved = new Set<number>();
        let seq = 0;

        const pastDeadline = async (t: Transfer) => (await latestTimestamp(f.chain[t.dst])) > t.message.deadline;
        /** Records a signature set that came back; judges what it may be at this moment. */
        const record = async (o: Omit<Obtained, "seq" | "pastDeadline" | "approved">, t: Transfer | undefined) => {
          const entry: Obtained = { ...o, seq: seq++, pastDeadline: t ? await pastDeadline(t) : false, approved: t ? approved.has(transfers.indexOf(t)) : false };
          obtained.push(entry);
          if (o.via === "operator") stats.sets++;
          else stats.rogueSets++;
          if (!t || hashMessage(t.message) !== hashMessage(o.message)) {
            violations.push(`${o.kind} signatures for a message the source does not hold (${o.id})`);
            return;
          }
          if (o.via === "operator" && o.kind === "settle" && (t.role === "deny" || (t.role === "hold" && !entry.approved))) {
            violations.push(`operator signed settle for the ${t.role === "deny" ? "denied" : "unapproved held"} transfer ${t.id}`);
          }
          if (o.via === "operator" && o.kind === "refund" && (t.role === "allow" || (t.role === "hold" && entry.approved)) && !entry.pastDeadline) {
            violations.push(`operator signed refund for the ${t.role === "allow" ? "allowed" : "approved"} transfer ${t.id} before its deadline`);
          }
        };

        const ask = async (t: Transfer | undefined, id: Hex, m: Message): Promise<Attestation | undefined> => {
          try {
            const res = await operator.attestation(id, m);
            // The decision carries no signatures: the relayer asks for them per batch, here a batch of one.
            const signed = async (batch: AttestBatch) => (await operator.signBatch(batch)).signatures;
            if (res.kind === "settle") {
              const signatures = await signed({ kind: "settle", items: [{ message: m, rate: res.rate, sourceFinal: res.sourceFinal }] });
              if (signatures.length) await record({ id, kind: "settle", via: "operator", message: m, signatures, rate: res.rate, sourceFinal: res.sourceFinal, res }, t);
            }
            if (res.kind === "refund") {
              const signatures = await signed({ kind: "refund", items: [{ message: m, reason: REFUND_REASON[res.reason] }] });
              if (signatures.length) await record({ id, kind: "refund", via: "operator", message: m, signatures, reason: REFUND_REASON[res.reason], res }, t);
            }
            if (res.kind === "finalize") {
              const signatures = await signed({ kind: "finalize", items: [{ message: m }] });
              if (signatures.length) await record({ id, kind: "finalize", via: "operator", message: m, signatures, res }, t);
            }
            return res;
          } catch (e) {
            if (!isCorridorError(e) || !EXPECTED_CODES.has(e.code)) throw e;
            if (e.code === "CORRIDOR_ATTESTERS_NO_QUORUM") stats.noQuorum++;
            else stats.editsRefused++;
            return undefined;
          }
        };

        const submit = async (o: Obtained) => {
          const t = transfers.find((x) => x.id === o.id);
          if (!t || o.via !== "operator") return;
          if (o.kind === "settle") {
            const r = o.res as Extract<Attestation, { kind: "settle" }>;
            await tryWrite(f.chain[t.dst], f.relayer.privateKey, settleCall(f, o.message, r.rate, o.signatures, { sourceFinal: r.sourceFinal, quote: r.quote, quoteSignature: r.quoteSignature }));
          } else if (o.kind === "refund") {
            await tryWrite(f.chain[t.src], f.relayer.privateKey, refundCall(f, o.message, o.reason!, o.signatures));
          } else {
            await tryWrite(f.chain[t.src], f.relayer.privateKey, finalizeCall(f, o.message, o.signatures));
          }
        };

        try {
          for (const step of steps) {
            stats.steps++;
            switch (step.t) {
              case "ask": {
                const t = transfers[step.i]!;
                await ask(t, t.id, t.message);
                break;
              }
              case "burst": {
                const t = transfers[step.i]!;
                await Promise.all(Array.from({ length: step.n }, () => ask(t, t.id, t.message)));
                break;
              }
              case "edit": {
                const t = transfers[step.i]!;
                const m = edit(t.message, step.e, f, attacker);
                const res = await ask(undefined, step.ownId ? idOf(m) : t.id, m);
                if (res && (res.kind === "settle" || res.kind === "refund" || res.kind === "finalize")) violations.push(`a ${res.kind} decision for an edited message (edit ${step.e})`);
                break;
              }
              case "review": {
                try {
                  operator.review(transfers[step.i]!.id, step.approve, "property reviewer");
                  if (step.approve) approved.add(step.i);
                } catch (e) {
                  if (!isCorridorError(e, "CORRIDOR_REVIEW_NOT_FOUND") && !isCorridorError(e, "CORRIDOR_REVIEW_ALREADY_DECIDED")) throw e;
                }
                break;
              }
              case "restart":
                stats.restarts++;
                operator.close();
                operator = build(stateDir);
                break;
              case "advance":
                await advance(f.chain.uk, 3_700);
                await advance(f.chain.us, 3_700);
                break;
              case "submit":
                if (obtained.length) await submit(obtained[step.k % obtained.length]!);
                break;
              case "submitAll":
                for (const o of [...obtained]) await submit(o);
                break;
              case "rogue": {
                // A compromised coordinator: straight to the attesters (each still reads the chains and its journal).
                const t = transfers[step.i]!;
                const q = operator.attesters;
                try {
                  if (step.outcome === "settle") {
                    const rate = t.message.mode === MODE.burnMint ? 10n ** 18n : 790_000_000_000_000_000n;
                    const { signatures } = await q.signBatch({ kind: "settle", items: [{ message: t.message, rate, sourceFinal: true }] });
                    if (signatures.length) await record({ id: t.id, kind: "settle", via: "rogue", message: t.message, signatures, rate, sourceFinal: true }, t);
                  } else {
                    const { signatures } = await q.signBatch({ kind: "refund", items: [{ message: t.message, reason: REFUND_REASON.other }] });
                    if (signatures.length) await record({ id: t.id, kind: "refund", via: "rogue", message: t.message, signatures, reason: REFUND_REASON.other }, t);
                  }
                } catch (e) {
                  if (!isCorridorError(e, "CORRIDOR_ATTESTERS_NO_QUORUM")) throw e;
                }
                break;
              }
            }
          }
          // The honest relayer catches up: asks every id and submits what it gets (twice, for finalization after a settlement).
          for (let round = 0; round < 2; round++) {
            for (const t of transfers) {
              const before = obtained.length;
              await ask(t, t.id, t.message);
              for (const o of obtained.slice(before)) await submit(o);
            }
          }
        } finally {
          operator.close();
          rmSync(stateDir, { recursive: true, force: true });
        }

        // ---- On the chains.
        for (const [i, t] of transfers.entries()) {
          const consumed = await gatewayView<boolean>(f, t.dst, "consumed", t.id);
          const outbound = await gatewayView<Hex>(f, t.src, "outbound", t.id);
          const refunded = outbound === OUTBOUND_REFUNDED;
          if (consumed) stats.settled++;
          if (refunded) stats.refunded++;
          expect(consumed && refunded, `transfer ${i} (${t.role}) both settled and refunded`).toBe(false);
          if (outbound === OUTBOUND_FINALIZED) expect(consumed, `transfer ${i} finalized unsettled`).toBe(true);
          if (t.role === "deny") expect(consumed, "the denied transfer settled").toBe(false);
          if (t.role === "hold" && !approved.has(i)) expect(consumed, "the held transfer settled without approval").toBe(false);
          if (refunded && (t.role === "allow" || (t.role === "hold" && approved.has(i)))) {
            // Refunded only with a refund set obtained once the destination was past the deadline.
            const sets = obtained.filter((o) => o.id === t.id && o.kind === "refund" && o.via === "operator");
            expect(sets.length, `transfer ${i} refunded with no refund set`).toBeGreaterThan(0);
            expect(sets.every((o) => o.pastDeadline), `the ${t.role === "allow" ? "allowed" : "approved"} transfer ${i} refunded before its deadline`).toBe(true);
          }
        }

        // ---- The signature sets themselves: signers recovered over the real message's digests.
        const valid = async (o: Obtained, m: Message) => {
          const digest = o.kind === "settle" ? settleDigest(m, o.rate!, o.sourceFinal!) : o.kind === "refund" ? refundDigest(m, o.reason!) : undefined;
          if (!digest) return false;
          const signers = new Set<string>();
          for (const s of o.signatures) {
            const a = (await recoverAddress({ hash: digest, signature: s })).toLowerCase();
            if (attesterSet.has(a)) signers.add(a);
          }
          return signers.size >= threshold;
        };
        for (const t of transfers) {
          const mine = obtained.filter((o) => o.id === t.id);
          const settles: Obtained[] = [];
          const refunds: Obtained[] = [];
          for (const o of mine) {
            if (o.kind === "settle" && (await valid(o, t.message))) settles.push(o);
            if (o.kind === "refund" && (await valid(o, t.message))) refunds.push(o);
          }
          // Every set returned by the operator is a real attestation of the real message.
          for (const o of mine.filter((x) => x.via === "operator" && x.kind !== "finalize")) expect(settles.includes(o) || refunds.includes(o), `an invalid ${o.kind} set for ${t.id}`).toBe(true);
          const before = (xs: Obtained[]) => xs.filter((o) => !o.pastDeadline);
          expect(before(settles).length > 0 && before(refunds).length > 0, `valid settle and refund sets for ${t.role} ${t.id} before the deadline`).toBe(false);
          // The one exception (a refund after an expired, unexecuted settlement) runs one way only: no settle set after a refund set.
          if (refunds.length && settles.length) {
            const firstRefund = Math.min(...refunds.map((o) => o.seq));
            expect(settles.every((o) => o.seq < firstRefund), `a settle set for ${t.id} after a refund set`).toBe(true);
            expect(refunds.every((o) => o.pastDeadline), `a refund set for ${t.id} (settle signed) before the deadline`).toBe(true);
          }
        }
        expect(violations).toEqual([]);
      }),
      { numRuns: 25 },
    );
    console.log(
      `[operator-journal property] runs: ${stats.runs}, steps: ${stats.steps}, restarts: ${stats.restarts}, signature sets from the operator: ${stats.sets}, from a rogue coordinator: ${stats.rogueSets}, ` +
        `settled on chain: ${stats.settled}, refunded on chain: ${stats.refunded}, no-quorum answers: ${stats.noQuorum}, edited asks refused: ${stats.editsRefused}, runtime: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(stats.settled).toBeGreaterThan(0);
    expect(stats.refunded).toBeGreaterThan(0);
  }, 180_000);
});
