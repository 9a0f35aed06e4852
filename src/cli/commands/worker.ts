import type { Command } from "commander";
import { parseInteger, prepareOutDir } from "../options.js";
import { parseQueueUrl } from "../../sweep/queue-url.js";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run sweep jobs from a BullMQ queue in Redis (enqueued by `corridor sweep --queue`) until stopped (Ctrl-C or SIGTERM lets the jobs it is running finish)")
    .requiredOption("--queue <url>", "the Redis that holds the queue: redis://host:6379", parseQueueUrl())
    .option("--concurrency <k>", "jobs at a time (each uses about one core)", parseInteger("--concurrency", 1, 64), 1)
    .option("--out <dir>", "where each job's full results go (<dir>/<point>/r<replication>-<id>); the summary also goes back through the queue", "out/sweep")
    .option("--lock-seconds <s>", "a job's lock: a worker that dies gives its jobs back after about this long", parseInteger("--lock-seconds", 2, 3600), 30)
    .option("--stalled-seconds <s>", "how often to look for jobs whose worker died", parseInteger("--stalled-seconds", 1, 3600), 30)
    .action(async (o: { queue: string; concurrency: number; out: string; lockSeconds: number; stalledSeconds: number }) => {
      const out = prepareOutDir("--out", o.out);
      const [{ createLogger }, { SweepWorker }] = await Promise.all([import("../../logger.js"), import("../../sweep/queue.js")]);
      const worker = new SweepWorker({ url: o.queue, concurrency: o.concurrency, out, lockSeconds: o.lockSeconds, stalledSeconds: o.stalledSeconds, logger: createLogger({ level: process.env.CORRIDOR_LOG_LEVEL ?? "info" }) });
      await worker.start();
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop).off("SIGTERM", stop);
          void worker.stop().then(done);
        };
        process.on("SIGINT", stop).on("SIGTERM", stop);
      });
    });
}
