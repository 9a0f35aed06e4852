import type { Hex } from "viem";
import type { Chain } from "../chains/chain.js";
import type { Currency, Deployment } from "../contracts/deploy.js";
import { decodeGatewayLogs, gatewayAbi, tokenAbi } from "../contracts/gateway.js";
import { MODE, type Message } from "../domain/message.js";

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
  tokens: { chain: string; token: Currency; check: string; expected: bigint; actual: bigint; ok: boolean }[];
  discrepancies: Discrepancy[];
}

interface Seen {
  message: Message;
  srcChain: string;
  settled: number;
  refunded: number;
  finalized: number;
}

/**
 * The corridor's books from the chains alone: every gateway event since deployment on both chains.
 * Per route, value in = value out + refunds + in flight (fees are part of value out), each transfer
 * settled or refunded at most once and never both; per chain and token, the gateway holds exactly
 * its escrow plus its liquidity, and the escrow equals what the events leave in flight; across chains,
 * each token's supply fell by exactly what is burned and not yet minted or refunded.
 */
export async function reconcile(chains: Record<string, Chain>, deployment: Deployment, fromBlocks: Record<string, number> = {}): Promise<Reconciliation> {
  const seen = new Map<Hex, Seen>();
  const orphans: Discrepancy[] = [];
  const pendingOther: { name: string; id: Hex }[] = [];
  for (const [name, chain] of Object.entries(chains)) {
    const d = deployment.chains[name]!;
    const from = fromBlocks[name] ?? (d as { startBlock?: number }).startBlock ?? 0;
    const logs = await chain.request<{ topics: Hex[]; data: Hex; blockNumber: Hex; transactionHash: Hex }[]>("eth_getLogs", [{ address: d.gateway, fromBlock: `0x${from.toString(16)}`, toBlock: "latest" }]);
    for (const ev of decodeGatewayLogs(logs)) {
      if (ev.name === "TransferSent") seen.set(ev.id, { message: ev.message, srcChain: name, settled: 0, refunded: 0, finalized: 0 });
      else if (ev.name === "TransferSettled" || ev.name === "TransferRefunded" || ev.name === "TransferFinalized") pendingOther.push({ name: ev.name, id: ev.id });
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
  const currencyOf = (chain: string, token: Hex) => (Object.entries(deployment.chains[chain]!.tokens).find(([, a]) => a.toLowerCase() === token.toLowerCase())?.[0] ?? "?") as Currency;
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
    for (const [cur, token] of Object.entries(d.tokens) as [Currency, Hex][]) {
      const read = (abi: ReturnType<typeof gatewayAbi>, address: Hex, fn: string, args: unknown[]) => chain.client.readContract({ address, abi, functionName: fn, args }) as Promise<bigint>;
      const [held, escrowed, liquidity] = await Promise.all([read(tokenAbi(), token, "balanceOf", [d.gateway]), read(gatewayAbi(), d.gateway, "escrowed", [token]), read(gatewayAbi(), d.gateway, "liquidity", [token])]);
      tokens.push({ chain: name, token: cur, check: "gateway balance = escrow + liquidity", expected: escrowed + liquidity, actual: held, ok: held === escrowed + liquidity });
      const exp = escrowExpected[`${name}:${cur}`] ?? 0n;
      tokens.push({ chain: name, token: cur, check: "escrow = cross-currency sends not refunded or finalized", expected: exp, actual: escrowed, ok: exp === escrowed });
    }
  }
  for (const r of routes.values()) if (!r.ok) discrepancies.push({ kind: "ROUTE_UNBALANCED", detail: `${r.route}: sent ${r.sent} != settled + refunded + in flight`, transfers: [] });
  for (const t of tokens) if (!t.ok) discrepancies.push({ kind: "TOKEN_BOOKS", detail: `${t.chain} ${t.token}: ${t.check}: expected ${t.expected}, found ${t.actual}`, transfers: [] });
  return { ok: discrepancies.length === 0, routes: [...routes.values()].sort((a, b) => a.route.localeCompare(b.route)), tokens, discrepancies };
}
