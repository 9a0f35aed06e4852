import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file gets its own process: Hardhat's in-process chains hold native state.
    pool: "forks",
    // One fast-check seed per test file, fresh each run (CORRIDOR_FC_SEED replays one), printed.
    setupFiles: ["test/setup/fast-check-seed.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
