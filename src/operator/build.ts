/**
 * Builds the operator with its attesters: the one place every entry point (simulator, live
 * daemons, dashboard, bench, tests) assembles them, so each attester always gets its own key,
 * its own journal and its own reading of the chains.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { Attester, MemoryAttesterJournal, SqliteAttesterJournal } from "./attester.js";
import type { ChainViewOptions } from "./chain-view.js";
import { MemoryDecisionStore, SqliteDecisionStore } from "./decisions.js";
import { Operator, type OperatorOptions } from "./operator.js";
import { AttesterQuorum } from "./quorum.js";
import { Quoter } from "./quoter.js";
import { createScreen } from "./screening.js";
import type { AuditEntry, ComplianceHook } from "../domain/compliance/types.js";
import type { RateSource } from "../domain/fx/rate-source.js";
import type { Message } from "../domain/message.js";
import type { CorridorSpec } from "../spec/spec.js";

export interface BuildAttestersOptions extends ChainViewOptions {
  attesterKeys: Hex[];
  threshold: number;
  clock: { now(): number };
  /** A folder for each attester's own journal (`attester-<address>.db`); in memory if absent. */
  stateDir?: string;
}

/** The attesters, each independent (own key, journal and chain reads), behind the coordinator's quorum. */
export function buildAttesters(opts: BuildAttestersOptions): AttesterQuorum {
  if (opts.stateDir) mkdirSync(opts.stateDir, { recursive: true });
  const attesters = opts.attesterKeys.map(
    (privateKey) =>
      new Attester({
        chains: opts.chains,
        profiles: opts.profiles,
        deployment: opts.deployment,
        privateKey,
        now: () => opts.clock.now(),
        journal: opts.stateDir ? new SqliteAttesterJournal(join(opts.stateDir, `attester-${privateKeyToAddress(privateKey).toLowerCase()}.db`)) : new MemoryAttesterJournal(),
      }),
  );
  return new AttesterQuorum(attesters, opts.threshold);
}

/** What the operator decides by: the corridor, its FX desk and its compliance pipeline. */
export interface OperatorPolicy {
  spec: CorridorSpec;
  rates: RateSource;
  /** The quoter's key (registered on every gateway), spreads per direction ("<IN>-><OUT>" or default) and quote lifetime. */
  quoterKey: Hex;
  spreadBps: Record<string, number>;
  quoteTtlSeconds: number;
  hooks: readonly ComplianceHook[];
  /** The off-chain travel-rule payload the sender's VASP submitted for a message (its extraHash commits to it). */
  travelRuleFor: (message: Message) => unknown;
  /** Where the pipeline's audit entries go; default the operator's own store. */
  audit?: (entries: AuditEntry[]) => void;
}

export interface BuildOperatorOptions extends ChainViewOptions, Omit<OperatorOptions, "attesters" | "store" | "quoter" | keyof ChainViewOptions> {
  /** The policy the quoter and screening are built from (unless `quoter` and `screen` are given). */
  policy?: OperatorPolicy;
  quoter?: OperatorOptions["quoter"];
  /** The attesters, when the caller built them first (the simulator's faults take them offline); else built from the keys. */
  attesters?: AttesterQuorum;
  attesterKeys?: Hex[];
  threshold?: number;
  /**
   * Where state is kept: a folder for the operator's decisions (`operator.db` unless `storeFile`
   * says otherwise) and each attester's own journal (`attester-<address>.db`); in memory if absent.
   */
  stateDir?: string;
  storeFile?: string;
}

export function buildOperator(opts: BuildOperatorOptions): Operator {
  if (opts.stateDir) mkdirSync(opts.stateDir, { recursive: true });
  const attesters = opts.attesters ?? buildAttesters({ ...opts, attesterKeys: opts.attesterKeys ?? [], threshold: opts.threshold ?? 1 });
  const store = opts.storeFile ? new SqliteDecisionStore(opts.storeFile) : opts.stateDir ? new SqliteDecisionStore(join(opts.stateDir, "operator.db")) : new MemoryDecisionStore();
  const p = opts.policy;
  const quoter = opts.quoter ?? (p && new Quoter({ privateKey: p.quoterKey, source: p.rates, spreadBps: p.spreadBps, ttlSeconds: p.quoteTtlSeconds }));
  if (!quoter) throw new Error("buildOperator needs a policy or a quoter");
  // A policy without hooks allows everything: no pipeline to run.
  const screen =
    opts.screen ??
    (p &&
      p.hooks.length > 0 &&
      createScreen({
        hooks: p.hooks,
        rates: p.rates,
        spec: p.spec,
        travelRuleFor: p.travelRuleFor,
        audit: p.audit ?? ((entries) => store.appendAudit(entries)),
      }));
  return new Operator({ ...opts, attesters, store, quoter, ...(screen ? { screen } : {}) });
}
