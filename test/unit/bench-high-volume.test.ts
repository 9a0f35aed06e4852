/**
 * The high-volume bench reads memory against the run's length from `corridor simulate`'s progress lines
 * (scripts/bench-high-volume.ts): the lines the simulator writes when stderr is not a terminal must stay
 * readable by it, and the growth per transfer is computed from those points.
 */
import { describe, expect, it } from "vitest";
import { startProgress } from "../../src/cli/progress.js";
import { growthPerTransferKiB, parseProgressLine, type MeasuredRun } from "../../scripts/bench-high-volume.js";

describe("bench-high-volume's progress points", () => {
  it("reads the transfers final from the simulator's own progress lines, and nothing else", async () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
    const progress = await startProgress("transfers final", stream);
    for (let done = 0; done <= 2_000; done += 100) progress.update(done, 2_000, "3 h 10 min simulated");
    progress.stop();
    const points = lines.map(parseProgressLine);
    expect(points.every((p) => p !== null)).toBe(true);
    expect(points.map((p) => p!.done)).toEqual([200, 400, 600, 800, 1_000, 1_200, 1_400, 1_600, 1_800, 2_000]);
    expect(points.every((p) => p!.total === 2_000)).toBe(true);
    expect(parseProgressLine("  Deploying the corridor and funding 4,000 senders…")).toBeNull();
    expect(parseProgressLine("  50% | 3/6 replications done | 1 min elapsed")).toBeNull();
  });

  it("gives the growth in KiB of RSS per transfer between the first and the last point", () => {
    const run = (pts: [number, number][]): MeasuredRun =>
      ({ byTransfers: pts.map(([done, rssMiB], i) => ({ done, total: 1_000, rssMiB, t: i })) }) as unknown as MeasuredRun;
    expect(growthPerTransferKiB(run([[100, 500], [550, 500], [1_000, 500]]))).toBe(0);
    // 90 MiB over 900 transfers: 102.4 KiB a transfer.
    expect(growthPerTransferKiB(run([[100, 410], [1_000, 500]]))).toBeCloseTo(102.4, 6);
    expect(growthPerTransferKiB(run([[100, 410]]))).toBeNull();
  });
});
