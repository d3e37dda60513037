import { defineConfig } from "vitest/config";

// The benchmark's own vitest config, outside the main one so `npm test` never runs it: it starts
// moto through the same global setup and measures installs (test/bench/run.mjs drives it).
export default defineConfig({
  test: {
    include: ["test/bench/**/*.measure.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
