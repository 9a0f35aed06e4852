import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import { CorridorError } from "../domain/errors.js";
import { HookSpecSchema } from "../domain/compliance/registry.js";
import type { Deployment } from "../contracts/deploy.js";

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

const ChainDeploymentSchema = z.object({
  name: z.string(),
  chainId: z.number().int().positive(),
  home: z.enum(["USD", "GBP"]),
  gateway: address,
  tokens: z.object({ USD: address, GBP: address }),
  feeRecipient: address,
  /** First block to watch (the deployment block). */
  startBlock: z.number().int().nonnegative().default(0),
});

/** Both chains, and no other: the commands look both up by name. */
function bothChains(chains: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const name of ["us", "uk"]) if (chains[name] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `chain "${name}" is missing` });
  for (const name of Object.keys(chains)) if (name !== "us" && name !== "uk") ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `unknown chain "${name}"; expected us and uk` });
}

const LiveChainSchema = z
  .object({ url: endpoint, profile: z.string().refine((p) => p in CHAIN_PROFILES, { message: `expected one of ${Object.keys(CHAIN_PROFILES).join(", ")}` }) })
  .strict();

/**
 * A live corridor: JSON-RPC endpoints, the deployment, and each service's keys and settings.
 * `corridor up` writes one; `corridor relayer --config` and `corridor operator --config` read it,
 * so the same file works for local nodes and for a public testnet.
 */
export const LiveConfigSchema = z
  .object({
    chains: z.record(z.enum(["us", "uk"]), LiveChainSchema).superRefine(bothChains),
    deployment: z.object({ chains: z.record(z.string(), ChainDeploymentSchema).superRefine(bothChains) }),
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
        gbpPerUsd: z.number().positive().default(0.7497),
        spreadBps: z.record(z.string(), z.number().min(0).max(9_999)).default({ default: 10 }),
        quoteTtlSeconds: z.number().int().positive().default(60),
        hooks: z.array(HookSpecSchema).optional(),
      })
      .strict(),
    /** Funded test accounts (local chains only). */
    accounts: z.array(z.object({ chain: z.enum(["us", "uk"]), address, privateKey: key }).strict()).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.operator.threshold > c.operator.attesterKeys.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["operator", "threshold"], message: `threshold ${c.operator.threshold} exceeds the ${c.operator.attesterKeys.length} attester keys` });
    }
    const [us, uk] = [c.deployment.chains.us, c.deployment.chains.uk];
    if (us && uk && us.chainId === uk.chainId) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["deployment", "chains", "uk", "chainId"], message: "the two chains must have different chain ids" });
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
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("\n");
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
