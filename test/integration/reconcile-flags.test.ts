/**
 * `corridor reconcile`'s flags, each produced on a real chain where the contracts allow it:
 * a transfer left in flight past its deadline, an escrow finalized without a settlement (the test's
 * own attester keys sign the finalization), an id both settled and refunded. The gateways never pay
 * other than (amount - fee) * rate, nor at a rate other than a locked quote's, so PAYOUT_MISMATCH and
 * QUOTE_RATE_MISMATCH are shown on real settlements whose events, as reconcile reads them, are altered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeAbiParameters, toEventSelector, type AbiEvent, type Hex } from "viem";
import type { Chain } from "../../src/chains/chain.js";
import { testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { gatewayAbi } from "../../src/contracts/gateway.js";
import { reconcile, type Reconciliation } from "../../src/live/reconcile.js";
import { amountOut, type Message } from "../../src/domain/message.js";
import {
  actor,
  adminWrite,
  corridorFixture,
  finalize,
  gw,
  latestTimestamp,
  makeQuote,
  mineAt,
  provideLiquidity,
  refund,
  RATE_SCALE,
  sendTransfer,
  settle,
  signQuote,
  type Fixture,
} from "../helpers/contracts.js";

const USD_GBP = 790_000_000_000_000_000n;
const GRACE = 120n;

let f: Fixture;
let alice: KeyPair;
let bob: Hex;

beforeAll(async () => {
  f = await corridorFixture();
  alice = await actor(f, "alice");
  bob = testKeyPair(f.seed, "bob").address;
  await adminWrite(f, "uk", gw(f.dep.uk.gateway, "setQuoter", testKeyPair(f.seed, "quoter").address, true));
  await provideLiquidity(f, "uk", "GBP", 10_000_000_000n);
}, 120_000);

afterAll(async () => {
  await f?.close();
});

const books = (chains: Record<string, Chain> = f.c.chains) => reconcile(chains, f.c.deployment, {}, { deadlineGraceSeconds: Number(GRACE) });
const flagged = (r: Reconciliation, kind: string) => r.discrepancies.filter((d) => d.kind === kind).flatMap((d) => d.transfers);

describe("corridor reconcile flags", () => {
  let plain: { id: Hex; message: Message };
  let quoted: { id: Hex; message: Message; rate: bigint };

  it("raises nothing for a settled and finalized transfer and one settled at its locked quote", async () => {
    plain = await sendTransfer(f, alice, { output: "GBP", amount: 100_000_000n, recipient: bob });
    await settle(f, plain.message, USD_GBP);
    await finalize(f, plain.message);

    const quote = await makeQuote(f, alice.address, { rate: USD_GBP + 1_234n });
    const quoteSignature = await signQuote(f, quote, testKeyPair(f.seed, "quoter").privateKey);
    const q = await sendTransfer(f, alice, { output: "GBP", amount: 200_000_000n, recipient: bob, quote });
    await settle(f, q.message, quote.rate, { quote, quoteSignature });
    await finalize(f, q.message);
    quoted = { ...q, rate: quote.rate };

    const r = await books();
    expect(r.discrepancies).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.settlements).toEqual({ checked: 2, quotesChecked: 1, quotesUnreadable: [] });
  });

  it("flags IN_FLIGHT_PAST_DEADLINE, FINALIZED_UNSETTLED and SETTLED_AND_REFUNDED made on chain", async () => {
    // Finalized on the source with the corridor's attester keys, never settled on the destination.
    const unsettled = await sendTransfer(f, alice, { output: "GBP", amount: 50_000_000n, recipient: bob });
    await finalize(f, unsettled.message);
    // Same currency (burn and mint): settled on the destination, then refunded on the source too.
    const both = await sendTransfer(f, alice, { output: "USD", amount: 30_000_000n, recipient: bob });
    await settle(f, both.message, RATE_SCALE);
    await refund(f, both.message, 1);
    // A short deadline and no relayer: in flight until the destination's clock passes it.
    const start = [await latestTimestamp(f.chain.us), await latestTimestamp(f.chain.uk)].reduce((a, b) => (a > b ? a : b));
    const late = await sendTransfer(f, alice, { output: "GBP", amount: 20_000_000n, recipient: bob, deadline: start + 60n });
    // A transfer with an hour to go, in flight too, is not flagged.
    const waiting = await sendTransfer(f, alice, { output: "GBP", amount: 10_000_000n, recipient: bob });

    // Past the deadline but within the grace: not yet flagged.
    await mineAt(f.chain.uk, late.message.deadline + GRACE - 5n);
    expect(flagged(await books(), "IN_FLIGHT_PAST_DEADLINE")).toEqual([]);

    await mineAt(f.chain.uk, late.message.deadline + GRACE + 1n);
    const r = await books();
    expect(r.ok).toBe(false);
    expect(flagged(r, "IN_FLIGHT_PAST_DEADLINE")).toEqual([late.id]);
    expect(flagged(r, "IN_FLIGHT_PAST_DEADLINE")).not.toContain(waiting.id);
    expect(flagged(r, "FINALIZED_UNSETTLED")).toEqual([unsettled.id]);
    expect(flagged(r, "SETTLED_AND_REFUNDED")).toEqual([both.id]);
    expect(flagged(r, "PAYOUT_MISMATCH")).toEqual([]);
    expect(flagged(r, "QUOTE_RATE_MISMATCH")).toEqual([]);
  });

  it("flags PAYOUT_MISMATCH and QUOTE_RATE_MISMATCH when a settlement's event shows another payout or rate", async () => {
    const settledEvent = gatewayAbi().find((x) => x.type === "event" && x.name === "TransferSettled") as AbiEvent;
    const settledTopic = toEventSelector(settledEvent);
    const data = (outputToken: Hex, out: bigint, fee: bigint, rate: bigint) =>
      encodeAbiParameters([{ type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "uint256" }], [outputToken, out, fee, rate]);
    // The UK chain as reconcile reads it, with two TransferSettled events altered: the plain one paid a
    // unit more than its rate gives; the quoted one at a rate off the quote's (its payout consistent with that rate).
    const uk = f.c.chains.uk!;
    const altered: Chain = Object.create(uk);
    altered.request = async <T>(method: string, params?: readonly unknown[]): Promise<T> => {
      const res = await uk.request<unknown>(method, params);
      if (method !== "eth_getLogs") return res as T;
      return (res as { topics: Hex[]; data: Hex }[]).map((log) => {
        if (log.topics[0] !== settledTopic) return log;
        if (log.topics[1] === plain.id) {
          const m = plain.message;
          return { ...log, data: data(m.outputToken, amountOut(m, USD_GBP) + 1n, m.fee, USD_GBP) };
        }
        if (log.topics[1] === quoted.id) {
          const m = quoted.message;
          const rate = quoted.rate + 10n ** 15n;
          return { ...log, data: data(m.outputToken, amountOut(m, rate), m.fee, rate) };
        }
        return log;
      }) as T;
    };
    const r = await books({ ...f.c.chains, uk: altered });
    expect(flagged(r, "PAYOUT_MISMATCH")).toEqual([plain.id]);
    expect(flagged(r, "QUOTE_RATE_MISMATCH")).toEqual([quoted.id]);
    expect(r.discrepancies.find((d) => d.kind === "QUOTE_RATE_MISMATCH")!.detail).toContain(`the locked quote's rate is ${quoted.rate}`);
    expect(r.discrepancies.find((d) => d.kind === "PAYOUT_MISMATCH")!.detail).toContain(`paid ${amountOut(plain.message, USD_GBP) + 1n}`);
  });
});
