/** status's live lines follow the dependency modes: no AWS lookup for what is not an AWS service. */
import { describe, expect, it } from "vitest";
import type { DependencyModes } from "../../../../src/ops/doctor/dependency-modes.js";
import { liveResources, renderLive } from "../../../../src/ops/status/live.js";
import { stubFacts } from "../doctor/helpers.js";

const healthy = {
  vpc: () => Promise.resolve({ vpcId: "vpc-1", state: "available", cidr: "10.0.0.0/16", tags: {} }),
  cluster: () => Promise.resolve({ name: "btp-t1", status: "ACTIVE", version: "1.35" }),
  nodeGroup: () => Promise.resolve({ name: "btp-t1-nodes", status: "ACTIVE", scaling: { desired: 3, min: 2, max: 50 } }),
  key: () => Promise.resolve({ keyId: "k-1", arn: "arn:aws:kms:eu-west-1:123456789012:key/k-1", state: "Enabled" }),
  certificate: () => Promise.resolve(undefined),
  secret: () => Promise.resolve({ name: "btp-t1/credentials", arn: "arn", tags: {} }),
} as unknown as Parameters<typeof stubFacts>[0];

function facts(modes: DependencyModes) {
  // stubFacts rejects database(), cache() and bucket(): a line that looked them up would say "unknown".
  return stubFacts({ ...healthy, modes });
}

describe("live lines per dependency mode", () => {
  it("in-cluster and external dependencies are named, not looked up in AWS", async () => {
    const rows = await liveResources(facts({ database: "in-cluster", cache: "external", storage: "in-cluster" }));
    expect(rows.filter((r) => ["database", "cache", "bucket"].includes(r.resource))).toEqual([
      { resource: "database", name: "helm release btp-dependencies/postgresql", exists: null, status: "in-cluster", healthy: true, detail: "not an AWS resource: `btp-aws doctor` checks its pods and volumes" },
      { resource: "cache", name: "external endpoint", exists: null, status: "external", healthy: true, detail: "not managed by btp-aws: `btp-aws install --only verify` checks it from the cluster" },
      { resource: "bucket", name: "helm release btp-dependencies/minio", exists: null, status: "in-cluster", healthy: true, detail: "not an AWS resource: `btp-aws doctor` checks its pods and volumes" },
    ]);
    const text = renderLive(rows, "eu-west-1");
    expect(text).toContain("  · database     helm release btp-dependencies/postgresql: in-cluster (not an AWS resource: `btp-aws doctor` checks its pods and volumes)");
    expect(text).toContain("  · cache        external endpoint: external (");
  });

  it("mode aws looks the service up (here the stub refuses, so the line says it could not check)", async () => {
    const rows = await liveResources(facts({ database: "aws", cache: "in-cluster", storage: "in-cluster" }));
    const database = rows.find((r) => r.resource === "database")!;
    expect([database.exists, database.status, database.detail]).toEqual([null, "unknown", "could not check: this test does not expect an RDS lookup"]);
    expect(renderLive(rows, "eu-west-1")).toContain("  ? database");
  });
});
