/**
 * Reentrancy: a malicious token (contracts/testing/ReentrantToken.sol) whose transfer, transferFrom,
 * mint or burn calls back into the gateway, and a malicious compliance hook
 * (contracts/testing/ReentrantHook.sol) that calls back during its check. Every attempt is shown
 * twice:
 * - bubble: the malicious contract reverts with what its reentrant call got, so the test asserts the
 *   exact error (ReentrancyGuardReentrantCall, OnlySelf, or an empty revert for a state change inside
 *   the gateway's static call to the hook), and that the outer call changed nothing;
 * - swallow: the malicious contract ignores the failed reentry, the outer call goes through, and the
 *   test asserts that it took effect exactly once (one settlement, one refund, one withdrawal; a replay
 *   gets MessageAlreadyProcessed) and that the books balance (gateway holdings = liquidity + escrow,
 *   total supply = the sum of every holder's balance, supply changed by exactly the amount paid).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeAbiParameters, zeroHash, type Hex } from "viem";
import type { KeyPair } from "../../src/chains/keys.js";
import { decodeGatewayLogs } from "../../src/contracts/gateway.js";
import type { Message } from "../../src/domain/message.js";
import {
  MODE,
  NO_QUOTE,
  RATE_SCALE,
  TIER,
  actor,
  adminWrite,
  corridorFixture,
  craftMessage,
  deployFeeModule,
  encodeCall,
  gw,
  idOf,
  latestTimestamp,
  read,
  refundCall,
  finalizeCall,
  role,
  settleBatchCall,
  settleCall,
  settleItem,
  signSettle,
  signSettleBatch,
  refundBatchCall,
  finalizeBatchCall,
  write,
  type Call,
  type ChainName,
  type Fixture,
} from "../helpers/contracts.js";
import { deployArtifact, errorChain, revertTo, snapshot, testingArtifact, tryWrite, type TxOutcome } from "../helpers/invariants.js";

const FEE_BPS = 50n;
const USD_GBP = 790_000_000_000_000_000n;
/** ReentrantToken trigger bits and ReentrantHook trigger bits, as the contracts define them. */
const ON = { transfer: 1, transferFrom: 2, mint: 4, burn: 8 } as const;
const HOOK_ON = { send: 1, settle: 2 } as const;
const REFUNDED = `0x${"0".repeat(63)}1` as Hex;
const FINALIZED = `0x${"0".repeat(63)}2` as Hex;

let f: Fixture;
let alice: KeyPair;
let bob: KeyPair;
/** The malicious token on each chain (the admin deploys it and is its owner and a minter). */
const evil = {} as Record<ChainName, Hex>;
/** Snapshot ids taken before each test. */
let snaps: Record<ChainName, Hex>;

const evilAbi = () => testingArtifact("ReentrantToken").abi;
const hookAbi = () => testingArtifact("ReentrantHook").abi;
const ev = (n: ChainName, functionName: string, ...args: unknown[]): Call => ({ to: evil[n], abi: evilAbi(), functionName, args });
const chainId = (n: ChainName) => BigInt(f.dep[n].chainId);
const gateway = (n: ChainName) => f.dep[n].gateway;
const view = <T>(n: ChainName, fn: string, ...args: unknown[]) => read<T>(f.chain[n], gw(gateway(n), fn, ...args));
const evilView = <T>(n: ChainName, fn: string, ...args: unknown[]) => read<T>(f.chain[n], ev(n, fn, ...args));

/** Arms the malicious token on `n`: the next `trigger` calls `payload` (bubble: and reverts with the outcome). */
const arm = (n: ChainName, payload: Call, trigger: number, bubble: boolean) =>
  adminWrite(f, n, ev(n, "arm", payload.to, encodeCall(payload), trigger, bubble));

/** The relayer (anyone) submits `c` on `n`; a revert comes back decoded instead of thrown. */
const submit = (n: ChainName, c: Call): Promise<TxOutcome> => tryWrite(f.chain[n], f.relayer.privateKey, c);

function expectReverted(o: TxOutcome, chain: string[]): void {
  expect(o.ok ? "succeeded" : errorChain(o.data)).toEqual(chain);
}

function receiptOf(o: TxOutcome) {
  if (!o.ok) throw new Error(`expected success, got ${errorChain(o.data).join(" <- ")}`);
  return o.receipt;
}

/** The token's record of its last reentrant attempt (swallow mode). */
async function lastAttempt(n: ChainName): Promise<{ attempts: bigint; ok: boolean; chain: string[] }> {
  const [attempts, ok, ret] = await Promise.all([evilView<bigint>(n, "attempts"), evilView<boolean>(n, "lastOk"), evilView<Hex>(n, "lastReturn")]);
  return { attempts, ok, chain: ok ? ["<succeeded>"] : errorChain(ret) };
}

/** Everyone who may hold the malicious token on `n`. */
const holders = (n: ChainName): Hex[] => [alice.address, bob.address, f.admin.address, f.relayer.address, gateway(n), f.dep[n].feeRecipient, evil[n]];

/**
 * The books of the malicious token on `n`: the gateway holds exactly liquidity + escrow, and the total
 * supply is the sum of the balances of everyone who can hold it (nothing was minted to anyone else).
 */
async function expectBooksBalance(n: ChainName): Promise<void> {
  const balances = await Promise.all(holders(n).map((h) => evilView<bigint>(n, "balanceOf", h)));
  const supply = await evilView<bigint>(n, "totalSupply");
  expect(balances.reduce((a, b) => a + b, 0n)).toBe(supply);
  const [held, liquidity, escrowed] = await Promise.all([evilView<bigint>(n, "balanceOf", gateway(n)), view<bigint>(n, "liquidity", evil[n]), view<bigint>(n, "escrowed", evil[n])]);
  expect(held).toBe(liquidity + escrowed);
}

/** Gateway events of one kind for one id in a receipt. */
const eventsFor = (o: TxOutcome, name: string, id: Hex) => decodeGatewayLogs(receiptOf(o).logs).filter((e) => e.name === name && (e as { id: Hex }).id === id);

beforeAll(async () => {
  f = await corridorFixture();
  [alice, bob] = await Promise.all([actor(f, "alice"), actor(f, "bob")]);
  await deployFeeModule(f, "us", Number(FEE_BPS));
  const art = testingArtifact("ReentrantToken");
  for (const n of ["us", "uk"] as const) {
    evil[n] = await deployArtifact(f.chain[n], f.admin.privateKey, art, ["Evil", "EVL"]);
    await adminWrite(f, n, ev(n, "setMinter", gateway(n), true));
    await adminWrite(f, n, gw(gateway(n), "setLocalToken", evil[n], true));
  }
  // Source-side routes from the malicious token on us: burn-and-mint to its uk twin, lock-and-release to GBP.
  await adminWrite(f, "us", gw(gateway("us"), "setRoute", evil.us, chainId("uk"), evil.uk, MODE.burnMint, true));
  await adminWrite(f, "us", gw(gateway("us"), "setRoute", evil.us, chainId("uk"), f.dep.uk.tokens.GBP, MODE.lockRelease, true));
  // The token itself is a liquidity provider on uk, so that its receive hook fires on its own withdrawals.
  await adminWrite(f, "uk", ev("uk", "mint", evil.uk, 1_000_000_000n));
  await adminWrite(f, "uk", ev("uk", "depositInto", gateway("uk"), 1_000_000_000n));
});

afterAll(async () => {
  await f?.close();
});

beforeEach(async () => {
  snaps = { us: await snapshot(f.chain.us), uk: await snapshot(f.chain.uk) };
});

afterEach(async () => {
  await revertTo(f.chain.us, snaps.us);
  await revertTo(f.chain.uk, snaps.uk);
});

// ---------------------------------------------------------------- fixtures for each case

/** A message settling in the malicious token on uk (crafted: the destination trusts only the attesters). */
async function ukMessage(mode: number, amount = 100_000_000n): Promise<{ m: Message; rate: bigint; call: Call }> {
  const fee = (amount * FEE_BPS) / 10_000n;
  const m = await craftMessage(f, { outputToken: evil.uk, mode, recipient: bob.address, amount, fee });
  const rate = mode === MODE.burnMint ? RATE_SCALE : USD_GBP;
  return { m, rate, call: settleCall(f, m, rate, await signSettle(f, m, rate)) };
}

/** Alice sends `amount` of the malicious token from us (burn-and-mint to uk EVL, or lock-and-release to GBP). */
async function usSend(mode: number, amount = 100_000_000n): Promise<Message> {
  await adminWrite(f, "us", ev("us", "mint", alice.address, amount));
  await write(f.chain.us, alice.privateKey, ev("us", "approve", gateway("us"), amount));
  const r = await write(f.chain.us, alice.privateKey, gw(gateway("us"), "send", await sendParamsFor(mode, amount)));
  const sent = decodeGatewayLogs(r.logs).find((e) => e.name === "TransferSent");
  if (!sent || sent.name !== "TransferSent") throw new Error("no TransferSent");
  return sent.message;
}

async function sendParamsFor(mode: number, amount: bigint) {
  return {
    inputToken: evil.us,
    dstChainId: chainId("uk"),
    outputToken: mode === MODE.burnMint ? evil.uk : f.dep.uk.tokens.GBP,
    recipient: bob.address,
    amount,
    maxFee: amount,
    minAmountOut: 0n,
    deadline: (await latestTimestamp(f.chain.us)) + 3600n,
    tier: TIER.standard,
    extraHash: zeroHash,
    quote: NO_QUOTE,
  };
}

const refundOf = async (m: Message, reason = 0) => refundCall(f, m, reason, await f.c.attesters.signRefund(m, reason));
const finalizeOf = async (m: Message) => finalizeCall(f, m, await f.c.attesters.signFinalize(m));

// =====================================================================================================
describe("a malicious token reentering the destination gateway", () => {
  it("settle (lock-and-release): the transfer hook's reentrant settle of the same item gets ReentrancyGuardReentrantCall", async () => {
    const { m, rate, call } = await ukMessage(MODE.lockRelease);
    const id = idOf(m);
    const out = ((m.amount - m.fee) * rate) / RATE_SCALE;
    const liquidityBefore = await view<bigint>("uk", "liquidity", evil.uk);

    await arm("uk", call, ON.transfer, true);
    expectReverted(await submit("uk", call), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "consumed", id)).toBe(false);
    expect(await evilView("uk", "balanceOf", bob.address)).toBe(0n);
    expect(await view("uk", "liquidity", evil.uk)).toBe(liquidityBefore);

    await arm("uk", call, ON.transfer, false);
    const o = await submit("uk", call);
    expect(eventsFor(o, "TransferSettled", id)).toHaveLength(1);
    expect(await lastAttempt("uk")).toEqual({ attempts: 1n, ok: false, chain: ["ReentrancyGuardReentrantCall"] });
    expect(await evilView("uk", "balanceOf", bob.address)).toBe(out);
    expect(await view("uk", "liquidity", evil.uk)).toBe(liquidityBefore - out);
    expectReverted(await submit("uk", call), ["MessageAlreadyProcessed"]);
    await expectBooksBalance("uk");
  });

  it("settle (burn-and-mint): the mint hook's reentrant settle gets ReentrancyGuardReentrantCall; supply grows by exactly the amount", async () => {
    const { m, call } = await ukMessage(MODE.burnMint);
    const id = idOf(m);
    const supplyBefore = await evilView<bigint>("uk", "totalSupply");

    await arm("uk", call, ON.mint, true);
    expectReverted(await submit("uk", call), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "consumed", id)).toBe(false);
    expect(await evilView("uk", "totalSupply")).toBe(supplyBefore);

    await arm("uk", call, ON.mint, false);
    expect(eventsFor(await submit("uk", call), "TransferSettled", id)).toHaveLength(1);
    expect((await lastAttempt("uk")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await evilView("uk", "balanceOf", bob.address)).toBe(m.amount - m.fee);
    expect(await evilView("uk", "balanceOf", f.dep.uk.feeRecipient)).toBe(m.fee);
    expect(await evilView("uk", "totalSupply")).toBe(supplyBefore + m.amount);
    await expectBooksBalance("uk");
  });

  it("settle: reentering to settle another valid message gets ReentrancyGuardReentrantCall; that message settles later, once", async () => {
    const first = await ukMessage(MODE.lockRelease);
    const second = await ukMessage(MODE.lockRelease, 50_000_000n);
    await arm("uk", second.call, ON.transfer, false);
    expect(eventsFor(await submit("uk", first.call), "TransferSettled", idOf(first.m))).toHaveLength(1);
    expect((await lastAttempt("uk")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "consumed", idOf(second.m))).toBe(false);
    expect(eventsFor(await submit("uk", second.call), "TransferSettled", idOf(second.m))).toHaveLength(1);
    await expectBooksBalance("uk");
  });

  it("settleBatch: a reentrant settleBatch fails inside the item, which is skipped with SettleFailed(ReentryBlocked(ReentrancyGuardReentrantCall))", async () => {
    const { m, rate } = await ukMessage(MODE.lockRelease);
    const id = idOf(m);
    const items = [settleItem(m, rate)];
    const batch = settleBatchCall(f, "uk", items, await signSettleBatch(f, items));

    await arm("uk", batch, ON.transfer, true);
    const o = await submit("uk", batch);
    const failed = eventsFor(o, "SettleFailed", id) as unknown as { reason: Hex }[];
    expect(failed).toHaveLength(1);
    expect(errorChain(failed[0]!.reason)).toEqual(["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(eventsFor(o, "TransferSettled", id)).toHaveLength(0);
    expect(await view("uk", "consumed", id)).toBe(false);

    await arm("uk", batch, ON.transfer, false);
    const o2 = await submit("uk", batch);
    expect(eventsFor(o2, "TransferSettled", id)).toHaveLength(1);
    expect((await lastAttempt("uk")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    await expectBooksBalance("uk");
  });

  it("settleBatch: calling settleIsolated directly from the token gets OnlySelf (the batch helper trusts only the gateway itself)", async () => {
    const { m, rate } = await ukMessage(MODE.lockRelease);
    const item = settleItem(m, rate);
    const batch = settleBatchCall(f, "uk", [item], await signSettleBatch(f, [item]));
    await arm("uk", gw(gateway("uk"), "settleIsolated", item), ON.transfer, false);
    const o = await submit("uk", batch);
    expect(eventsFor(o, "TransferSettled", idOf(m))).toHaveLength(1);
    expect(await lastAttempt("uk")).toEqual({ attempts: 1n, ok: false, chain: ["OnlySelf"] });
    // And from anyone else, too.
    expectReverted(await submit("uk", gw(gateway("uk"), "settleIsolated", item)), ["OnlySelf"]);
    await expectBooksBalance("uk");
  });

  it("withdraw: a provider's receive hook reentering withdraw (a drain attempt) gets ReentrancyGuardReentrantCall; it is paid once", async () => {
    const shares = await view<bigint>("uk", "shares", evil.uk, evil.uk);
    const liquidity = await view<bigint>("uk", "liquidity", evil.uk);
    const half = shares / 2n;
    const reentry = gw(gateway("uk"), "withdraw", evil.uk, shares - half);
    const withdrawCall = ev("uk", "withdrawFrom", gateway("uk"), half);

    await arm("uk", reentry, ON.transfer, true);
    expectReverted(await tryWrite(f.chain.uk, f.admin.privateKey, withdrawCall), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "shares", evil.uk, evil.uk)).toBe(shares);

    await arm("uk", reentry, ON.transfer, false);
    const balanceBefore = await evilView<bigint>("uk", "balanceOf", evil.uk);
    expect((await tryWrite(f.chain.uk, f.admin.privateKey, withdrawCall)).ok).toBe(true);
    expect((await lastAttempt("uk")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    const paid = (half * (liquidity + 1n)) / (shares + 1n);
    expect(await evilView("uk", "balanceOf", evil.uk)).toBe(balanceBefore + paid);
    expect(await view("uk", "shares", evil.uk, evil.uk)).toBe(shares - half);
    expect(await view("uk", "totalShares", evil.uk)).toBe(shares - half);
    expect(await view("uk", "liquidity", evil.uk)).toBe(liquidity - paid);
    await expectBooksBalance("uk");
  });

  it("deposit: the transferFrom hook reentering withdraw gets ReentrancyGuardReentrantCall; the deposit counts once", async () => {
    const shares = await view<bigint>("uk", "shares", evil.uk, evil.uk);
    const liquidity = await view<bigint>("uk", "liquidity", evil.uk);
    await adminWrite(f, "uk", ev("uk", "mint", evil.uk, 10_000_000n));
    const reentry = gw(gateway("uk"), "withdraw", evil.uk, shares);
    const depositCall = ev("uk", "depositInto", gateway("uk"), 10_000_000n);

    await arm("uk", reentry, ON.transferFrom, true);
    expectReverted(await tryWrite(f.chain.uk, f.admin.privateKey, depositCall), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "liquidity", evil.uk)).toBe(liquidity);

    await arm("uk", reentry, ON.transferFrom, false);
    expect((await tryWrite(f.chain.uk, f.admin.privateKey, depositCall)).ok).toBe(true);
    expect((await lastAttempt("uk")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "liquidity", evil.uk)).toBe(liquidity + 10_000_000n);
    expect(await view("uk", "shares", evil.uk, evil.uk)).toBe(shares + (10_000_000n * (shares + 1n)) / (liquidity + 1n));
    await expectBooksBalance("uk");
  });
});

// =====================================================================================================
describe("a malicious token reentering the source gateway", () => {
  it("send: the transferFrom hook reentering send gets ReentrancyGuardReentrantCall; one message, escrowed once", async () => {
    const amount = 100_000_000n;
    const p = await sendParamsFor(MODE.lockRelease, amount);
    await adminWrite(f, "us", ev("us", "mint", alice.address, 2n * amount));
    await write(f.chain.us, alice.privateKey, ev("us", "approve", gateway("us"), 2n * amount));
    const sendCall = gw(gateway("us"), "send", p);

    await arm("us", sendCall, ON.transferFrom, true);
    expectReverted(await tryWrite(f.chain.us, alice.privateKey, sendCall), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("us", "nonces", alice.address)).toBe(0n);

    await arm("us", sendCall, ON.transferFrom, false);
    const o = await tryWrite(f.chain.us, alice.privateKey, sendCall);
    expect(decodeGatewayLogs(receiptOf(o).logs).filter((e) => e.name === "TransferSent")).toHaveLength(1);
    expect((await lastAttempt("us")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await view("us", "nonces", alice.address)).toBe(1n);
    expect(await view("us", "escrowed", evil.us)).toBe(amount);
    expect(await evilView("us", "balanceOf", alice.address)).toBe(amount);
    await expectBooksBalance("us");
  });

  it("send (burn-and-mint): the burn hook reentering refund of an earlier pending transfer gets ReentrancyGuardReentrantCall", async () => {
    const earlier = await usSend(MODE.burnMint);
    const refund = await refundOf(earlier);
    const amount = 30_000_000n;
    await adminWrite(f, "us", ev("us", "mint", alice.address, amount));
    await write(f.chain.us, alice.privateKey, ev("us", "approve", gateway("us"), amount));
    const sendCall = gw(gateway("us"), "send", await sendParamsFor(MODE.burnMint, amount));
    const supply = await evilView<bigint>("us", "totalSupply");

    await arm("us", refund, ON.burn, true);
    expectReverted(await tryWrite(f.chain.us, alice.privateKey, sendCall), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);

    await arm("us", refund, ON.burn, false);
    expect((await tryWrite(f.chain.us, alice.privateKey, sendCall)).ok).toBe(true);
    expect((await lastAttempt("us")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await evilView("us", "totalSupply")).toBe(supply - amount);
    expect(await view("us", "outbound", idOf(earlier))).toBe(await view("us", "hashMessage", earlier)); // still pending
    // The earlier transfer is refunded once, in full, when its refund is submitted on its own.
    expect(eventsFor(await submit("us", refund), "TransferRefunded", idOf(earlier))).toHaveLength(1);
    expect(await evilView("us", "totalSupply")).toBe(supply - amount + earlier.amount);
    await expectBooksBalance("us");
  });

  it("refund (lock-and-release): the transfer hook's reentrant refund of the same message gets ReentrancyGuardReentrantCall; refunded once", async () => {
    const m = await usSend(MODE.lockRelease);
    const id = idOf(m);
    const refund = await refundOf(m);

    await arm("us", refund, ON.transfer, true);
    expectReverted(await submit("us", refund), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("us", "escrowed", evil.us)).toBe(m.amount);
    expect(await evilView("us", "balanceOf", alice.address)).toBe(0n);

    await arm("us", refund, ON.transfer, false);
    expect(eventsFor(await submit("us", refund), "TransferRefunded", id)).toHaveLength(1);
    expect((await lastAttempt("us")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await evilView("us", "balanceOf", alice.address)).toBe(m.amount);
    expect(await view("us", "escrowed", evil.us)).toBe(0n);
    expect(await view("us", "outbound", id)).toBe(REFUNDED);
    expectReverted(await submit("us", refund), ["MessageAlreadyProcessed"]);
    await expectBooksBalance("us");
  });

  it("refund (burn-and-mint): the mint hook's reentrant refund gets ReentrancyGuardReentrantCall; minted back once", async () => {
    const m = await usSend(MODE.burnMint);
    const refund = await refundOf(m, 1);
    const supply = await evilView<bigint>("us", "totalSupply");

    await arm("us", refund, ON.mint, true);
    expectReverted(await submit("us", refund), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await evilView("us", "totalSupply")).toBe(supply);

    await arm("us", refund, ON.mint, false);
    expect(eventsFor(await submit("us", refund), "TransferRefunded", idOf(m))).toHaveLength(1);
    expect(await evilView("us", "totalSupply")).toBe(supply + m.amount);
    expect(await evilView("us", "balanceOf", alice.address)).toBe(m.amount);
    await expectBooksBalance("us");
  });

  it("refundBatch: a reentrant refund fails inside the item (RefundFailed), and refundIsolated from the token gets OnlySelf", async () => {
    const m = await usSend(MODE.lockRelease);
    const id = idOf(m);
    const item = { message: m, reason: 0 };
    // A batch of one is signed as the single refund is: the same signatures open both.
    const signatures = await f.c.attesters.signRefundBatch([item]);
    const batch = refundBatchCall(f, "us", [item], signatures);

    await arm("us", refundCall(f, m, 0, signatures), ON.transfer, true);
    const o = await submit("us", batch);
    const failed = eventsFor(o, "RefundFailed", id) as unknown as { reason: Hex }[];
    expect(failed.map((e) => errorChain(e.reason))).toEqual([["ReentryBlocked", "ReentrancyGuardReentrantCall"]]);
    expect(await view("us", "escrowed", evil.us)).toBe(m.amount);

    await arm("us", gw(gateway("us"), "refundIsolated", item), ON.transfer, false);
    expect(eventsFor(await submit("us", batch), "TransferRefunded", id)).toHaveLength(1);
    expect(await lastAttempt("us")).toEqual({ attempts: 1n, ok: false, chain: ["OnlySelf"] }); // the bubbled attempt was rolled back with its batch item
    expect(await evilView("us", "balanceOf", alice.address)).toBe(m.amount);
    // Resubmitted, the batch skips the item as already refunded.
    const again = eventsFor(await submit("us", batch), "RefundFailed", id) as unknown as { reason: Hex }[];
    expect(again.map((e) => errorChain(e.reason))).toEqual([["MessageAlreadyProcessed"]]);
    await expectBooksBalance("us");
  });

  it("finalize: the fee transfer hook reentering finalize, or refund of the same message, gets ReentrancyGuardReentrantCall", async () => {
    const m = await usSend(MODE.lockRelease);
    const id = idOf(m);
    expect(m.fee).toBeGreaterThan(0n);
    const fin = await finalizeOf(m);
    const refund = await refundOf(m);
    const liquidity = await view<bigint>("us", "liquidity", evil.us);

    for (const reentry of [fin, refund]) {
      await arm("us", reentry, ON.transfer, true);
      expectReverted(await submit("us", fin), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    }
    expect(await view("us", "escrowed", evil.us)).toBe(m.amount);

    // Swallowed: a refund attempted in the middle of finalize does not pay the sender back as well.
    await arm("us", refund, ON.transfer, false);
    expect(eventsFor(await submit("us", fin), "TransferFinalized", id)).toHaveLength(1);
    expect((await lastAttempt("us")).chain).toEqual(["ReentrancyGuardReentrantCall"]);
    expect(await view("us", "outbound", id)).toBe(FINALIZED);
    expect(await view("us", "liquidity", evil.us)).toBe(liquidity + m.amount - m.fee);
    expect(await evilView("us", "balanceOf", f.dep.us.feeRecipient)).toBe(m.fee);
    expect(await evilView("us", "balanceOf", alice.address)).toBe(0n);
    expectReverted(await submit("us", refund), ["MessageAlreadyProcessed"]);
    expectReverted(await submit("us", fin), ["MessageAlreadyProcessed"]);
    await expectBooksBalance("us");
  });

  it("finalizeBatch: finalizeIsolated called from the token gets OnlySelf; finalized once", async () => {
    const m = await usSend(MODE.lockRelease);
    await arm("us", gw(gateway("us"), "finalizeIsolated", m), ON.transfer, false);
    expect(eventsFor(await submit("us", finalizeBatchCall(f, "us", [m], await f.c.attesters.signFinalizeBatch([m]))), "TransferFinalized", idOf(m))).toHaveLength(1);
    expect((await lastAttempt("us")).chain).toEqual(["OnlySelf"]);
    await expectBooksBalance("us");
  });
});

// =====================================================================================================
describe("a malicious compliance hook reentering the gateway", () => {
  let hook: Record<ChainName, Hex>;
  const hk = (n: ChainName, functionName: string, ...args: unknown[]): Call => ({ to: hook[n], abi: hookAbi(), functionName, args });
  /** Arms the hook (anyone may: it is the attacker's contract) and installs it as the gateway's compliance hook. */
  const armHook = async (n: ChainName, payload: Call, trigger: number, bubble: boolean) => {
    await write(f.chain[n], f.relayer.privateKey, hk(n, "arm", payload.to, encodeCall(payload), trigger, bubble));
    await adminWrite(f, n, gw(gateway(n), "setComplianceHook", hook[n]));
  };

  beforeAll(async () => {
    const art = testingArtifact("ReentrantHook");
    hook = {
      us: await deployArtifact(f.chain.us, f.relayer.privateKey, art),
      uk: await deployArtifact(f.chain.uk, f.relayer.privateKey, art),
    };
  });

  it("checkSettle reentering settle of the same item gets ReentrancyGuardReentrantCall; swallowed, it settles once", async () => {
    const { m, call } = await ukMessage(MODE.lockRelease);
    const id = idOf(m);
    await armHook("uk", call, HOOK_ON.settle, true);
    expectReverted(await submit("uk", call), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    expect(await view("uk", "consumed", id)).toBe(false);

    await armHook("uk", call, HOOK_ON.settle, false);
    expect(eventsFor(await submit("uk", call), "TransferSettled", id)).toHaveLength(1);
    expectReverted(await submit("uk", call), ["MessageAlreadyProcessed"]);
    await expectBooksBalance("uk");
  });

  it("checkSettle reentering settleBatch, withdraw, deposit or creditFastAllowance gets ReentrancyGuardReentrantCall, settleIsolated OnlySelf", async () => {
    const { m, rate, call } = await ukMessage(MODE.lockRelease);
    const item = settleItem(m, rate);
    const cases: [Call, string][] = [
      [settleBatchCall(f, "uk", [item], await signSettleBatch(f, [item])), "ReentrancyGuardReentrantCall"],
      [gw(gateway("uk"), "withdraw", evil.uk, 1n), "ReentrancyGuardReentrantCall"],
      [gw(gateway("uk"), "deposit", evil.uk, 1n), "ReentrancyGuardReentrantCall"],
      [gw(gateway("uk"), "creditFastAllowance", [idOf(m)], []), "ReentrancyGuardReentrantCall"],
      [gw(gateway("uk"), "settleIsolated", item), "OnlySelf"],
    ];
    for (const [payload, error] of cases) {
      await armHook("uk", payload, HOOK_ON.settle, true);
      expectReverted(await submit("uk", call), ["ReentryBlocked", error]);
    }
    expect(await view("uk", "consumed", idOf(m))).toBe(false);
  });

  it("inside settleBatch, a reentering hook makes only that item fail (SettleFailed(ReentryBlocked(ReentrancyGuardReentrantCall)))", async () => {
    const { m, rate } = await ukMessage(MODE.lockRelease);
    const items = [settleItem(m, rate)];
    const batch = settleBatchCall(f, "uk", items, await signSettleBatch(f, items));
    await armHook("uk", batch, HOOK_ON.settle, true);
    const failed = eventsFor(await submit("uk", batch), "SettleFailed", idOf(m)) as unknown as { reason: Hex }[];
    expect(failed.map((e) => errorChain(e.reason))).toEqual([["ReentryBlocked", "ReentrancyGuardReentrantCall"]]);
    expect(await view("uk", "consumed", idOf(m))).toBe(false);
  });

  it("a hook cannot change any state during its check, even with the pauser role: the gateway calls it with STATICCALL", async () => {
    const { m, call } = await ukMessage(MODE.lockRelease);
    await adminWrite(f, "uk", gw(gateway("uk"), "grantRole", role("PAUSER_ROLE"), hook.uk));
    await armHook("uk", gw(gateway("uk"), "pause"), HOOK_ON.settle, true);
    // pause() writes storage inside a static call: it fails without revert data.
    expectReverted(await submit("uk", call), ["ReentryBlocked", "<empty>"]);
    await armHook("uk", gw(gateway("uk"), "pause"), HOOK_ON.settle, false);
    expect(eventsFor(await submit("uk", call), "TransferSettled", idOf(m))).toHaveLength(1);
    expect(await view("uk", "paused")).toBe(false);
  });

  it("the id is already consumed when the hook runs (checks-effects-interactions): a read-only reentry sees consumed(id) = true", async () => {
    const { m, call } = await ukMessage(MODE.lockRelease);
    await armHook("uk", gw(gateway("uk"), "consumed", idOf(m)), HOOK_ON.settle, true);
    const o = await submit("uk", call);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error?.errorName).toBe("ReentrySucceeded");
    expect(o.error?.args).toEqual([encodeAbiParameters([{ type: "bool" }], [true])]);
  });

  it("checkSend reentering send or refund gets ReentrancyGuardReentrantCall; swallowed, one message is sent", async () => {
    const earlier = await usSend(MODE.lockRelease);
    const amount = 10_000_000n;
    await adminWrite(f, "us", ev("us", "mint", alice.address, 2n * amount));
    await write(f.chain.us, alice.privateKey, ev("us", "approve", gateway("us"), 2n * amount));
    const sendCall = gw(gateway("us"), "send", await sendParamsFor(MODE.lockRelease, amount));
    for (const payload of [sendCall, await refundOf(earlier)]) {
      await armHook("us", payload, HOOK_ON.send, true);
      expectReverted(await tryWrite(f.chain.us, alice.privateKey, sendCall), ["ReentryBlocked", "ReentrancyGuardReentrantCall"]);
    }
    await armHook("us", sendCall, HOOK_ON.send, false);
    const o = await tryWrite(f.chain.us, alice.privateKey, sendCall);
    expect(decodeGatewayLogs(receiptOf(o).logs).filter((e) => e.name === "TransferSent")).toHaveLength(1);
    expect(await view("us", "nonces", alice.address)).toBe(2n);
    expect(await view("us", "escrowed", evil.us)).toBe(earlier.amount + amount);
    await expectBooksBalance("us");
  });
});
