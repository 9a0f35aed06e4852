import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { CHAIN_PROFILES } from "../chains/profiles.js";
import { CorridorError } from "../domain/errors.js";
import { HookSpecSchema } from "../domain/compliance/registry.js";
import type { Deployment } from "../contracts/deploy.js";

const key = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte hex private key");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");

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

/**
 * A live corridor: JSON-RPC endpoints, the deployment, and each service's keys and settings.
 * `corridor up` writes one; `corridor relayer --config` and `corridor operator --config` read it,
 * so the same file works for local nodes and for a public testnet.
 */
export const LiveConfigSchema = z
  .object({
    chains: z.record(
      z.enum(["us", "uk"]),
      z.object({ url: z.string().url(), profile: z.string().refine((p) => p in CHAIN_PROFILES, { message: `expected one of ${Object.keys(CHAIN_PROFILES).join(", ")}` }) }).strict(),
    ),
    deployment: z.object({ chains: z.record(z.string(), ChainDeploymentSchema) }),
    relayer: z
      .object({
        privateKey: key,
        store: z.string().default(".corridor/relayer.db"),
        pollMs: z.number().int().min(10).max(60_000).default(250),
        maxBatch: z.number().int().min(1).max(500).default(50),
        metricsPort: z.number().int().min(0).max(65_535).default(9464),
        /** Per JSON-RPC call; a call that takes longer counts as failed and is retried. */
        rpcTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        instance: z.object({ index: z.number().int().min(0), count: z.number().int().min(1), takeoverSeconds: z.number().min(0).default(10) }).strict().optional(),
      })
      .strict(),
    operator: z
      .object({
        url: z.string().url(),
        port: z.number().int().min(1).max(65_535),
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
  .strict();

export type LiveConfig = z.infer<typeof LiveConfigSchema>;

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
