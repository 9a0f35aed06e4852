import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CHAIN_PROFILES } from "../../src/chains/profiles.js";
import { blockIntervalMs, timingView } from "../../src/server/live-corridor.js";
import { packagePath } from "../../src/paths.js";

const both = (name: string) => ({ us: { name, profile: CHAIN_PROFILES[name]! }, uk: { name, profile: CHAIN_PROFILES[name]! } });

describe("the demo's profile and compressed time", () => {
  it("mines Ethereum's 12 s blocks every 200 ms at 60x, and says so", () => {
    expect(blockIntervalMs(CHAIN_PROFILES.ethereum!, 60)).toBe(200);
    expect(blockIntervalMs(CHAIN_PROFILES.local!, 1)).toBe(1000);
    const t = timingView(both("ethereum"), 60);
    expect(t).toMatchObject({ profile: "ethereum", timeScale: 60 });
    expect(t.text).toBe(
      "Profile: Ethereum-like (12 s blocks, Standard final after 2–3 epochs of 32 blocks, ~13–19.2 min, Fast after 2 blocks) shown at 60× speed: 1 minute on screen = 1 hour of corridor time; every time below is corridor time",
    );
    expect(timingView(both("local"), 1).text).toBe("Profile: Local test chain (1 s blocks, final at once) shown in real time");
  });

  it("refuses an unknown profile and a speed outside 1..600 with coded usage errors", async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", packagePath("scripts", "demo.ts"), ...args]).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const [profile, speed] = await Promise.all([run(["--profile", "solana"]), run(["--speed", "601"])]);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain("CORRIDOR_USAGE_UNKNOWN_PROFILE");
    expect(speed.code).toBe(2);
    expect(speed.stderr).toContain("CORRIDOR_USAGE_INVALID_SPEED");
  }, 30_000);
});
