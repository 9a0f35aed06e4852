/**
 * Hooks by name, so a scenario file can list them:
 *   [{ "hook": "sanctions", "listFile": "data/ofac-sdn-evm-addresses-2025-11-19.csv", "asOf": "2025-11-19",
 *      "byJurisdiction": { "UK": { "listFile": "uk-list.txt", "asOf": "2026-01-05" } } },
 *    { "hook": "travelRule", "onMissing": "deny" },
 *    { "hook": "limits", "perTransfer": 50000, "daily": 100000 },
 *    { "hook": "kyc", "addresses": ["0x…"] },
 *    { "hook": "manualReview", "above": 25000 }]
 * Amounts are in the corridor's numeraire unless a hook is given a `currency` (any ISO 4217 code
 * the corridor's rates price). The travel rule applies each side's jurisdiction's legal rule from the
 * corridor spec (src/spec/presets.ts, PRESET_JURISDICTIONS); `thresholds` replaces them per
 * jurisdiction id (null: none there). A sanctions list's `asOf` date, when not given, comes from the
 * file (src/data/sanctions-list.ts says how).
 * To add a hook: implement ComplianceHook and `registerHook("myHook", { schema, create })`.
 * Files are read by the caller's `deps` (the domain does no I/O).
 */
import { isAddress } from "viem";
import { z } from "zod";
import { isCalendarDate } from "../clock.js";
import { CorridorError, ErrorCode } from "../errors.js";
import { kycHook } from "./hooks/kyc.js";
import { limitsHook } from "./hooks/limits.js";
import { manualReviewHook } from "./hooks/manual-review.js";
import { sanctionsHook, type SanctionsList } from "./hooks/sanctions.js";
import { travelRuleHook } from "./hooks/travel-rule.js";
import type { ComplianceHook, Decision, ScreeningContext } from "./types.js";

export interface HookDeps {
  /** Reads a list file of addresses (lowercase set), e.g. src/data/sanctions-list.ts. */
  loadAddressList?: (file: string) => ReadonlySet<string>;
  /** Reads a sanctions list file with its as-of date (given, or from the file), e.g. src/data/sanctions-list.ts. */
  loadSanctionsList?: (file: string, asOf?: string) => { addresses: ReadonlySet<string>; asOf: string; file: string };
}

export interface HookFactory<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** Validates the spec's options (the spec without its `hook` key). */
  schema: S;
  create(options: z.output<S>, deps: HookDeps): ComplianceHook;
}

/** A corridor a hook may be scoped to: "<source chain>-><destination chain>". */
export const CORRIDOR_KEY = /^[a-z][a-z0-9]{0,15}->[a-z][a-z0-9]{0,15}$/;

/**
 * One entry of a scenario's hook list. Any hook may carry `corridors` (["<from>-><to>", …]): it then
 * runs only for transfers on those corridors, so that, e.g., each corridor has limits of its own.
 */
export const HookSpecSchema = z
  .object({ hook: z.string().min(1), corridors: z.array(z.string().regex(CORRIDOR_KEY, 'expected "<from chain>-><to chain>"')).min(1).optional() })
  .passthrough();
export type HookSpec = z.input<typeof HookSpecSchema>;

const address = z.string().refine((a) => isAddress(a), { message: "not an address" });
const amount = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/)]);
/** Any ISO 4217 code; whether the corridor prices it is checked when a transfer is converted. */
const currency = z.string().regex(/^[A-Z]{3}$/, "expected a three-letter ISO 4217 code");
const jurisdiction = z.string().regex(/^[A-Z]{2,8}$/, "expected a jurisdiction id in capitals");
const name = z.string().min(1).optional();
const seconds = z.number().nonnegative();
/** A calendar date, YYYY-MM-DD (a list's as-of date). */
export const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine(isCalendarDate, { message: "not a calendar date" });
const listFile = z.string().min(1);

export const SanctionsSpecSchema = z
  .object({
    name,
    listFile: listFile.optional(),
    /** The list's as-of date; default: from the file (src/data/sanctions-list.ts). */
    asOf: DateSchema.optional(),
    addresses: z.array(address).optional(),
    /** Lists of a jurisdiction, screened for transfers with that jurisdiction on either side. */
    byJurisdiction: z.record(jurisdiction, z.object({ listFile, asOf: DateSchema.optional() }).strict()).optional(),
  })
  .strict()
  .refine((s) => s.listFile !== undefined || s.addresses !== undefined || s.byJurisdiction !== undefined, { message: "give listFile, addresses or byJurisdiction" })
  .refine((s) => s.asOf === undefined || s.listFile !== undefined, { message: "asOf dates a listFile: give one", path: ["asOf"] });
const travelRuleLaw = z
  .object({ amount, currency, basis: z.string().optional(), belowThreshold: z.object({ requires: z.literal("names"), basis: z.string().optional() }).strict().optional() })
  .strict();
export const TravelRuleSpecSchema = z
  .object({
    name,
    thresholds: z.record(jurisdiction, travelRuleLaw.nullable()).optional(),
    onMissing: z.enum(["hold", "deny"]).optional(),
    onInvalid: z.enum(["hold", "deny"]).optional(),
    reviewSeconds: seconds.optional(),
  })
  .strict();
export const LimitsSpecSchema = z
  .object({ name, perTransfer: amount.optional(), daily: amount.optional(), currency: currency.optional(), windowSeconds: z.number().positive().optional() })
  .strict();
export const KycSpecSchema = z
  .object({ name, listFile: z.string().min(1).optional(), addresses: z.array(address).optional(), parties: z.enum(["sender", "both"]).optional() })
  .strict();
export const ManualReviewSpecSchema = z
  .object({
    name,
    above: amount.optional(),
    currency: currency.optional(),
    reviewSeconds: seconds.optional(),
  })
  .strict();

/**
 * Every currency a hook spec names (any `currency` field, at any depth), with its path in the spec,
 * so the caller can check them against the corridor's currencies: the schemas take any ISO code.
 */
export function currenciesIn(spec: HookSpec): { path: (string | number)[]; currency: string }[] {
  const found: { path: (string | number)[]; currency: string }[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (k === "currency" && typeof v === "string") found.push({ path: [...path, k], currency: v });
        else walk(v, [...path, k]);
      }
    }
  };
  walk(spec, []);
  return found;
}

function addressSet(spec: { listFile?: string | undefined; addresses?: string[] | undefined }, deps: HookDeps, hook: string): Set<string> | undefined {
  if (spec.listFile === undefined && spec.addresses === undefined) return undefined;
  const set = new Set<string>((spec.addresses ?? []).map((a) => a.toLowerCase()));
  if (spec.listFile !== undefined) {
    if (!deps.loadAddressList) {
      throw new CorridorError(ErrorCode.InvalidConfig, `hook ${hook} has a listFile but no loadAddressList was given`, { hook, listFile: spec.listFile });
    }
    for (const a of deps.loadAddressList(spec.listFile)) set.add(a.toLowerCase());
  }
  return set;
}

/** A sanctions spec's lists: its own (listFile and addresses, for every transfer), then each jurisdiction's. */
function sanctionsLists(spec: z.output<typeof SanctionsSpecSchema>, deps: HookDeps): SanctionsList[] {
  const load = (file: string, asOf: string | undefined) => {
    if (!deps.loadSanctionsList) throw new CorridorError(ErrorCode.InvalidConfig, "hook sanctions has a listFile but no loadSanctionsList was given", { hook: "sanctions", listFile: file });
    return deps.loadSanctionsList(file, asOf);
  };
  const lists: SanctionsList[] = [];
  if (spec.listFile !== undefined) {
    const { addresses, asOf, file } = load(spec.listFile, spec.asOf);
    lists.push({ addresses: new Set([...addresses, ...(spec.addresses ?? []).map((a) => a.toLowerCase())]), asOf, file });
  } else if (spec.addresses !== undefined) lists.push({ addresses: new Set(spec.addresses.map((a) => a.toLowerCase())) });
  for (const [jurisdiction, l] of Object.entries(spec.byJurisdiction ?? {})) {
    const { addresses, asOf, file } = load(l.listFile, l.asOf);
    lists.push({ addresses, asOf, file, jurisdiction });
  }
  return lists;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const BUILTIN_HOOKS = {
  sanctions: {
    schema: SanctionsSpecSchema,
    create: (o, deps) => sanctionsHook(withoutUndefined({ name: o.name, lists: sanctionsLists(o, deps) })),
  } satisfies HookFactory<typeof SanctionsSpecSchema>,
  travelRule: {
    schema: TravelRuleSpecSchema,
    create: (o) => travelRuleHook(withoutUndefined(o)),
  } satisfies HookFactory<typeof TravelRuleSpecSchema>,
  limits: {
    schema: LimitsSpecSchema,
    create: (o) => limitsHook(withoutUndefined(o)),
  } satisfies HookFactory<typeof LimitsSpecSchema>,
  kyc: {
    schema: KycSpecSchema,
    create: (o, deps) => kycHook(withoutUndefined({ name: o.name, parties: o.parties, allowlist: addressSet(o, deps, "kyc") })),
  } satisfies HookFactory<typeof KycSpecSchema>,
  manualReview: {
    schema: ManualReviewSpecSchema,
    create: (o) => manualReviewHook(withoutUndefined(o)),
  } satisfies HookFactory<typeof ManualReviewSpecSchema>,
} as const;

export interface HookRegistry {
  register(name: string, factory: HookFactory): void;
  create(spec: HookSpec, deps?: HookDeps): ComplianceHook;
  createAll(specs: readonly HookSpec[], deps?: HookDeps): ComplianceHook[];
  names(): string[];
}

/** A registry holding the built-ins; `register` adds (or replaces) a hook type. */
export function createHookRegistry(): HookRegistry {
  const factories = new Map<string, HookFactory>(Object.entries(BUILTIN_HOOKS) as [string, HookFactory][]);
  const registry: HookRegistry = {
    register(hookName, factory) {
      factories.set(hookName, factory);
    },
    create(spec, deps = {}) {
      const { hook, corridors, ...rest } = HookSpecSchema.parse(spec);
      const factory = factories.get(hook);
      if (!factory) {
        throw new CorridorError(ErrorCode.HookUnknown, `unknown compliance hook "${hook}" (known: ${[...factories.keys()].join(", ")})`, { hook });
      }
      const parsed = factory.schema.safeParse(rest);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(spec)"}: ${i.message}`).join("; ");
        throw new CorridorError(ErrorCode.InvalidConfig, `invalid options for compliance hook "${hook}": ${issues}`, { hook, issues: parsed.error.issues }, parsed.error);
      }
      const created = factory.create(parsed.data, deps);
      return corridors ? scoped(created, new Set(corridors)) : created;
    },
    createAll: (specs, deps) => specs.map((s) => registry.create(s, deps)),
    names: () => [...factories.keys()],
  };
  return registry;
}

/** The process-wide registry used by createHook and registerHook. */
export const defaultHookRegistry: HookRegistry = createHookRegistry();

export function registerHook(hookName: string, factory: HookFactory): void {
  defaultHookRegistry.register(hookName, factory);
}

export function createHook(spec: HookSpec, deps: HookDeps = {}): ComplianceHook {
  return defaultHookRegistry.create(spec, deps);
}

export function createHooks(specs: readonly HookSpec[], deps: HookDeps = {}): ComplianceHook[] {
  return defaultHookRegistry.createAll(specs, deps);
}

/** A hook that runs only on the given corridors ("<from>-><to>"); elsewhere it allows, and says it did not apply. */
function scoped(inner: ComplianceHook, corridors: ReadonlySet<string>): ComplianceHook {
  const applies = (ctx: ScreeningContext) => corridors.has(`${ctx.sourceChain}->${ctx.destinationChain}`);
  return {
    name: inner.name,
    check: (ctx) => (applies(ctx) ? inner.check(ctx) : { outcome: "allow", data: { corridor: `${ctx.sourceChain}->${ctx.destinationChain}`, applies: false } }),
    ...(inner.observe ? { observe: (ctx: ScreeningContext, final: Decision) => (applies(ctx) ? inner.observe!(ctx, final) : undefined) } : {}),
  };
}
