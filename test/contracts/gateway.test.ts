import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashTypedData, parseSignature, serializeSignature, toHex, zeroAddress, zeroHash, type Hex } from "viem";
import { privateKeyToAddress, sign } from "viem/accounts";
import { testKey, testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { decodeGatewayLogs, decodeRevert, type GatewayEvent, type SettleItem } from "../../src/contracts/gateway.js";
import { AttesterSet } from "../helpers/attester-set.js";
import { ATTESTATION_TYPES, finalizeBatchDigest, gatewayDomain, refundBatchDigest, settleBatchDigest, type Message } from "../../src/domain/message.js";
import { tryWrite, type TxOutcome } from "../helpers/invariants.js";
import {
  MODE,
  RATE_SCALE,
  actor,
  adminWrite,
  balanceOf,
  corridorFixture,
  craftMessage,
  deployFeeModule,
  expectReason,
  expectRelayRevert,
  expectRevert,
  finalize,
  finalizeBatchCall,
  finalizeCall,
  gatewayView,
  gw,
  idOf,
  latestTimestamp,
  mineAt,
  mint,
  provideLiquidity,
  read,
  recovered,
  refund,
  refundBatchCall,
  refundCall,
  relay,
  rogueAttesters,
  role,
  sendParams,
  sendTransfer,
  settle,
  settleBatchCall,
  settleCall,
  settleItem,
  signSettle,
  signSettleBatch,
  tok,
  totalSupply,
  write,
  type Call,
  type Fixture,
  type TransferOptions,
} from "../helpers/contracts.js";

/** An attested USD -> GBP rate with all 18 decimals in use, so that rounding shows. */
const USD_GBP = 790_123_456_789_012_345n;
/** Outbound status markers the source stores once a message is closed. */
const REFUNDED = toHex(1n, { size: 32 });
const FINALIZED = toHex(2n, { size: 32 });
/** secp256k1 group order, to build a malleated (high-s) twin of a valid signature. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

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

const chainId = (n: "us" | "uk") => BigInt(f.dep[n].chainId);
const usGateway = () => f.dep.us.gateway;
const ukGateway = () => f.dep.uk.gateway;
const sendCall = async (o: Partial<TransferOptions> & { recipient?: Hex }) =>
  gw(usGateway(), "send", await sendParams(f, { amount: 1_000_000n, recipient: bob.address, ...o }));
/** A lock-and-release USD(us) -> GBP(uk) message paying bob. */
const lockMessage = (o: Parameters<typeof craftMessage>[1] = {}) => craftMessage(f, { output: "GBP", recipient: bob.address, ...o });
/** Settle signatures for a source the attesters saw final (so no Fast allowance is involved). */
const sigs = (m: Message, rate = RATE_SCALE) => signSettle(f, m, rate);
/** ICorridorGateway.Status as statusOf returns it. */
const STATUS = { none: 0, pending: 1, refunded: 2, finalized: 3, settled: 4 } as const;

/** The relayer submits `c` on `n` as a transaction (mined if it goes through): its receipt, or its decoded revert. */
const submit = (n: "us" | "uk", c: Call): Promise<TxOutcome> => tryWrite(f.chain[n], f.relayer.privateKey, c);
/** Hex strings lower-cased (checksummed and lower-case addresses compare equal). */
const lower = (v: unknown): unknown => (typeof v === "string" ? v.toLowerCase() : v);

/** Asserts that a submitted transaction reverted with `errorName(args)` (addresses compared case-insensitively). */
function expectFailed(o: TxOutcome, errorName: string, args: readonly unknown[] = []): void {
  expect(o.ok ? "succeeded" : { errorName: o.error?.errorName, args: o.error?.args.map(lower) }).toEqual({ errorName, args: args.map(lower) });
}

/** The receipt of a transaction that went through. */
function mined(o: TxOutcome): Extract<TxOutcome, { ok: true }>["receipt"] {
  if (!o.ok) throw new Error(`expected success, got ${o.error?.errorName ?? o.data}`);
  return o.receipt;
}

/**
 * A batch's outcome per item, from its events in order: [event, id] for an item that went through,
 * [event, id, error, ...args] for one that failed (its revert decoded, addresses lower-case).
 */
function outcomes(events: GatewayEvent[]): unknown[][] {
  return events
    .filter((e) => /^(Transfer(Settled|Refunded|Finalized)|(Settle|Refund|Finalize)Failed)$/.test(e.name))
    .map((e) => {
      const id = (e as { id: Hex }).id.toLowerCase();
      if (!("reason" in e) || typeof e.reason !== "string") return [e.name, id];
      const d = decodeRevert(e.reason as Hex);
      return [e.name, id, d?.errorName ?? e.reason, ...(d?.args ?? []).map(lower)];
    });
}

/**
 * The corridor's attester keys (threshold of them, signers ascending, as the gateway requires) sign the
 * EIP-712 `primaryType` of ATTESTATION_TYPES in any domain: attestations the corridor's attesters would
 * never give (another chain's domain, the per-item types of the old scheme), to show the gateway refuses them.
 */
async function signTyped(domain: ReturnType<typeof gatewayDomain>, primaryType: keyof typeof ATTESTATION_TYPES, message: Record<string, unknown>): Promise<Hex[]> {
  const hash = hashTypedData({ domain, types: ATTESTATION_TYPES, primaryType, message } as never);
  const keys = [...f.c.keys.attesters].sort((a, b) => (BigInt(privateKeyToAddress(a)) < BigInt(privateKeyToAddress(b)) ? -1 : 1)).slice(0, f.c.attesters.threshold);
  return Promise.all(keys.map((privateKey) => sign({ hash, privateKey, to: "hex" })));
}
/** What the attesters sign of a settle item. */
const settleTerms = (items: SettleItem[]) => items.map(({ message, rate, sourceFinal }) => ({ message, rate, sourceFinal }));
const domainOf = (n: "us" | "uk") => gatewayDomain(chainId(n), f.dep[n].gateway);
/** The SettleBatch digest in the domain of the gateway on `n`, whichever gateway the messages name. */
const settleBatchDigestOn = (n: "us" | "uk", items: SettleItem[]): Hex =>
  hashTypedData({ domain: domainOf(n), types: ATTESTATION_TYPES, primaryType: "SettleBatch", message: { items: settleTerms(items) } });
/**
 * Settle (source final) or refund signatures of the batch of one made for the gateway on `n` whatever the message
 * says: attesters that signed a misaddressed message, so that the gateway's own message checks show.
 */
const signSettleOn = (n: "us" | "uk", m: Message, rate = RATE_SCALE) => signTyped(domainOf(n), "SettleBatch", { items: [{ message: m, rate, sourceFinal: true }] });
const signRefundOn = (n: "us" | "uk", m: Message, reason: number) => signTyped(domainOf(n), "RefundBatch", { items: [{ message: m, reason }] });

// =====================================================================================================
describe("send", () => {
  it("reverts ZeroAmount for a zero amount", async () => {
    await expectRevert(f.chain.us, alice.address, await sendCall({ amount: 0n }), "ZeroAmount");
  });

  it("reverts InvalidRecipient for the zero recipient", async () => {
    await expectRevert(f.chain.us, alice.address, await sendCall({ recipient: zeroAddress }), "InvalidRecipient");
  });

  it("reverts InvalidTier for a tier above Fast", async () => {
    await expectRevert(f.chain.us, alice.address, await sendCall({ tier: 2 }), "InvalidTier", [2]);
  });

  it("reverts DeadlinePassed for a deadline that is not in the future", async () => {
    const now = await latestTimestamp(f.chain.us);
    await expectRevert(f.chain.us, alice.address, await sendCall({ deadline: now }), "DeadlinePassed", [now, now]);
  });

  it("reverts RouteNotFound for a pair with no route (GBP on us to USD on uk)", async () => {
    await expectRevert(f.chain.us, alice.address, await sendCall({ input: "GBP", output: "USD" }), "RouteNotFound", [
      f.dep.us.tokens.GBP,
      chainId("uk"),
      f.dep.uk.tokens.USD,
    ]);
  });

  it("reverts UnknownRemoteGateway for a routed chain with no trusted gateway", async () => {
    await adminWrite(f, "us", gw(usGateway(), "setRoute", f.dep.us.tokens.USD, 999n, f.dep.uk.tokens.USD, MODE.burnMint, true));
    const p = { ...(await sendParams(f, { amount: 1n, recipient: bob.address })), dstChainId: 999n };
    await expectRevert(f.chain.us, alice.address, gw(usGateway(), "send", p), "UnknownRemoteGateway", [999n, zeroAddress]);
  });

  it("reverts EnforcedPause while the gateway is paused", async () => {
    await adminWrite(f, "us", gw(usGateway(), "pause"));
    await expectRevert(f.chain.us, alice.address, await sendCall({}), "EnforcedPause");
  });

  it("reverts AccountFrozen(sender) when the token has frozen the sender", async () => {
    await mint(f, "us", "USD", alice.address, 1_000_000n);
    await write(f.chain.us, alice.privateKey, tok(f.dep.us.tokens.USD, "approve", usGateway(), 1_000_000n));
    await adminWrite(f, "us", tok(f.dep.us.tokens.USD, "freeze", alice.address));
    await expectRevert(f.chain.us, alice.address, await sendCall({}), "AccountFrozen", [alice.address]);
  });

  it("reverts FeeAboveMax when the quoted fee exceeds the sender's cap", async () => {
    await deployFeeModule(f, "us", 30);
    await expectRevert(f.chain.us, alice.address, await sendCall({ amount: 1_000_000n, maxFee: 2_999n }), "FeeAboveMax", [3_000n, 2_999n]);
  });

  it("reverts FeeNotBelowAmount when the fee module would take the whole amount", async () => {
    await deployFeeModule(f, "us", 10_000);
    await expectRevert(f.chain.us, alice.address, await sendCall({ amount: 500n }), "FeeNotBelowAmount", [500n, 500n]);
  });

  it("records the hash of the emitted message as pending and advances the nonce", async () => {
    const { id, message } = await sendTransfer(f, alice, { amount: 1_000_000n, recipient: bob.address });
    expect(id).toBe(idOf(message));
    expect(message).toMatchObject({ srcChainId: chainId("us"), dstChainId: chainId("uk"), dstGateway: ukGateway(), nonce: 0n, sender: alice.address, mode: MODE.burnMint, quoteHash: zeroHash });
    expect(message.sentAt).toBe(await latestTimestamp(f.chain.us)); // the send's block
    expect(await gatewayView(f, "us", "outbound", id)).toBe(await gatewayView(f, "us", "hashMessage", message));
    expect(await gatewayView(f, "us", "nonces", alice.address)).toBe(1n);
    // The nonce is the sender's own: another sender's first send also has nonce 0, and another id.
    const other = await sendTransfer(f, bob, { amount: 1_000_000n, recipient: alice.address });
    expect(other.message.nonce).toBe(0n);
    expect(other.id).not.toBe(id);
    expect(other.id).toBe(idOf(other.message));
  });
});

// =====================================================================================================
describe("settle: signatures", () => {
  it("reverts UnknownAttester for signatures by keys that are not attesters", async () => {
    const m = await craftMessage(f);
    const rogue = rogueAttesters(f);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await rogue.signSettle(m, RATE_SCALE, true)), "UnknownAttester", [rogue.addresses[0]]);
  });

  it("reverts TooFewSignatures below the threshold", async () => {
    const m = await craftMessage(f);
    const s = await sigs(m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, s.slice(0, 1)), "TooFewSignatures", [1n, 2n]);
  });

  it("reverts DuplicateSigner when one attester's signature is counted twice", async () => {
    const m = await craftMessage(f);
    const [s0] = await sigs(m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, [s0!, s0!]), "DuplicateSigner", [f.c.attesters.addresses[0]]);
  });

  it("reverts SignersNotAscending for signatures out of signer order", async () => {
    const m = await craftMessage(f);
    const [s0, s1] = await sigs(m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, [s1!, s0!]), "SignersNotAscending", [f.c.attesters.addresses[0]]);
  });

  it("reverts InvalidSignature(index) for a signature of the wrong length", async () => {
    const m = await craftMessage(f);
    const [s0] = await sigs(m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, [s0!, "0xdeadbeef"]), "InvalidSignature", [1n]);
  });

  it("reverts InvalidSignature(index) for a malleated high-s twin of a valid signature", async () => {
    const m = await craftMessage(f);
    const [s0, s1] = await sigs(m);
    const p = parseSignature(s1!);
    const twin = serializeSignature({ r: p.r, s: toHex(SECP256K1_N - BigInt(p.s), { size: 32 }), yParity: 1 - p.yParity! });
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, [s0!, twin]), "InvalidSignature", [1n]);
  });

  it("reverts UnknownAttester(recovered) when the amount was tampered with after signing", async () => {
    const m = await craftMessage(f);
    const s = await sigs(m);
    const tampered = { ...m, amount: m.amount + 1n };
    const seen = await recovered(f.c.attesters.settleDigest(tampered, RATE_SCALE, true), s[0]!);
    await expectRelayRevert(f, "uk", settleCall(f, tampered, RATE_SCALE, s), "UnknownAttester", [seen]);
  });

  it("reverts UnknownAttester(recovered) when the rate was tampered with after signing", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const m = await lockMessage();
    const s = await sigs(m, USD_GBP);
    const seen = await recovered(f.c.attesters.settleDigest(m, USD_GBP + 1n, true), s[0]!);
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP + 1n, s), "UnknownAttester", [seen]);
  });
});

// =====================================================================================================
describe("settle: message checks", () => {
  // The signatures are checked first: signed as attesters sign (in the domain of the gateway the message
  // names), a misaddressed message gets UnknownAttester here; signed for this gateway, it gets WrongDestination.
  it("reverts WrongDestination for a message addressed to another chain id", async () => {
    const m = await craftMessage(f, { dstChainId: chainId("us") });
    const s = await sigs(m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, s, { on: "uk" }), "UnknownAttester", [await recovered(settleBatchDigestOn("uk", [settleItem(m, RATE_SCALE)]), s[0]!)]);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await signSettleOn("uk", m), { on: "uk" }), "WrongDestination", [chainId("us"), ukGateway()]);
  });

  it("reverts WrongDestination for a message addressed to another gateway", async () => {
    const m = await craftMessage(f, { dstGateway: stranger.address });
    const s = await sigs(m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, s, { on: "uk" }), "UnknownAttester", [await recovered(settleBatchDigestOn("uk", [settleItem(m, RATE_SCALE)]), s[0]!)]);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await signSettleOn("uk", m), { on: "uk" }), "WrongDestination", [chainId("uk"), stranger.address]);
  });

  it("reverts UnknownRemoteGateway for a source gateway that is not the trusted one", async () => {
    const m = await craftMessage(f, { srcGateway: stranger.address });
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await sigs(m)), "UnknownRemoteGateway", [chainId("us"), stranger.address]);
  });

  it("reverts UnknownRemoteGateway for a source chain with no trusted gateway", async () => {
    const m = await craftMessage(f, { srcChainId: 999n });
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await sigs(m)), "UnknownRemoteGateway", [999n, usGateway()]);
  });

  it("reverts MessageAlreadyProcessed when a settled id is replayed", async () => {
    const m = await craftMessage(f);
    await settle(f, m);
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await sigs(m)), "MessageAlreadyProcessed", [idOf(m)]);
  });

  it("reverts DeadlinePassed on the destination one second after the deadline", async () => {
    const { message: m } = await sendTransfer(f, alice, { amount: 5_000_000n, recipient: bob.address });
    await mineAt(f.chain.uk, m.deadline + 1n); // the destination's clock decides
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await sigs(m)), "DeadlinePassed", [m.deadline, m.deadline + 1n]);
  });

  it("settles a message in a block stamped exactly at its deadline", async () => {
    const { message: m } = await sendTransfer(f, alice, { amount: 5_000_000n, recipient: bob.address });
    await f.chain.uk.request("evm_setNextBlockTimestamp", [toHex(m.deadline)]);
    await settle(f, m);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(5_000_000n);
  });

  it("reverts UnsupportedToken for an output token the gateway does not pay out", async () => {
    const m = await craftMessage(f, { outputToken: stranger.address });
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await sigs(m)), "UnsupportedToken", [stranger.address]);
  });

  it("reverts InvalidRate for a burn-and-mint message attested at a rate other than 1e18", async () => {
    const m = await craftMessage(f);
    const rate = RATE_SCALE + 1n;
    await expectRelayRevert(f, "uk", settleCall(f, m, rate, await sigs(m, rate)), "InvalidRate", [rate]);
  });

  it("reverts InvalidRate for a lock-and-release message attested at rate zero", async () => {
    const m = await lockMessage();
    await expectRelayRevert(f, "uk", settleCall(f, m, 0n, await sigs(m, 0n)), "InvalidRate", [0n]);
  });

  it("reverts BelowMinAmountOut when the attested rate pays less than the sender's minimum", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const m = await lockMessage({ amount: 100_000_000n, minAmountOut: 80_000_000n });
    const rate = 790_000_000_000_000_000n;
    await expectRelayRevert(f, "uk", settleCall(f, m, rate, await sigs(m, rate)), "BelowMinAmountOut", [79_000_000n, 80_000_000n]);
  });

  it("reverts InsufficientLiquidity when the pool holds less than the payout", async () => {
    await provideLiquidity(f, "uk", "GBP", 50_000_000n);
    const m = await lockMessage({ amount: 100_000_000n });
    const rate = 790_000_000_000_000_000n;
    await expectRelayRevert(f, "uk", settleCall(f, m, rate, await sigs(m, rate)), "InsufficientLiquidity", [f.dep.uk.tokens.GBP, 50_000_000n, 79_000_000n]);
  });

  it("reverts EnforcedPause for settle and settleBatch while the gateway is paused", async () => {
    const m = await craftMessage(f);
    const s = await sigs(m);
    await adminWrite(f, "uk", gw(ukGateway(), "pause"));
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, s), "EnforcedPause");
    // A batch of one is signed as the single settlement is: the same signatures.
    await expectRelayRevert(f, "uk", settleBatchCall(f, "uk", [settleItem(m, RATE_SCALE)], s), "EnforcedPause");
  });

  it("reverts AccountFrozen(recipient) from the token when the recipient is frozen (burn-and-mint)", async () => {
    await adminWrite(f, "uk", tok(f.dep.uk.tokens.USD, "freeze", bob.address));
    const m = await craftMessage(f, { recipient: bob.address });
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, await sigs(m)), "AccountFrozen", [bob.address]);
  });

  it("reverts AccountFrozen(recipient) from the token when the recipient is frozen (lock-and-release)", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    await adminWrite(f, "uk", tok(f.dep.uk.tokens.GBP, "freeze", bob.address));
    const m = await lockMessage();
    await expectRelayRevert(f, "uk", settleCall(f, m, USD_GBP, await sigs(m, USD_GBP)), "AccountFrozen", [bob.address]);
  });

  it("reverts OnlySelf when settleIsolated is called from outside the gateway", async () => {
    const m = await craftMessage(f);
    await expectRelayRevert(f, "uk", gw(ukGateway(), "settleIsolated", settleItem(m, RATE_SCALE)), "OnlySelf");
  });
});

// =====================================================================================================
describe("settleBatch", () => {
  const item = (m: Message) => settleItem(m, RATE_SCALE);

  it("reverts the whole batch with UnknownAttester under a forged attestation: no item is paid, none is consumed", async () => {
    // The attesters sign the batch, not its items: a batch signed by rogue keys has no good item to keep.
    const carol = await actor(f, "carol");
    const [m1, m2, m3] = [await craftMessage(f, { recipient: bob.address, amount: 1_000_001n }), await craftMessage(f, { recipient: stranger.address }), await craftMessage(f, { recipient: carol.address, amount: 3_000_003n })];
    const rogue = rogueAttesters(f);
    const items = [item(m1), item(m2), item(m3)];
    const o = await submit("uk", settleBatchCall(f, "uk", items, await rogue.signSettleBatch(items)));
    expectFailed(o, "UnknownAttester", [rogue.addresses[0]]);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(0n);
    expect(await balanceOf(f, "uk", "USD", stranger.address)).toBe(0n);
    expect(await balanceOf(f, "uk", "USD", carol.address)).toBe(0n);
    for (const m of [m1, m2, m3]) expect(await gatewayView(f, "uk", "consumed", idOf(m))).toBe(false);
  });

  it("skips a replayed message with SettleFailed(MessageAlreadyProcessed) and settles the others", async () => {
    const [m1, m2] = [await craftMessage(f, { recipient: bob.address }), await craftMessage(f, { recipient: stranger.address })];
    await settle(f, m1);
    const items = [item(m1), item(m2)];
    const events = decodeGatewayLogs((await relay(f, "uk", settleBatchCall(f, "uk", items, await signSettleBatch(f, items)))).logs);
    expect(events.map((e) => e.name)).toEqual(["SettleFailed", "TransferSettled"]);
    const failed = events[0]!;
    if (failed.name !== "SettleFailed") throw new Error("unreachable");
    expect(failed.id).toBe(idOf(m1));
    expectReason(failed.reason, "MessageAlreadyProcessed", [idOf(m1)]);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(m1.amount); // paid once, not twice
    expect(await balanceOf(f, "uk", "USD", stranger.address)).toBe(m2.amount);
  });
});

// =====================================================================================================
describe("one attestation per batch", () => {
  /** Settle items at 1e18 (burn-and-mint) unless a rate is given. */
  const item = (m: Message, rate = RATE_SCALE, o: { sourceFinal?: boolean } = {}) => settleItem(m, rate, o);
  /** The recipients' balances and each id's state on uk, to show that a refused batch changed nothing. */
  const ukState = async (ms: Message[]) =>
    Promise.all(
      ms.map(async (m) => ({
        paid: await balanceOf(f, "uk", m.outputToken === f.dep.uk.tokens.GBP ? "GBP" : "USD", m.recipient),
        consumed: await gatewayView(f, "uk", "consumed", idOf(m)),
        status: await gatewayView(f, "uk", "statusOf", idOf(m)),
      })),
    );
  const untouched = (ms: Message[]) => ms.map(() => ({ paid: 0n, consumed: false, status: STATUS.none }));

  it("settles every item of a batch under one m-of-n signature set, checked once", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const carol = await actor(f, "carol");
    const ms = [
      await craftMessage(f, { recipient: bob.address, amount: 1_000_001n }),
      await lockMessage({ recipient: carol.address, amount: 123_456_789n }),
      await craftMessage(f, { recipient: stranger.address, amount: 3_000_003n }),
    ];
    const items = [item(ms[0]!), item(ms[1]!, USD_GBP), item(ms[2]!)];
    const s = await signSettleBatch(f, items);
    expect(s).toHaveLength(f.c.attesters.threshold); // m signatures for the whole batch, not m per item
    const call = settleBatchCall(f, "uk", items, s);
    expect(await read(f.chain.uk, call, f.relayer.address)).toBe(3n);
    const events = decodeGatewayLogs((await relay(f, "uk", call)).logs);
    expect(outcomes(events)).toEqual(ms.map((m) => ["TransferSettled", lower(idOf(m))]));
    expect(events.filter((e) => e.name === "TransferSettled").map((e) => (e as { amountOut: bigint }).amountOut)).toEqual([1_000_001n, 97_546_104n, 3_000_003n]);
    expect(await ukState(ms)).toEqual([
      { paid: 1_000_001n, consumed: true, status: STATUS.settled },
      { paid: 97_546_104n, consumed: true, status: STATUS.settled }, // floor(123_456_789 * 0.790123456789012345)
      { paid: 3_000_003n, consumed: true, status: STATUS.settled },
    ]);
    expect(await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP)).toBe(1_000_000_000n - 97_546_104n);
  });

  it("costs less gas to settle 10 messages in one batch than in 10 single settles", async () => {
    const singles: Message[] = [];
    const batched: Message[] = [];
    for (let i = 0n; i < 10n; i++) {
      singles.push(await craftMessage(f, { recipient: bob.address, amount: 1_000n + i }));
      batched.push(await craftMessage(f, { recipient: stranger.address, amount: 2_000n + i }));
    }
    let singleGas = 0n;
    for (const m of singles) singleGas += (await settle(f, m)).gasUsed;
    const items = batched.map((m) => item(m));
    const receipt = await relay(f, "uk", settleBatchCall(f, "uk", items, await signSettleBatch(f, items)));
    expect(outcomes(decodeGatewayLogs(receipt.logs))).toEqual(batched.map((m) => ["TransferSettled", lower(idOf(m))]));
    expect(receipt.gasUsed).toBeLessThan(singleGas);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(10_045n);
    expect(await balanceOf(f, "uk", "USD", stranger.address)).toBe(20_045n);
  });

  it("refuses signatures over batch A for any other batch B (an item swapped, dropped, added, reordered, re-rated, edited): the whole batch reverts and nobody is paid", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const carol = await actor(f, "carol");
    const m1 = await craftMessage(f, { recipient: bob.address, amount: 1_000_001n });
    const m2 = await lockMessage({ recipient: carol.address, amount: 123_456_789n });
    const m3 = await craftMessage(f, { recipient: stranger.address, amount: 3_000_003n });
    const m4 = await craftMessage(f, { recipient: alice.address, amount: 4_000_004n });
    const a = [item(m1), item(m2, USD_GBP), item(m3)];
    const s = await signSettleBatch(f, a);
    const variants: [string, SettleItem[]][] = [
      ["an item swapped", [a[0]!, item(m4), a[2]!]],
      ["an item dropped", [a[0]!, a[1]!]],
      ["the first item dropped", [a[1]!, a[2]!]],
      ["an item added", [...a, item(m4)]],
      ["the order changed", [a[1]!, a[0]!, a[2]!]],
      ["a rate changed", [a[0]!, { ...a[1]!, rate: USD_GBP + 1n }, a[2]!]],
      ["sourceFinal changed", [a[0]!, a[1]!, { ...a[2]!, sourceFinal: false }]],
      ["a recipient changed", [a[0]!, a[1]!, { ...a[2]!, message: { ...m3, recipient: alice.address } }]],
      ["an amount changed", [{ ...a[0]!, message: { ...m1, amount: m1.amount + 1n } }, a[1]!, a[2]!]],
      ["an item repeated", [a[0]!, a[0]!, a[1]!, a[2]!]],
    ];
    for (const [what, b] of variants) {
      const seen = await recovered(settleBatchDigest(settleTerms(b)), s[0]!);
      const o = await submit("uk", settleBatchCall(f, "uk", b, s));
      expect(o.ok, what).toBe(false);
      expectFailed(o, "UnknownAttester", [seen]);
    }
    // The single-item attestations of A's items are no use either: a batch of one is another batch.
    const o = await submit("uk", settleCall(f, m1, RATE_SCALE, s));
    expectFailed(o, "UnknownAttester", [await recovered(f.c.attesters.settleDigest(m1, RATE_SCALE, true), s[0]!)]);
    const all = [m1, m2, m3, m4];
    expect(await ukState(all)).toEqual(untouched(all));
    expect(await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP)).toBe(1_000_000_000n);

    // The signatures were good, for A exactly.
    const events = decodeGatewayLogs(mined(await submit("uk", settleBatchCall(f, "uk", a, s))).logs);
    expect(outcomes(events)).toEqual([m1, m2, m3].map((m) => ["TransferSettled", lower(idOf(m))]));
    expect((await ukState(all)).map((x) => x.paid)).toEqual([1_000_001n, 97_546_104n, 3_000_003n, 0n]);
  });

  it("pays nobody twice when an executed batch is replayed: every item is skipped with SettleFailed(MessageAlreadyProcessed)", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const carol = await actor(f, "carol");
    const ms = [await craftMessage(f, { recipient: bob.address, amount: 1_000_001n }), await lockMessage({ recipient: carol.address, amount: 123_456_789n })];
    const items = [item(ms[0]!), item(ms[1]!, USD_GBP)];
    const call = settleBatchCall(f, "uk", items, await signSettleBatch(f, items));
    await relay(f, "uk", call);
    const after = await ukState(ms);
    const liquidity = await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP);

    expect(await read(f.chain.uk, call, f.relayer.address)).toBe(0n);
    const events = decodeGatewayLogs(mined(await submit("uk", call)).logs);
    expect(outcomes(events)).toEqual(ms.map((m) => ["SettleFailed", lower(idOf(m)), "MessageAlreadyProcessed", lower(idOf(m))]));
    expect(await ukState(ms)).toEqual(after);
    expect(after.map((x) => x.paid)).toEqual([1_000_001n, 97_546_104n]);
    expect(await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP)).toBe(liquidity);
    // Nor one by one: the batch-of-one signatures of each settled id hit the same wall.
    for (const [m, rate] of [[ms[0]!, RATE_SCALE], [ms[1]!, USD_GBP]] as const) {
      expectFailed(await submit("uk", settleCall(f, m, rate, await sigs(m, rate))), "MessageAlreadyProcessed", [idOf(m)]);
    }
  });

  it("binds a batch to its gateway's domain: signed for one chain's gateway, refused by the other chain's (same address, other chain id)", async () => {
    // Messages from uk to us: the us gateway is their destination.
    const carol = await actor(f, "carol");
    const ms = [await craftMessage(f, { from: "uk", recipient: bob.address, amount: 1_000_001n }), await craftMessage(f, { from: "uk", recipient: carol.address, amount: 2_000_002n })];
    const items = ms.map((m) => item(m));
    const usDigest = settleBatchDigest(settleTerms(items));
    // The same batch signed in uk's domain: what an attestation for the uk gateway looks like.
    const forUk = await signTyped(domainOf("uk"), "SettleBatch", { items: settleTerms(items) });
    expectFailed(await submit("us", settleBatchCall(f, "us", items, forUk)), "UnknownAttester", [await recovered(usDigest, forUk[0]!)]);
    // And the other way: a batch the attesters signed for uk (us -> uk messages), submitted to us.
    const toUk = [await craftMessage(f, { recipient: bob.address, amount: 3_000_003n })].map((m) => item(m));
    const sUk = await signSettleBatch(f, toUk);
    const seenOnUs = await recovered(settleBatchDigestOn("us", toUk), sUk[0]!);
    expectFailed(await submit("us", settleBatchCall(f, "us", toUk, sUk)), "UnknownAttester", [seenOnUs]);
    expect(await balanceOf(f, "us", "GBP", bob.address)).toBe(0n);
    expect(await balanceOf(f, "us", "GBP", carol.address)).toBe(0n);
    for (const m of ms) expect(await gatewayView(f, "us", "consumed", idOf(m))).toBe(false);

    // Signed in the us gateway's own domain, the same batch settles there.
    const events = decodeGatewayLogs(mined(await submit("us", settleBatchCall(f, "us", items, await signSettleBatch(f, items)))).logs);
    expect(outcomes(events)).toEqual(ms.map((m) => ["TransferSettled", lower(idOf(m))]));
    expect(await balanceOf(f, "us", "GBP", bob.address)).toBe(1_000_001n);
    expect(await balanceOf(f, "us", "GBP", carol.address)).toBe(2_000_002n);
    // ... and the uk batch on uk.
    mined(await submit("uk", settleBatchCall(f, "uk", toUk, sUk)));
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(3_000_003n);
  });

  it("binds a batch to its type: settle signatures open no refundBatch or finalizeBatch, refund and finalize signatures not each other's, per-item signatures of the old scheme nothing", async () => {
    await deployFeeModule(f, "us", 30);
    const { message: ma } = await sendTransfer(f, alice, { output: "GBP", amount: 2_000_000n, recipient: bob.address });
    const { message: mb } = await sendTransfer(f, alice, { output: "GBP", amount: 3_000_000n, recipient: bob.address });
    const ms = [ma, mb];
    const refunds = ms.map((message) => ({ message, reason: 0 }));
    const settleTermsOf = ms.map((message) => ({ message, rate: RATE_SCALE, sourceFinal: true }));
    const refundDigest = refundBatchDigest(refunds);
    const finalizeDigest = finalizeBatchDigest(ms);
    const attempts: [string, Hex[]][] = [
      ["settle signatures (uk's domain)", await f.c.attesters.signSettleBatch(settleTermsOf)],
      ["a SettleBatch signed in us's own domain", await signTyped(domainOf("us"), "SettleBatch", { items: settleTermsOf })],
    ];
    for (const [what, s] of attempts) {
      const r = await submit("us", refundBatchCall(f, "us", refunds, s));
      expect(r.ok, what).toBe(false);
      expectFailed(r, "UnknownAttester", [await recovered(refundDigest, s[0]!)]);
      expectFailed(await submit("us", finalizeBatchCall(f, "us", ms, s)), "UnknownAttester", [await recovered(finalizeDigest, s[0]!)]);
    }
    const refundSigs = await f.c.attesters.signRefundBatch(refunds);
    const finalizeSigs = await f.c.attesters.signFinalizeBatch(ms);
    expectFailed(await submit("us", finalizeBatchCall(f, "us", ms, refundSigs)), "UnknownAttester", [await recovered(finalizeDigest, refundSigs[0]!)]);
    expectFailed(await submit("us", refundBatchCall(f, "us", refunds, finalizeSigs)), "UnknownAttester", [await recovered(refundDigest, finalizeSigs[0]!)]);
    // A refund batch's signatures do not refund with another reason.
    const otherReason = ms.map((message) => ({ message, reason: 1 }));
    expectFailed(await submit("us", refundBatchCall(f, "us", otherReason, refundSigs)), "UnknownAttester", [await recovered(refundBatchDigest(otherReason), refundSigs[0]!)]);
    // The old scheme's per-item attestations (EIP-712 Refund(message, reason) and Settle(message, rate, sourceFinal)) count for nothing.
    const oldRefund = await signTyped(domainOf("us"), "Refund", { message: ma, reason: 0 });
    expectFailed(await submit("us", refundCall(f, ma, 0, oldRefund)), "UnknownAttester", [await recovered(refundBatchDigest([refunds[0]!]), oldRefund[0]!)]);
    const crafted = await craftMessage(f, { recipient: stranger.address });
    const oldSettle = await signTyped(domainOf("uk"), "Settle", { message: crafted, rate: RATE_SCALE, sourceFinal: true });
    expectFailed(await submit("uk", settleCall(f, crafted, RATE_SCALE, oldSettle)), "UnknownAttester", [await recovered(f.c.attesters.settleDigest(crafted, RATE_SCALE, true), oldSettle[0]!)]);
    expect(await balanceOf(f, "uk", "USD", stranger.address)).toBe(0n);

    // Nothing moved on us: both still pending, escrowed, alice not paid back, no fee taken.
    for (const m of ms) {
      expect(await gatewayView(f, "us", "statusOf", idOf(m))).toBe(STATUS.pending);
      expect(await gatewayView(f, "us", "outbound", idOf(m))).toBe(await gatewayView(f, "us", "hashMessage", m));
    }
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(5_000_000n);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(0n);
    expect(await balanceOf(f, "us", "USD", f.dep.us.feeRecipient)).toBe(0n);

    // The right attestations, each for its own batch: ma refunded, mb finalized.
    const r = decodeGatewayLogs(mined(await submit("us", refundBatchCall(f, "us", [refunds[0]!], await f.c.attesters.signRefundBatch([refunds[0]!])))).logs);
    expect(outcomes(r)).toEqual([["TransferRefunded", lower(idOf(ma))]]);
    const fin = decodeGatewayLogs(mined(await submit("us", finalizeBatchCall(f, "us", [mb], await f.c.attesters.signFinalizeBatch([mb])))).logs);
    expect(outcomes(fin)).toEqual([["TransferFinalized", lower(idOf(mb))]]);
    expect(await gatewayView(f, "us", "statusOf", idOf(ma))).toBe(STATUS.refunded);
    expect(await gatewayView(f, "us", "statusOf", idOf(mb))).toBe(STATUS.finalized);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(2_000_000n);
    expect(await balanceOf(f, "us", "USD", f.dep.us.feeRecipient)).toBe(9_000n); // 30 bps of 3_000_000
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(0n);
  });

  it("settleBatch skips a bad item of a correctly signed batch (already settled, past its deadline) with SettleFailed and pays the others", async () => {
    const [carol, dave] = await Promise.all([actor(f, "carol"), actor(f, "dave")]);
    const now = await latestTimestamp(f.chain.uk);
    const m1 = await craftMessage(f, { recipient: bob.address, amount: 1_000_001n });
    const m2 = await craftMessage(f, { recipient: stranger.address, amount: 2_000_002n });
    const m3 = await craftMessage(f, { recipient: carol.address, amount: 3_000_003n, deadline: now + 60n });
    const m4 = await craftMessage(f, { recipient: dave.address, amount: 4_000_004n });
    await settle(f, m2);
    const items = [item(m1), item(m2), item(m3), item(m4)];
    const call = settleBatchCall(f, "uk", items, await signSettleBatch(f, items));
    const at = m3.deadline + 5n;
    await f.chain.uk.request("evm_setNextBlockTimestamp", [toHex(at)]);
    const events = decodeGatewayLogs((await relay(f, "uk", call)).logs);
    expect(outcomes(events)).toEqual([
      ["TransferSettled", lower(idOf(m1))],
      ["SettleFailed", lower(idOf(m2)), "MessageAlreadyProcessed", lower(idOf(m2))],
      ["SettleFailed", lower(idOf(m3)), "DeadlinePassed", m3.deadline, at],
      ["TransferSettled", lower(idOf(m4))],
    ]);
    expect(await ukState([m1, m2, m3, m4])).toEqual([
      { paid: 1_000_001n, consumed: true, status: STATUS.settled },
      { paid: 2_000_002n, consumed: true, status: STATUS.settled }, // once, by its own settle
      { paid: 0n, consumed: false, status: STATUS.none },
      { paid: 4_000_004n, consumed: true, status: STATUS.settled },
    ]);
  });

  it("refundBatch skips a bad item of a correctly signed batch (already refunded, never sent) with RefundFailed and refunds the others", async () => {
    const r1 = (await sendTransfer(f, alice, { amount: 2_000_000n, recipient: bob.address })).message;
    const r2 = (await sendTransfer(f, alice, { output: "GBP", amount: 3_000_000n, recipient: bob.address })).message;
    await refund(f, r2);
    const r3 = await craftMessage(f); // never sent from us
    const r4 = (await sendTransfer(f, bob, { output: "GBP", amount: 4_000_000n, recipient: alice.address })).message;
    const items = [
      { message: r1, reason: 1 },
      { message: r2, reason: 0 },
      { message: r3, reason: 0 },
      { message: r4, reason: 2 },
    ];
    const call = refundBatchCall(f, "us", items, await f.c.attesters.signRefundBatch(items));
    expect(await read(f.chain.us, call, f.relayer.address)).toBe(2n);
    const events = decodeGatewayLogs((await relay(f, "us", call)).logs);
    expect(outcomes(events)).toEqual([
      ["TransferRefunded", lower(idOf(r1))],
      ["RefundFailed", lower(idOf(r2)), "MessageAlreadyProcessed", lower(idOf(r2))],
      ["RefundFailed", lower(idOf(r3)), "UnknownMessage", lower(idOf(r3))],
      ["TransferRefunded", lower(idOf(r4))],
    ]);
    expect(events.filter((e) => e.name === "TransferRefunded").map((e) => (e as { reason: number }).reason)).toEqual([1, 2]);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(5_000_000n); // r2 once (its own refund), r1 now
    expect(await balanceOf(f, "us", "USD", bob.address)).toBe(4_000_000n);
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(0n);
    for (const m of [r1, r2, r4]) expect(await gatewayView(f, "us", "statusOf", idOf(m))).toBe(STATUS.refunded);
    expect(await gatewayView(f, "us", "statusOf", idOf(r3))).toBe(STATUS.none);
  });

  it("finalizeBatch skips a bad item of a correctly signed batch (burn-and-mint, already refunded) with FinalizeFailed and finalizes the others", async () => {
    await deployFeeModule(f, "us", 30);
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const f1 = (await sendTransfer(f, alice, { output: "GBP", amount: 123_456_789n, recipient: bob.address })).message;
    const f2 = (await sendTransfer(f, alice, { amount: 2_000_000n, recipient: bob.address })).message;
    const f3 = (await sendTransfer(f, alice, { output: "GBP", amount: 5_000_000n, recipient: bob.address })).message;
    const f4 = (await sendTransfer(f, alice, { output: "GBP", amount: 10_000_000n, recipient: bob.address })).message;
    await settle(f, f1, USD_GBP);
    await settle(f, f4, USD_GBP);
    await refund(f, f3);
    const ms = [f1, f2, f3, f4];
    const call = finalizeBatchCall(f, "us", ms, await f.c.attesters.signFinalizeBatch(ms));
    expect(await read(f.chain.us, call, f.relayer.address)).toBe(2n);
    const events = decodeGatewayLogs((await relay(f, "us", call)).logs);
    expect(outcomes(events)).toEqual([
      ["TransferFinalized", lower(idOf(f1))],
      ["FinalizeFailed", lower(idOf(f2)), "NotLockRelease", lower(idOf(f2))],
      ["FinalizeFailed", lower(idOf(f3)), "MessageAlreadyProcessed", lower(idOf(f3))],
      ["TransferFinalized", lower(idOf(f4))],
    ]);
    expect(f1.fee + f4.fee).toBe(370_370n + 30_000n);
    expect(await gatewayView(f, "us", "liquidity", f.dep.us.tokens.USD)).toBe(123_456_789n - 370_370n + 10_000_000n - 30_000n);
    expect(await balanceOf(f, "us", "USD", f.dep.us.feeRecipient)).toBe(370_370n + 30_000n);
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(0n);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(5_000_000n); // f3's refund, once
    expect(await Promise.all(ms.map((m) => gatewayView(f, "us", "statusOf", idOf(m))))).toEqual([STATUS.finalized, STATUS.pending, STATUS.refunded, STATUS.finalized]);
  });

  it("reverts the whole batch for rogue attesters, a rogue among attesters, too few, duplicated or no signatures; for settle, refund and finalize batches alike", async () => {
    const ms = [await craftMessage(f, { recipient: bob.address, amount: 1_000_001n }), await craftMessage(f, { recipient: stranger.address, amount: 2_000_002n })];
    const items = ms.map((m) => item(m));
    const rogue = rogueAttesters(f);
    const newcomer = testKeyPair(f.seed, "rogue", 0).address; // not registered
    const mixed = new AttesterSet([f.c.keys.attesters[0]!, testKey(f.seed, "rogue", 0)], 2);
    const good = await signSettleBatch(f, items);
    const cases: [string, Hex[], string, unknown[]][] = [
      ["rogue attesters", await rogue.signSettleBatch(items), "UnknownAttester", [rogue.addresses[0]]],
      ["an attester and a rogue", await mixed.signSettleBatch(items), "UnknownAttester", [newcomer]],
      ["one signature of two", good.slice(0, 1), "TooFewSignatures", [1n, 2n]],
      ["no signature", [], "TooFewSignatures", [0n, 2n]],
      ["one attester twice", [good[0]!, good[0]!], "DuplicateSigner", [f.c.attesters.addresses[0]]],
      ["signers descending", [good[1]!, good[0]!], "SignersNotAscending", [f.c.attesters.addresses[0]]],
      ["a malformed signature", [good[0]!, "0xdeadbeef"], "InvalidSignature", [1n]],
    ];
    for (const [what, s, error, args] of cases) {
      const o = await submit("uk", settleBatchCall(f, "uk", items, s));
      expect(o.ok, what).toBe(false);
      expectFailed(o, error, args);
    }
    expect(await ukState(ms)).toEqual(untouched(ms));

    const { message: lock } = await sendTransfer(f, alice, { output: "GBP", amount: 2_000_000n, recipient: bob.address });
    const refunds = [{ message: lock, reason: 0 }];
    expectFailed(await submit("us", refundBatchCall(f, "us", refunds, await rogue.signRefundBatch(refunds))), "UnknownAttester", [rogue.addresses[0]]);
    expectFailed(await submit("us", refundBatchCall(f, "us", refunds, (await f.c.attesters.signRefundBatch(refunds)).slice(0, 1))), "TooFewSignatures", [1n, 2n]);
    expectFailed(await submit("us", finalizeBatchCall(f, "us", [lock], await rogue.signFinalizeBatch([lock]))), "UnknownAttester", [rogue.addresses[0]]);
    expectFailed(await submit("us", finalizeBatchCall(f, "us", [lock], await mixed.signFinalizeBatch([lock]))), "UnknownAttester", [newcomer]);
    expect(await gatewayView(f, "us", "statusOf", idOf(lock))).toBe(STATUS.pending);
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(2_000_000n);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(0n);
  });
});

// =====================================================================================================
describe("happy paths", () => {
  it("burns on us and mints on uk to the base unit (burn-and-mint USD)", async () => {
    await mint(f, "us", "USD", alice.address, 10_000_000n);
    const supplyUs = await totalSupply(f, "us", "USD");
    const supplyUk = await totalSupply(f, "uk", "USD");
    const { message: m } = await sendTransfer(f, alice, { amount: 1_234_567n, recipient: bob.address });
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(10_000_000n);
    expect(await totalSupply(f, "us", "USD")).toBe(supplyUs); // minted 1_234_567 to alice, then burned it
    expect(await balanceOf(f, "us", "USD", usGateway())).toBe(0n);
    await settle(f, m);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(1_234_567n);
    expect(await totalSupply(f, "uk", "USD")).toBe(supplyUk + 1_234_567n);
    expect(await gatewayView(f, "uk", "consumed", idOf(m))).toBe(true);
  });

  it("takes exactly the amount from the sender and lowers the source supply by it", async () => {
    await mint(f, "us", "USD", alice.address, 10_000_000n);
    const p = await sendParams(f, { amount: 2_500_000n, recipient: bob.address });
    const supply = await totalSupply(f, "us", "USD");
    await write(f.chain.us, alice.privateKey, tok(f.dep.us.tokens.USD, "approve", usGateway(), 2_500_000n));
    await write(f.chain.us, alice.privateKey, gw(usGateway(), "send", p));
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(7_500_000n);
    expect(await totalSupply(f, "us", "USD")).toBe(supply - 2_500_000n);
  });

  it("mints the fee to the destination's fee recipient and the rest to the recipient (burn-and-mint with a fee)", async () => {
    await deployFeeModule(f, "us", 30);
    const { message: m } = await sendTransfer(f, alice, { amount: 1_234_567n, recipient: bob.address });
    expect(m.fee).toBe(3_703n); // 1_234_567 * 30 / 10_000 = 3703.70, rounded down
    const receipt = await settle(f, m);
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(1_234_567n - 3_703n);
    expect(await balanceOf(f, "uk", "USD", f.dep.uk.feeRecipient)).toBe(3_703n);
    const [ev] = decodeGatewayLogs(receipt.logs);
    expect(ev).toMatchObject({ name: "TransferSettled", id: idOf(m), recipient: bob.address, amountOut: 1_230_864n, fee: 3_703n, rate: RATE_SCALE });
  });

  it("escrows on us and pays from uk liquidity at the attested rate (lock-and-release USD -> GBP)", async () => {
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const { message: m } = await sendTransfer(f, alice, { output: "GBP", amount: 123_456_789n, recipient: bob.address });
    expect(m.mode).toBe(MODE.lockRelease);
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(123_456_789n);
    expect(await balanceOf(f, "us", "USD", usGateway())).toBe(123_456_789n);
    const payout = 97_546_104n; // floor(123_456_789 * 0.790123456789012345)
    const receipt = await settle(f, m, USD_GBP);
    expect(await balanceOf(f, "uk", "GBP", bob.address)).toBe(payout);
    expect(await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP)).toBe(1_000_000_000n - payout);
    expect(await balanceOf(f, "uk", "GBP", ukGateway())).toBe(1_000_000_000n - payout);
    expect(decodeGatewayLogs(receipt.logs)[0]).toMatchObject({ name: "TransferSettled", amountOut: payout, rate: USD_GBP, outputToken: f.dep.uk.tokens.GBP });
  });

  it("finalize moves the escrow less the fee into source liquidity and pays the fee", async () => {
    await deployFeeModule(f, "us", 30);
    await provideLiquidity(f, "uk", "GBP", 1_000_000_000n);
    const { id, message: m } = await sendTransfer(f, alice, { output: "GBP", amount: 123_456_789n, recipient: bob.address });
    expect(m.fee).toBe(370_370n);
    await settle(f, m, USD_GBP);
    expect(await balanceOf(f, "uk", "GBP", bob.address)).toBe(97_253_466n); // floor((123_456_789 - 370_370) * rate)
    const receipt = await finalize(f, m);
    expect(await gatewayView(f, "us", "liquidity", f.dep.us.tokens.USD)).toBe(123_456_789n - 370_370n);
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(0n);
    expect(await balanceOf(f, "us", "USD", f.dep.us.feeRecipient)).toBe(370_370n);
    expect(await balanceOf(f, "us", "USD", usGateway())).toBe(123_456_789n - 370_370n);
    expect(await gatewayView(f, "us", "outbound", id)).toBe(FINALIZED);
    expect(decodeGatewayLogs(receipt.logs)[0]).toMatchObject({ name: "TransferFinalized", id, toLiquidity: 123_086_419n, fee: 370_370n });
  });

  it("refund returns the full amount, fee included, of a burn-and-mint transfer", async () => {
    await deployFeeModule(f, "us", 30);
    await mint(f, "us", "USD", alice.address, 1_000n);
    const supply = await totalSupply(f, "us", "USD");
    const { id, message: m } = await sendTransfer(f, alice, { amount: 1_234_567n, recipient: bob.address });
    expect(m.fee).toBe(3_703n);
    const receipt = await refund(f, m, 1);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(1_000n + 1_234_567n);
    expect(await totalSupply(f, "us", "USD")).toBe(supply + 1_234_567n); // the minted-then-burned amount is back
    expect(await gatewayView(f, "us", "outbound", id)).toBe(REFUNDED);
    expect(decodeGatewayLogs(receipt.logs)[0]).toMatchObject({ name: "TransferRefunded", id, sender: alice.address, amount: 1_234_567n, reason: 1 });
  });

  it("refund returns the full escrow of a lock-and-release transfer", async () => {
    await deployFeeModule(f, "us", 30);
    const { message: m } = await sendTransfer(f, alice, { output: "GBP", amount: 123_456_789n, recipient: bob.address });
    await refund(f, m);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(123_456_789n);
    expect(await gatewayView(f, "us", "escrowed", f.dep.us.tokens.USD)).toBe(0n);
    expect(await balanceOf(f, "us", "USD", usGateway())).toBe(0n);
    expect(await balanceOf(f, "us", "USD", f.dep.us.feeRecipient)).toBe(0n);
  });
});

// =====================================================================================================
describe("refund and finalize", () => {
  const sent = (o: Partial<TransferOptions> = {}) => sendTransfer(f, alice, { amount: 2_000_000n, recipient: bob.address, ...o });

  it("reverts MessageAlreadyProcessed for a second refund of the same id", async () => {
    const { id, message: m } = await sent();
    await refund(f, m);
    await expectRelayRevert(f, "us", refundCall(f, m, 0, await f.c.attesters.signRefund(m, 0)), "MessageAlreadyProcessed", [id]);
  });

  it("reverts UnknownMessage for an id this gateway never sent", async () => {
    const m = await craftMessage(f);
    await expectRelayRevert(f, "us", refundCall(f, m, 0, await f.c.attesters.signRefund(m, 0)), "UnknownMessage", [idOf(m)]);
  });

  it("reverts MessageMismatch for a message that differs from what was sent under its id (another sentAt)", async () => {
    const { id, message } = await sent();
    const tampered = { ...message, sentAt: message.sentAt + 1n };
    expect(idOf(tampered)).toBe(id);
    await expectRelayRevert(f, "us", refundCall(f, tampered, 0, await f.c.attesters.signRefund(tampered, 0)), "MessageMismatch", [id]);
  });

  it("reverts UnknownMessage for a message with other terms (its id binds them)", async () => {
    const { id, message } = await sent();
    const tampered = { ...message, recipient: stranger.address };
    expect(idOf(tampered)).not.toBe(id);
    await expectRelayRevert(f, "us", refundCall(f, tampered, 0, await f.c.attesters.signRefund(tampered, 0)), "UnknownMessage", [idOf(tampered)]);
  });

  it("reverts WrongSource for a refund submitted on a chain the message did not leave from", async () => {
    const { message: m } = await sent();
    // Signed in the source's domain, the signatures do not verify on uk; signed for uk's gateway, the message check refuses it.
    const s = await f.c.attesters.signRefund(m, 0);
    const ukDigest = hashTypedData({ domain: domainOf("uk"), types: ATTESTATION_TYPES, primaryType: "RefundBatch", message: { items: [{ message: m, reason: 0 }] } });
    await expectRelayRevert(f, "uk", refundCall(f, m, 0, s, "uk"), "UnknownAttester", [await recovered(ukDigest, s[0]!)]);
    await expectRelayRevert(f, "uk", refundCall(f, m, 0, await signRefundOn("uk", m, 0), "uk"), "WrongSource", [chainId("us"), usGateway()]);
  });

  it("reverts UnknownAttester for a refund signed by non-attesters", async () => {
    const { message: m } = await sent();
    const rogue = rogueAttesters(f);
    await expectRelayRevert(f, "us", refundCall(f, m, 0, await rogue.signRefund(m, 0)), "UnknownAttester", [rogue.addresses[0]]);
  });

  it("reverts UnknownAttester for a refund carrying settle signatures (the attestation types differ)", async () => {
    const { message: m } = await sent();
    const s = await signSettle(f, m, RATE_SCALE);
    const seen = await recovered(f.c.attesters.refundDigest(m, 0), s[0]!);
    await expectRelayRevert(f, "us", refundCall(f, m, 0, s), "UnknownAttester", [seen]);
  });

  it("reverts NotLockRelease for finalizing a burn-and-mint message", async () => {
    const { id, message: m } = await sent();
    await expectRelayRevert(f, "us", finalizeCall(f, m, await f.c.attesters.signFinalize(m)), "NotLockRelease", [id]);
  });

  it("reverts MessageAlreadyProcessed for finalize after refund", async () => {
    const { id, message: m } = await sent({ output: "GBP" });
    await refund(f, m);
    await expectRelayRevert(f, "us", finalizeCall(f, m, await f.c.attesters.signFinalize(m)), "MessageAlreadyProcessed", [id]);
  });

  it("reverts MessageAlreadyProcessed for refund after finalize", async () => {
    const { id, message: m } = await sent({ output: "GBP" });
    await finalize(f, m);
    await expectRelayRevert(f, "us", refundCall(f, m, 0, await f.c.attesters.signRefund(m, 0)), "MessageAlreadyProcessed", [id]);
  });

  it("keeps refunds open while the gateway is paused, so nothing is stuck", async () => {
    const { message: m } = await sent();
    await adminWrite(f, "us", gw(usGateway(), "pause"));
    await refund(f, m);
    expect(await balanceOf(f, "us", "USD", alice.address)).toBe(2_000_000n);
  });
});

// =====================================================================================================
describe("attester admin", () => {
  const ATTESTER_ADMIN = role("ATTESTER_ADMIN_ROLE");

  it.each([
    ["addAttester", () => [stranger.address]],
    ["removeAttester", () => [f.c.attesters.addresses[0]]],
    ["setThreshold", () => [1n]],
  ] as const)("rejects %s from a non-admin with AccessControlUnauthorizedAccount", async (fn, args) => {
    await expectRevert(f.chain.uk, stranger.address, gw(ukGateway(), fn, ...args()), "AccessControlUnauthorizedAccount", [stranger.address, ATTESTER_ADMIN]);
  });

  it("rejects pause from a non-pauser with AccessControlUnauthorizedAccount", async () => {
    await expectRevert(f.chain.uk, stranger.address, gw(ukGateway(), "pause"), "AccessControlUnauthorizedAccount", [stranger.address, role("PAUSER_ROLE")]);
  });

  it("reverts InvalidThreshold when a removal would leave fewer attesters than the threshold", async () => {
    const [a0, a1] = f.c.attesters.addresses;
    await adminWrite(f, "uk", gw(ukGateway(), "removeAttester", a0)); // 2 of 2 left
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "removeAttester", a1), "InvalidThreshold", [2n, 1n]);
  });

  it("reverts InvalidThreshold for a threshold of zero or above the attester count", async () => {
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "setThreshold", 0n), "InvalidThreshold", [0n, 3n]);
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "setThreshold", 4n), "InvalidThreshold", [4n, 3n]);
  });

  it("reverts InvalidAttester for adding a registered attester or the zero address", async () => {
    const [a0] = f.c.attesters.addresses;
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "addAttester", a0), "InvalidAttester", [a0]);
    await expectRevert(f.chain.uk, f.admin.address, gw(ukGateway(), "addAttester", zeroAddress), "InvalidAttester", [zeroAddress]);
  });

  it("stops counting a removed attester's signature at once", async () => {
    const m = await craftMessage(f);
    const s = await sigs(m); // by attesters 0 and 1
    await adminWrite(f, "uk", gw(ukGateway(), "removeAttester", f.c.attesters.addresses[0]));
    await expectRelayRevert(f, "uk", settleCall(f, m, RATE_SCALE, s), "UnknownAttester", [f.c.attesters.addresses[0]]);
  });

  it("counts a newly added attester's signature", async () => {
    const newcomer = rogueAttesters(f, 1, 1);
    await adminWrite(f, "uk", gw(ukGateway(), "addAttester", newcomer.addresses[0]));
    const mixed = new AttesterSet([f.c.keys.attesters[0]!, testKey(f.seed, "rogue", 0)], 2);
    const m = await craftMessage(f, { recipient: bob.address });
    await relay(f, "uk", settleCall(f, m, RATE_SCALE, await mixed.signSettle(m, RATE_SCALE, true)));
    expect(await balanceOf(f, "uk", "USD", bob.address)).toBe(m.amount);
  });
});

// =====================================================================================================
describe("liquidity", () => {
  it("reverts ZeroAmount, UnsupportedToken and InsufficientShares on bad deposits and withdrawals", async () => {
    await expectRevert(f.chain.uk, alice.address, gw(ukGateway(), "deposit", f.dep.uk.tokens.GBP, 0n), "ZeroAmount");
    await expectRevert(f.chain.uk, alice.address, gw(ukGateway(), "deposit", stranger.address, 1n), "UnsupportedToken", [stranger.address]);
    await expectRevert(f.chain.uk, alice.address, gw(ukGateway(), "withdraw", f.dep.uk.tokens.GBP, 5n), "InsufficientShares", [0n, 5n]);
  });

  it("returns a provider's deposit in full when nothing was paid out", async () => {
    const lp = await provideLiquidity(f, "uk", "GBP", 42_000_000n);
    await write(f.chain.uk, lp.privateKey, gw(ukGateway(), "withdraw", f.dep.uk.tokens.GBP, 42_000_000n));
    expect(await balanceOf(f, "uk", "GBP", lp.address)).toBe(42_000_000n);
    expect(await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP)).toBe(0n);
  });

  // Regression: deposit() used to mint shares 1:1 into an empty pool with shares still outstanding, so the
  // old providers' worthless shares owned part of the next deposit. The virtual offset (one share, one base
  // unit) now prices those shares at (almost) nothing.
  it("keeps a new deposit's full value after payouts drained the pool to zero", async () => {
    const lp1 = await provideLiquidity(f, "uk", "GBP", 79_000_000n, "lp1");
    const m = await lockMessage({ amount: 100_000_000n });
    await settle(f, m, 790_000_000_000_000_000n); // pays exactly 79_000_000: the pool is now empty
    expect(await gatewayView(f, "uk", "liquidity", f.dep.uk.tokens.GBP)).toBe(0n);
    const lp2 = await provideLiquidity(f, "uk", "GBP", 50_000_000n, "lp2");
    // lp1 redeems its (worthless) shares first
    await write(f.chain.uk, lp1.privateKey, gw(ukGateway(), "withdraw", f.dep.uk.tokens.GBP, 79_000_000n));
    expect(await balanceOf(f, "uk", "GBP", lp1.address)).toBe(0n); // was 30_620_155 taken from lp2 before the offset
    const lp2Shares = await gatewayView<bigint>(f, "uk", "shares", f.dep.uk.tokens.GBP, lp2.address);
    await write(f.chain.uk, lp2.privateKey, gw(ukGateway(), "withdraw", f.dep.uk.tokens.GBP, lp2Shares));
    expect(await balanceOf(f, "uk", "GBP", lp2.address)).toBe(50_000_000n);
  });
});
