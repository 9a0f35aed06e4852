/**
 * The scenario's liquidity providers (`providers`), how their positions are rebalanced
 * (`rebalancing`) and the window over which opposing flows are netted (`netting`). Each is optional;
 * without `providers` a single provider per chain deposits the chain's `liquidity` (src/contracts/fund.ts).
 */
import { z } from "zod";
import { ChainNameSchema, type CorridorSpec } from "../spec/spec.js";
import type { FaultSpec } from "../sim/faults.js";

const wholeUnits = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d{1,6})?$/.test(v) && Number(v) > 0, { message: 'expected a positive amount in whole units with at most 6 decimals, such as "500000"' })
  .refine((v) => Number(v) <= 1e15, { message: "at most 1,000,000,000,000,000 whole units" });

const ProviderName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "expected a short lower-case name (letters, digits, -)");

export const ProviderSchema = z
  .object({
    name: ProviderName,
    /** What it deposits into each chain's pool at set-up, whole units of that chain's home currency. */
    funding: z.record(ChainNameSchema, wholeUnits).refine((f) => Object.keys(f).length > 0, { message: "fund at least one chain" }),
  })
  .strict();

export const ProvidersSchema = z
  .object({
    /** Who pays a settlement out of a pool: every provider in proportion to its part of the pool, or the providers in the order listed. */
    shareRule: z.enum(["proRata", "inOrder"]).default("proRata"),
    list: z.array(ProviderSchema).min(1).max(32),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.list.forEach((x, i) => {
      if (seen.has(x.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["list", i, "name"], message: `provider "${x.name}" is declared twice` });
      seen.add(x.name);
    });
  });

export const RebalancingSchema = z
  .object({
    /**
     * When providers' positions are moved back to their funding: `threshold` when a pool falls below
     * `threshold` of what was funded into it, `scheduled` every `everySeconds`, `netted` at the end of
     * each netting window (the window's net, after opposing flows offset).
     */
    policy: z.enum(["threshold", "scheduled", "netted"]),
    threshold: z.number().gt(0).lt(1).optional(),
    everySeconds: z.number().min(60).max(31 * 86_400).optional(),
    /** How funds move: the issuers redeem on the chain with the surplus and mint on the chain short of it. */
    via: z.enum(["issuer"]).default("issuer"),
    /** What a move costs the provider: basis points of its value plus a fixed amount (numeraire units). */
    costBps: z.number().min(0).max(1000).default(0),
    costFixed: z.number().min(0).max(1_000_000).default(0),
    /** Seconds between the redemption on one chain and the mint on the other (the issuers' and banks' processing). */
    delaySeconds: z.number().min(0).max(7 * 86_400).default(0),
    /** Imbalances below this value (numeraire units) are left alone. */
    minAmount: z.number().min(0).max(1e12).default(1000),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.policy === "threshold" && r.threshold === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["threshold"], message: "the threshold policy needs a threshold, a share of the pool's funding such as 0.5" });
    if (r.policy === "scheduled" && r.everySeconds === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["everySeconds"], message: "the scheduled policy needs everySeconds" });
    if (r.policy !== "threshold" && r.threshold !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["threshold"], message: `only the threshold policy takes a threshold (policy is ${r.policy})` });
    if (r.policy !== "scheduled" && r.everySeconds !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["everySeconds"], message: `only the scheduled policy takes everySeconds (policy is ${r.policy})` });
  });

export const NettingSchema = z
  .object({
    /** Length of a netting window, seconds. */
    windowSeconds: z.number().min(60).max(31 * 86_400).default(600),
  })
  .strict();

export type ProvidersSpec = z.infer<typeof ProvidersSchema>;
export type RebalancingSpec = z.infer<typeof RebalancingSchema>;
export type NettingSpec = z.infer<typeof NettingSchema>;

/** What `providerIssues` reads of a scenario (before its transform). */
interface ScenarioPart {
  chains: Record<string, unknown>;
  liquidity: Record<string, string>;
  faults: FaultSpec[];
  providers?: ProvidersSpec | undefined;
  rebalancing?: RebalancingSpec | undefined;
}

/**
 * The providers against the rest of the scenario: known chains, each chain's `liquidity` equal to
 * what the providers fund on it (so every figure that reads `liquidity` reads what is in the pools),
 * rebalancing and participant outages only with providers, and the per-chain liquidity faults left to
 * the scenarios without them (their single provider per chain is what `liquidityDrain` withdraws).
 */
export function providerIssues(s: ScenarioPart, spec: CorridorSpec, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
  const p = s.providers;
  if (!p) {
    if (s.rebalancing) issue(["rebalancing"], "rebalancing moves the providers' positions: declare providers");
    s.faults.forEach((f, i) => {
      if (f.kind === "participantOutage" && f.provider !== undefined) issue(["faults", i, "provider"], "no providers are declared: declare them under providers.list");
    });
  } else {
    const names = Object.keys(s.chains);
    const total: Record<string, bigint> = {};
    p.list.forEach((x, i) => {
      for (const [chain, amount] of Object.entries(x.funding)) {
        if (!names.includes(chain)) {
          issue(["providers", "list", i, "funding", chain], `unknown chain "${chain}"; this scenario's chains are ${names.join(", ")}`);
          continue;
        }
        const [whole, frac = ""] = amount.split(".");
        total[chain] = (total[chain] ?? 0n) + BigInt(whole!) * 1_000_000n + BigInt(frac.padEnd(6, "0"));
      }
    });
    for (const chain of names) {
      const given = s.liquidity[chain];
      if (given === undefined) continue;
      const [whole, frac = ""] = given.split(".");
      const want = BigInt(whole!) * 1_000_000n + BigInt(frac.padEnd(6, "0"));
      const got = total[chain] ?? 0n;
      if (got !== want) {
        const fmt = (v: bigint) => `${v / 1_000_000n}${v % 1_000_000n ? `.${(v % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "")}` : ""}`;
        issue(["liquidity", chain], `the providers fund ${fmt(got)} ${spec.chains[chain]?.home ?? ""} on ${chain} but liquidity says ${given}: make them agree`);
      }
    }
    s.faults.forEach((f, i) => {
      if (f.kind === "liquidityDrain") issue(["faults", i, "kind"], "with providers declared, take liquidity away with a participantOutage of a provider (liquidityDrain withdraws the single per-chain provider)");
      if (f.kind === "reorg") issue(["faults", i, "kind"], "reorgs are not yet modelled with providers declared (their claims are read from the chains' events)");
      if (f.kind === "participantOutage" && f.provider !== undefined && !p.list.some((x) => x.name === f.provider)) {
        issue(["faults", i, "provider"], `unknown provider "${f.provider}"; the providers are ${p.list.map((x) => x.name).join(", ")}`);
      }
    });
  }
  s.faults.forEach((f, i) => {
    if (f.kind !== "participantOutage") return;
    if ((f.provider === undefined) === (f.issuer === undefined)) issue(["faults", i, "provider"], "name either a provider or an issuer (a currency), not both");
    if (f.issuer !== undefined && !Object.values(spec.chains).some((c) => c.home === f.issuer)) {
      issue(["faults", i, "issuer"], `no chain of this corridor issues ${f.issuer}; home currencies are ${[...new Set(Object.values(spec.chains).map((c) => c.home))].join(", ")}`);
    }
  });
}

const MICRO = 1_000_000n;
const toMicro = (v: string) => {
  const [whole, frac = ""] = v.split(".");
  return BigInt(whole!) * MICRO + BigInt(frac.padEnd(6, "0"));
};
const fromMicro = (v: bigint) => `${v / MICRO}${v % MICRO ? `.${(v % MICRO).toString().padStart(6, "0").replace(/0+$/, "")}` : ""}`;

/**
 * A scenario file's JSON with each named chain's `liquidity` set to `liquidity[chain]` (whole units), and,
 * when it declares providers, each provider's funding on that chain scaled in proportion so that the
 * providers still fund exactly the pool (the last funder of a chain takes the rounding; every funder
 * keeps at least one millionth). `corridor size` and sweeps over `liquidity` change pools through this.
 */
export function withPoolLiquidity<T extends Record<string, unknown>>(json: T, liquidity: Record<string, string>): T {
  const out = { ...json, liquidity: { ...((json.liquidity as Record<string, unknown> | undefined) ?? {}), ...liquidity } } as T;
  const parsed = z.object({ list: z.array(z.object({ funding: z.record(z.string(), wholeUnits) }).passthrough()) }).passthrough().safeParse(json.providers);
  if (!parsed.success) return out;
  const list = parsed.data.list.map((p) => ({ ...p, funding: { ...p.funding } as Record<string, string> }));
  for (const [chain, amount] of Object.entries(liquidity)) {
    const funders = list.filter((p) => p.funding[chain] !== undefined);
    if (funders.length === 0) continue;
    const old = funders.reduce((s, p) => s + toMicro(p.funding[chain]!), 0n);
    const want = toMicro(amount);
    if (old === want || old === 0n) continue;
    const shares = funders.map((p) => {
      const v = (toMicro(p.funding[chain]!) * want) / old;
      return v > 0n ? v : 1n;
    });
    const last = shares.length - 1;
    shares[last] = want - shares.slice(0, last).reduce((s, v) => s + v, 0n);
    if (shares[last]! <= 0n) continue; // cannot split this pool among its funders; the scenario's own check names the mismatch
    funders.forEach((p, i) => (p.funding[chain] = fromMicro(shares[i]!)));
  }
  return { ...out, providers: { ...(json.providers as object), list } } as T;
}
