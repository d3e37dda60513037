/** Prepare steps with SDK-mocked clients: real clients whose `send` aws-sdk-client-mock replaces. */
import { expect } from "vitest";
import { createAwsClients, type AwsClients } from "../../../../src/aws/clients.js";
import { createCallCounter } from "../../../../src/aws/call-counter.js";
import type { Config } from "../../../../src/config/schema.js";
import { BtpAwsError } from "../../../../src/errors.js";
import type { PrepareServices } from "../../../../src/phases/prepare/index.js";
import type { Step, StepOutputs } from "../../../../src/plan/types.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";

export const ACCOUNT = "123456789012";
export const CREDENTIALS_OUTPUTS: Record<string, StepOutputs> = { "prepare/credentials": { account: ACCOUNT, principal: `arn:aws:iam::${ACCOUNT}:user/ops` } };

export function mockedAws(): AwsClients {
  return createAwsClients({
    region: "eu-west-1",
    userAgentSuffix: "btp-aws/test",
    credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }),
    counter: createCallCounter(),
    maxAttempts: 1,
  });
}

export function services(dns: PrepareServices["dns"] = { resolveNs: () => Promise.reject(new Error("unused")) }): PrepareServices {
  return { aws: mockedAws(), helm: { find: () => Promise.resolve(undefined), version: () => Promise.reject(new Error("unused")) }, dns };
}

/** `previous`: the step's outputs from an earlier run (a re-run); undefined is a first run. */
export async function run(step: Step<PrepareServices>, config: Config, svc: PrepareServices = services(), previous?: StepOutputs): Promise<{ outputs: StepOutputs; report: RecordingReporter }> {
  const report = recordingReporter();
  const outputs = await step.run({ config, services: svc, outputs: CREDENTIALS_OUTPUTS, previous, signal: new AbortController().signal }, report);
  return { outputs: outputs ?? {}, report };
}

export async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}
