/**
 * The chains, currencies and jurisdictions Corridor knows by name. This file and `spec.ts` are the
 * only places in `src/` that name a chain or a currency: everything else reads a `CorridorSpec`.
 * A scenario or live config may use these names as they are, override any field, or declare
 * chains, currencies and jurisdictions of its own (see `resolveSpec`).
 */
import { seriesMid } from "../data/fx-series.js";
import type { ChainInput, CurrencyInput, JurisdictionInput } from "./spec.js";

/** The currency amounts are valued in for the G20 targets, gas costs and workload sizes. */
export const NUMERAIRE = "USD";

/**
 * Chain ids are distinct so that an attestation bound to one chain cannot be replayed on another.
 * `hardhat.config.ts` declares one embedded network per entry.
 */
export const PRESET_CHAINS: Record<string, Required<Omit<ChainInput, "profile">>> = {
  us: { chainId: 31_001, home: "USD", jurisdiction: "US" },
  uk: { chainId: 31_002, home: "GBP", jurisdiction: "UK" },
  eu: { chainId: 31_003, home: "EUR", jurisdiction: "EU" },
};

/** The corridor the tool was built for, used when a scenario or `corridor up` names no chains. */
export const DEFAULT_CHAIN_NAMES: readonly string[] = ["us", "uk"];

/**
 * Currencies: display, and the FX model's defaults against the numeraire (`mid`: units per one
 * USD; `annualVol` and `meanReversionPerYear` for the Ornstein-Uhlenbeck model; `series`: the
 * monthly history in data/ for historical replay, if any; `dailySeries`: the daily one, replayed at
 * its real pace). A currency with a shipped series takes
 * its mid from the series' last month (seriesMid), with that figure's source and date: the mids
 * are data (data/manifest.json), never written here.
 */
export const PRESET_CURRENCIES: Record<string, CurrencyInput> = {
  USD: { symbol: "$", word: "dollar", mid: 1, annualVol: 0, meanReversionPerYear: 0 },
  /** Fed H.10 monthly average (data/fx-gbp-per-usd-monthly.csv). */
  GBP: { symbol: "£", word: "pound", ...seriesMid("fx-gbp-per-usd-monthly.csv"), dailySeries: "fx-gbp-per-usd-daily.csv", annualVol: 0.08, meanReversionPerYear: 2 },
  /**
   * Fed H.10 monthly average (data/fx-eur-per-usd-monthly.csv); it also converts the UK's and the
   * EU's EUR travel-rule thresholds. ASSUMPTION: an annual volatility of 7% (EUR/USD's long-run
   * implied volatility is 6-8%).
   */
  EUR: { symbol: "€", word: "euro", ...seriesMid("fx-eur-per-usd-monthly.csv"), dailySeries: "fx-eur-per-usd-daily.csv", annualVol: 0.07, meanReversionPerYear: 2 },
};

/**
 * Jurisdictions: the country code IVMS101 and pacs.008 carry for a party there, and the travel rule:
 * the threshold at or above which a transfer to or from there must carry full originator and
 * beneficiary data, and what it needs below that (`belowThreshold`). Screening applies the rules of
 * both sides' jurisdictions, the stricter where they differ.
 */
export const PRESET_JURISDICTIONS: Record<string, JurisdictionInput> = {
  /** FinCEN 31 CFR 1010.410(f): USD 3,000. */
  US: { country: "US", travelRule: { amount: 3000, currency: "USD", basis: "FinCEN 31 CFR 1010.410(f)" } },
  /**
   * The Money Laundering Regulations 2017, Part 7A (cryptoasset transfers, regs. 64A-64O, inserted by
   * SI 2022/860, in force 1 September 2023): at or above EUR 1,000 the full originator and beneficiary
   * information (reg. 64C); below it, still the originator's and beneficiary's names (and account
   * numbers), which the beneficiary's business checks (regs. 64D-64I). The UK applies this to every
   * cryptoasset transfer, where the EU's TFR has no threshold and the US's is USD 3,000.
   */
  UK: {
    country: "GB",
    travelRule: {
      amount: 1000,
      currency: "EUR",
      basis: "MLR 2017 Part 7A reg. 64C (EUR 1,000 and above: full information)",
      belowThreshold: { requires: "names", basis: "MLR 2017 Part 7A reg. 64C (below EUR 1,000: originator and beneficiary names)" },
    },
  },
  /**
   * Regulation (EU) 2023/1113 (Transfer of Funds Regulation): crypto-asset transfers between
   * providers carry the data whatever the amount. ASSUMPTION: an EU party's country is DE.
   */
  EU: { country: "DE", travelRule: { amount: 0, currency: "EUR", basis: "Regulation (EU) 2023/1113 art. 14 (no threshold)" } },
};

/**
 * The bank rails of each currency's on-ramp (payer's bank to the issuer) and off-ramp (issuer to the
 * payee's bank) in the end-to-end G20 scorecard, by default: the currency's high-value RTGS system
 * (data/bank-rails.json has their hours and holiday calendars). A scenario's `ramps` section may
 * choose others, such as the instant rails `fednow` and `faster-payments`.
 */
export const PRESET_RAMP_RAILS: Record<string, { onRamp: string; offRamp: string }> = {
  USD: { onRamp: "fedwire", offRamp: "fedwire" },
  GBP: { onRamp: "chaps", offRamp: "chaps" },
  EUR: { onRamp: "t2", offRamp: "t2" },
};
