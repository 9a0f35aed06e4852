import { readFileSync } from "node:fs";
import { z } from "zod";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import { CorridorError } from "../domain/errors.js";
import { FeeScheduleSchema } from "../domain/fees.js";
import { BUILTIN_HOOKS, currenciesIn, defaultHookRegistry, HookSpecSchema } from "../domain/compliance/registry.js";
import { DEFAULT_CHAIN_NAMES } from "../spec/presets.js";
import {
  ChainInputSchema,
  ChainNameSchema,
  CurrencyCodeSchema,
  CurrencyInputSchema,
  findRoute,
  JurisdictionIdSchema,
  JurisdictionInputSchema,
  resolveSpec,
  specIssues,
  type CorridorSpec,
} from "../spec/spec.js";
import { FaultsSchema } from "./faults.js";
import { NettingSchema, providerIssues, ProvidersSchema, RebalancingSchema } from "../liquidity/schema.js";
import { rampIssues, RampsSchema } from "../measure/end-to-end.js";
import { CapitalSchema } from "../sizing/capital.js";
import { PACK_IDS, PACKS, regimeOf, type PackId } from "../regulation/packs.js";

/**
 * Bounds that keep a scenario inside what the chains and the engine can run. A value past them is
 * almost surely a typo (an extra few zeros), and would otherwise overflow a uint256 or a uint64
 * deadline on chain, or keep the engine mining blocks for years of simulated time.
 */
export const SCENARIO_LIMITS = {
  /** Liquidity and Fast allowances, whole units of a currency. */
  maxWholeUnits: 1_000_000_000_000_000,
  /** Transfer amounts (workload.amount), in the numeraire. */
  maxAmountUsd: 1_000_000_000_000,
  /** The arrival period, a transfer's deadline, and any fault's start, length or re-deposit delay: 31 days. */
  maxRunSeconds: 31 * 86_400,
  /** Modelled service latencies (screening, attestation, refund grace, resubmission): 7 days. */
  maxServiceSeconds: 7 * 86_400,
  /** Start times accepted (ISO 8601). */
  earliestStart: "1971-01-01T00:00:00Z",
  latestStart: "9999-12-31T23:59:59Z",
} as const;
const L = SCENARIO_LIMITS;

const positiveDecimal = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0, { message: "expected a positive decimal amount such as \"250.00\"" })
  .refine((v) => !/^\d+(\.\d+)?$/.test(v) || (v.split(".")[1]?.length ?? 0) <= 6, { message: "at most 6 decimals (the tokens' smallest unit)" })
  .refine((v) => !/^\d+(\.\d+)?$/.test(v) || Number(v) <= L.maxWholeUnits, { message: `at most ${L.maxWholeUnits.toLocaleString("en-US")} whole units` });
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a month YYYY-MM");
const runSeconds = z.number().positive().max(L.maxRunSeconds, `at most ${L.maxRunSeconds} seconds (31 days)`);
const serviceSeconds = z.number().nonnegative().max(L.maxServiceSeconds, `at most ${L.maxServiceSeconds} seconds (7 days)`);

/** A chain of the scenario: its spec entry (chainId, profile, home, jurisdiction; presets fill them in for known names), and how it is reached and priced. */
const ChainSchema = ChainInputSchema.extend({
    profile: z.string().default("local"),
    rpcUrl: z
      .string()
      .url()
      .refine((u) => /^(https?|wss?):\/\//i.test(u), { message: "expected an http(s) or ws(s) URL" })
      .optional(),
    /** Gas price in gwei for gas costs (default per profile: src/sim/gas.ts). */
    gasPriceGwei: z.number().nonnegative().max(1_000_000).optional(),
    /** Price of the chain's native token in the numeraire (default per profile). */
    nativeUsd: z.number().nonnegative().max(10_000_000).optional(),
  })
  .strict();
const allowance = z.union([z.literal("unlimited"), positiveDecimal]);
/** Route keys of fee schedules: "<from chain>:<currency>-><to chain>" (source chain, input currency, destination chain). */
const FEE_ROUTE_KEY = /^([a-z][a-z0-9]{0,15}):([A-Z]{3})->([a-z][a-z0-9]{0,15})$/;
/** Default Fast allowance per destination chain, whole units of its payouts. */
const DEFAULT_FAST_ALLOWANCE = "10000000";

const hexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address");

/**
 * Regulation (src/regulation/): which packs govern which coin, and the issuer's actions during the
 * run. A coin with packs has an issuer whose reserves back its supply in the regime's mix.
 */
const RegulationSchema = z
  .object({
    /** Packs by coin (a currency of the spec): one pack or a list, e.g. { "<code>": ["boe-2026", "fca"] } (read as a list). */
    packs: z
      .record(
        CurrencyCodeSchema,
        // Each name is checked against PACK_IDS below (regulationIssues), where the error can show it.
        z.union([z.string(), z.array(z.string()).min(1).max(PACK_IDS.length)]).transform((v) => (typeof v === "string" ? [v] : v) as PackId[]),
      )
      .default({}),
    /** Scales a coin's issuance guardrail down to make it bite in a small run (the report says so): 0 < scale <= 1. */
    guardrailScale: z.record(CurrencyCodeSchema, z.number().gt(0).max(1)).default({}),
    /** Mints the issuer is asked for during the run: to the `sender`-th sender of the coin's home chain (an individual), or its liquidity provider (a business). */
    mints: z
      .array(z.object({ at: z.number().nonnegative(), currency: CurrencyCodeSchema, amount: positiveDecimal, to: z.union([z.literal("lp"), z.object({ sender: z.number().int().nonnegative() }).strict()]) }).strict())
      .default([]),
    /** Lawful orders: at `at`, the issuer freezes `target` on every chain's token of the coin and seizes its balance to a recovery address. */
    orders: z.array(z.object({ at: z.number().nonnegative(), currency: CurrencyCodeSchema, target: z.union([z.literal("busiestRecipient"), hexAddress]), note: z.string().optional() }).strict()).default([]),
  })
  .strict()
  .default({});

/** A window of heavier traffic: arrivals in [at, at + durationSeconds) come `multiplier` times as fast. */
const BurstSchema = z
  .object({ at: z.number().nonnegative(), durationSeconds: runSeconds, multiplier: z.number().positive().max(1000) })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(""),
    seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(1),
    /** Virtual start time (ISO 8601); block timestamps start here. */
    startTime: z
      .string()
      .datetime({ offset: true })
      .refine((t) => Date.parse(t) >= Date.parse(L.earliestStart) && Date.parse(t) <= Date.parse(L.latestStart), { message: `expected a time from ${L.earliestStart} to ${L.latestStart}` })
      .default("2026-06-01T09:00:00Z"),
    /**
     * The corridor's chains by name (src/spec/): preset names need nothing more; others give
     * chainId, home currency and jurisdiction. Also each chain's profile and, for JSON-RPC chains,
     * its URL. Default: the two preset chains the tool was built for, instant and local.
     */
    chains: z.record(ChainNameSchema, ChainSchema).default(Object.fromEntries(DEFAULT_CHAIN_NAMES.map((n) => [n, {}]))),
    /** Currencies beyond the presets, or preset ones with other FX parameters (mid per numeraire unit, annualVol, meanReversionPerYear). */
    currencies: z.record(CurrencyCodeSchema, CurrencyInputSchema).optional(),
    /** Jurisdictions beyond the presets, or preset ones with another country or travel-rule threshold. */
    jurisdictions: z.record(JurisdictionIdSchema, JurisdictionInputSchema).optional(),
    operator: z
      .object({
        attesters: z.number().int().min(1).max(16).default(3),
        threshold: z.number().int().min(1).default(2),
        /** Modelled time to screen a confirmed transfer, seconds. */
        screeningSeconds: serviceSeconds.default(1),
        /** Modelled time to collect the attesters' signatures, seconds. */
        attestationSeconds: serviceSeconds.default(1),
        /**
         * Spread of the attestation time: each transfer's is attestationSeconds × e^(σ·Z), Z standard
         * normal drawn from the seed per transfer (a lognormal with median attestationSeconds); 0: no spread.
         */
        attestationSpread: z.number().nonnegative().max(3).default(0.75),
      })
      .strict()
      .default({}),
    relayer: z
      .object({
        maxBatch: z.number().int().min(1).max(500).default(50),
        /** Seconds after a transfer's deadline before the relayer asks for its refund. */
        refundGraceSeconds: serviceSeconds.default(0),
        /**
         * Seconds without a receipt before the relayer resubmits a batch. Embedded chains never drop a
         * transaction, so this only acts when a chain halts for longer; a short value makes the relayer
         * resubmit into the stalled mempool again and again (duplicates then fail as already processed).
         */
        resubmitAfterSeconds: serviceSeconds.refine((v) => v > 0, { message: "expected a number above 0" }).default(1800),
      })
      .strict()
      .default({}),
    /** Fee schedules: `default` for every route, overridden per route key "<from chain>:<currency>-><to chain>". */
    fees: z
      .object({
        default: FeeScheduleSchema.default({ fixed: 0, bps: 0, min: 0, max: 0 }),
        routes: z.record(z.string().regex(FEE_ROUTE_KEY, "route keys look like <from chain>:<currency>-><to chain>"), FeeScheduleSchema).default({}),
      })
      .strict()
      .default({}),
    fx: z
      .object({
        /**
         * fixed: each currency's constant mid (src/spec/presets.ts, or the scenario's `currencies`);
         * historical: replay of the monthly series in data/ for currencies that have one (the others
         * stay at their mid); ou: Ornstein-Uhlenbeck around each currency's mid, with its own volatility.
         */
        source: z.enum(["fixed", "historical", "ou"]).default("fixed"),
        /** Historical window mapped onto the run (months, inclusive), e.g. 2016-05 to 2016-07 for the Brexit vote. */
        window: z
          .object({ from: month, to: month })
          .strict()
          .refine((w) => w.from <= w.to, { message: "the window's end (to) is before its start (from)", path: ["to"] })
          .default({ from: "2025-06", to: "2026-06" }),
        /**
         * historical only. "real" (default): each currency's daily series (Fed H.10 in data/) replayed at
         * its own pace from `replayFrom`, bridged between days at its fitted volatility; "compressed":
         * the monthly `window` squeezed onto the run (months in minutes: a stress test, not a forecast).
         */
        pace: z.enum(["real", "compressed"]).default("real"),
        /** historical, real pace: the moment of history the run's start maps to (ISO 8601); default the run's startTime. */
        replayFrom: z
          .string()
          .refine((v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v) && Number.isFinite(Date.parse(v)), { message: "expected an ISO 8601 date or date-time, e.g. 2026-06-01T09:00:00Z" })
          .optional(),
        /** Markup against the customer in bps of the mid, per direction ("<input>-><output>", two currency codes) or default. */
        spreadBps: z
          .record(z.string().regex(/^(default|[A-Z]{3}->[A-Z]{3})$/, 'keys are "default" or a direction "<input>-><output>" of two currency codes'), z.number().min(0).max(9_999))
          .default({ default: 10 }),
        /** How long a firm quote may be locked, seconds. */
        quoteTtlSeconds: z.number().int().positive().max(86_400).default(60),
        /** Share of cross-currency senders who lock a firm quote at send (the others give a minimum). */
        lockQuoteShare: z.number().min(0).max(1).default(0.5),
        /** Slippage the others accept: minAmountOut = expected payout less this many bps. */
        slippageBps: z.number().min(0).max(10_000).default(50),
      })
      .strict()
      .default({}),
    compliance: z
      .object({
        /** The off-chain pipeline, in order. Default: sanctions (OFAC SDN list shipped in data/), travel rule, limits, manual review. */
        hooks: z.array(HookSpecSchema).optional(),
        /** On-chain hook contracts on both gateways (checked at send and at settle). */
        onChain: z.object({ sanctions: z.boolean().default(false), allowlist: z.boolean().default(false) }).strict().default({}),
        /** Share of manual reviews that end approved (the rest are denied and refunded). */
        reviewApproveShare: z.number().min(0).max(1).default(0.9),
      })
      .strict()
      .default({}),
    /** Fast allowance per destination chain, whole units of payouts ("unlimited" for none); default 10,000,000 on each chain. */
    fastAllowance: z.record(ChainNameSchema, allowance).default({}),
    /** Liquidity providers' deposits on each chain's gateway, in whole units of the chain's home currency (every chain needs one). */
    liquidity: z.record(ChainNameSchema, positiveDecimal),
    /** Cost of capital of the pools (src/sizing/capital.ts): a rate per year per chain's pool; default the policy rate of its currency (data/policy-rates.json). */
    capital: CapitalSchema,
    workload: z
      .object({
        transfers: z.number().int().min(1).max(10_000_000),
        /** Arrivals are spread (Poisson) over this many seconds. */
        durationSeconds: runSeconds,
        /** Distinct senders per chain. */
        senders: z.number().int().min(1).max(10_000).default(40),
        mix: z
          .array(
            z
              .object({ from: ChainNameSchema, to: ChainNameSchema, input: CurrencyCodeSchema, output: CurrencyCodeSchema, weight: z.number().positive().max(1_000_000) })
              .strict()
              .refine((m) => m.from !== m.to, { message: "from and to must be different chains" }),
          )
          .min(1),
        /** Share of Fast-tier transfers, 0..1. */
        fastShare: z.number().min(0).max(1).default(0.3),
        /** Lognormal amounts: median and sigma in the numeraire, clamped to [min, max]. */
        amount: z
          .object({
            medianUsd: z.number().positive().max(L.maxAmountUsd).default(500),
            sigma: z.number().nonnegative().max(10).default(1),
            minUsd: z.number().positive().max(L.maxAmountUsd).default(1),
            maxUsd: z.number().positive().max(L.maxAmountUsd).default(50_000),
          })
          .strict()
          .refine((a) => a.minUsd <= a.maxUsd, { message: "minUsd is above maxUsd", path: ["minUsd"] })
          .default({}),
        /** Each transfer's deadline, seconds after it is sent. */
        deadlineSeconds: z.number().int().positive().max(L.maxRunSeconds, `at most ${L.maxRunSeconds} seconds (31 days)`).default(7200),
        /**
         * Daily profile: 24 weights, one per hour of the day (UTC), for the arrival rate; the Poisson
         * rate in each hour is proportional to its weight. Default: flat.
         */
        dailyProfile: z
          .array(z.number().nonnegative().max(1_000_000))
          .length(24, "give 24 hourly weights, hour 0 (00:00-01:00 UTC) first")
          .refine((w) => w.some((x) => x > 0), { message: "at least one hourly weight must be above 0" })
          .optional(),
        /** Bursts: windows (seconds after the start) whose arrival rate is multiplied. */
        bursts: z.array(BurstSchema).default([]),
        /** Share of transfers whose recipient is on the sanctions list. */
        sanctionedShare: z.number().min(0).max(1).default(0),
        /** Share of transfers whose sender is on the sanctions list (a few listed senders, added to the screening list). */
        sanctionedSenderShare: z.number().min(0).max(1).default(0),
        /** Share of transfers that carry IVMS101 travel-rule data (the rest carry none). */
        travelRuleDataShare: z.number().min(0).max(1).default(1),
      })
      .strict(),
    /** Faults on a schedule (src/sim/faults.ts): relayer down, RPC errors, chain halt, attester outage, FX shock, liquidity drain, redemption run. */
    faults: FaultsSchema,
    regulation: RegulationSchema,
    /** Liquidity providers, their rebalancing and the netting window (src/liquidity/); without them one provider per chain deposits `liquidity`. */
    providers: ProvidersSchema.optional(),
    rebalancing: RebalancingSchema.optional(),
    netting: NettingSchema.optional(),
    /** Per currency: the bank rails, issuer times and fees of the on-ramp and off-ramp legs of the end-to-end G20 scorecard (src/measure/end-to-end.ts). */
    ramps: RampsSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    const specInput = { chains: s.chains, currencies: s.currencies, jurisdictions: s.jurisdictions };
    const problems = specIssues(specInput);
    for (const issue of problems) ctx.addIssue(issue);
    if (problems.length > 0) return;
    const spec = resolveSpec(specInput);
    const names = Object.keys(s.chains);
    const known = (name: string, path: (string | number)[]) => {
      if (name in s.chains) return true;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `unknown chain "${name}"; this scenario's chains are ${names.join(", ")}` });
      return false;
    };
    const rpc = names.filter((n) => s.chains[n]!.rpcUrl);
    if (rpc.length > 0 && rpc.length < names.length) {
      const missing = names.find((n) => !s.chains[n]!.rpcUrl)!;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["chains", missing, "rpcUrl"], message: "give JSON-RPC URLs for every chain or for none (embedded chains)" });
    }
    for (const name of names) {
      if (s.liquidity[name] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["liquidity", name], message: `give chain ${name}'s liquidity (whole units of ${spec.chains[name]!.home})` });
    }
    for (const name of Object.keys(s.liquidity)) known(name, ["liquidity", name]);
    providerIssues(s, spec, ctx);
    for (const name of Object.keys(s.fastAllowance)) known(name, ["fastAllowance", name]);
    for (const name of Object.keys(s.capital.rates)) known(name, ["capital", "rates", name]);
    for (const key of Object.keys(s.fees.routes)) {
      const [, from, cur, to] = FEE_ROUTE_KEY.exec(key)!;
      if (!known(from!, ["fees", "routes", key]) || !known(to!, ["fees", "routes", key])) continue;
      if (!spec.routes.some((r) => r.from === from && r.to === to && r.input === cur)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["fees", "routes", key], message: `no route sends ${cur} from ${from} to ${to}; tokens are ${spec.tokens.join(", ")}` });
      }
    }
    for (const key of Object.keys(s.fx.spreadBps)) {
      for (const cur of key === "default" ? [] : key.split("->")) {
        if (!spec.tokens.includes(cur)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["fx", "spreadBps", key], message: `${cur} is not a token of this corridor (${spec.tokens.join(", ")})` });
      }
    }
    if (s.operator.threshold > s.operator.attesters) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["operator", "threshold"], message: `threshold ${s.operator.threshold} exceeds attesters ${s.operator.attesters}` });
    }
    s.workload.bursts.forEach((b, i) => {
      if (b.at >= s.workload.durationSeconds) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["workload", "bursts", i, "at"], message: `starts at or after the end of the arrivals (durationSeconds ${s.workload.durationSeconds})` });
      }
    });
    s.faults.forEach((f, i) => {
      for (const field of ["at", "durationSeconds", "redepositAfterSeconds"] as const) {
        const v = (f as Partial<Record<typeof field, number>>)[field];
        if (v !== undefined && v > L.maxRunSeconds) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, field], message: `at most ${L.maxRunSeconds} seconds (31 days)` });
        }
      }
      if (f.kind === "attesterOutage" && f.offline !== undefined && f.offline > s.operator.attesters) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "offline"], message: `only ${s.operator.attesters} attesters exist` });
      }
      const chain = "chain" in f ? f.chain : undefined;
      if (chain !== undefined && !known(chain, ["faults", i, "chain"])) return;
      if (f.kind === "fxShock" && f.currency !== undefined && (f.currency === spec.numeraire || !(f.currency in spec.currencies))) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "currency"], message: `expected one of ${Object.keys(spec.currencies).filter((c) => c !== spec.numeraire).join(", ")} (priced against ${spec.numeraire})` });
      }
      if (f.kind === "chainHalt" && s.chains[f.chain]!.rpcUrl) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "kind"], message: "chain halts need embedded chains (the simulator mines their blocks)" });
      }
      if (f.kind === "reorg") {
        const profile = CHAIN_PROFILES[s.chains[f.chain]!.profile];
        if (s.chains[f.chain]!.rpcUrl) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "kind"], message: "reorgs need embedded chains (the simulator replaces their blocks)" });
        else if (profile && f.durationSeconds / profile.blockTimeSeconds >= profile.standardConfirmations) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ["faults", i, "durationSeconds"],
            message: `a reorg of ${Math.ceil(f.durationSeconds / profile.blockTimeSeconds)} blocks reaches the ${s.chains[f.chain]!.profile} profile's finality (${profile.standardConfirmations} blocks): keep it under ${profile.standardConfirmations * profile.blockTimeSeconds} seconds`,
          });
        }
      }
    });
    regulationIssues(s, spec, ctx);
    for (const i of rampIssues(s.ramps, Object.keys(spec.currencies))) ctx.addIssue({ code: z.ZodIssueCode.custom, path: i.path, message: i.message });
    s.compliance.hooks?.forEach((hookSpec, i) => {
      // (The schema checked each corridor's shape, "<from>-><to>"; here its chains.)
      hookSpec.corridors?.forEach((corridor, j) => {
        for (const name of corridor.split("->")) known(name, ["compliance", "hooks", i, "corridors", j]);
      });
      for (const c of currenciesIn(hookSpec)) {
        if (!(c.currency in spec.currencies)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["compliance", "hooks", i, ...c.path], message: `${c.currency} is not priced in this corridor (${Object.keys(spec.currencies).join(", ")}); declare it under currencies` });
        }
      }
    });
    s.compliance.hooks?.forEach((spec, i) => {
      const { hook, corridors: _scope, ...options } = spec;
      const builtin = (BUILTIN_HOOKS as Record<string, { schema: z.ZodTypeAny }>)[hook];
      if (builtin) {
        const r = builtin.schema.safeParse(options);
        if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ["compliance", "hooks", i, ...issue.path] } as z.IssueData);
      } else if (!defaultHookRegistry.names().includes(hook)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["compliance", "hooks", i, "hook"], message: `unknown compliance hook "${hook}"; expected one of ${defaultHookRegistry.names().join(", ")}` });
      }
    });
    s.workload.mix.forEach((m, i) => {
      if (!known(m.from, ["workload", "mix", i, "from"]) || !known(m.to, ["workload", "mix", i, "to"])) return;
      if (!findRoute(spec, m.from, m.to, m.input, m.output)) {
        const from = spec.chains[m.from]!;
        const to = spec.chains[m.to]!;
        // Name the field at fault: a currency no chain carries, else a cross-currency input the sending chain does not issue, else the output.
        const field = !spec.tokens.includes(m.input) ? "input" : !spec.tokens.includes(m.output) ? "output" : m.input !== from.home ? "input" : "output";
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["workload", "mix", i, field],
          message: `no route ${m.from}:${m.input}->${m.to}:${m.output}; a chain carries ${spec.tokens.join(", ")}, each goes as itself, and ${from.home} on ${m.from} converts to ${to.home} on ${m.to}`,
        });
      }
    });
  })
  .transform((s) => ({
    ...s,
    /** The corridor the scenario declares (chains, currencies, jurisdictions, routes). */
    spec: resolveSpec({ chains: s.chains, currencies: s.currencies, jurisdictions: s.jurisdictions }) as CorridorSpec,
    fastAllowance: Object.fromEntries(Object.keys(s.chains).map((n) => [n, s.fastAllowance[n] ?? DEFAULT_FAST_ALLOWANCE])) as Record<string, "unlimited" | string>,
  }));

export type Scenario = z.infer<typeof ScenarioSchema>;

/** The regulation section against the corridor: coins of the spec, packs of the coin's jurisdiction that agree, actions on governed coins. */
function regulationIssues(s: Pick<Scenario, "regulation" | "faults"> & { workload: Pick<Scenario["workload"], "senders"> }, spec: CorridorSpec, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["regulation", ...path], message });
  const packs = s.regulation.packs;
  for (const [cur, ids] of Object.entries(packs)) {
    const home = Object.values(spec.chains).find((c) => c.home === cur);
    if (!home) {
      issue(["packs", cur], `${cur} is not a coin of this corridor (${spec.tokens.join(", ")})`);
      continue;
    }
    const unknown = ids.find((id) => !(PACK_IDS as readonly string[]).includes(id));
    const foreign = ids.find((id) => PACKS[id]?.jurisdiction !== home.jurisdiction);
    if (unknown !== undefined) issue(["packs", cur], `unknown regulation pack "${unknown}"; expected one of ${PACK_IDS.join(", ")}`);
    else if (foreign) issue(["packs", cur], `pack ${foreign} governs issuers in ${PACKS[foreign].jurisdiction}; ${cur} is issued on ${home.name}, in ${home.jurisdiction}`);
    else if (new Set(ids).size !== ids.length) issue(["packs", cur], "a pack is named twice");
    else {
      try {
        regimeOf(ids);
      } catch (e) {
        issue(["packs", cur], (e as Error).message);
      }
    }
  }
  const governed = (cur: string, path: (string | number)[]) => cur in packs || (issue(path, `${cur} has no issuer: give its packs under regulation.packs`), false);
  for (const cur of Object.keys(s.regulation.guardrailScale)) {
    if (governed(cur, ["guardrailScale", cur]) && !packs[cur]!.some((id) => PACKS[id].rules.issuanceGuardrail)) issue(["guardrailScale", cur], `no pack of ${cur} sets an issuance guardrail`);
  }
  s.regulation.mints.forEach((m, i) => {
    if (m.at > L.maxRunSeconds) issue(["mints", i, "at"], `at most ${L.maxRunSeconds} seconds (31 days)`);
    if (governed(m.currency, ["mints", i, "currency"]) && typeof m.to === "object" && m.to.sender >= s.workload.senders) issue(["mints", i, "to", "sender"], `there are ${s.workload.senders} senders per chain (0 to ${s.workload.senders - 1})`);
  });
  s.regulation.orders.forEach((o, i) => {
    if (o.at > L.maxRunSeconds) issue(["orders", i, "at"], `at most ${L.maxRunSeconds} seconds (31 days)`);
    governed(o.currency, ["orders", i, "currency"]);
  });
  s.faults.forEach((f, i) => {
    if (f.kind === "redemptionRun" && !(f.currency in packs)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "currency"], message: `${f.currency} has no issuer: give its packs under regulation.packs` });
  });
}
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/** Turns zod issues into one readable message naming each field, what was expected and what was found. */
export function formatIssues(issues: z.ZodIssue[], input: unknown): string {
  return issues
    .map((i) => {
      const path = i.path.length ? i.path.join(".") : "(top level)";
      const found = i.path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string | number, unknown>)[k] : undefined), input);
      const foundText =
        i.code === z.ZodIssueCode.unrecognized_keys
          ? i.keys.map((k) => JSON.stringify(k)).join(", ")
          : found === undefined
            ? "nothing"
            : typeof found === "number" && !Number.isFinite(found)
              ? String(found)
              : JSON.stringify(found)?.slice(0, 60);
      return `${path}: ${i.message} (found ${foundText})`;
    })
    .join("\n");
}

/** Numbers JSON.parse turned into infinities (1e999): no field takes one. */
function infinities(value: unknown, path: (string | number)[] = [], out: z.ZodIssue[] = []): z.ZodIssue[] {
  if (typeof value === "number" && !Number.isFinite(value)) out.push({ code: z.ZodIssueCode.custom, path, message: "expected a finite number" });
  else if (Array.isArray(value)) value.forEach((v, i) => infinities(v, [...path, i], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) infinities(v, [...path, k], out);
  return out;
}

export function parseScenario(input: unknown, source = "scenario"): Scenario {
  const inf = infinities(input);
  const r = ScenarioSchema.safeParse(input);
  if (!r.success || inf.length > 0) {
    const issues = [...inf, ...(r.success ? [] : r.error.issues.filter((i) => !inf.some((x) => x.path.join(".") === i.path.join("."))))];
    throw new CorridorError("CORRIDOR_SCENARIO_INVALID", `${source} is invalid:\n${formatIssues(issues, input)}`, { source, issues });
  }
  return r.data;
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError("CORRIDOR_SCENARIO_NOT_FOUND", `cannot read scenario file ${file}`, { file }, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CorridorError("CORRIDOR_SCENARIO_MALFORMED", `${file} is not valid JSON: ${(cause as Error).message}`, { file }, cause);
  }
  return parseScenario(json, file);
}
