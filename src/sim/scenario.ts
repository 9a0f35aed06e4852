import { readFileSync } from "node:fs";
import { z } from "zod";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import { CorridorError } from "../domain/errors.js";
import { FeeScheduleSchema } from "../domain/fees.js";
import { BUILTIN_HOOKS, defaultHookRegistry, HookSpecSchema } from "../domain/compliance/registry.js";
import { FaultsSchema } from "./faults.js";

const Currency = z.enum(["USD", "GBP"]);
const ChainName = z.enum(["us", "uk"]);

/**
 * Bounds that keep a scenario inside what the chains and the engine can run. A value past them is
 * almost surely a typo (an extra few zeros), and would otherwise overflow a uint256 or a uint64
 * deadline on chain, or keep the engine mining blocks for years of simulated time.
 */
export const SCENARIO_LIMITS = {
  /** Liquidity and Fast allowances, whole units of a currency. */
  maxWholeUnits: 1_000_000_000_000_000,
  /** Transfer amounts (workload.amount), USD. */
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

const ChainSchema = z
  .object({
    profile: z.string().default("local"),
    rpcUrl: z
      .string()
      .url()
      .refine((u) => /^(https?|wss?):\/\//i.test(u), { message: "expected an http(s) or ws(s) URL" })
      .optional(),
    /** Gas price in gwei for gas costs (default per profile: src/sim/gas.ts). */
    gasPriceGwei: z.number().nonnegative().max(1_000_000).optional(),
    /** USD price of the chain's native token (default per profile). */
    nativeUsd: z.number().nonnegative().max(10_000_000).optional(),
  })
  .strict();

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
    /** Chain profiles and, for JSON-RPC chains, their URLs; default: two instant local chains. */
    chains: z
      .object({
        us: ChainSchema,
        uk: ChainSchema,
      })
      .strict()
      .default({ us: {}, uk: {} }),
    operator: z
      .object({
        attesters: z.number().int().min(1).max(16).default(3),
        threshold: z.number().int().min(1).default(2),
        /** Modelled time to screen a confirmed transfer, seconds. */
        screeningSeconds: serviceSeconds.default(1),
        /** Modelled time to collect the attesters' signatures, seconds. */
        attestationSeconds: serviceSeconds.default(1),
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
    /** Fee schedules: `default` for every route, overridden per route key "us:USD->uk" (source chain, input currency, destination chain). */
    fees: z
      .object({
        default: FeeScheduleSchema.default({ fixed: 0, bps: 0, min: 0, max: 0 }),
        routes: z.record(z.string().regex(/^(us|uk):(USD|GBP)->(us|uk)$/, "route keys look like us:USD->uk"), FeeScheduleSchema).default({}),
      })
      .strict()
      .default({}),
    fx: z
      .object({
        /** fixed: a constant mid; historical: replay of the monthly GBP/USD series; ou: Ornstein-Uhlenbeck around gbpPerUsd. */
        source: z.enum(["fixed", "historical", "ou"]).default("fixed"),
        /** GBP per 1 USD for fixed, and the OU model's mean (FRED H.10, June 2026: 0.7497). */
        gbpPerUsd: z.number().positive().max(1000).default(0.7497),
        /** Historical window mapped onto the run (months, inclusive), e.g. 2016-05 to 2016-07 for the Brexit vote. */
        window: z
          .object({ from: month, to: month })
          .strict()
          .refine((w) => w.from <= w.to, { message: "the window's end (to) is before its start (from)", path: ["to"] })
          .default({ from: "2025-06", to: "2026-06" }),
        /** Annualised volatility of the OU model. */
        annualVol: z.number().nonnegative().max(5).default(0.08),
        /** OU mean reversion speed, per year. */
        meanReversionPerYear: z.number().nonnegative().max(1000).default(2),
        /** Markup against the customer in bps of the mid, per direction ("USD->GBP") or default. */
        spreadBps: z
          .record(z.string().regex(/^(default|USD->GBP|GBP->USD)$/, 'keys are "default", "USD->GBP" or "GBP->USD"'), z.number().min(0).max(9_999))
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
    /** Fast allowance per destination chain, whole units of payouts ("unlimited" for none). */
    fastAllowance: z
      .object({ us: z.union([z.literal("unlimited"), positiveDecimal]).default("10000000"), uk: z.union([z.literal("unlimited"), positiveDecimal]).default("10000000") })
      .strict()
      .default({}),
    /** Liquidity providers' deposits on each chain's gateway, in whole units of the chain's home currency. */
    liquidity: z.object({ us: positiveDecimal, uk: positiveDecimal }).strict(),
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
              .object({ from: ChainName, to: ChainName, input: Currency, output: Currency, weight: z.number().positive().max(1_000_000) })
              .strict()
              .refine((m) => m.from !== m.to, { message: "from and to must be different chains" }),
          )
          .min(1),
        /** Share of Fast-tier transfers, 0..1. */
        fastShare: z.number().min(0).max(1).default(0.3),
        /** Lognormal amounts: median and sigma in USD terms, clamped to [min, max]. */
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
    /** Faults on a schedule (src/sim/faults.ts): relayer down, RPC errors, chain halt, attester outage, FX shock, liquidity drain. */
    faults: FaultsSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const name of ["us", "uk"] as const) {
      if (!(s.chains[name].profile in CHAIN_PROFILES)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["chains", name, "profile"],
          message: `unknown chain profile "${s.chains[name].profile}"; expected one of ${Object.keys(CHAIN_PROFILES).join(", ")}`,
        });
      }
    }
    if (Boolean(s.chains.us.rpcUrl) !== Boolean(s.chains.uk.rpcUrl)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["chains", s.chains.us.rpcUrl ? "uk" : "us", "rpcUrl"], message: "give JSON-RPC URLs for both chains or for neither (embedded chains)" });
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
      if (f.kind === "chainHalt" && s.chains[f.chain].rpcUrl) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "kind"], message: "chain halts need embedded chains (the simulator mines their blocks)" });
      }
      if (f.kind === "reorg") {
        const profile = CHAIN_PROFILES[s.chains[f.chain].profile];
        if (s.chains[f.chain].rpcUrl) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["faults", i, "kind"], message: "reorgs need embedded chains (the simulator replaces their blocks)" });
        else if (profile && f.durationSeconds / profile.blockTimeSeconds >= profile.standardConfirmations) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ["faults", i, "durationSeconds"],
            message: `a reorg of ${Math.ceil(f.durationSeconds / profile.blockTimeSeconds)} blocks reaches the ${s.chains[f.chain].profile} profile's finality (${profile.standardConfirmations} blocks): keep it under ${profile.standardConfirmations * profile.blockTimeSeconds} seconds`,
          });
        }
      }
    });
    s.compliance.hooks?.forEach((spec, i) => {
      const { hook, ...options } = spec;
      const builtin = (BUILTIN_HOOKS as Record<string, { schema: z.ZodTypeAny }>)[hook];
      if (builtin) {
        const r = builtin.schema.safeParse(options);
        if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ["compliance", "hooks", i, ...issue.path] } as z.IssueData);
      } else if (!defaultHookRegistry.names().includes(hook)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["compliance", "hooks", i, "hook"], message: `unknown compliance hook "${hook}"; expected one of ${defaultHookRegistry.names().join(", ")}` });
      }
    });
    s.workload.mix.forEach((m, i) => {
      const home = { us: "USD", uk: "GBP" } as const;
      if (m.input !== home[m.from] && m.input !== m.output) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["workload", "mix", i, "input"], message: `senders on ${m.from} hold ${home[m.from]}; input ${m.input} is not routable` });
      }
      if (m.input !== m.output && m.output !== home[m.to]) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["workload", "mix", i, "output"], message: `cross-currency payouts on ${m.to} are in ${home[m.to]}` });
      }
    });
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
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
