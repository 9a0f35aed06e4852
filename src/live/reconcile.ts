import { decodeFunctionData, type Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { Deployment } from "../contracts/deploy.js";
import { decodeGatewayLogs, gatewayAbi, tokenAbi, type SettleItem } from "../contracts/gateway.js";
import { amountOut, hashQuote, idOf, MODE, RATE_SCALE, ZERO_HASH, type Message } from "../domain/message.js";

export interface RouteBooks {
  route: string;
  sent: bigint;
  settled: bigint;
  refunded: bigint;
  inFlight: bigint;
  fees: bigint;
  ok: boolean;
}

export interface Discrepancy {
  kind: string;
  detail: string;
  transfers: Hex[];
}

export interface Reconciliation {
  ok: boolean;
  routes: RouteBooks[];
  tokens: { chain: string; token: string; check: string; expected: bigint; actual: bigint; ok: boolean }[];
  /** Settlements whose payout was recomputed; those with a locked quote whose rate was checked against it, and those whose settle call could not be read (not a direct settle/settleBatch call). */
  settlements: { checked: number; quotesChecked: number; quotesUnreadable: Hex[] };
  discrepancies: Discrepancy[];
}

export interface ReconcileOptions {
  /** Seconds past a message's deadline (destination block time) before an unsettled, unrefunded transfer is flagged (default 120). */
  deadlineGraceSeconds?: number;
}

/** A TransferSettled event as emitted, with where it was found. */
interface SettledEvent {
  id: Hex;
  chain: string;
  transactionHash: Hex;
  recipient: Hex;
  outputToken: Hex;
  amountOut: bigint;
  fee: bigint;
  rate: bigint;
}

interface Seen {
  message: Message;
  srcChain: string;
  settled: number;
  refunded: number;
  finalized: number;
}

export const DEFAULT_DEADLINE_GRACE_SECONDS = 120;

/**
 * The corridor's books from the chains alone: every gateway event since deployment on every chain.
 * Per route, value in = value out + refunds + in flight (fees are part of value out), each transfer
 * settled or refunded at most once and never both; per chain and token, the gateway holds exactly
 * its escrow plus its liquidity, and the escrow equals what the events leave in flight; across chains,
 * each token's supply fell by exactly what is burned and not yet minted or refunded.
 *
 * Also flagged, each with its own code: transfers still in flight past their deadline plus a grace
 * (IN_FLIGHT_PAST_DEADLINE, by the destination's latest block time); settlements that paid other than
 * the message at the rate the settlement carries (PAYOUT_MISMATCH) or, for a transfer with a locked
 * quote, at a rate other than that quote's as read from the settle transaction's input
 * (QUOTE_RATE_MISMATCH); a source escrow finalized for an id never settled (FINALIZED_UNSETTLED); an
 * id both settled and refunded (SETTLED_AND_REFUNDED).
 */
export async function reconcile(chains: Record<string, Chain>, deployment: Deployment, fromBlocks: Record<string, number> = {}, opts: ReconcileOptions = {}): Promise<Reconciliation> {
  const seen = new Map<Hex, Seen>();
  const orphans: Discrepancy[] = [];
  const pendingOther: { name: string; id: Hex }[] = [];
  const settledEvents: SettledEvent[] = [];
  const now: Record<string, bigint> = {};
  for (const [name, chain] of Object.entries(chains)) {
    const d = deployment.chains[name]!;
    const from = fromBlocks[name] ?? (d as { startBlock?: number }).startBlock ?? 0;
    // The head's time first: anything in the logs read next was mined at or before it.
    now[name] = BigInt((await chain.request<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false])).timestamp);
    const logs = await chain.request<{ topics: Hex[]; data: Hex; blockNumber: Hex; transactionHash: Hex }[]>("eth_getLogs", [{ address: d.gateway, fromBlock: `0x${from.toString(16)}`, toBlock: "latest" }]);
    for (const ev of decodeGatewayLogs(logs)) {
      if (ev.name === "TransferSent") seen.set(ev.id, { message: ev.message, srcChain: name, settled: 0, refunded: 0, finalized: 0 });
      else if (ev.name === "TransferSettled" || ev.name === "TransferRefunded" || ev.name === "TransferFinalized") pendingOther.push({ name: ev.name, id: ev.id });
      if (ev.name === "TransferSettled")
        settledEvents.push({ id: ev.id, chain: name, transactionHash: ev.log.transactionHash, recipient: ev.recipient, outputToken: ev.outputToken, amountOut: ev.amountOut, fee: ev.fee, rate: ev.rate });
    }
  }
  for (const e of pendingOther) {
    const s = seen.get(e.id);
    if (!s) {
      orphans.push({ kind: "NO_SEND", detail: `${e.name} for an id never sent through a known gateway`, transfers: [e.id] });
      continue;
    }
    if (e.name === "TransferSettled") s.settled++;
    if (e.name === "TransferRefunded") s.refunded++;
    if (e.name === "TransferFinalized") s.finalized++;
  }
  const discrepancies = [...orphans];
  const byKind = (kind: string, pred: (s: Seen) => boolean, detail: string) => {
    const ids = [...seen].filter(([, s]) => pred(s)).map(([id]) => id);
    if (ids.length) discrepancies.push({ kind, detail, transfers: ids });
  };
  byKind("SETTLED_TWICE", (s) => s.settled > 1, "settled more than once");
  byKind("REFUNDED_TWICE", (s) => s.refunded > 1, "refunded more than once");
  byKind("SETTLED_AND_REFUNDED", (s) => s.settled > 0 && s.refunded > 0, "both settled and refunded");
  byKind("FINALIZED_UNSETTLED", (s) => s.finalized > 0 && s.settled === 0, "source escrow released without a settlement");

  const nameOfChainId = new Map(Object.entries(deployment.chains).map(([n, d]) => [BigInt(d.chainId), n]));
  const grace = BigInt(opts.deadlineGraceSeconds ?? DEFAULT_DEADLINE_GRACE_SECONDS);
  byKind(
    "IN_FLIGHT_PAST_DEADLINE",
    (s) => {
      const dst = nameOfChainId.get(s.message.dstChainId);
      return s.settled === 0 && s.refunded === 0 && dst !== undefined && now[dst] !== undefined && now[dst]! > s.message.deadline + grace;
    },
    `sent, neither settled nor refunded, and the destination's block time is more than ${grace} s past the deadline`,
  );

  const settlements = await checkSettlements(chains, settledEvents, seen, nameOfChainId);
  discrepancies.push(...settlements.discrepancies);
  const currencyOf = (chain: string, token: Hex) => (Object.entries(deployment.chains[chain]!.tokens).find(([, a]) => a.toLowerCase() === token.toLowerCase())?.[0] ?? "?");
  const routes = new Map<string, RouteBooks>();
  const escrowExpected: Record<string, bigint> = {};
  const supplyInFlight: Record<string, bigint> = {};
  for (const s of seen.values()) {
    const m = s.message;
    const dst = nameOfChainId.get(m.dstChainId) ?? String(m.dstChainId);
    const inC = currencyOf(s.srcChain, m.inputToken);
    const key = `${s.srcChain}:${inC}->${dst}:${currencyOf(dst, m.outputToken)}`;
    const r = routes.get(key) ?? { route: key, sent: 0n, settled: 0n, refunded: 0n, inFlight: 0n, fees: 0n, ok: true };
    r.sent += m.amount;
    if (s.settled > 0 && s.refunded === 0) {
      r.settled += m.amount;
      r.fees += m.fee;
    } else if (s.refunded > 0 && s.settled === 0) r.refunded += m.amount;
    else if (s.settled === 0 && s.refunded === 0) r.inFlight += m.amount;
    routes.set(key, r);
    if (m.mode === MODE.lockRelease && s.refunded === 0 && s.finalized === 0) {
      const k = `${s.srcChain}:${inC}`;
      escrowExpected[k] = (escrowExpected[k] ?? 0n) + m.amount;
    }
    if (m.mode === MODE.burnMint && s.settled === 0 && s.refunded === 0) supplyInFlight[inC] = (supplyInFlight[inC] ?? 0n) + m.amount;
  }
  for (const r of routes.values()) r.ok = r.sent === r.settled + r.refunded + r.inFlight;

  const tokens: Reconciliation["tokens"] = [];
  for (const [name, chain] of Object.entries(chains)) {
    const d = deployment.chains[name]!;
    for (const [cur, token] of Object.entries(d.tokens) as [string, Hex][]) {
      const read = (abi: ReturnType<typeof gatewayAbi>, address: Hex, fn: string, args: unknown[]) => chain.client.readContract({ address, abi, functionName: fn, args }) as Promise<bigint>;
      const [held, escrowed, liquidity] = await Promise.all([read(tokenAbi(), token, "balanceOf", [d.gateway]), read(gatewayAbi(), d.gateway, "escrowed", [token]), read(gatewayAbi(), d.gateway, "liquidity", [token])]);
      tokens.push({ chain: name, token: cur, check: "gateway balance = escrow + liquidity", expected: escrowed + liquidity, actual: held, ok: held === escrowed + liquidity });
      const exp = escrowExpected[`${name}:${cur}`] ?? 0n;
      tokens.push({ chain: name, token: cur, check: "escrow = cross-currency sends not refunded or finalized", expected: exp, actual: escrowed, ok: exp === escrowed });
    }
  }
  for (const r of routes.values()) if (!r.ok) discrepancies.push({ kind: "ROUTE_UNBALANCED", detail: `${r.route}: sent ${r.sent} != settled + refunded + in flight`, transfers: [] });
  for (const t of tokens) if (!t.ok) discrepancies.push({ kind: "TOKEN_BOOKS", detail: `${t.chain} ${t.token}: ${t.check}: expected ${t.expected}, found ${t.actual}`, transfers: [] });
  return { ok: discrepancies.length === 0, routes: [...routes.values()].sort((a, b) => a.route.localeCompare(b.route)), tokens, settlements: settlements.summary, discrepancies };
}

/**
 * Each settlement against its message: paid to the message's recipient in its output token, on its
 * destination, with its fee, exactly (amount - fee) * rate / 1e18 at the rate the event carries (1e18 for
 * burn-and-mint), at least the minimum the sender set; and, when the sender locked a quote, the settle
 * call's input carries that quote (its hash is the message's quoteHash) and the rate paid is the quote's.
 */
async function checkSettlements(chains: Record<string, Chain>, events: SettledEvent[], seen: Map<Hex, Seen>, nameOfChainId: Map<bigint, string>) {
  const payout: { id: Hex; why: string }[] = [];
  const quoted: { id: Hex; why: string }[] = [];
  const unreadable: Hex[] = [];
  let checked = 0;
  let quotesChecked = 0;
  const inputs = new Map<string, Promise<SettleItem[] | undefined>>();
  const settleItems = (chain: string, tx: Hex) => {
    const k = `${chain}:${tx}`;
    if (!inputs.has(k)) inputs.set(k, readSettleItems(chains[chain]!, tx));
    return inputs.get(k)!;
  };
  for (const ev of events) {
    const s = seen.get(ev.id);
    if (!s) continue; // NO_SEND already
    checked++;
    const m = s.message;
    const why: string[] = [];
    const dst = nameOfChainId.get(m.dstChainId);
    if (dst !== ev.chain) why.push(`settled on ${ev.chain}, addressed to ${dst ?? m.dstChainId}`);
    if (ev.recipient.toLowerCase() !== m.recipient.toLowerCase()) why.push(`paid ${ev.recipient}, not the recipient ${m.recipient}`);
    if (ev.outputToken.toLowerCase() !== m.outputToken.toLowerCase()) why.push(`paid in ${ev.outputToken}, not the output token ${m.outputToken}`);
    if (ev.fee !== m.fee) why.push(`fee ${ev.fee}, message fee ${m.fee}`);
    if (ev.rate === 0n || (m.mode === MODE.burnMint && ev.rate !== RATE_SCALE)) why.push(`rate ${ev.rate} not allowed for ${m.mode === MODE.burnMint ? "burn-and-mint (must be 1e18)" : "this route"}`);
    const expected = amountOut(m, ev.rate);
    if (ev.amountOut !== expected) why.push(`paid ${ev.amountOut}, (amount - fee) * rate / 1e18 = ${expected} at rate ${ev.rate}`);
    if (ev.amountOut < m.minAmountOut) why.push(`paid ${ev.amountOut}, below the sender's minimum ${m.minAmountOut}`);
    if (why.length) payout.push({ id: ev.id, why: why.join(", ") });

    if (m.quoteHash.toLowerCase() === ZERO_HASH) continue;
    const item = (await settleItems(ev.chain, ev.transactionHash))?.find((x) => idOf(x.message) === ev.id);
    if (!item) {
      unreadable.push(ev.id);
      continue;
    }
    quotesChecked++;
    const qWhy: string[] = [];
    if (hashQuote(item.quote).toLowerCase() !== m.quoteHash.toLowerCase()) qWhy.push(`the settlement carried a quote other than the locked one (hash ${hashQuote(item.quote)}, message ${m.quoteHash})`);
    else if (item.quote.rate !== ev.rate) qWhy.push(`paid at rate ${ev.rate}, the locked quote's rate is ${item.quote.rate}`);
    if (item.rate !== ev.rate) qWhy.push(`attested rate ${item.rate}, rate in the event ${ev.rate}`);
    if (qWhy.length) quoted.push({ id: ev.id, why: qWhy.join(", ") });
  }
  const discrepancies: Discrepancy[] = [];
  const group = (kind: string, what: string, xs: { id: Hex; why: string }[]) => {
    if (!xs.length) return;
    const shown = xs.slice(0, 3).map((x) => `${x.id.slice(0, 10)}…: ${x.why}`).join("; ");
    discrepancies.push({ kind, detail: `${xs.length} ${what}: ${shown}${xs.length > 3 ? "; …" : ""}`, transfers: xs.map((x) => x.id) });
  };
  group("PAYOUT_MISMATCH", "settlement(s) paid other than the message at the settlement's rate", payout);
  group("QUOTE_RATE_MISMATCH", "settlement(s) of a locked quote at another rate", quoted);
  return { discrepancies, summary: { checked, quotesChecked, quotesUnreadable: unreadable } };
}

/** The SettleItems of a direct settle or settleBatch call to a gateway (undefined for anything else, e.g. a call through another contract). */
async function readSettleItems(chain: Chain, tx: Hex): Promise<SettleItem[] | undefined> {
  const t = await chain.request<{ input: Hex } | null>("eth_getTransactionByHash", [tx]);
  if (!t) return undefined;
  try {
    const call = decodeFunctionData({ abi: gatewayAbi(), data: t.input });
    if (call.functionName === "settle") return [call.args![0] as SettleItem];
    if (call.functionName === "settleBatch") return [...(call.args![0] as readonly SettleItem[])];
  } catch {
    // not a gateway call
  }
  return undefined;
}
