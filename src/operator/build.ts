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

export interface BuildOperatorOptions extends ChainViewOptions, Omit<OperatorOptions, "attesters" | "store" | keyof ChainViewOptions> {
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
  return new Operator({ ...opts, attesters, store });
}
