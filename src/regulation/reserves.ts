/**
 * An issuer's reserve ledger: the assets behind its coin's supply, by class, in base units of the
 * coin. Minting adds reserves in the regime's mix; a redemption is paid from the classes in order of
 * liquidity (on-demand deposits first, then sales of assets that settle a business day later, at most
 * a given amount of each class per business day). Pure: the clock and the amounts come in as arguments.
 */
import { addBusinessDays, receiptDay, settlementTime } from "./calendar.js";

/**
 * Reserve asset classes, in the order a redemption draws on them, with the business days a sale takes
 * to pay: deposits pay at once; UK gilts and US Treasuries settle T+1 (the markets' standard
 * settlement cycle), and overnight reverse repo matures the next business day.
 */
export const ASSET_CLASSES = {
  centralBankDeposit: { label: "central bank deposits", settlementDays: 0 },
  bankDeposit: { label: "demand deposits at banks", settlementDays: 0 },
  cash: { label: "coins and currency", settlementDays: 0 },
  reverseRepo: { label: "overnight reverse repo", settlementDays: 1 },
  govDebt: { label: "short-term government debt", settlementDays: 1 },
} as const;
export type AssetClass = keyof typeof ASSET_CLASSES;
const ORDER = Object.keys(ASSET_CLASSES) as AssetClass[];

/** Classes that pay on demand (no sale to settle). */
export const onDemand = (c: AssetClass): boolean => ASSET_CLASSES[c].settlementDays === 0;

/** Shares in millionths, so that splitting base units stays exact integer arithmetic. */
const PPM = 1_000_000n;

/** One part of a redemption: paid from `assetClass` at `payAt` (unix seconds). */
export interface Tranche {
  assetClass: AssetClass;
  amount: bigint;
  payAt: number;
}

export class ReserveLedger {
  readonly holdings: Record<AssetClass, bigint>;
  private readonly mix: [AssetClass, bigint][];
  /** Per class, what may be sold per business day (unlimited when absent). */
  private readonly capacity = new Map<AssetClass, bigint>();
  /** Per class and sale day, what was sold. */
  private readonly sold = new Map<string, bigint>();

  constructor(mix: Partial<Record<AssetClass, number>>) {
    this.holdings = Object.fromEntries(ORDER.map((c) => [c, 0n])) as Record<AssetClass, bigint>;
    this.mix = ORDER.filter((c) => (mix[c] ?? 0) > 0).map((c) => [c, BigInt(Math.round(mix[c]! * 1e6))]);
    const sum = this.mix.reduce((s, [, ppm]) => s + ppm, 0n);
    if (sum !== PPM) throw new Error(`a reserve mix must sum to 1 (got ${Number(sum) / 1e6})`);
  }

  total(): bigint {
    return ORDER.reduce((s, c) => s + this.holdings[c], 0n);
  }

  /** Reserves for `amount` of new supply, in the mix (the rounding remainder to the last class, so the total is exact). */
  add(amount: bigint): void {
    let left = amount;
    this.mix.forEach(([c, ppm], i) => {
      const part = i === this.mix.length - 1 ? left : (amount * ppm) / PPM; // rounds down; the last class takes the rest
      this.holdings[c] += part;
      left -= part;
    });
  }

  /** From now on at most `share` of each class's current holding can be sold per business day (a market's depth). */
  limitSales(share: number): void {
    for (const c of ORDER) if (!onDemand(c)) this.capacity.set(c, (this.holdings[c] * BigInt(Math.round(share * 1e6))) / PPM);
  }

  /**
   * Pays `amount` for a request at `t`: on-demand classes at once, then sales from the next classes,
   * day by day within their daily capacity, each paying when it settles. `unpaid` is what the reserves
   * could not cover at all (never, while reserves are at least supply).
   */
  redeem(amount: bigint, t: number): { tranches: Tranche[]; unpaid: bigint } {
    const tranches: Tranche[] = [];
    let left = amount;
    for (const c of ORDER) {
      if (left === 0n) break;
      const { settlementDays } = ASSET_CLASSES[c];
      if (settlementDays === 0) {
        const take = min(left, this.holdings[c]);
        if (take > 0n) tranches.push({ assetClass: c, amount: take, payAt: t });
        this.holdings[c] -= take;
        left -= take;
        continue;
      }
      for (let saleDay = receiptDay(t); left > 0n && this.holdings[c] > 0n; saleDay = addBusinessDays(saleDay, 1)) {
        const key = `${c}/${saleDay}`;
        const cap = this.capacity.get(c);
        const room = cap === undefined ? this.holdings[c] : cap - (this.sold.get(key) ?? 0n);
        if (cap === 0n) break; // nothing of this class can ever be sold
        const take = min(left, this.holdings[c], room);
        if (take <= 0n) continue;
        this.sold.set(key, (this.sold.get(key) ?? 0n) + take);
        tranches.push({ assetClass: c, amount: take, payAt: settlementTime(addBusinessDays(saleDay, settlementDays)) });
        this.holdings[c] -= take;
        left -= take;
      }
    }
    return { tranches, unpaid: left };
  }
}

const min = (...xs: bigint[]): bigint => xs.reduce((a, b) => (b < a ? b : a));
