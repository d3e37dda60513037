/**
 * infra/rds, infra/elasticache and infra/s3 make the managed services only in aws mode; in-cluster
 * and external modes skip without a single AWS call and record just the mode. infra/irsa makes the
 * platform's bucket role only when there is a bucket of ours.
 */
import { describe, expect, it } from "vitest";
import type { Config } from "../../../../src/config/schema.js";
import { elasticacheStep } from "../../../../src/phases/infra/elasticache.js";
import { irsaStep } from "../../../../src/phases/infra/irsa.js";
import { rdsStep } from "../../../../src/phases/infra/rds.js";
import { s3Step } from "../../../../src/phases/infra/s3.js";
import { testConfig } from "../../../support/config.js";
import { recordingReporter } from "../../../support/reporter.js";
import { fakeServices, mocks, run } from "./data-fakes.js";

const m = mocks();
const IN_CLUSTER = testConfig();
const EXTERNAL = testConfig({
  database: { mode: "external", external: { host: "db.example.com", port: 6432, user: "btp" } },
  cache: { mode: "external", external: { host: "redis.example.com", tls: false } },
  storage: { mode: "external", external: { bucket: "acme-btp-state", endpoint: "https://s3.example.com" } },
});

/** Every client the fake hands out throws if asked for, except these three, which must stay unused. */
async function skipped(step: Parameters<typeof run>[0], config: Config) {
  const services = fakeServices(m.clients);
  const result = await run(step, config, services);
  expect([...m.sm.calls(), ...m.rds.calls(), ...m.ec.calls()]).toEqual([]);
  return result;
}

describe("dependency modes in infra", () => {
  it.each([
    ["in-cluster", IN_CLUSTER, [
      "database.mode is in-cluster: no RDS instance; PostgreSQL runs in the cluster on an encrypted gp3 volume (addons/postgresql)",
      "cache.mode is in-cluster: no ElastiCache replication group; Redis runs in the cluster on an encrypted gp3 volume (addons/redis)",
      "storage.mode is in-cluster: no S3 bucket; MinIO runs in the cluster on an encrypted gp3 volume (addons/minio)",
    ]],
    ["external", EXTERNAL, [
      "database.mode is external: no RDS instance; the platform uses your database at db.example.com:6432",
      "cache.mode is external: no ElastiCache replication group; the platform uses your Redis at redis.example.com:6379 without TLS",
      "storage.mode is external: no S3 bucket; the platform uses your bucket acme-btp-state at https://s3.example.com",
    ]],
  ] as const)("%s: rds, elasticache and s3 say so in the plan, skip without an AWS call and record the mode", async (mode, config, lines) => {
    expect([rdsStep.describe(config), elasticacheStep.describe(config), s3Step.describe(config)]).toEqual(lines.map((line) => [line]));
    for (const [step, line] of [[rdsStep, lines[0]], [elasticacheStep, lines[1]], [s3Step, lines[2]]] as const) {
      const { outputs, report } = await skipped(step, config);
      expect(outputs).toEqual({ mode });
      expect(report.skipped).toEqual([line]);
      expect(report.infos).toEqual([]);
    }
  });

  it.each([
    [rdsStep, { dbInstanceId: "btp-btp-test-db" }, "database.mode is in-cluster, but an earlier run of this platform made RDS instance btp-btp-test-db: switching would leave its data behind"],
    [elasticacheStep, { replicationGroupId: "btp-btp-test-redis" }, "cache.mode is in-cluster, but an earlier run of this platform made ElastiCache replication group btp-btp-test-redis: switching would leave its data behind"],
    [s3Step, { bucket: "btp-btp-test-123456789012-eu-west-1" }, "storage.mode is in-cluster, but an earlier run of this platform made S3 bucket btp-btp-test-123456789012-eu-west-1: switching would leave its data behind"],
  ] as const)("refuses to drop the managed store an earlier run made when the mode is no longer aws (%#)", async (step, previous, message) => {
    const services = fakeServices(m.clients);
    const context = { config: IN_CLUSTER, services, outputs: {}, previous, signal: new AbortController().signal };
    const error = await step.run(context as never, recordingReporter()).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
    expect(error?.message).toBe(message);
    expect(error?.hint).toMatch(/^set (database|cache|storage)\.mode: aws to keep using it/);
    expect([...m.sm.calls(), ...m.rds.calls(), ...m.ec.calls()]).toEqual([]);
  });

  it("aws mode still plans the managed services", () => {
    const production = testConfig({ environment: "production" });
    expect(rdsStep.describe(production)[0]).toMatch(/^create or adopt RDS PostgreSQL 16 btp-btp-test-db: db\.r6g\.large/);
    expect(elasticacheStep.describe(production)[0]).toMatch(/^create or adopt ElastiCache redis 7\.1 replication group btp-btp-test-redis/);
    expect(s3Step.describe(production)[0]).toMatch(/^create or adopt bucket btp-btp-test-<account>-eu-west-1: versioning/);
  });

  it("irsa plans the platform's bucket role only when storage.mode is aws", () => {
    const roles = (config: Config) => irsaStep.describe(config).filter((line) => line.includes("btp-btp-test-irsa-btp"));
    expect(roles(testConfig({ environment: "production" }))).toEqual(["create or adopt role btp-btp-test-irsa-btp, assumable only by settlemint/settlemint"]);
    expect(roles(IN_CLUSTER)).toEqual(["no role btp-btp-test-irsa-btp: storage.mode is in-cluster, the platform reaches no AWS bucket"]);
    expect(roles(EXTERNAL)).toEqual(["no role btp-btp-test-irsa-btp: storage.mode is external, the platform reaches no AWS bucket"]);
  });
});
