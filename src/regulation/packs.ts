/**
 * Regulatory parameter packs: each a typed, cited, dated set of the rules that govern a stablecoin's
 * issuer, in one place. A scenario's `regulation.packs` says which packs govern which coin (by the
 * currency the spec names it); `regimeOf` combines the packs of one coin into the regime in force.
 *
 * Amounts are whole units of the coin the pack governs (a pack for a UK regime is in pounds sterling,
 * one for a US regime in dollars): a pack applies only to a coin issued in its jurisdiction (the home
 * chain's jurisdiction in the spec), so the unit is never ambiguous. Where a figure is uncertain, its
 * `note` says so; the same citations are in README.md ("Regulation packs").
 */
import { CorridorError } from "../domain/errors.js";
import { onDemand, type AssetClass } from "./reserves.js";

/** A parameter with its legal source and the date of that source. */
export interface Cited<T> {
  value: T;
  /** Document and paragraph or section. */
  source: string;
  /** Date of the source, ISO 8601. */
  date: string;
  /** Uncertainty, assumptions, what the model leaves out. */
  note?: string;
}

/** The rules one pack sets; a pack sets only some of them. */
export interface PackRules {
  /** The most a single stablecoin may have outstanding (whole units of the coin). */
  issuanceGuardrail?: Cited<number>;
  /** The reserve mix the issuer holds, shares of outstanding supply by asset class (sums to 1). */
  backing?: Cited<Partial<Record<AssetClass, number>>>;
  /** The least share of reserves held in on-demand deposits (a floor any mix in force must meet). */
  onDemandFloor?: Cited<number>;
  /** Most a holder may hold of the coin (whole units), by kind of holder. */
  holdingLimits?: Cited<{ individual: number; business: number }>;
  /** Redemption at par (1 unit of the coin for 1 unit of fiat, no fee). */
  redemptionAtPar?: Cited<true>;
  /** When a redemption must be paid: by the end of the business day after the request. */
  redemptionDeadline?: Cited<"endOfNextBusinessDay">;
  /** How the backing assets are safeguarded. */
  safeguarding?: Cited<string>;
  /** Reserve assets the issuer may hold. */
  permittedAssets?: Cited<AssetClass[]>;
  /** Public disclosure of the reserve's composition. */
  reserveDisclosure?: Cited<"monthly">;
  /** The issuer must be able to freeze, seize and burn on a lawful order. */
  lawfulOrders?: Cited<{ freeze: true; seize: true; burn: true }>;
  /** Foreign issuers' regimes found comparable (a foreign coin is usable here only if its regime is). */
  comparableForeignRegimes?: Cited<PackId[]>;
}

export interface RegulationPack {
  id: PackId;
  title: string;
  authority: string;
  /** The spec jurisdiction whose issuers it governs. */
  jurisdiction: string;
  status: "statute" | "policy statement" | "consultation";
  /** Date of the document, ISO 8601. */
  date: string;
  rules: PackRules;
}

export const PACK_IDS = ["boe-2026", "boe-2025-proposal", "fca", "genius"] as const;
export type PackId = (typeof PACK_IDS)[number];

const BOE_PS = "Bank of England, Policy Statement and draft Code of Practice, regime for systemic stablecoins (22 June 2026)";
const BOE_CP = "Bank of England, Consultation Paper: proposed regulatory regime for sterling-denominated systemic stablecoins (10 November 2025)";
const FCA_CP = "FCA CP25/14, Stablecoin issuance and cryptoasset custody (28 May 2025)";
const GENIUS = "GENIUS Act (Guiding and Establishing National Innovation for U.S. Stablecoins Act), Pub. L. 119-27, signed 18 July 2025";

export const PACKS: Record<PackId, RegulationPack> = {
  "boe-2026": {
    id: "boe-2026",
    title: "Bank of England systemic stablecoin regime (policy statement)",
    authority: "Bank of England",
    jurisdiction: "UK",
    status: "policy statement",
    date: "2026-06-22",
    rules: {
      issuanceGuardrail: {
        value: 40_000_000_000,
        source: `${BOE_PS}: initial issuance guardrail of £40bn per systemic stablecoin issuer`,
        date: "2026-06-22",
        note: "Reviewed periodically and removable; modelled as a hard cap on the coin's outstanding supply. A scenario may scale it down (regulation.guardrailScale) to make it bite in a small run; the report says so.",
      },
      backing: {
        value: { govDebt: 0.7, centralBankDeposit: 0.3 },
        source: `${BOE_PS}: up to 70% of backing assets in short-term UK government debt, the rest (at least 30%) unremunerated deposits at the Bank of England`,
        date: "2026-06-22",
        note: "The issuer is modelled holding the most the rule allows in gilts (70%). Central bank liquidity arrangements to monetise gilts in stress are not modelled.",
      },
      redemptionAtPar: { value: true, source: `${BOE_PS}: redemption at par`, date: "2026-06-22" },
    },
  },
  "boe-2025-proposal": {
    id: "boe-2025-proposal",
    title: "Bank of England systemic stablecoin regime (November 2025 proposal)",
    authority: "Bank of England",
    jurisdiction: "UK",
    status: "consultation",
    date: "2025-11-10",
    rules: {
      holdingLimits: {
        value: { individual: 20_000, business: 10_000_000 },
        source: `${BOE_CP}: temporary holding limits of £20,000 per individual and £10m per business, per systemic stablecoin`,
        date: "2025-11-10",
        note: "Proposed, then dropped in the June 2026 policy statement. Exemptions (larger businesses' operational needs, the Digital Securities Sandbox) are not modelled: the simulation's senders and recipients are individuals, liquidity providers businesses.",
      },
      backing: {
        value: { govDebt: 0.6, centralBankDeposit: 0.4 },
        source: `${BOE_CP}: up to 60% of backing assets in short-term UK government debt, at least 40% unremunerated deposits at the Bank of England`,
        date: "2025-11-10",
        note: "The proposal's transitional allowance (up to 95% in government debt for issuers systemic at launch or moving from the FCA regime) is not modelled.",
      },
      redemptionAtPar: { value: true, source: `${BOE_CP}: redemption at par`, date: "2025-11-10" },
    },
  },
  fca: {
    id: "fca",
    title: "FCA regime for UK qualifying stablecoin issuers",
    authority: "Financial Conduct Authority",
    jurisdiction: "UK",
    status: "consultation",
    date: "2025-05-28",
    rules: {
      redemptionAtPar: { value: true, source: `${FCA_CP}: stablecoins redeemable at par`, date: "2025-05-28" },
      redemptionDeadline: {
        value: "endOfNextBusinessDay",
        source: `${FCA_CP}: a redemption request paid by the end of the business day after it is received (T+1)`,
        date: "2025-05-28",
        note: "Consultation figures; the final rules may differ. Business days here are Monday to Friday in UTC: bank holidays are not modelled.",
      },
      safeguarding: { value: "statutory trust over the backing assets, in favour of holders", source: `${FCA_CP}: statutory trust over backing assets`, date: "2025-05-28" },
      onDemandFloor: {
        value: 0.05,
        source: `${FCA_CP}: at least 5% of backing assets as on-demand deposits`,
        date: "2025-05-28",
        note: "Alone (a non-systemic issuer), the issuer is modelled holding the floor in bank deposits and the rest in short-term government debt; the Backing Asset Composition Ratio is not modelled.",
      },
    },
  },
  genius: {
    id: "genius",
    title: "US GENIUS Act (payment stablecoins)",
    authority: "US Congress (OCC, Federal Reserve and state regulators supervise)",
    jurisdiction: "US",
    status: "statute",
    date: "2025-07-18",
    rules: {
      permittedAssets: {
        value: ["cash", "bankDeposit", "centralBankDeposit", "govDebt", "reverseRepo"],
        source: `${GENIUS}, §4(a)(1)(A): reserves at least 1:1 in coins and currency, demand deposits, central bank balances, Treasury bills, notes or bonds with at most 93 days to maturity, overnight repo and reverse repo backed by them, and money market funds of those`,
        date: "2025-07-18",
        note: "Money market funds are modelled by what they hold (short-term government debt and repo).",
      },
      backing: {
        value: { bankDeposit: 0.15, govDebt: 0.55, reverseRepo: 0.3 },
        source: "ASSUMPTION: an issuer's choice within the permitted assets, roughly the composition large dollar issuers publish (about 15% cash at banks, the rest in T-bills and overnight repo)",
        date: "2025-07-18",
        note: "The Act sets which assets, not their mix.",
      },
      redemptionAtPar: {
        value: true,
        source: `${GENIUS}, §4(a)(1)(B): published redemption policy and timely redemption at par`,
        date: "2025-07-18",
        note: "The Act asks for timely redemption and sets no fixed deadline: none is checked.",
      },
      reserveDisclosure: { value: "monthly", source: `${GENIUS}, §4(a)(1)(C): monthly publication of the reserve's composition, examined by a registered public accounting firm`, date: "2025-07-18" },
      lawfulOrders: {
        value: { freeze: true, seize: true, burn: true },
        source: `${GENIUS}, §4(a)(6): the technological ability to seize, freeze, burn or prevent the transfer of payment stablecoins on a lawful order`,
        date: "2025-07-18",
        note: "Section numbers as we read the enacted text; check against it before relying on them.",
      },
      comparableForeignRegimes: {
        value: [],
        source: `${GENIUS}, §18: a foreign issuer's coin is usable in the US only if the Treasury finds its home regime comparable`,
        date: "2025-07-18",
        note: "No determination is modelled as made: a foreign coin on a US chain is reported as not yet usable under the Act (the run does not stop it).",
      },
    },
  },
};

/** The rules in force for one coin: every rule any of its packs sets, with the pack that set it. */
export interface Regime {
  packs: RegulationPack[];
  rules: PackRules;
  /** Which pack set each rule. */
  from: Partial<Record<keyof PackRules, PackId>>;
}

export const RegulationErrorCode = { Invalid: "CORRIDOR_REGULATION_INVALID" } as const;

/**
 * Combines packs into one regime. Two packs may set the same rule only to the same value
 * (redemption at par); otherwise CORRIDOR_REGULATION_INVALID names both (e.g. two backing mixes).
 */
export function regimeOf(ids: readonly PackId[]): Regime {
  const rules: PackRules = {};
  const from: Regime["from"] = {};
  for (const id of ids) {
    for (const [key, rule] of Object.entries(PACKS[id].rules) as [keyof PackRules, Cited<unknown>][]) {
      const had = rules[key] as Cited<unknown> | undefined;
      if (had && JSON.stringify(had.value) !== JSON.stringify(rule.value)) {
        throw new CorridorError(RegulationErrorCode.Invalid, `packs ${from[key]} and ${id} both set ${key}, differently: choose one`, { rule: key, packs: [from[key], id] });
      }
      if (!had) {
        (rules as Record<string, unknown>)[key] = rule;
        from[key] = id;
      }
    }
  }
  const mix = backingMix(rules);
  const floor = rules.onDemandFloor?.value;
  if (floor !== undefined && onDemandShare(mix) < floor) {
    throw new CorridorError(RegulationErrorCode.Invalid, `the backing mix of ${from.backing} holds ${onDemandShare(mix)} on demand, below ${from.onDemandFloor}'s floor of ${floor}`, { packs: ids });
  }
  return { packs: ids.map((id) => PACKS[id]), rules, from };
}

/** The mix the issuer holds: the regime's backing, else its on-demand floor in bank deposits and the rest in government debt, else all in bank deposits. */
export function backingMix(rules: PackRules): Partial<Record<AssetClass, number>> {
  if (rules.backing) return rules.backing.value;
  const floor = rules.onDemandFloor?.value;
  return floor === undefined ? { bankDeposit: 1 } : { bankDeposit: floor, govDebt: 1 - floor };
}

/** The share of a mix that pays on demand. */
export const onDemandShare = (mix: Partial<Record<AssetClass, number>>): number =>
  (Object.entries(mix) as [AssetClass, number][]).reduce((s, [c, share]) => s + (onDemand(c) ? share : 0), 0);
