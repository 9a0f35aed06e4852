/**
 * What the relayer's parts share: its options, its log and counters, the records (the only path
 * by which a record's state changes), and the operator it asks for attestations.
 */
import type { Logger } from "pino";
import type { AttestationService, RelayerOptions } from "./relayer.js";
import type { RelayerMetrics } from "./metrics.js";
import type { Records } from "./records.js";

/** Counters for reports (the simulator's results). */
export interface RelayerStats {
  batches: number;
  batchItems: number;
  rpcErrors: number;
  alreadySettled: number;
}

export interface RelayerContext {
  readonly opts: RelayerOptions;
  readonly log: Logger;
  readonly stats: RelayerStats;
  readonly metrics: RelayerMetrics;
  readonly records: Records;
  /** The operator, once `Relayer.connect` has been called. */
  readonly attestations: AttestationService;
}
