/**
 * `npx tsx scripts/gas.ts`: the gas of the gateway's hot paths on the embedded chains, one deterministic
 * run (same seed, same order of calls every time), so that two builds of the contracts can be compared.
 * Prints gas used per transaction and, for batches, per item: a batch carries one attestation (m
 * signatures over the whole batch, checked once), so its gas / n is what an item costs in it, and
 * (batch - single-item batch) / (n - 1) the marginal cost of one more item. Build the contracts first
 * (`npm run -s build:contracts`).
 *
 * Knobs (environment): GAS_BATCH (items per batch, default 10).
 */
import type { Hex } from "viem";
import type { Receipt } from "../src/chains/tx-sender.js";
import { decodeGatewayLogs } from "../src/contracts/gateway.js";
import { RATE_SCALE, TIER, type Message } from "../src/domain/message.js";
import {
  actor,
  corridorFixture,
  deployFeeModule,
  encodeCall,
  finalizeBatchCall,
  finalizeCall,
  gw,
  provideLiquidity,
  refundBatchCall,
  relay,
  sendParams,
  settleBatchCall,
  settleCall,
  settleItem,
  signSettle,
  signSettleBatch,
  tok,
  mint,
  write,
  type ChainName,
  type Currency,
  type Fixture,
} from "../test/helpers/contracts.js";
import { DEFAULT_CHAIN_NAMES } from "../src/spec/presets.js";
import { defaultSpec } from "../src/spec/spec.js";

/** The default corridor's two chains (the fixture's): transfers go from SRC (home currency IN) to DST (home OUT). */
const [SRC, DST] = DEFAULT_CHAIN_NAMES as [ChainName, ChainName];
const IN = defaultSpec().chains[SRC]!.home as Currency;
const OUT = defaultSpec().chains[DST]!.home as Currency;

const BATCH = Number(process.env.GAS_BATCH ?? 10);
const rows: [string, bigint][] = [];
const record = (name: string, r: Receipt) => rows.push([name, r.gasUsed]);
/** The rows of a batch of 1 and a batch of BATCH: their gas, per item in the big one, and per extra item. */
function recordBatch(name: string, one: Receipt, many: Receipt): void {
  record(`${name} x1`, one);
  record(`${name} x${BATCH}`, many);
  rows.push([`${name} per item (x${BATCH} / ${BATCH})`, many.gasUsed / BigInt(BATCH)]);
  rows.push([`${name} per extra item`, (many.gasUsed - one.gasUsed) / BigInt(BATCH - 1)]);
}

/** `n` sends of `amount` from one sender (SRC -> DST), output `output`; returns the emitted messages. */
async function sends(f: Fixture, label: string, output: Currency, n: number, tier = TIER.standard): Promise<Message[]> {
  const sender = await actor(f, `gas-sender-${label}`);
  await mint(f, SRC, IN, sender.address, 1_000_000_000n * BigInt(n));
  await write(f.chain[SRC], sender.privateKey, tok(f.dep[SRC].tokens[IN], "approve", f.dep[SRC].gateway, 2n ** 255n));
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    const p = await sendParams(f, { amount: 100_000_000n, output, recipient: sender.address, tier });
    const r = await write(f.chain[SRC], sender.privateKey, gw(f.dep[SRC].gateway, "send", p));
    if (i === 0) record(`send ${label} (first, cold nonce)`, r);
    if (i === 1) record(`send ${label} (second)`, r);
    const ev = decodeGatewayLogs(r.logs).find((e) => e.name === "TransferSent");
    if (ev?.name !== "TransferSent") throw new Error("no TransferSent");
    out.push(ev.message);
  }
  return out;
}

async function main(): Promise<void> {
  const f = await corridorFixture({ seed: "gas-bench" });
  try {
    await deployFeeModule(f, SRC, 10);
    await provideLiquidity(f, DST, OUT, 10_000_000_000n);
    await provideLiquidity(f, SRC, IN, 10_000_000_000n);

    // send: same currency (burn) and cross currency (escrow)
    const bm = await sends(f, "burn-mint", IN, 2 + BATCH + 1);
    const lr = await sends(f, "lock-release", OUT, 2 + BATCH * 2 + 1);

    // settle one item, then a batch of 1 and a batch of BATCH, each under one attestation (per item, marginal cost per item)
    record("settle burn-mint (single)", await relay(f, DST, settleCall(f, bm[0]!, RATE_SCALE, await signSettle(f, bm[0]!))));
    const rate = 790_000_000_000_000_000n;
    record("settle lock-release (single)", await relay(f, DST, settleCall(f, lr[0]!, rate, await signSettle(f, lr[0]!, rate))));
    /** settleBatch of `ms` at `r`, with the attesters' signatures over the whole batch. */
    const settleBatch = async (ms: Message[], r: bigint) => {
      const items = ms.map((m) => settleItem(m, r));
      return settleBatchCall(f, DST, items, await signSettleBatch(f, items));
    };
    const b1 = await relay(f, DST, await settleBatch(bm.slice(1, 2), RATE_SCALE));
    const bn = await relay(f, DST, await settleBatch(bm.slice(2, 2 + BATCH), RATE_SCALE));
    recordBatch("settleBatch burn-mint", b1, bn);
    const l1 = await relay(f, DST, await settleBatch(lr.slice(1, 2), rate));
    const ln = await relay(f, DST, await settleBatch(lr.slice(2, 2 + BATCH), rate));
    recordBatch("settleBatch lock-release", l1, ln);

    // a batch with one bad item (already settled): the failure path
    record("settleBatch x2, one already settled", await relay(f, DST, await settleBatch([bm[0]!, bm[2 + BATCH]!], RATE_SCALE)));

    // finalize on the source: single, batch of 1, batch of BATCH
    record("finalize (single)", await relay(f, SRC, finalizeCall(f, lr[0]!, await f.c.attesters.signFinalize(lr[0]!))));
    const finalizeBatch = async (ms: Message[]) => finalizeBatchCall(f, SRC, ms, await f.c.attesters.signFinalizeBatch(ms));
    const f1 = await relay(f, SRC, await finalizeBatch(lr.slice(1, 2)));
    const fn = await relay(f, SRC, await finalizeBatch(lr.slice(2, 2 + BATCH)));
    recordBatch("finalizeBatch", f1, fn);

    // refund on the source (escrowed, unsettled transfers): batch of 1, batch of BATCH
    const rest = lr.slice(2 + BATCH);
    const refundBatch = async (ms: Message[]) => {
      const items = ms.map((message) => ({ message, reason: 1 }));
      return refundBatchCall(f, SRC, items, await f.c.attesters.signRefundBatch(items));
    };
    const r1 = await relay(f, SRC, await refundBatch(rest.slice(0, 1)));
    const rn = await relay(f, SRC, await refundBatch(rest.slice(1, 1 + BATCH)));
    recordBatch("refundBatch", r1, rn);

    // calldata size of a settle batch, its attestation included (what a relayer pays per byte)
    const data: Hex = encodeCall(await settleBatch(bm.slice(2, 2 + BATCH), RATE_SCALE));
    rows.push([`settleBatch x${BATCH} calldata bytes`, BigInt((data.length - 2) / 2)]);
  } finally {
    await f.close();
  }
  const w = Math.max(...rows.map(([n]) => n.length));
  for (const [n, g] of rows) console.log(`${n.padEnd(w)}  ${g.toString().padStart(9)}`);
}

await main();
