/**
 * `npx tsx scripts/gas.ts`: the gas of the gateway's hot paths on the embedded chains, one deterministic
 * run (same seed, same order of calls every time), so that two builds of the contracts can be compared.
 * Prints gas used per transaction and, for batches, per item ((batch - single-item batch) / (n - 1) is
 * the marginal cost of one more item). Build the contracts first (`npm run -s build:contracts`).
 *
 * Knobs (environment): GAS_BATCH (items per batch, default 10).
 */
import { encodeFunctionData, type Hex } from "viem";
import type { Receipt } from "../src/chains/tx-sender.js";
import { decodeGatewayLogs, gatewayAbi } from "../src/contracts/gateway.js";
import { RATE_SCALE, TIER, type Message } from "../src/domain/message.js";
import {
  actor,
  corridorFixture,
  deployFeeModule,
  gw,
  provideLiquidity,
  relay,
  sendParams,
  settleItem,
  signSettle,
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

    // settle one item, then a batch of BATCH and a batch of 1 (marginal cost per item)
    record("settle burn-mint (single)", await relay(f, DST, gw(f.dep[DST].gateway, "settle", settleItem(bm[0]!, RATE_SCALE, await signSettle(f, bm[0]!)))));
    const rate = 790_000_000_000_000_000n;
    record("settle lock-release (single)", await relay(f, DST, gw(f.dep[DST].gateway, "settle", settleItem(lr[0]!, rate, await signSettle(f, lr[0]!, rate)))));
    const items = async (ms: Message[], r: bigint) => Promise.all(ms.map(async (m) => settleItem(m, r, await signSettle(f, m, r))));
    const b1 = await relay(f, DST, gw(f.dep[DST].gateway, "settleBatch", await items(bm.slice(1, 2), RATE_SCALE)));
    const bn = await relay(f, DST, gw(f.dep[DST].gateway, "settleBatch", await items(bm.slice(2, 2 + BATCH), RATE_SCALE)));
    record("settleBatch burn-mint x1", b1);
    record(`settleBatch burn-mint x${BATCH}`, bn);
    rows.push([`settleBatch burn-mint per extra item`, (bn.gasUsed - b1.gasUsed) / BigInt(BATCH - 1)]);
    const l1 = await relay(f, DST, gw(f.dep[DST].gateway, "settleBatch", await items(lr.slice(1, 2), rate)));
    const ln = await relay(f, DST, gw(f.dep[DST].gateway, "settleBatch", await items(lr.slice(2, 2 + BATCH), rate)));
    record("settleBatch lock-release x1", l1);
    record(`settleBatch lock-release x${BATCH}`, ln);
    rows.push([`settleBatch lock-release per extra item`, (ln.gasUsed - l1.gasUsed) / BigInt(BATCH - 1)]);

    // a batch with one bad item (already settled): the failure path
    const bad = await items([bm[0]!, bm[2 + BATCH]!], RATE_SCALE);
    record("settleBatch x2, one already settled", await relay(f, DST, gw(f.dep[DST].gateway, "settleBatch", bad)));

    // finalize on the source: single, batch of 1, batch of BATCH
    const fin = (m: Message) => f.c.attesters.signFinalize(m);
    record("finalize (single)", await relay(f, SRC, gw(f.dep[SRC].gateway, "finalize", lr[0]!, await fin(lr[0]!))));
    const fItems = async (ms: Message[]) => Promise.all(ms.map(async (m) => ({ message: m, signatures: await fin(m) })));
    const f1 = await relay(f, SRC, gw(f.dep[SRC].gateway, "finalizeBatch", await fItems(lr.slice(1, 2))));
    const fn = await relay(f, SRC, gw(f.dep[SRC].gateway, "finalizeBatch", await fItems(lr.slice(2, 2 + BATCH))));
    record("finalizeBatch x1", f1);
    record(`finalizeBatch x${BATCH}`, fn);
    rows.push([`finalizeBatch per extra item`, (fn.gasUsed - f1.gasUsed) / BigInt(BATCH - 1)]);

    // refund on the source (escrowed, unsettled transfers): batch of 1, batch of BATCH
    const rest = lr.slice(2 + BATCH);
    const rItems = async (ms: Message[]) => Promise.all(ms.map(async (m) => ({ message: m, reason: 1, signatures: await f.c.attesters.signRefund(m, 1) })));
    const r1 = await relay(f, SRC, gw(f.dep[SRC].gateway, "refundBatch", await rItems(rest.slice(0, 1))));
    const rn = await relay(f, SRC, gw(f.dep[SRC].gateway, "refundBatch", await rItems(rest.slice(1, 1 + BATCH))));
    record("refundBatch x1", r1);
    record(`refundBatch x${BATCH}`, rn);
    rows.push([`refundBatch per extra item`, (rn.gasUsed - r1.gasUsed) / BigInt(BATCH - 1)]);

    // calldata size of a settle batch (what a relayer pays per byte)
    const data: Hex = encodeFunctionData({ abi: gatewayAbi(), functionName: "settleBatch", args: [await items(bm.slice(2, 2 + BATCH), RATE_SCALE)] });
    rows.push([`settleBatch x${BATCH} calldata bytes`, BigInt((data.length - 2) / 2)]);
  } finally {
    await f.close();
  }
  const w = Math.max(...rows.map(([n]) => n.length));
  for (const [n, g] of rows) console.log(`${n.padEnd(w)}  ${g.toString().padStart(9)}`);
}

await main();
