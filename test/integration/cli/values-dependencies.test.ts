/** `btp-aws values postgresql|redis|minio`: the built CLI prints the in-cluster releases' values, offline, with no credential in them. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cleanEnv, runCli, tempDir } from "../../support/cli.js";
import { REPO_ROOT } from "../../support/paths.js";

const DEVELOPMENT = join(REPO_ROOT, "examples", "btp-aws.development.yaml");
// Any AWS call would fail: nothing listens there and there are no credentials.
const env = cleanEnv({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" });

describe("btp-aws values for the in-cluster dependencies", () => {
  it("prints each release's values as install builds them: the Secret by name, the gp3 volume", async () => {
    const stateDir = await tempDir();
    const postgres = await runCli(["values", "postgresql", "--config", DEVELOPMENT, "--state-dir", stateDir, "--output", "json"], { env });
    expect(postgres.stderr).toBe("");
    expect(postgres.code).toBe(0);
    expect(JSON.parse(postgres.stdout)).toMatchObject({ auth: { existingSecret: "postgresql-credentials", database: "btp" }, primary: { persistence: { storageClass: "gp3" } } });

    const redis = await runCli(["values", "redis", "--config", DEVELOPMENT, "--state-dir", stateDir], { env });
    expect(redis.code).toBe(0);
    expect(redis.stdout).toMatch(/^# values for release redis of platform \S+; secrets are placeholders$/m);
    expect(parse(redis.stdout)).toMatchObject({ auth: { existingSecret: "redis-credentials" }, master: { persistence: { size: "8Gi" } } });

    const minio = await runCli(["values", "minio", "--config", DEVELOPMENT, "--state-dir", stateDir, "--output", "json"], { env });
    expect(JSON.parse(minio.stdout)).toMatchObject({ existingSecret: "minio-credentials", users: [], buckets: [{ name: "btp-state" }] });
  });

  it("names the new releases when given one it does not know", async () => {
    const result = await runCli(["values", "mysql", "--config", DEVELOPMENT, "--state-dir", await tempDir()], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("postgresql, redis, minio");
  });
});
