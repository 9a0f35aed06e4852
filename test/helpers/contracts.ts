/**
 * Helpers for contract tests: a booted corridor with funded actors, reads, writes that return
 * the receipt, reverts decoded into { errorName, args }, and the corridor flows (send, settle,
 * refund, finalize, liquidity) in one call each, so that every test states only what it checks.
 */
import { expect } from "vitest";
import { concat, encodeFunctionData, hashTypedData, keccak256, numberToHex, recoverAddress, serializeSignature, toHex, zeroHash, type Abi, type Hex } from "viem";
import { sign } from "viem/accounts";
import type { Chain } from "../../src/chains/chain.js";
import { bootCorridor, type BootedCorridor } from "../../src/corridor/boot.js";
import { testKeyPair, type KeyPair } from "../../src/chains/keys.js";
import { TxSender, waitForReceipt, type Receipt } from "../../src/chains/tx-sender.js";
import { fundNative, type ChainDeployment } from "../../src/contracts/deploy.js";
/** The fixture corridor's currencies (tests may name them). */
export type Currency = "USD" | "GBP";
import { decodeGatewayLogs, decodeRevert, gatewayAbi, tokenAbi, type DecodedRevert, type SendParams, type SettleItem } from "../../src/contracts/gateway.js";
import { AttesterSet } from "./attester-set.js";
import { MODE, NO_QUOTE, QUOTE_TYPES, RATE_SCALE, TIER, gatewayDomain, hashQuote, idOf, type LockedQuote, type Message } from "../../src/domain/message.js";

export { gatewayAbi, tokenAbi };

// ---------------------------------------------------------------- calls

/** One contract call: where, which ABI, which function, which arguments. */
export interface Call {
  to: Hex;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

export const encodeCall = (c: Call): Hex => encodeFunctionData({ abi: c.abi, functionName: c.functionName, args: c.args ?? [] } as never);

export const gw = (to: Hex, functionName: string, ...args: unknown[]): Call => ({ to, abi: gatewayAbi(), functionName, args });
export const tok = (to: Hex, functionName: string, ...args: unknown[]): Call => ({ to, abi: tokenAbi(), functionName, args });

/** keccak256 of the role name, as the contracts define roles (DEFAULT_ADMIN_ROLE is zero). */
export const role = (name: string): Hex => (name === "DEFAULT_ADMIN_ROLE" ? zeroHash : keccak256(toHex(name)));

/** A view (or any call, simulated) at the latest block. */
export async function read<T = unknown>(chain: Chain, c: Call, from?: Hex): Promise<T> {
  const r = await chain.client.readContract({ address: c.to, abi: c.abi, functionName: c.functionName, args: c.args ?? [], account: from } as never);
  return r as T;
}

/** The revert data carried by an error from the embedded chain (directly or as a cause). */
function revertData(e: unknown): Hex | undefined {
  for (let x = e as { data?: unknown; cause?: unknown } | undefined; x; x = x.cause as typeof x) {
    if (typeof x.data === "string" && x.data.startsWith("0x")) return x.data as Hex;
  }
  return undefined;
}

const describeRevert = (data: Hex): string => {
  const d = decodeRevert(data);
  return d ? `${d.errorName}(${d.args.map(String).join(", ")})` : data;
};

/** Sends `c` from `privateKey` and waits for the receipt; a revert throws with the decoded error. */
export async function write(chain: Chain, privateKey: Hex, c: Call, gas = 1_500_000n): Promise<Receipt> {
  const sender = new TxSender(chain, privateKey);
  let hash: Hex;
  try {
    hash = await sender.send({ to: c.to, data: encodeCall(c), gas });
  } catch (e) {
    const data = revertData(e);
    throw data ? new Error(`${c.functionName} reverted: ${describeRevert(data)}`, { cause: e }) : e;
  }
  const receipt = await waitForReceipt(chain, hash);
  if (receipt.status !== "success") throw new Error(`${c.functionName} reverted (${hash})`);
  return receipt;
}

/** Simulates `c` from `from` with eth_call at the latest block and returns the decoded revert; fails if it does not revert. */
export async function revertOf(chain: Chain, from: Hex, c: Call): Promise<DecodedRevert> {
  let data: Hex | undefined;
  try {
    await chain.request("eth_call", [{ from, to: c.to, data: encodeCall(c), gas: numberToHex(5_000_000) }, "latest"]);
  } catch (e) {
    data = revertData(e);
    if (!data) throw e;
  }
  if (data === undefined) throw new Error(`expected ${c.functionName} to revert, but it succeeded`);
  const decoded = decodeRevert(data);
  if (!decoded) throw new Error(`${c.functionName} reverted with undecodable data ${data}`);
  return decoded;
}

/** Hex strings compared case-insensitively (checksummed addresses vs. lower-case ones). */
function norm(v: unknown): unknown {
  if (typeof v === "string" && v.startsWith("0x")) return v.toLowerCase();
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

/** Asserts that `c`, sent from `from`, reverts with custom error `errorName` and exactly `args`. */
export async function expectRevert(chain: Chain, from: Hex, c: Call, errorName: string, args: readonly unknown[] = []): Promise<void> {
  const got = await revertOf(chain, from, c);
  expect({ errorName: got.errorName, args: norm([...got.args]) }).toEqual({ errorName, args: norm([...args]) });
}

/** Decodes revert data (a SettleFailed reason, say) and asserts its error and arguments. */
export function expectReason(data: Hex, errorName: string, args: readonly unknown[] = []): void {
  const got = decodeRevert(data);
  expect(got && { errorName: got.errorName, args: norm([...got.args]) }).toEqual({ errorName, args: norm([...args]) });
}

// ---------------------------------------------------------------- chain time

export async function latestTimestamp(chain: Chain): Promise<bigint> {
  const b = await chain.request<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
  return BigInt(b.timestamp);
}

/** Mines an empty block stamped exactly `timestamp`. */
export async function mineAt(chain: Chain, timestamp: bigint): Promise<void> {
  await chain.request("evm_setNextBlockTimestamp", [toHex(timestamp)]);
  await chain.request("evm_mine", []);
}

// ---------------------------------------------------------------- fixture

export type ChainName = "us" | "uk";
/** A chain's deployment with the fixture's two tokens known to exist. */
export type FixtureDeployment = Omit<ChainDeployment, "tokens" | "home"> & { home: Currency; tokens: Record<Currency, Hex> };

/** A booted corridor with the deployer (admin) also holding every issuer role on every token. */
export interface Fixture {
  /** The booted corridor, with its attester keys as a raw signer. */
  c: BootedCorridor & { attesters: AttesterSet };
  seed: string;
  chain: Record<ChainName, Chain>;
  dep: Record<ChainName, FixtureDeployment>;
  admin: KeyPair;
  relayer: KeyPair;
  close(): Promise<void>;
}

const ISSUER_ROLES = ["MINTER_ROLE", "BURNER_ROLE", "PAUSER_ROLE", "FREEZER_ROLE"];

let fixtureCount = 0;

export async function corridorFixture(opts: { seed?: string; issuerRoles?: boolean } = {}): Promise<Fixture> {
  const seed = opts.seed ?? `fixture-${process.pid}-${fixtureCount++}`;
  const c = await bootCorridor({ seed });
  const chain = { us: c.chains.us!, uk: c.chains.uk! };
  const dep = { us: c.deployment.chains.us! as FixtureDeployment, uk: c.deployment.chains.uk! as FixtureDeployment };
  const admin: KeyPair = testKeyPair(seed, "deployer");
  const relayer: KeyPair = testKeyPair(seed, "relayer");
  if (opts.issuerRoles ?? true) {
    for (const n of ["us", "uk"] as const) {
      for (const cur of ["USD", "GBP"] as const) {
        for (const r of ISSUER_ROLES) await write(chain[n], admin.privateKey, tok(dep[n].tokens[cur], "grantRole", role(r), admin.address));
      }
    }
  }
  return { c: { ...c, attesters: new AttesterSet(c.keys.attesters, c.attesters.threshold) }, seed, chain, dep, admin, relayer, close: () => c.close() };
}

/** A new EOA with gas money on both chains. */
export async function actor(f: Fixture, name: string): Promise<KeyPair> {
  const k = testKeyPair(f.seed, name);
  await Promise.all([fundNative(f.chain.us, [k.address]), fundNative(f.chain.uk, [k.address])]);
  return k;
}

export const balanceOf = (f: Fixture, n: ChainName, cur: Currency, who: Hex): Promise<bigint> =>
  read<bigint>(f.chain[n], tok(f.dep[n].tokens[cur], "balanceOf", who));

export const totalSupply = (f: Fixture, n: ChainName, cur: Currency): Promise<bigint> => read<bigint>(f.chain[n], tok(f.dep[n].tokens[cur], "totalSupply"));

export const gatewayView = <T = unknown>(f: Fixture, n: ChainName, fn: string, ...args: unknown[]): Promise<T> => read<T>(f.chain[n], gw(f.dep[n].gateway, fn, ...args));

/** The issuer (admin) mints `amount` of `cur` on chain `n` to `to`. */
export async function mint(f: Fixture, n: ChainName, cur: Currency, to: Hex, amount: bigint): Promise<void> {
  await write(f.chain[n], f.admin.privateKey, tok(f.dep[n].tokens[cur], "mint", to, amount));
}

export async function adminWrite(f: Fixture, n: ChainName, c: Call): Promise<Receipt> {
  return write(f.chain[n], f.admin.privateKey, c);
}

/** A liquidity provider deposits `amount` of `cur` into the gateway on `n` (minted to it first). */
export async function provideLiquidity(f: Fixture, n: ChainName, cur: Currency, amount: bigint, lpName = "lp"): Promise<KeyPair> {
  const lp = await actor(f, lpName);
  await mint(f, n, cur, lp.address, amount);
  await write(f.chain[n], lp.privateKey, tok(f.dep[n].tokens[cur], "approve", f.dep[n].gateway, amount));
  await write(f.chain[n], lp.privateKey, gw(f.dep[n].gateway, "deposit", f.dep[n].tokens[cur], amount));
  return lp;
}

// ---------------------------------------------------------------- fee module stub

/**
 * Deploys a minimal IFeeModule whose quoteFee returns amount * bps / 10_000 (rounded down),
 * written directly in EVM bytecode because contracts/ has no fee module to deploy:
 *   PUSH2 10000, PUSH2 bps, PUSH1 0x64, CALLDATALOAD (the `amount` argument), MUL, DIV,
 *   PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN
 */
export async function deployFeeModule(f: Fixture, n: ChainName, bps: number): Promise<Hex> {
  if (!Number.isInteger(bps) || bps < 0 || bps > 0xffff) throw new Error(`bps out of range: ${bps}`);
  const runtime = `0x61271061${toHex(bps, { size: 2 }).slice(2)}606435020460005260206000f3`;
  const len = toHex((runtime.length - 2) / 2, { size: 1 }).slice(2);
  // init code: CODECOPY the runtime (which starts at byte 12) to memory 0 and RETURN it
  const init = `0x60${len}600c60003960${len}6000f3`;
  const sender = new TxSender(f.chain[n], f.admin.privateKey);
  const hash = await sender.send({ data: concat([init as Hex, runtime as Hex]), gas: 200_000n });
  const r = await waitForReceipt(f.chain[n], hash);
  const tx = await f.chain[n].request<{ contractAddress: Hex }>("eth_getTransactionReceipt", [r.transactionHash]);
  await adminWrite(f, n, gw(f.dep[n].gateway, "setFeeModule", tx.contractAddress));
  return tx.contractAddress;
}

// ---------------------------------------------------------------- corridor flows

const other = (n: ChainName): ChainName => (n === "us" ? "uk" : "us");

export interface TransferOptions {
  from?: ChainName;
  input?: Currency;
  output?: Currency;
  amount: bigint;
  recipient?: Hex;
  maxFee?: bigint;
  minAmountOut?: bigint;
  deadline?: bigint;
  tier?: number;
  /** A quote to lock at send (NO_QUOTE by default). */
  quote?: LockedQuote;
}

/** SendParams for a transfer from chain `from` (default us) to the other chain. */
export async function sendParams(f: Fixture, o: TransferOptions & { recipient: Hex }): Promise<SendParams> {
  const src = o.from ?? "us";
  const input = o.input ?? f.dep[src].home;
  return {
    inputToken: f.dep[src].tokens[input],
    dstChainId: BigInt(f.dep[other(src)].chainId),
    outputToken: f.dep[other(src)].tokens[o.output ?? input],
    recipient: o.recipient,
    amount: o.amount,
    maxFee: o.maxFee ?? o.amount,
    minAmountOut: o.minAmountOut ?? 0n,
    deadline: o.deadline ?? (await latestTimestamp(f.chain[src])) + 3600n,
    tier: o.tier ?? TIER.standard,
    extraHash: zeroHash,
    quote: o.quote ?? NO_QUOTE,
  };
}

export interface SentTransfer {
  id: Hex;
  message: Message;
  receipt: Receipt;
}

/** Mints `amount` to `sender` on the source, approves the gateway and sends; returns the emitted message. */
export async function sendTransfer(f: Fixture, sender: KeyPair, o: TransferOptions): Promise<SentTransfer> {
  const src = o.from ?? "us";
  const p = await sendParams(f, { ...o, recipient: o.recipient ?? sender.address });
  await mint(f, src, o.input ?? f.dep[src].home, sender.address, o.amount);
  await write(f.chain[src], sender.privateKey, tok(p.inputToken, "approve", f.dep[src].gateway, o.amount));
  const receipt = await write(f.chain[src], sender.privateKey, gw(f.dep[src].gateway, "send", p));
  const ev = decodeGatewayLogs(receipt.logs).find((e) => e.name === "TransferSent");
  if (!ev || ev.name !== "TransferSent") throw new Error("no TransferSent event");
  return { id: ev.id, message: ev.message, receipt };
}

let craftedNonce = 1_000_000n;

/**
 * A message as the source gateway on `from` (default us) would emit it, built here without a
 * send: the destination trusts only the attesters' signatures, so it is enough for settle tests.
 * Defaults: burn-and-mint of the source's home currency, 100 units, fee 0, deadline in an hour,
 * no locked quote, sent at the source's latest block time.
 */
export async function craftMessage(f: Fixture, o: Partial<Message> & { from?: ChainName; input?: Currency; output?: Currency } = {}): Promise<Message> {
  const src = o.from ?? "us";
  const dst = other(src);
  const input = o.input ?? f.dep[src].home;
  const output = o.output ?? input;
  const { from: _f, input: _i, output: _o, ...fields } = o;
  return {
    srcChainId: BigInt(f.dep[src].chainId),
    srcGateway: f.dep[src].gateway,
    dstChainId: BigInt(f.dep[dst].chainId),
    dstGateway: f.dep[dst].gateway,
    nonce: craftedNonce++,
    sender: testKeyPair(f.seed, "crafted-sender").address,
    recipient: testKeyPair(f.seed, "crafted-recipient").address,
    inputToken: f.dep[src].tokens[input],
    outputToken: f.dep[dst].tokens[output],
    amount: 100_000_000n,
    fee: 0n,
    minAmountOut: 0n,
    deadline: (await latestTimestamp(f.chain[dst])) + 3600n,
    tier: TIER.standard,
    mode: input === output ? MODE.burnMint : MODE.lockRelease,
    extraHash: zeroHash,
    quoteHash: zeroHash,
    sentAt: await latestTimestamp(f.chain[src]),
    ...fields,
  };
}

/** The chain a message settles on, and the one it was sent from. */
const dstOf = (f: Fixture, m: Message): ChainName => (Number(m.dstChainId) === f.dep.us.chainId ? "us" : "uk");
const srcOf = (f: Fixture, m: Message): ChainName => (Number(m.srcChainId) === f.dep.us.chainId ? "us" : "uk");

/**
 * How a settlement is submitted: whether the attesters saw the source final (default true, so a Fast
 * transfer takes nothing from the Fast allowance; it must match what they signed), the locked quote and
 * its quoter signature (none by default), and `on`, which gateway is called (default the destination).
 */
export interface SettleOptions {
  sourceFinal?: boolean;
  quote?: LockedQuote;
  quoteSignature?: Hex;
  on?: ChainName;
}

/** The SettleItem struct for `m` at `rate` (the attesters' signatures travel beside the items). */
export const settleItem = (m: Message, rate: bigint, o: SettleOptions = {}): SettleItem => ({
  message: m,
  rate,
  sourceFinal: o.sourceFinal ?? true,
  quote: o.quote ?? NO_QUOTE,
  quoteSignature: o.quoteSignature ?? "0x",
});

/** settle(item, sigs) on the destination gateway (`o.on` overrides which gateway is called). */
export const settleCall = (f: Fixture, m: Message, rate: bigint, sigs: Hex[], o: SettleOptions = {}): Call =>
  gw(f.dep[o.on ?? dstOf(f, m)].gateway, "settle", settleItem(m, rate, o), sigs);
/** settleBatch(items, sigs) on the gateway of chain `n` (sigs over SettleBatch(items), see `signSettleBatch`). */
export const settleBatchCall = (f: Fixture, n: ChainName, items: SettleItem[], sigs: Hex[]): Call => gw(f.dep[n].gateway, "settleBatch", items, sigs);
/** refundBatch(items, sigs) on the gateway of chain `n`. */
export const refundBatchCall = (f: Fixture, n: ChainName, items: { message: Message; reason: number }[], sigs: Hex[]): Call => gw(f.dep[n].gateway, "refundBatch", items, sigs);
/** finalizeBatch(messages, sigs) on the gateway of chain `n`. */
export const finalizeBatchCall = (f: Fixture, n: ChainName, messages: Message[], sigs: Hex[]): Call => gw(f.dep[n].gateway, "finalizeBatch", messages, sigs);
export const refundCall = (f: Fixture, m: Message, reason: number, sigs: Hex[], on = srcOf(f, m)): Call => gw(f.dep[on].gateway, "refund", m, reason, sigs);
export const finalizeCall = (f: Fixture, m: Message, sigs: Hex[], on = srcOf(f, m)): Call => gw(f.dep[on].gateway, "finalize", m, sigs);

/** The relayer submits `c` on chain `n`. */
export const relay = (f: Fixture, n: ChainName, c: Call): Promise<Receipt> => write(f.chain[n], f.relayer.privateKey, c, 3_000_000n);
/** Asserts that `c`, submitted by the relayer on chain `n`, reverts with `errorName(args)`. */
export const expectRelayRevert = (f: Fixture, n: ChainName, c: Call, errorName: string, args: readonly unknown[] = []): Promise<void> =>
  expectRevert(f.chain[n], f.relayer.address, c, errorName, args);

/** The corridor's attesters sign Settle(m, rate, sourceFinal) (sourceFinal defaults to true). */
export const signSettle = (f: Fixture, m: Message, rate = RATE_SCALE, sourceFinal = true): Promise<Hex[]> => f.c.attesters.signSettle(m, rate, sourceFinal);
/** The corridor's attesters sign SettleBatch(items) (one attestation for the whole batch). */
export const signSettleBatch = (f: Fixture, items: SettleItem[], signer: AttesterSet = f.c.attesters): Promise<Hex[]> => signer.signSettleBatch(items);

/** Attesters sign and the relayer settles `m` at `rate` on its destination (source final unless `o.sourceFinal` is false). */
export async function settle(f: Fixture, m: Message, rate = RATE_SCALE, o: Omit<SettleOptions, "on"> = {}): Promise<Receipt> {
  const sigs = await signSettle(f, m, rate, o.sourceFinal ?? true);
  return relay(f, dstOf(f, m), settleCall(f, m, rate, sigs, o));
}
export async function refund(f: Fixture, m: Message, reason = 0): Promise<Receipt> {
  return relay(f, srcOf(f, m), refundCall(f, m, reason, await f.c.attesters.signRefund(m, reason)));
}
export async function finalize(f: Fixture, m: Message): Promise<Receipt> {
  return relay(f, srcOf(f, m), finalizeCall(f, m, await f.c.attesters.signFinalize(m)));
}

/** creditFastAllowance(ids, sigs) on the gateway of chain `n`. */
export const creditCall = (f: Fixture, n: ChainName, ids: Hex[], sigs: Hex[]): Call => gw(f.dep[n].gateway, "creditFastAllowance", ids, sigs);

/** The attesters sign Finality(ids) for the gateway on `n` (the destination that lent the Fast allowance). */
export const signFinality = (f: Fixture, n: ChainName, ids: Hex[], signer: AttesterSet = f.c.attesters): Promise<Hex[]> =>
  signer.signFinality(BigInt(f.dep[n].chainId), f.dep[n].gateway, ids);

// ---------------------------------------------------------------- FX quotes

let quoteSeq = 0;

/**
 * A firm quote for `sender` on the route from `from` (default us) to the other chain, input the source's
 * home currency, output `output` (default GBP from us): rate 0.79, up to 1_000 units, valid for 10 minutes.
 */
export async function makeQuote(
  f: Fixture,
  sender: Hex,
  o: Partial<LockedQuote> & { from?: ChainName; input?: Currency; output?: Currency } = {},
): Promise<LockedQuote> {
  const src = o.from ?? "us";
  const dst = other(src);
  const input = o.input ?? f.dep[src].home;
  const output = o.output ?? f.dep[dst].home;
  const { from: _f, input: _i, output: _o, ...fields } = o;
  return {
    quoteId: keccak256(toHex(`${f.seed}/quote/${quoteSeq++}`)),
    sender,
    srcChainId: BigInt(f.dep[src].chainId),
    dstChainId: BigInt(f.dep[dst].chainId),
    inputToken: f.dep[src].tokens[input],
    outputToken: f.dep[dst].tokens[output],
    rate: 790_000_000_000_000_000n,
    maxAmountIn: 1_000_000_000n,
    expiresAt: (await latestTimestamp(f.chain[src])) + 600n,
    ...fields,
  };
}

/** `privateKey` signs `q` (EIP-712 Quote) in the domain of the destination gateway, as a quoter does. */
export async function signQuote(f: Fixture, q: LockedQuote, privateKey: Hex): Promise<Hex> {
  const dst: ChainName = Number(q.dstChainId) === f.dep.us.chainId ? "us" : "uk";
  const hash = hashTypedData({ domain: gatewayDomain(q.dstChainId, f.dep[dst].gateway), types: QUOTE_TYPES, primaryType: "Quote", message: q });
  return serializeSignature(await sign({ hash, privateKey }));
}

/** Attesters that the gateways have never heard of. */
export const rogueAttesters = (f: Fixture, count = 3, threshold = 2): AttesterSet =>
  new AttesterSet(Array.from({ length: count }, (_, i) => testKeyPair(f.seed, "rogue", i).privateKey), threshold);

/** The address ecrecover yields for `signature` over `digest` (what a gateway sees for a tampered message). */
export const recovered = (digest: Hex, signature: Hex): Promise<Hex> => recoverAddress({ hash: digest, signature });

export { hashQuote, idOf, MODE, NO_QUOTE, RATE_SCALE, TIER };
