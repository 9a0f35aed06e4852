/**
 * The sweep's error codes and limits, without dependencies: the command line checks its flags against
 * them before it loads the simulator or the queue client.
 */

/** Codes of the sweep's jobs, plans and queue (exit 2 for the MALFORMED, NOT_FOUND and USAGE ones). */
export const SweepCode = {
  /** A job payload (queue message, plan file) that is not a job, or whose id is not its content's. */
  JobMalformed: "CORRIDOR_SWEEP_JOB_MALFORMED",
  /** The simulation of a job failed (not a failed conservation check: that is a result). */
  JobFailed: "CORRIDOR_SWEEP_JOB_FAILED",
  PlanNotFound: "CORRIDOR_SWEEP_PLAN_NOT_FOUND",
  PlanMalformed: "CORRIDOR_SWEEP_PLAN_MALFORMED",
  /** Some jobs of the sweep failed for good. */
  Failed: "CORRIDOR_SWEEP_FAILED",
  /** `--collect` found jobs without a result yet. */
  Incomplete: "CORRIDOR_SWEEP_INCOMPLETE",
  QueueUnreachable: "CORRIDOR_QUEUE_UNREACHABLE",
} as const;

/** Most jobs one sweep may hold (grid points times replications). */
export const MAX_JOBS = 100_000;
