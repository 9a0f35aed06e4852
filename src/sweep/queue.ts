/**
 * Sweeps on a BullMQ queue in Redis. `corridor sweep --queue URL` enqueues a sweep's jobs (BullMQ job
 * id = the job's stable id, so enqueuing the same grid twice adds nothing); `corridor worker --queue URL`
 * runs them on any number of machines. BullMQ does the distribution: retries with exponential backoff
 * for a failed run, and stalled-job recovery for a job whose worker died (its lock lapses and another
 * worker takes the job again). Each result comes back as the job's return value (the run's summary,
 * a few kilobytes) and stays in Redis, so `--collect` works from any machine that reaches Redis, with
 * no shared filesystem; the full results of each run stay in the worker's own `--out`.
 */
import { hostname } from "node:os";
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { CorridorError, isCorridorError } from "../domain/errors.js";
import { formatIssues, ScenarioSchema } from "../sim/scenario.js";
import { SweepCode } from "./codes.js";
import { parseJob, parseJobResult, type JobResult, type SweepJob } from "./job.js";
import type { JobRef } from "./plan.js";
import { redactQueueUrl } from "./queue-url.js";
import { runJob } from "./run.js";

/** One queue for every sweep: a job is its scenario and replication, whichever sweep planned it. */
export const QUEUE_NAME = "corridor-sweep";

/** A run that fails (not a failed conservation check) is tried this many times, 10 s, 20 s, 40 s apart. */
const JOB_OPTIONS = { attempts: 3, backoff: { type: "exponential", delay: 10_000 }, removeOnComplete: false, removeOnFail: false } as const;

/** BullMQ's connections: its workers need maxRetriesPerRequest null (they block on Redis). */
const connection = (url: string) => ({ url, maxRetriesPerRequest: null });

/** Fails fast, with a coded error, when nothing answers at the address (BullMQ itself would retry forever). */
async function checkReachable(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    throw new CorridorError(SweepCode.QueueUnreachable, `--queue ${redactQueueUrl(url)}: cannot reach Redis (${(cause as Error).message})`, { queue: redactQueueUrl(url) }, cause);
  } finally {
    redis.disconnect();
  }
}

/** Where a job stands in the queue, and its result once completed. */
export type QueueLookup = { state: "completed"; result: JobResult } | { state: string; result?: undefined };

export interface SweepQueue {
  /** Adds the jobs not yet in the queue and retries those that failed for good; counts each. */
  enqueue(jobs: readonly SweepJob[]): Promise<{ added: number; present: number; retried: number }>;
  lookup(refs: readonly JobRef[]): Promise<Map<string, QueueLookup>>;
  close(): Promise<void>;
}

export async function openSweepQueue(url: string): Promise<SweepQueue> {
  await checkReachable(url);
  const queue = new Queue(QUEUE_NAME, { connection: connection(url) });
  queue.on("error", () => {}); // connection errors surface as rejected calls
  const lookupOne = async (ref: JobRef): Promise<QueueLookup> => {
    const job = await queue.getJob(ref.id);
    if (!job) return { state: "not in the queue" };
    const state = await job.getState();
    if (state === "failed") return { state: `failed: ${job.failedReason}` };
    if (state !== "completed") return { state };
    const result = parseJobResult(job.returnvalue, ref.id);
    return result ? { state, result } : { state: "completed without a readable result" };
  };
  const lookup = async (refs: readonly JobRef[]) => {
    const out = new Map<string, QueueLookup>();
    for (let i = 0; i < refs.length; i += 200) {
      const chunk = refs.slice(i, i + 200);
      (await Promise.all(chunk.map(lookupOne))).forEach((l, k) => out.set(chunk[k]!.id, l));
    }
    return out;
  };
  return {
    lookup,
    async enqueue(jobs) {
      const states = await lookup(jobs);
      const fresh = jobs.filter((j) => states.get(j.id)!.state === "not in the queue");
      const failed = jobs.filter((j) => states.get(j.id)!.state.startsWith("failed"));
      for (let i = 0; i < fresh.length; i += 500) {
        await queue.addBulk(fresh.slice(i, i + 500).map((j) => ({ name: "sweep-job", data: j, opts: { jobId: j.id, ...JOB_OPTIONS } })));
      }
      for (const j of failed) await (await queue.getJob(j.id))?.retry("failed", { resetAttemptsMade: true });
      return { added: fresh.length, present: jobs.length - fresh.length - failed.length, retried: failed.length };
    },
    close: () => queue.close(),
  };
}

export interface SweepWorkerOptions {
  url: string;
  /** Jobs at a time (each runs a simulation in a child process, about one core). */
  concurrency: number;
  /** Where each job's full results go (`<out>/<job.dir>`). */
  out: string;
  /** How long a job's lock lasts without renewal: a dead worker's job goes back to the queue after about this long. */
  lockSeconds: number;
  /** How often this worker looks for jobs whose lock lapsed. */
  stalledSeconds: number;
  logger: Logger;
}

/** The job a queue message carries, checked: a malformed one fails for good (no retry), with a coded reason. */
function jobOf(message: Job): SweepJob {
  const fail = (e: CorridorError) => new UnrecoverableError(`[${e.code}] ${e.message}`);
  let job: SweepJob;
  try {
    job = parseJob(message.data, `queue job ${message.id}`);
  } catch (e) {
    throw isCorridorError(e) ? fail(e) : e;
  }
  if (job.id !== message.id) throw fail(new CorridorError(SweepCode.JobMalformed, `queue job ${message.id} carries job ${job.id}`));
  const scenario = ScenarioSchema.safeParse(job.scenario);
  if (!scenario.success) throw fail(new CorridorError(SweepCode.JobMalformed, `queue job ${message.id}: the scenario is not valid:\n${formatIssues(scenario.error.issues, job.scenario)}`));
  return job;
}

/** A worker: takes jobs from the queue until stopped; stop() lets the jobs it is running finish. */
export class SweepWorker {
  private worker: Worker | undefined;

  constructor(private readonly opts: SweepWorkerOptions) {}

  async start(): Promise<void> {
    const { url, concurrency, out, lockSeconds, stalledSeconds, logger } = this.opts;
    await checkReachable(url);
    const log = logger.child({ module: "worker", queue: redactQueueUrl(url) });
    const worker = new Worker(
      QUEUE_NAME,
      async (message: Job) => {
        const job = jobOf(message);
        log.info({ id: job.id, label: job.label, replication: job.replication, attempt: message.attemptsMade + 1 }, "job started");
        const { result, ran } = await runJob(job, out);
        log.info({ id: job.id, ran, wallSeconds: result.wallSeconds }, ran ? "job done" : "job already done in the output folder");
        return result;
      },
      {
        connection: connection(url),
        concurrency,
        name: `${hostname()}:${process.pid}`,
        lockDuration: lockSeconds * 1000,
        stalledInterval: stalledSeconds * 1000,
        // A job lost with its worker is taken again; one lost this often fails for good.
        maxStalledCount: 3,
      },
    );
    worker.on("failed", (message, err) => log.warn({ id: message?.id, attempt: message?.attemptsMade, err: err.message }, "job failed"));
    worker.on("stalled", (id) => log.warn({ id }, "job stalled (its worker stopped renewing its lock): back to the queue"));
    worker.on("error", (err) => log.error({ err: err.message }, "queue error"));
    await worker.waitUntilReady();
    this.worker = worker;
    log.info({ concurrency, out, lockSeconds, stalledSeconds }, "worker ready");
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }
}
