/**
 * `btp-aws destroy` before it deletes anything: without a terminal it needs --yes (exit 2, no AWS
 * call); in a terminal it asks for the platform name and accepts nothing else.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { destroyCommand } from "../../../../src/cli/commands/destroy.js";
import { createUi } from "../../../../src/cli/output.js";
import type { Prompter } from "../../../../src/cli/wizard.js";
import { UsageError } from "../../../../src/errors.js";

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "btp-aws-destroy-cmd-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("destroy command", () => {
  it("refuses to run without a terminal unless --yes, before any AWS call (exit 2)", async () => {
    const calls: string[] = [];
    const aws = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`called ${String(name)}`)).finally(() => calls.push(String(name))) }) as unknown as AwsClients;
    const env = {};
    const error = await destroyCommand({ platform: "acme", region: "eu-west-1", stateDir: dir }, [], { env, cwd: dir, ui: createUi({ env, stdout: sink(), stderr: sink(), stdinTty: false }), aws }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe("destroy deletes every resource of platform acme: confirm with --yes when there is no terminal to type its name in");
    expect((error as UsageError).hint).toBe(`run \`btp-aws destroy --dry-run\` to see what would go, then \`btp-aws destroy --platform acme --region eu-west-1 --state-dir ${dir} --yes\``);
    expect((error as UsageError).exitCode).toBe(2);
    expect(calls).toEqual([]);
  });

  it("in a terminal, asks for the platform name and accepts only that", async () => {
    const sts = new STSClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/ops", UserId: "AID" });
    const aws = { region: "eu-west-1", endpoint: undefined, sts: () => Promise.resolve(sts), destroy: () => undefined } as unknown as AwsClients;
    const answers: { message: string; verdicts: (string | true)[] }[] = [];
    const stop = new Error("the user pressed Ctrl-C at the prompt");
    const prompter: Prompter = {
      input: (question) => {
        answers.push({ message: question.message, verdicts: ["acme-prod", "ACME", " acme "].map((typed) => question.validate(typed)) });
        return Promise.reject(stop);
      },
      select: () => Promise.reject(new Error("no select")),
      confirm: () => Promise.reject(new Error("no confirm")),
      password: () => Promise.reject(new Error("no password")),
    };
    const env = {};
    const error = await destroyCommand({ platform: "acme", region: "eu-west-1", stateDir: dir }, [], { env, cwd: dir, ui: createUi({ env, stdout: sink(), stderr: sink(), stdinTty: true }), aws, prompter }).catch((e: unknown) => e);
    expect(error).toBe(stop);
    expect(answers).toEqual([{ message: "Type the platform name (acme) to destroy it:", verdicts: ["type acme exactly, or press Ctrl-C to stop", "type acme exactly, or press Ctrl-C to stop", true] }]);
  });
});
