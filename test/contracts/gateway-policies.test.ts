/**
 * The gateway's settlement policies: locked FX quotes (checked at send on the source, honoured at
 * settle on the destination), the Fast allowance (what may be paid before the source is final), and
 * the inbound token-bucket rate limit per payout token. Every revert is asserted with its arguments.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { maxUint256, toHex, zeroAddress, zeroHash } from "viem";
import { testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { decodeGatewayLogs } from "../../src/contracts/gateway.js";
import { amountOut, type LockedQuote, type Message } from "../../src/domain/message.js";
import {
  NO_QUOTE,
  RATE_SCALE,
  TIER,
  actor,
  adminWrite,
  balanceOf,
  corridorFixture,
  craftMessage,
  creditCall,
  deployFeeModule,
  expectRelayRevert,
  expectRevert,
  gatewayView,
  gw,
  hashQuote,
  idOf,
  latestTimestamp,
  makeQuote,
  mineAt,
  provideLiquidity,
  recovered,
  relay,
  rogueAttesters,
  sendParams,
  sendTransfer,
  settle,
  settleCall,
  signFinality,
  signQuote,
  signSettle,
  type Fixture,
} from "../helpers/contracts.js";

/** An attested USD -> GBP rate with all 18 decimals in use, so that rounding shows. */
const USD_GBP = 790_123_456_789_012_345n;

let f: Fixture;
let alice: KeyPair; // sender
let bob: KeyPair; // recipient
let stranger: KeyPair;

beforeEach(async () => {
  f = await corridorFixture();
  [alice, bob, stranger] = await Promise.all([actor(f, "alice"), actor(f, "bob"), actor(f, "stranger")]);
});

afterEach(async () => {
  await f.close();
});

const usGateway = () => f.dep.us.gateway;
const ukGateway = () => f.dep.uk.gateway;

// =====================================================================================================
describe("locked FX quotes", () => {
  let quoter: KeyPair;

  beforeEach(async () => {
    quoter = testKeyPair(f.seed, "quoter");
    await adminWrite(f, "uk", gw(ukGateway(), "setQuoter", quoter.address, true));
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
  });

  /** Alice's quote for USD(us) -> GBP(uk), signed by the registered quoter. */
  const aliceQuote = async (o: Partial<LockedQuote> = {}) => {
    const quote = await makeQuote(f, alice.address, { rate: USD_GBP, ...o });
    return { quote, quoteSignature: await signQuote(f, quote, quoter.privateKey) };
  };
  /** send() of `amount` USD -> GBP to bob from alice's side, locking `quote`. */
  const sendWithQuote = async (quote: LockedQuote, o: { amount?: bigint; output?: "GBP" | "USD" } = {}) =>
    gw(usGateway(), "send", await sendParams(f, { output: o.output ?? "GBP", amount: o.amount ?? 1_000_000n, recipient: bob.address, quote }));
  /** Alice sends 123_456_789 USD -> GBP to bob, locking `quote`. */
  const sentWithQuote = (quote: LockedQuote) => sendTransfer(f, alice, { output: "GBP", amount: 123_456_789n, recipient: bob.address, quote });

  it("pays exactly floor((amount - fee) * quote.rate / 1e18) when the sender locked a quote", async () => {
    await deployFeeModule(f, "us", 30);
    const { quote, quoteSignature } = await aliceQuote();
    const { id, message: m } = await sentWithQuote(quote);
    expect(m.quoteHash).toBe(hashQuote(quote));
    expect(await gatewayView(f, "us", "hashQuote", quote)).toBe(m.quoteHash); // Solidity and TS agree
    expect(await gatewayView(f, "us", "quoteUsed", hashQuote(quote))).toBe(true);
    expect(m.fee).toBe(370_370n);

    const receipt = await settle(f, m, quote.rate, { quote, quoteSignature });
    const payout = ((123_456_789n - 370_370n) * USD_GBP) / RATE_SCALE;
    expect(payout).toBe(97_253_466n);
    expect(amountOut(m, quote.rate)).toBe(payout);
    expect(await balanceOf(f, "uk", "GBP", bob.address)).toBe(payout);
    expect(decodeGatewayLogs(receipt.logs)[0]).toMatchObject({ name: "TransferSettled", id, amountOut: payout, rate: USD_GBP });
  });

  it("reverts QuoteNotApplicable at send for a quote issued to another sender", async () => {
    const { quote } = await aliceQuote();
    await expectRevert(f.chain.us, stranger.address, await sendWithQuote(quote), "QuoteNotApplicable", [quote.quoteId]);
  });

  it("reverts QuoteNotApplicable at send for a quote on another route (USD -> USD quote, USD -> GBP send)", async () => {
    const { quote } = await aliceQuote({ outputToken: f.dep.uk.tokens.USD });
    await expectRevert(f.chain.us, alice.address, await sendWithQuote(quote, { output: "GBP" }), "QuoteNotApplicable", [quote.quoteId]);
  });

  it("reverts QuoteNotApplicable at send for an amount above the quote's maxAmountIn", async () => {
    const { quote } = await aliceQuote({ maxAmountIn: 5_000_000n });
    await expectRevert(f.chain.us, alice.address, await sendWithQuote(quote, { amount: 5_000_001n }), "QuoteNotApplicable", [quote.quoteId]);
    // the boundary itself is covered
    await sendTransfer(f, alice, { output: "GBP", amount: 5_000_000n, recipient: bob.address, quote });
  });

  it("reverts QuoteExpired(expiresAt, now) at send for a quote that expired a second ago", async () => {
    const now = await latestTimestamp(f.chain.us);
    const { quote } = await aliceQuote({ expiresAt: now - 1n });
    await expectRevert(f.chain.us, alice.address, await sendWithQuote(quote), "QuoteExpired", [now - 1n, now]);
  });

  it("reverts QuoteAlreadyUsed when the same quote is locked a second time", async () => {
    const { quote } = await aliceQuote();
    await sentWithQuote(quote);
    await expectRevert(f.chain.us, alice.address, await sendWithQuote(quote), "QuoteAlreadyUsed", [quote.quoteId]);
  });

  // Regression: quotes were once marked used by id alone, so a self-made quote reusing another's id (read from the
  // mempool, or predicted) blocked the genuine holder. They are now keyed by the quote hash, which binds the sender.
  it("lets the sender a quote was issued to lock it after another sender locked a self-made quote with the same id", async () => {
    const { quote } = await aliceQuote();
    await sendTransfer(f, stranger, { output: "GBP", amount: 1_000n, recipient: stranger.address, quote: { ...quote, sender: stranger.address } });
    const { message: m } = await sentWithQuote(quote); // reverts QuoteAlreadyUsed(quote.quoteId)
    expect(m.quoteHash).toBe(hashQuote(quote));
  });

  it("reverts QuoteMismatch(id) at settle for a quote other than the locked one, or none", async () => {
    const { quote } = await aliceQuote();
    const { id, message: m } = await sentWithQuote(quote);
    const other = await aliceQuote(); // same terms, another id: a valid quote, but not the one locked
    const s = await signSettle(f, m, USD_GBP);
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP, s, other), "QuoteMismatch", [id]);
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP, s, { quote: NO_QUOTE, quoteSignature: "0x" }), "QuoteMismatch", [id]);
  });

  it("reverts UnknownQuoter(signer) at settle for a quote signed by a key that is not a registered quoter", async () => {
    const impostor = testKeyPair(f.seed, "impostor");
    const quote = await makeQuote(f, alice.address, { rate: USD_GBP });
    const { message: m } = await sentWithQuote(quote); // the source does not check the quoter
    const quoteSignature = await signQuote(f, quote, impostor.privateKey);
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP, await signSettle(f, m, USD_GBP), { quote, quoteSignature }), "UnknownQuoter", [impostor.address]);
  });

  it("reverts UnknownQuoter(quoter) at settle once the quoter was deregistered", async () => {
    const { quote, quoteSignature } = await aliceQuote();
    const { message: m } = await sentWithQuote(quote);
    await adminWrite(f, "uk", gw(ukGateway(), "setQuoter", quoter.address, false));
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP, await signSettle(f, m, USD_GBP), { quote, quoteSignature }), "UnknownQuoter", [quoter.address]);
  });

  it("reverts InvalidRate(rate) when the attesters attest a rate other than the locked quote's", async () => {
    const { quote, quoteSignature } = await aliceQuote();
    const { message: m } = await sentWithQuote(quote);
    const better = USD_GBP + 1n;
    await expectRelayRevert(f, "uk", settleCall(f, m, better, await signSettle(f, m, better), { quote, quoteSignature }), "InvalidRate", [better]);
  });

  it("reverts QuoteExpired(expiresAt, sentAt) at settle for a message sent after its quote expired", async () => {
    const { quote, quoteSignature } = await aliceQuote();
    // the source refuses this, so it is crafted: the destination checks the expiry against the message's sentAt
    const m = await craftMessage(f, { output: "GBP", sender: alice.address, recipient: bob.address, quoteHash: hashQuote(quote), sentAt: quote.expiresAt + 1n });
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP, await signSettle(f, m, USD_GBP), { quote, quoteSignature }), "QuoteExpired", [
      quote.expiresAt,
      quote.expiresAt + 1n,
    ]);
  });
});

// =====================================================================================================
describe("Fast allowance", () => {
  const token = () => f.dep.uk.tokens.USD;
  /** A Fast burn-and-mint USD(us) -> USD(uk) message paying bob. */
  const fastMessage = (amount = 100_000_000n, tier: number = TIER.fast) => craftMessage(f, { tier, amount, recipient: bob.address });
  const setAllowance = (capacity: bigint) => adminWrite(f, "uk", gw(ukGateway(), "setFastAllowance", token(), capacity));
  const outstanding = () => gatewayView<bigint>(f, "uk", "fastOutstanding", token());
  const unfinal = { sourceFinal: false } as const;

  it("debits a Fast settlement attested before source finality (FastAllowanceDebited, fastOutstanding grows)", async () => {
    await setAllowance(150_000_000n);
    const m = await fastMessage(100_000_000n);
    const receipt = await settle(f, m, RATE_SCALE, unfinal);
    const events = decodeGatewayLogs(receipt.logs);
    expect(events.map((e) => e.name)).toEqual(["FastAllowanceDebited", "TransferSettled"]);
    expect(events[0]).toMatchObject({ name: "FastAllowanceDebited", id: idOf(m), token: token(), amount: 100_000_000n });
    expect(await outstanding()).toBe(100_000_000n);
    expect(await gatewayView(f, "uk", "fastDebit", idOf(m))).toBe((BigInt(token()) << 96n) | 100_000_000n);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(100_000_000n);
  });

  it("reverts FastAllowanceExceeded(token, available, needed) beyond the allowance, and with none set", async () => {
    const m1 = await fastMessage(100_000_000n);
    const m2 = await fastMessage(100_000_000n);
    // bootCorridor sets no allowance: nothing may be paid before finality
    await expectRelayRevert(f, "uk", settleCall(f, m1, RATE_SCALE, await signSettle(f, m1, RATE_SCALE, false), unfinal), "FastAllowanceExceeded", [token(), 0n, 100_000_000n]);
    await setAllowance(150_000_000n);
    await settle(f, m1, RATE_SCALE, unfinal);
    await expectRelayRevert(f, "uk", settleCall(f, m2, RATE_SCALE, await signSettle(f, m2, RATE_SCALE, false), unfinal), "FastAllowanceExceeded", [token(), 50_000_000n, 100_000_000n]);
    expect(await gatewayView(f, "uk", "consumed", idOf(m2))).toBe(false);
  });

  it("takes nothing from the allowance when the attesters saw the source final, nor for a Standard transfer", async () => {
    const fast = await fastMessage(100_000_000n);
    const standard = await fastMessage(100_000_000n, TIER.standard);
    const r1 = await settle(f, fast, RATE_SCALE, { sourceFinal: true }); // no allowance set at all
    const r2 = await settle(f, standard, RATE_SCALE, unfinal);
    expect([...decodeGatewayLogs(r1.logs), ...decodeGatewayLogs(r2.logs)].map((e) => e.name)).toEqual(["TransferSettled", "TransferSettled"]);
    expect(await outstanding()).toBe(0n);
    expect(await gatewayView(f, "uk", "fastDebit", idOf(fast))).toBe(0n);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(200_000_000n);
  });

  it("restores the allowance when the attesters sign Finality(ids), once per id", async () => {
    await setAllowance(100_000_000n);
    const [m1, m2] = [await fastMessage(100_000_000n), await fastMessage(60_000_000n)];
    await settle(f, m1, RATE_SCALE, unfinal);
    await expectRelayRevert(f, "uk", settleCall(f, m2, RATE_SCALE, await signSettle(f, m2, RATE_SCALE, false), unfinal), "FastAllowanceExceeded", [token(), 0n, 60_000_000n]);

    const ids = [idOf(m1), idOf(m2), zeroHash]; // ids that took nothing are skipped
    const receipt = await relay(f, "uk", creditCall(f, "uk", ids, await signFinality(f, "uk", ids)));
    expect(decodeGatewayLogs(receipt.logs)).toEqual([expect.objectContaining({ name: "FastAllowanceCredited", id: idOf(m1), token: token(), amount: 100_000_000n })]);
    expect(await outstanding()).toBe(0n);
    expect(await gatewayView(f, "uk", "fastDebit", idOf(m1))).toBe(0n);
    // a replayed credit takes nothing back a second time
    const again = await relay(f, "uk", creditCall(f, "uk", ids, await signFinality(f, "uk", ids)));
    expect(decodeGatewayLogs(again.logs)).toEqual([]);
    expect(await outstanding()).toBe(0n);

    await settle(f, m2, RATE_SCALE, unfinal);
    expect(await outstanding()).toBe(60_000_000n);
  });

  it("reverts UnknownAttester for a forged Finality attestation, or one signed for another gateway", async () => {
    await setAllowance(100_000_000n);
    const m = await fastMessage(100_000_000n);
    await settle(f, m, RATE_SCALE, unfinal);
    const ids = [idOf(m)];
    const rogue = rogueAttesters(f);
    await expectRelayRevert(f, "uk", creditCall(f, "uk", ids, await signFinality(f, "uk", ids, rogue)), "UnknownAttester", [rogue.addresses[0]]);
    const forUs = await signFinality(f, "us", ids);
    const seen = await recovered(f.c.attesters.finalityDigest(BigInt(f.dep.uk.chainId), ukGateway(), ids), forUs[0]!);
    await expectRelayRevert(f, "uk", creditCall(f, "uk", ids, forUs), "UnknownAttester", [seen]);
    expect(await outstanding()).toBe(100_000_000n);
  });

  it("reverts UnknownAttester when a relayer flips sourceFinal to true to bypass the allowance", async () => {
    const m = await fastMessage(100_000_000n);
    const s = await signSettle(f, m, RATE_SCALE, false); // attested before finality
    const seen = await recovered(f.c.attesters.settleDigest(m, RATE_SCALE, true), s[0]!);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, s, { sourceFinal: true }), "UnknownAttester", [seen]);
  });
});

// =====================================================================================================
describe("inbound rate limit", () => {
  const token = () => f.dep.uk.tokens.USD;
  const settleAt = async (m: Message, timestamp: bigint) => {
    await f.chain.uk.request("evm_setNextBlockTimestamp", [toHex(timestamp)]);
    return settle(f, m);
  };
  const callFor = async (m: Message) => settleCall(f, m, RATE_SCALE, await signSettle(f, m));
  const msg = (amount: bigint) => craftMessage(f, { amount, recipient: bob.address });

  beforeEach(async () => {
    // capacity 100 USD, refilled at 1 USD per second
    await adminWrite(f, "uk", gw(ukGateway(), "setRateLimit", token(), true, 100_000_000n, 1_000_000n));
  });

  it("settles within capacity and reports what is left", async () => {
    expect(await gatewayView(f, "uk", "rateLimit", token())).toEqual([true, 100_000_000n, 1_000_000n, 100_000_000n]);
    const m = await msg(60_000_000n);
    const t = (await latestTimestamp(f.chain.uk)) + 10n;
    await settleAt(m, t);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(60_000_000n);
    expect(await gatewayView(f, "uk", "rateLimit", token())).toEqual([true, 100_000_000n, 1_000_000n, 40_000_000n]);
  });

  it("reverts RateLimited(token, requested, available, wait) beyond what the bucket holds, and refills over time", async () => {
    const t = (await latestTimestamp(f.chain.uk)) + 10n;
    await settleAt(await msg(60_000_000n), t);
    const m = await msg(70_000_000n);
    // 40 left, 30 missing at 1 per second
    await expectRelayRevert(f, "uk", await callFor(m), "RateLimited", [token(), 70_000_000n, 40_000_000n, 30n]);
    await mineAt(f.chain.uk, t + 29n);
    await expectRelayRevert(f, "uk", await callFor(m), "RateLimited", [token(), 70_000_000n, 69_000_000n, 1n]);
    await settleAt(m, t + 30n);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(130_000_000n);
    expect((await gatewayView<unknown[]>(f, "uk", "rateLimit", token()))[3]).toBe(0n);
    // a long wait refills only up to capacity
    await mineAt(f.chain.uk, t + 10_000n);
    expect((await gatewayView<unknown[]>(f, "uk", "rateLimit", token()))[3]).toBe(100_000_000n);
  });

  it("reverts RateLimited with wait type(uint256).max for more than the capacity", async () => {
    const m = await msg(100_000_001n);
    await expectRelayRevert(f, "uk", await callFor(m), "RateLimited", [token(), 100_000_001n, 100_000_000n, maxUint256]);
  });

  it("reverts InvalidRateLimit(capacity, rate) for an enabled bucket without a refill rate", async () => {
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "setRateLimit", token(), true, 100n, 0n), "InvalidRateLimit", [100n, 0n]);
  });

  it("lets anything through once disabled", async () => {
    await adminWrite(f, "uk", gw(ukGateway(), "setRateLimit", token(), false, 0n, 0n));
    await settle(f, await msg(500_000_000n));
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(500_000_000n);
    expect(await gatewayView(f, "uk", "rateLimit", token())).toEqual([false, 0n, 0n, maxUint256]);
  });
});

// =====================================================================================================
describe("policy admin", () => {
  it.each([
    ["setQuoter", () => [stranger.address, true]],
    ["setFastAllowance", () => [f.dep.uk.tokens.USD, maxUint256]],
    ["setRateLimit", () => [f.dep.uk.tokens.USD, true, 1_000n, 1n]],
  ] as const)("rejects %s from a non-admin with AccessControlUnauthorizedAccount", async (fn, args) => {
    await expectRevert(f.chain.uk, stranger.address, gw(ukGateway(), fn, ...args()), "AccessControlUnauthorizedAccount", [stranger.address, zeroHash]);
  });

  it("reverts ZeroAddress for registering the zero address as a quoter", async () => {
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "setQuoter", zeroAddress, true), "ZeroAddress");
  });
});
