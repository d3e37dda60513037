/**
 * Two installs on the same state at once. The first holds the lock while its AWS calls are slowed
 * by a forwarding proxy in front of moto (each request waits 1.5 s; while the proxy is held, until
 * released); the second starts once the lock file exists, against a recording endpoint of its own,
 * so any AWS request it made would show there. It must exit 1 naming the first process, make no
 * request and leave the state and lock files as they were; the first then completes. A later run
 * takes the lock normally, and a lock left by a SIGKILLed run is taken over with a notice.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EXAMPLE, cleanEnv, runCli, tempDir } from "../support/cli.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, motoControl } from "../support/moto.js";
import { startCli, waitFor } from "./support/background-cli.js";
import { startDelayingProxy, type DelayingProxy } from "./support/delaying-proxy.js";
import { describeRequests, startRecordingEndpoint } from "./support/recording-endpoint.js";

const moto = motoControl(inject("motoEndpoint"));
const helm = inject("helm");
const DELAY_MS = 1_500;
const SECOND_KEY = "second-run-key";

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

describe("two installs on the same state", () => {
  let dir: string;
  let config: string;
  let proxy: DelayingProxy;
  const statePath = () => join(dir, ".btp-aws", "acme-prod", "state.json");
  const lockPath = () => join(dir, ".btp-aws", "acme-prod", "state.lock");
  const logsPath = () => join(dir, ".btp-aws", "acme-prod", "logs");
  const args = () => ["install", "--config", config, "--only", "prepare", "--yes"];
  const env = (endpoint: string, accessKeyId = MOTO_CREDENTIALS.accessKeyId) =>
    cleanEnv({ AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, BTP_AWS_HELM: helm.v4.path });
  const readLock = async () => JSON.parse(await readFile(lockPath(), "utf8")) as LockHolder;
  const steps = async () => (JSON.parse(await readFile(statePath(), "utf8")) as { steps: Record<string, { status: string }> }).steps;
  /** Content and identity: an atomic rewrite with the same bytes still changes inode and mtime. */
  const fingerprint = async (path: string) => {
    const { ino, mtimeMs } = await stat(path);
    return { ino, mtimeMs, text: await readFile(path, "utf8") };
  };

  beforeAll(async () => {
    await moto.reset();
    const zoneId = await moto.seedHostedZone("example.com");
    dir = await tempDir("btp-aws-lock-");
    config = join(dir, "btp-aws.yaml");
    // As in install-moto.test.ts: no profile (keys come from the environment), moto's account and
    // zone; and a license that does not expire during the test's lifetime (an expiry warning would
    // add a line to the exact stderr below).
    const text = (await readFile(EXAMPLE, "utf8"))
      .replace(/\n {2}profile: .*\n/, "\n")
      .replace('accountId: "123456789012"', `accountId: "${MOTO_ACCOUNT}"`)
      .replace("hostedZoneId: Z0123456789ABCDEFGHIJ", `hostedZoneId: ${zoneId}`)
      .replace(/expirationDate: ".*"/, 'expirationDate: "2099-12-31"');
    await writeFile(config, text);
    proxy = await startDelayingProxy(moto.endpoint, { delayMs: DELAY_MS });
  });

  afterAll(async () => {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("the second run exits 1 naming the first, makes no AWS request and changes nothing; the first completes", async () => {
    const started = Date.now();
    // Held until the second run is over: the first is then provably mid-run, waiting on AWS.
    proxy.hold();
    const first = startCli(args(), { cwd: dir, env: env(proxy.url) });
    const holder = await waitFor("the first run's lock", async () => {
      if (!first.running) throw new Error(`the first run exited early:\n${(await first.done).stderr}`);
      return existsSync(lockPath()) ? readLock().catch(() => undefined) : undefined;
    });
    expect(holder.pid).toBe(first.pid);
    // Quiet: prepare/tools (local) is done and prepare/credentials waits on its held STS call,
    // which every other prepare step needs, so the first run writes nothing until released.
    await waitFor("prepare/tools done and a held AWS call", async () =>
      proxy.pending > 0 && existsSync(statePath()) && (await steps())["prepare/tools"]?.status === "done" ? true : undefined);
    const stateBefore = await fingerprint(statePath());
    const lockBefore = await fingerprint(lockPath());
    const logsBefore = await readdir(logsPath());
    expect(logsBefore).toHaveLength(1); // the first run's own log
    const proxiedBefore = proxy.requests.length;

    const recorder = await startRecordingEndpoint();
    let second;
    try {
      second = await runCli(args(), { cwd: dir, env: env(recorder.url, SECOND_KEY) });
      expect(describeRequests(recorder.requests)).toEqual([]);
    } finally {
      await recorder.close();
    }
    expect(second.stderr).toBe(
      `✘ state for platform acme-prod is locked by process ${first.pid} on host ${holder.host} since ${holder.startedAt} (command: install): another btp-aws run is using it\n` +
        `→ wait for it to finish, or if that process is gone, remove ${lockPath()}\n`,
    );
    expect(second.stdout).toBe("");
    expect(second.code).toBe(1);
    expect(await fingerprint(statePath())).toEqual(stateBefore);
    expect(await fingerprint(lockPath())).toEqual(lockBefore);
    expect(await readdir(logsPath())).toEqual(logsBefore);
    // Nothing new reached the proxy meanwhile, and nothing there carries the second run's key.
    expect(proxy.requests.length).toBe(proxiedBefore);

    proxy.release();
    const result = await first.done;
    expect(result.stderr).toMatch(/✔ 6 steps complete in [\d.]+s\n/);
    expect(result.code).toBe(0);
    expect(proxy.requests.filter((r) => r.accessKeyId !== MOTO_CREDENTIALS.accessKeyId)).toEqual([]);
    expect(Object.values(await steps()).map((s) => s.status)).toEqual(Array(6).fill("done"));
    expect(existsSync(lockPath())).toBe(false);
    console.log(`[concurrency] first run: ${proxy.requests.length} AWS requests, each delayed ${DELAY_MS} ms; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("after the first exits, a third run takes the lock normally", async () => {
    const third = await runCli(args(), { cwd: dir, env: env(moto.endpoint) });
    expect(third.stderr).not.toContain("took over");
    expect(third.stderr).toMatch(/✔ 6 steps complete in [\d.]+s\n/);
    expect(third.code).toBe(0);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("a lock left by a SIGKILLed run is taken over with a notice", async () => {
    proxy.hold();
    try {
      const killed = startCli(args(), { cwd: dir, env: env(proxy.url) });
      const holder = await waitFor("the run to hold the lock and wait on AWS", async () => {
        if (!killed.running) throw new Error(`the run exited early:\n${(await killed.done).stderr}`);
        return existsSync(lockPath()) && proxy.pending > 0 ? readLock().catch(() => undefined) : undefined;
      });
      expect(holder.pid).toBe(killed.pid);
      killed.kill("SIGKILL");
      expect((await killed.done).signal).toBe("SIGKILL");
      // SIGKILL runs no cleanup: the lock stays behind, naming the dead process.
      expect(await readLock()).toEqual(holder);

      const next = await runCli(args(), { cwd: dir, env: env(moto.endpoint) });
      expect(next.stderr.split("\n")[0]).toBe(`⚠ took over a lock left by process ${holder.pid} (started ${holder.startedAt}), which is no longer running`);
      expect(next.stderr).toMatch(/✔ 6 steps complete in [\d.]+s\n/);
      expect(next.code).toBe(0);
      expect(existsSync(lockPath())).toBe(false);
      expect(Object.values(await steps()).map((s) => s.status)).toEqual(Array(6).fill("done"));
    } finally {
      proxy.release();
    }
  });
});
