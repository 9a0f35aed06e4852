import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import { CorridorError } from "../domain/errors.js";
import { HookSpecSchema } from "../domain/compliance/registry.js";
import type { Deployment } from "../contracts/deploy.js";
import { fixedRates, type RateSource } from "../domain/fx/rate-source.js";
import {
  ChainNameSchema,
  CurrencyCodeSchema,
  CurrencyInputSchema,
  JurisdictionIdSchema,
  JurisdictionInputSchema,
  midsOf,
  resolveSpec,
  specIssues,
  type CorridorSpec,
  type CorridorSpecInput,
} from "../spec/spec.js";

const key = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte hex private key");
/** A bearer token: long enough that guessing it is hopeless. */
const token = z.string().regex(/^[A-Za-z0-9_\-.~]{32,256}$/, "expected a token of 32 to 256 URL-safe characters");
/** An address; mixed case must match its EIP-55 checksum (all lowercase carries none). */
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address (0x followed by 40 hex digits)")
  .superRefine((a, ctx) => {
    if (isAddress(a, { strict: false }) && !isAddress(a, { strict: true })) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `wrong EIP-55 checksum (expected ${getAddress(a)})` });
  });
/** A JSON-RPC or HTTP endpoint. */
const endpoint = z
  .string()
  .url()
  .refine((u) => /^(https?|wss?):\/\//i.test(u), { message: "expected an http(s) or ws(s) URL" });

const ChainDeploymentSchema = z
  .object({
    name: ChainNameSchema,
    chainId: z.number().int().positive(),
    /** The chain's home currency (issued natively there). */
    home: CurrencyCodeSchema,
    gateway: address,
    /** The chain's CorridorLens (batched gateway reads); a config written before the lens existed has none, and is read id by id. */
    lens: address.optional(),
    /** Every stablecoin of the corridor on this chain, by currency. */
    tokens: z.record(CurrencyCodeSchema, address),
    feeRecipient: address,
    /** First block to watch (the deployment block). */
    startBlock: z.number().int().nonnegative().default(0),
  })
  .strict();

const LiveChainSchema = z
  .object({
    url: endpoint,
    profile: z.string().refine((p) => p in CHAIN_PROFILES, { message: `expected one of ${Object.keys(CHAIN_PROFILES).join(", ")}` }),
    /** The jurisdiction the chain sits in; default the preset chain's of this name (a chain that is not a preset must give it). */
    jurisdiction: JurisdictionIdSchema.optional(),
  })
  .strict();

/** The corridor spec a config's chains and deployment describe (resolved by `liveSpec`). */
function specInputOf(c: { chains: Record<string, { profile: string; jurisdiction?: string }>; deployment: { chains: Record<string, { chainId: number; home: string }> }; currencies?: CorridorSpecInput["currencies"]; jurisdictions?: CorridorSpecInput["jurisdictions"] }): CorridorSpecInput {
  return {
    chains: Object.fromEntries(
      Object.entries(c.chains).map(([name, chain]) => {
        const d = c.deployment.chains[name];
        return [name, { profile: chain.profile, ...(chain.jurisdiction ? { jurisdiction: chain.jurisdiction } : {}), ...(d ? { chainId: d.chainId, home: d.home } : {}) }];
      }),
    ),
    ...(c.currencies ? { currencies: c.currencies } : {}),
    ...(c.jurisdictions ? { jurisdictions: c.jurisdictions } : {}),
  };
}

/** Where in a live config a spec field comes from (the spec's chain id and home are the deployment's, its jurisdiction the chain's). */
function configPath(specPath: (string | number)[]): (string | number)[] {
  const [top, name, field] = specPath;
  if (top === "chains" && name !== undefined && (field === "chainId" || field === "home")) return ["deployment", "chains", name, field];
  return specPath;
}

/**
 * A live corridor: JSON-RPC endpoints, the deployment, and each service's keys and settings.
 * `corridor up` writes one; `corridor relayer --config` and `corridor operator --config` read it,
 * so the same file works for local nodes and for a public testnet. Any number of chains (two at
 * least), each named in `chains` and deployed in `deployment.chains`; the corridor spec follows
 * from them (`liveSpec`), with `currencies` and `jurisdictions` declaring any that are not presets.
 */
export const LiveConfigSchema = z
  .object({
    chains: z.record(ChainNameSchema, LiveChainSchema),
    deployment: z.object({ chains: z.record(ChainNameSchema, ChainDeploymentSchema) }),
    /** Currencies that are not presets (or preset fields overridden), as in a corridor spec. */
    currencies: z.record(CurrencyCodeSchema, CurrencyInputSchema).optional(),
    /** Jurisdictions that are not presets (or preset fields overridden), as in a corridor spec. */
    jurisdictions: z.record(JurisdictionIdSchema, JurisdictionInputSchema).optional(),
    relayer: z
      .object({
        privateKey: key,
        store: z.string().default(".corridor/relayer.db"),
        pollMs: z.number().int().min(10).max(60_000).default(250),
        maxBatch: z.number().int().min(1).max(500).default(50),
        metricsPort: z.number().int().min(0).max(65_535).default(9464),
        /** The bearer token this relayer presents to the operator (one of `operator.relayerTokens`). */
        operatorToken: token,
        /** Per JSON-RPC call; a call that takes longer counts as failed and is retried. */
        rpcTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        /**
         * One of several relayer instances (each with its own key and store): instance `index` of `count`
         * sends the jobs whose id falls to it at once and backs the others up after `takeoverSeconds`.
         */
        instance: z
          .object({ index: z.number().int().min(0), count: z.number().int().min(1), takeoverSeconds: z.number().min(0).default(10) })
          .strict()
          .refine((i) => i.index < i.count, { message: "index must be below count (instances are numbered from 0)", path: ["index"] })
          .optional(),
      })
      .strict(),
    operator: z
      .object({
        url: endpoint,
        port: z.number().int().min(1).max(65_535),
        /** Where the operator's HTTP API listens: loopback unless said otherwise. */
        host: z.string().min(1).default("127.0.0.1"),
        /** Bearer tokens the relayers present (the attestation routes). */
        relayerTokens: z.array(token).min(1),
        /** People who may decide held transfers (`corridor review`), each with their own token. */
        reviewers: z.array(z.object({ name: z.string().min(1).max(100), token }).strict()).default([]),
        attesterKeys: z.array(key).min(1),
        threshold: z.number().int().min(1),
        quoterKey: key,
        store: z.string().default(".corridor/operator.db"),
        /**
         * The FX desk's mid per currency: units of it per one unit of the spec's numeraire (a fixed
         * rate). A currency not named here quotes at the spec's mid.
         */
        fx: z.record(CurrencyCodeSchema, z.number().positive().max(1_000_000)).default({}),
        spreadBps: z.record(z.string(), z.number().min(0).max(9_999)).default({ default: 10 }),
        quoteTtlSeconds: z.number().int().positive().default(60),
        hooks: z.array(HookSpecSchema).optional(),
      })
      .strict(),
    /** Funded test accounts (local chains only). */
    accounts: z.array(z.object({ chain: ChainNameSchema, address, privateKey: key }).strict()).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    if (c.operator.threshold > c.operator.attesterKeys.length) issue(["operator", "threshold"], `threshold ${c.operator.threshold} exceeds the ${c.operator.attesterKeys.length} attester keys`);
    // Every chain has its deployment, and no deployment is of a chain not named.
    const named = Object.keys(c.chains);
    const deployed = Object.keys(c.deployment.chains);
    for (const name of deployed) if (!(name in c.chains)) issue(["chains", name], `chain "${name}" is missing (deployment.chains has it; chains names ${named.join(", ") || "none"})`);
    for (const name of named) if (!(name in c.deployment.chains)) issue(["deployment", "chains", name], `chain "${name}" has no deployment (deployment.chains has ${deployed.join(", ") || "none"})`);
    let ok = true;
    for (const [name, d] of Object.entries(c.deployment.chains)) {
      if (d.name !== name) issue(["deployment", "chains", name, "name"], `expected "${name}" (the chain's key), got "${d.name}"`);
      if (d.tokens[d.home] === undefined) {
        issue(["deployment", "chains", name, "home"], `home currency ${d.home} has no token in tokens (it has ${Object.keys(d.tokens).join(", ") || "none"})`);
        ok = false;
      }
    }
    for (const [i, a] of c.accounts.entries()) if (!(a.chain in c.chains)) issue(["accounts", i, "chain"], `unknown chain "${a.chain}"; this corridor has ${named.join(", ")}`);
    if (!ok || named.length !== deployed.length || named.some((n) => !(n in c.deployment.chains))) return;
    // The corridor spec these chains make: at least two chains, distinct chain ids, known jurisdictions and currencies.
    const problems = specIssues(specInputOf(c));
    for (const p of problems) issue(configPath(p.path ?? []), p.message ?? "invalid");
    if (problems.length) return;
    const spec = resolveSpec(specInputOf(c));
    for (const [name, d] of Object.entries(c.deployment.chains)) {
      const missing = spec.tokens.filter((t) => d.tokens[t] === undefined);
      if (missing.length) issue(["deployment", "chains", name, "tokens"], `no token for ${missing.join(", ")} (every chain carries every corridor currency: ${spec.tokens.join(", ")})`);
    }
    for (const code of Object.keys(c.operator.fx)) {
      if (code === spec.numeraire) issue(["operator", "fx", code], `${code} is the numeraire every rate is quoted against (its rate is 1)`);
      else if (!(code in spec.currencies)) issue(["operator", "fx", code], `${code} is not a currency of this corridor (${Object.keys(spec.currencies).filter((x) => x !== spec.numeraire).join(", ")})`);
    }
  });

export type LiveConfig = z.infer<typeof LiveConfigSchema>;

/** Fresh secrets for a new live corridor: the relayer's bearer token and one reviewer's (`corridor up` writes them to the 0600 config). */
export function newLiveTokens(reviewer = "reviewer"): { relayerToken: string; reviewers: { name: string; token: string }[] } {
  return { relayerToken: randomBytes(32).toString("base64url"), reviewers: [{ name: reviewer, token: randomBytes(32).toString("base64url") }] };
}

export function loadLiveConfig(file: string): LiveConfig {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (cause) {
    throw new CorridorError("CORRIDOR_CONFIG_NOT_FOUND", `cannot read config ${file} (start a corridor with \`corridor up\`, or pass --config)`, { file }, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new CorridorError("CORRIDOR_CONFIG_MALFORMED", `${file} is not valid JSON: ${(cause as Error).message}`, { file }, cause);
  }
  const r = LiveConfigSchema.safeParse(json);
  if (!r.success) {
    // A config from before any number of chains had one FX rate field per pair: say where rates go now.
    const hint = (i: z.ZodIssue) => (i.code === z.ZodIssueCode.unrecognized_keys && i.path.join(".") === "operator" ? " (the FX desk's mids are operator.fx: { <currency>: units per numeraire unit })" : "");
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}${hint(i)}`).join("\n");
    throw new CorridorError("CORRIDOR_CONFIG_INVALID", `${file} is invalid:\n${lines}`, { file, issues: r.error.issues });
  }
  return r.data;
}

export function writeLiveConfig(file: string, config: LiveConfig): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
}

export function deploymentOf(config: LiveConfig): Deployment {
  return config.deployment as Deployment;
}

/** The corridor spec of a (validated) live config: its chains with their chain ids, home currencies and jurisdictions. */
export function liveSpec(config: LiveConfig): CorridorSpec {
  return resolveSpec(specInputOf(config));
}

/** The operator's rate source: a fixed mid per currency of the spec against its numeraire (`operator.fx`, else the spec's mid). */
export function liveRates(config: LiveConfig, spec: CorridorSpec = liveSpec(config)): RateSource {
  return fixedRates(spec.numeraire, { ...midsOf(spec), ...config.operator.fx });
}
