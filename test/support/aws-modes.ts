/**
 * testConfig() is a development config, whose dependencies now default to in-cluster. The infra
 * step tests are about the managed services: this config keeps every dependency in aws mode unless
 * a test sets a mode itself.
 */
import type { Config } from "../../src/config/schema.js";
import { testConfig } from "./config.js";

export function awsTestConfig(overrides: Parameters<typeof testConfig>[0] = {}): Config {
  const { database, cache, storage } = overrides;
  return testConfig({
    ...overrides,
    database: { mode: "aws", ...database },
    cache: { mode: "aws", ...cache },
    storage: { mode: "aws", ...storage },
  });
}
