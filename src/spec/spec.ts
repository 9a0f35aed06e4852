/**
 * The corridor spec: which chains exist (by name, each with its chain id, timing profile, home
 * currency and jurisdiction), which stablecoins they carry, which routes join them, and the FX
 * pairs that price one currency in another. It is the only place chain names, chain ids and
 * currencies are declared; scenarios, live configs, the deployer, the operator, the simulator and
 * the dashboard all read it. Adding a chain is one entry in `chains` (and, for a new currency or
 * jurisdiction, one entry in `currencies` or `jurisdictions`).
 *
 * Every chain carries every token of the spec: its home currency natively (lock-and-release), the
 * others as burn-and-mint representations. Routes join every ordered pair of chains: each token to
 * the same token (burn-and-mint), and the source's home currency to the destination's home
 * currency (lock-and-release with FX) when they differ.
 */
import { z } from "zod";
import { CorridorError } from "../domain/errors.js";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import { DEFAULT_CHAIN_NAMES, NUMERAIRE, PRESET_CHAINS, PRESET_CURRENCIES, PRESET_JURISDICTIONS } from "./presets.js";

export const SpecErrorCode = { Invalid: "CORRIDOR_SPEC_INVALID" } as const;
/** Chains one corridor may have: each is a node (or an embedded chain) to run, and routes grow with the square of their number. */
export const MAX_CHAINS = 16;

export const CurrencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'expected a three-letter ISO 4217 code such as "EUR"');
export const ChainNameSchema = z.string().regex(/^[a-z][a-z0-9]{0,15}$/, 'expected a chain name of lowercase letters and digits, such as "eu"');
export const JurisdictionIdSchema = z.string().regex(/^[A-Z]{2,8}$/, 'expected a jurisdiction id in capitals, such as "EU"');

export const ChainInputSchema = z.object({
  chainId: z.number().int().min(1).max(2 ** 32).optional(),
  profile: z.string().optional(),
  home: CurrencyCodeSchema.optional(),
  jurisdiction: JurisdictionIdSchema.optional(),
});
export type ChainInput = z.infer<typeof ChainInputSchema>;

export const CurrencyInputSchema = z
  .object({
    symbol: z.string().min(1).max(4).optional(),
    word: z.string().min(1).max(32).optional(),
    /** Units per one numeraire unit (the FX model's mean). */
    mid: z.number().positive().max(1_000_000).optional(),
    annualVol: z.number().nonnegative().max(5).optional(),
    meanReversionPerYear: z.number().nonnegative().max(1000).optional(),
    /** A monthly series in data/ for historical replay. */
    series: z.string().optional(),
    /** A daily series in data/ for historical replay at the real pace (fx.pace "real"). */
    dailySeries: z.string().optional(),
    /** Where the mid comes from (a data set and its date), for the audit trail and reports. */
    source: z.string().max(300).optional(),
  })
  .strict();
export type CurrencyInput = z.infer<typeof CurrencyInputSchema>;

const ThresholdSchema = z
  .object({
    amount: z.number().nonnegative().max(1e12),
    currency: CurrencyCodeSchema,
    basis: z.string().optional(),
    /** Below the threshold: the originator's and beneficiary's names are still required (the UK). */
    belowThreshold: z.object({ requires: z.literal("names"), basis: z.string().optional() }).strict().optional(),
  })
  .strict();
export const JurisdictionInputSchema = z
  .object({
    /** ISO 3166-1 alpha-2 country of a party there (IVMS101, pacs.008). */
    country: z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 country code such as DE").optional(),
    /** Travel rule: at or above this amount a transfer to or from there must carry IVMS101 data (below it, names where `belowThreshold` says so); null for none. */
    travelRule: ThresholdSchema.nullable().optional(),
  })
  .strict();
export type JurisdictionInput = z.infer<typeof JurisdictionInputSchema>;

export const CorridorSpecInputSchema = z.object({
  chains: z.record(ChainNameSchema, ChainInputSchema).optional(),
  currencies: z.record(CurrencyCodeSchema, CurrencyInputSchema).optional(),
  jurisdictions: z.record(JurisdictionIdSchema, JurisdictionInputSchema).optional(),
});
export type CorridorSpecInput = z.input<typeof CorridorSpecInputSchema>;

export interface ChainSpec {
  name: string;
  chainId: number;
  profile: string;
  home: string;
  jurisdiction: string;
}

export interface CurrencySpec {
  code: string;
  symbol: string;
  word: string;
  /** Units per one numeraire unit (fixed rate, and the OU model's mean). */
  mid: number;
  annualVol: number;
  meanReversionPerYear: number;
  series?: string;
  dailySeries?: string;
  /** Where the mid comes from, if from data. */
  source?: string;
}

export interface Threshold {
  amount: number;
  currency: string;
  basis?: string;
  belowThreshold?: { requires: "names"; basis?: string };
}

export interface JurisdictionSpec {
  id: string;
  country: string;
  travelRule: Threshold | null;
}

/** One way across the corridor: a source chain and input currency to a destination chain and output currency. */
export interface Route {
  from: string;
  to: string;
  input: string;
  output: string;
  /** "us:USD->uk:GBP". */
  key: string;
  /** Burn-and-mint (same currency) or lock-and-release (home to home, with FX). */
  mode: "burnMint" | "lockRelease";
}

export interface CorridorSpec {
  /** The unit amounts are valued in for targets and reports. */
  numeraire: string;
  /** In declaration order. */
  chains: Record<string, ChainSpec>;
  /** Every currency the spec prices: the numeraire, the tokens, any travel-rule threshold's and any declared in the input. */
  currencies: Record<string, CurrencySpec>;
  jurisdictions: Record<string, JurisdictionSpec>;
  /** The stablecoins every chain carries: the chains' home currencies, in order of first appearance. */
  tokens: string[];
  routes: Route[];
}

function invalid(message: string, path: (string | number)[]): never {
  throw new CorridorError(SpecErrorCode.Invalid, `${path.join(".")}: ${message}`, { path });
}

/** Problems with a spec input, as zod issues (paths relative to the input). Empty when it resolves. */
export function specIssues(input: CorridorSpecInput): z.IssueData[] {
  try {
    resolveSpec(input);
    return [];
  } catch (e) {
    if (e instanceof CorridorError && e.code === SpecErrorCode.Invalid) {
      const path = (e.details as { path: (string | number)[] }).path;
      return [{ code: z.ZodIssueCode.custom, path, message: e.message.slice(path.join(".").length + 2) }];
    }
    throw e;
  }
}

/**
 * A whole spec from an input: chains named in the presets take their preset fields unless given;
 * others must give chainId, home and jurisdiction. Currencies and jurisdictions likewise.
 * Throws CORRIDOR_SPEC_INVALID naming the field.
 */
export function resolveSpec(input: CorridorSpecInput = {}): CorridorSpec {
  const chainInputs: Record<string, ChainInput> = input.chains ?? Object.fromEntries(DEFAULT_CHAIN_NAMES.map((n) => [n, {}]));
  const names = Object.keys(chainInputs);
  if (names.length < 2) invalid("a corridor needs at least two chains", ["chains"]);
  if (names.length > MAX_CHAINS) invalid(`at most ${MAX_CHAINS} chains (each is a node to run; found ${names.length})`, ["chains"]);
  const chains: Record<string, ChainSpec> = {};
  const ids = new Map<number, string>();
  for (const name of names) {
    const given = chainInputs[name]!;
    const preset = PRESET_CHAINS[name];
    const chainId = given.chainId ?? preset?.chainId;
    const home = given.home ?? preset?.home;
    const jurisdiction = given.jurisdiction ?? preset?.jurisdiction;
    const profile = given.profile ?? "local";
    if (chainId === undefined) invalid(`chain "${name}" is not a preset (${Object.keys(PRESET_CHAINS).join(", ")}): give its chainId`, ["chains", name, "chainId"]);
    if (home === undefined) invalid(`chain "${name}" is not a preset: give its home currency`, ["chains", name, "home"]);
    if (jurisdiction === undefined) invalid(`chain "${name}" is not a preset: give its jurisdiction`, ["chains", name, "jurisdiction"]);
    if (!(profile in CHAIN_PROFILES)) invalid(`unknown chain profile "${profile}"; expected one of ${Object.keys(CHAIN_PROFILES).join(", ")}`, ["chains", name, "profile"]);
    const clash = ids.get(chainId);
    if (clash) invalid(`chain id ${chainId} is also ${clash}'s: chain ids must differ (an attestation for one chain must not verify on another)`, ["chains", name, "chainId"]);
    ids.set(chainId, name);
    chains[name] = { name, chainId, profile, home, jurisdiction };
  }

  const jurisdictions: Record<string, JurisdictionSpec> = {};
  for (const id of new Set(Object.values(chains).map((c) => c.jurisdiction))) {
    const given = { ...PRESET_JURISDICTIONS[id], ...input.jurisdictions?.[id] };
    if (!PRESET_JURISDICTIONS[id] && !input.jurisdictions?.[id]) {
      invalid(`jurisdiction "${id}" is not a preset (${Object.keys(PRESET_JURISDICTIONS).join(", ")}): declare it under jurisdictions`, ["jurisdictions", id]);
    }
    if (given.country === undefined) invalid(`give jurisdiction "${id}"'s country`, ["jurisdictions", id, "country"]);
    jurisdictions[id] = { id, country: given.country, travelRule: given.travelRule ?? null };
  }

  const tokens = [...new Set(Object.values(chains).map((c) => c.home))];
  const priced = new Set([NUMERAIRE, ...tokens, ...Object.keys(input.currencies ?? {})]);
  for (const j of Object.values(jurisdictions)) if (j.travelRule) priced.add(j.travelRule.currency);
  const currencies: Record<string, CurrencySpec> = {};
  for (const code of priced) {
    const preset = PRESET_CURRENCIES[code];
    const given = { ...preset, ...input.currencies?.[code] };
    if (given.mid === undefined) invalid(`currency ${code} is not a preset (${Object.keys(PRESET_CURRENCIES).join(", ")}): give its mid (${code} per ${NUMERAIRE})`, ["currencies", code, "mid"]);
    if (code === NUMERAIRE && given.mid !== 1) invalid(`${NUMERAIRE} is the numeraire: its mid is 1`, ["currencies", code, "mid"]);
    currencies[code] = {
      code,
      symbol: given.symbol ?? code,
      word: given.word ?? code,
      mid: given.mid,
      annualVol: given.annualVol ?? 0.08,
      meanReversionPerYear: given.meanReversionPerYear ?? 2,
      ...(given.series ? { series: given.series } : {}),
      ...(given.dailySeries ? { dailySeries: given.dailySeries } : {}),
      // A mid given by the input is not the preset's: its source goes with the preset's mid.
      ...(given.source && (input.currencies?.[code]?.mid === undefined || input.currencies[code]?.source) ? { source: given.source } : {}),
    };
  }

  const routes: Route[] = [];
  for (const from of names) {
    for (const to of names) {
      if (from === to) continue;
      for (const cur of tokens) routes.push(route(from, to, cur, cur, "burnMint"));
      const a = chains[from]!.home;
      const b = chains[to]!.home;
      if (a !== b) routes.push(route(from, to, a, b, "lockRelease"));
    }
  }
  return { numeraire: NUMERAIRE, chains, currencies, jurisdictions, tokens, routes };
}

const route = (from: string, to: string, input: string, output: string, mode: Route["mode"]): Route => ({ from, to, input, output, mode, key: routeKey(from, input, to, output) });

/** "us:USD->uk:GBP". */
export const routeKey = (from: string, input: string, to: string, output: string): string => `${from}:${input}->${to}:${output}`;

/** The spec's chain names, in declaration order. */
export const chainNames = (spec: CorridorSpec): string[] => Object.keys(spec.chains);

/** A chain of the spec, or CORRIDOR_SPEC_INVALID naming the known ones. */
export function chainOf(spec: CorridorSpec, name: string): ChainSpec {
  const c = spec.chains[name];
  if (!c) throw new CorridorError(SpecErrorCode.Invalid, `unknown chain "${name}"; this corridor has ${chainNames(spec).join(", ")}`, { name });
  return c;
}

/** The route from `from` in `input` to `to` in `output`, if the corridor has one. */
export function findRoute(spec: CorridorSpec, from: string, to: string, input: string, output: string): Route | undefined {
  return spec.routes.find((r) => r.from === from && r.to === to && r.input === input && r.output === output);
}

/** The jurisdiction a chain sits in. */
export const jurisdictionOf = (spec: CorridorSpec, chain: string): JurisdictionSpec => spec.jurisdictions[chainOf(spec, chain).jurisdiction]!;

/** "$", "£", or the code for a currency without a symbol. */
export const symbolOf = (spec: CorridorSpec, currency: string): string => spec.currencies[currency]?.symbol ?? currency;

/** Each currency's mid per numeraire unit (the numeraire left out): the spec's fixed rates. */
export const midsOf = (spec: CorridorSpec): Record<string, number> =>
  Object.fromEntries(Object.values(spec.currencies).filter((c) => c.code !== spec.numeraire).map((c) => [c.code, c.mid]));

/** The default corridor (the preset chains the tool was built for). */
export const defaultSpec = (): CorridorSpec => resolveSpec({});
