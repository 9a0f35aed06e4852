import type { Currency } from "../domain/money.js";
import { MODE } from "../domain/message.js";
import type { TransferRecord } from "../domain/transfer.js";
import type { LedgerGroup, LedgerSnapshot } from "./ledger.js";

export interface ConservationLine {
  chain: string;
  token: Currency;
  holder: LedgerGroup;
  expected: bigint;
  actual: bigint;
  ok: boolean;
}

export interface SupplyLine {
  currency: Currency;
  burned: bigint;
  minted: bigint;
  refunded: bigint;
  inFlight: bigint;
  /** Minted on a destination against a send that a reorganisation of its source then removed (exposure). */
  unbacked: bigint;
  /** Sum over chains of the token's total supply change; must equal unbacked - inFlight. */
  supplyChange: bigint;
  ok: boolean;
}

/** A balance change outside the transfer records: an issuer's mint, a redemption, a seizure (src/regulation/issuer.ts). */
export interface LedgerFlow {
  chain: string;
  currency: Currency;
  group: LedgerGroup;
  /** Signed base units. */
  amount: bigint;
  /** `pool`: a liquidity provider's own deposit or withdrawal during the run (src/liquidity/providers.ts). */
  what: "mint" | "redeem" | "seize" | "pool";
}

/** What the issuers did to a coin, summed over chains. */
export interface IssuanceLine {
  currency: Currency;
  minted: bigint;
  redeemed: bigint;
  seized: bigint;
}

export interface ConservationReport {
  ok: boolean;
  lines: ConservationLine[];
  burnAndMint: SupplyLine[];
  issuance: IssuanceLine[];
}

const GROUPS: LedgerGroup[] = ["senders", "recipients", "gatewayBalance", "escrowed", "liquidity", "feeRecipient", "totalSupply"];

/**
 * Conservation, to the base unit: every on-chain balance change (senders, recipients, gateway
 * escrow and liquidity, fee recipients, token supply) must equal what the transfer records say
 * moved (sent, paid out, refunded, finalized, in flight); and for same-currency transfers what
 * was burned equals what was minted plus refunded plus in flight. `flows` are the issuers' mints,
 * redemptions and seizures: each moves its holder group and supply by what it says, so a mint (or a
 * burn) that is not among them leaves a line unbalanced.
 */
export function checkConservation(records: Iterable<TransferRecord>, before: LedgerSnapshot, after: LedgerSnapshot, flows: readonly LedgerFlow[] = []): ConservationReport {
  const expected: Record<string, Record<string, Record<string, bigint>>> = {};
  const add = (chain: string, cur: string, group: LedgerGroup, v: bigint) => {
    const c = (expected[chain] ??= {});
    const t = (c[cur] ??= {});
    t[group] = (t[group] ?? 0n) + v;
  };
  const supply: Record<string, Omit<SupplyLine, "supplyChange" | "ok">> = {};

  for (const r of records) {
    if (r.state === "dropped") continue; // its send was reorganised away: nothing moved anywhere
    const m = r.message;
    const S = r.srcChain;
    const D = r.dstChain;
    const inC = r.inputCurrency;
    const outC = r.outputCurrency;
    const refunded = r.state === "refunded";
    const settled = r.state === "settled";
    // Paid out on the destination while the source lost its send in a reorg: only the destination side happened.
    const backed = !(settled && r.sourceReorgedAt !== undefined);
    const source = (group: LedgerGroup, v: bigint) => backed && add(S, inC, group, v);
    source("senders", -m.amount);
    if (refunded) source("senders", m.amount);
    if (settled) add(D, outC, "recipients", r.amountOut!);
    if (m.mode === MODE.burnMint) {
      const s = (supply[inC] ??= { currency: inC, burned: 0n, minted: 0n, refunded: 0n, inFlight: 0n, unbacked: 0n });
      if (backed) s.burned += m.amount;
      source("totalSupply", -m.amount);
      if (refunded) {
        source("totalSupply", m.amount);
        s.refunded += m.amount;
      } else if (settled) {
        add(D, outC, "totalSupply", r.amountOut! + m.fee);
        add(D, outC, "feeRecipient", m.fee);
        s.minted += r.amountOut! + m.fee;
        if (!backed) s.unbacked += r.amountOut! + m.fee;
      } else s.inFlight += m.amount;
    } else {
      source("escrowed", m.amount);
      source("gatewayBalance", m.amount);
      if (refunded) {
        source("escrowed", -m.amount);
        source("gatewayBalance", -m.amount);
      }
      if (settled) {
        add(D, outC, "liquidity", -r.amountOut!);
        add(D, outC, "gatewayBalance", -r.amountOut!);
      }
      if (r.finalized) {
        source("escrowed", -m.amount);
        source("liquidity", m.amount - m.fee);
        source("gatewayBalance", -m.fee);
        source("feeRecipient", m.fee);
      }
    }
  }

  const issued: Record<string, bigint> = {};
  const issuance: Record<string, IssuanceLine> = {};
  for (const f of flows) {
    add(f.chain, f.currency, f.group, f.amount);
    const line = (issuance[f.currency] ??= { currency: f.currency, minted: 0n, redeemed: 0n, seized: 0n });
    if (f.group === "totalSupply") {
      issued[f.currency] = (issued[f.currency] ?? 0n) + f.amount;
      if (f.what === "mint") line.minted += f.amount;
      else line.redeemed -= f.amount;
    } else if (f.what === "seize") line.seized -= f.amount;
  }

  const lines: ConservationLine[] = [];
  for (const [chain, tokens] of Object.entries(after.balances)) {
    for (const [cur, groups] of Object.entries(tokens) as [Currency, Record<LedgerGroup, bigint>][]) {
      for (const g of GROUPS) {
        const actual = groups[g] - before.balances[chain]![cur]![g];
        const exp = expected[chain]?.[cur]?.[g] ?? 0n;
        lines.push({ chain, token: cur, holder: g, expected: exp, actual, ok: exp === actual });
      }
    }
  }
  const burnAndMint: SupplyLine[] = Object.values(supply).map((s) => {
    const supplyChange = Object.keys(after.balances).reduce(
      (sum, chain) => sum + after.balances[chain]![s.currency]!.totalSupply - before.balances[chain]![s.currency]!.totalSupply,
      0n,
    );
    // Lock-and-release moves no supply, so the only supply change across chains is what is burned and not yet minted or
    // refunded, plus what was minted against a send a reorg removed (unbacked), plus what the issuer minted less what it burned.
    const ok = s.burned + s.unbacked === s.minted + s.refunded + s.inFlight && supplyChange === s.unbacked - s.inFlight + (issued[s.currency] ?? 0n);
    return { ...s, supplyChange, ok };
  });
  return { ok: lines.every((l) => l.ok) && burnAndMint.every((s) => s.ok), lines, burnAndMint, issuance: Object.values(issuance) };
}
