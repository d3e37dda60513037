/**
 * Fakes for the unit tests of infra/secrets, infra/rds and infra/elasticache: real SDK clients
 * under aws-sdk-client-mock, handed to the step through a fake `aws` that returns them, and a
 * virtual clock so waits run instantly and can time out.
 */
import { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { RDSClient } from "@aws-sdk/client-rds";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import type { AwsClients } from "../../../../src/aws/clients.js";
import type { Config } from "../../../../src/config/schema.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { recordingReporter, type RecordingReporter } from "../../../support/reporter.js";

const CLIENT = { region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } };

export const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222";
export const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:btp-btp-test/credentials-AbCdEf";

/** What the steps before the data steps would have recorded. */
export const OUTPUTS: Record<string, StepOutputs> = {
  "prepare/credentials": { account: "123456789012", principal: "arn:aws:iam::123456789012:user/me" },
  "infra/kms": { keyId: "1111-2222", keyArn: KEY_ARN, alias: "alias/btp-btp-test" },
  "infra/vpc": { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], publicSubnetIds: ["subnet-p1", "subnet-p2"], privateSubnetIds: ["subnet-a", "subnet-b"], internetGatewayId: "igw-1", natGatewayIds: ["nat-1"] },
  "infra/security-groups": { nodeSecurityGroupId: "sg-nodes", albSecurityGroupId: "sg-alb", databaseSecurityGroupId: "sg-db", cacheSecurityGroupId: "sg-cache" },
  "infra/secrets": { secretArn: SECRET_ARN, secretName: "btp-btp-test/credentials" },
};

export function mocks() {
  const clients = { sm: new SecretsManagerClient(CLIENT), rds: new RDSClient(CLIENT), ec: new ElastiCacheClient(CLIENT) };
  return { clients, sm: mockClient(clients.sm), rds: mockClient(clients.rds), ec: mockClient(clients.ec) };
}

function unexpected(name: string) {
  return () => Promise.reject(new Error(`the step asked for the ${name} client`));
}

export interface FakeServices extends Pick<InfraServices, "aws" | "wait" | "secrets"> {
  registered: string[];
  /** Virtual milliseconds slept. */
  slept: () => number;
}

export function fakeServices(clients: ReturnType<typeof mocks>["clients"], endpoint?: string): FakeServices {
  let now = 0;
  const registered: string[] = [];
  const aws: AwsClients = {
    region: "eu-west-1",
    endpoint,
    counter: undefined,
    secretsManager: () => Promise.resolve(clients.sm),
    rds: () => Promise.resolve(clients.rds),
    elasticache: () => Promise.resolve(clients.ec),
    sts: unexpected("sts"), ec2: unexpected("ec2"), iam: unexpected("iam"), kms: unexpected("kms"), s3: unexpected("s3"), eks: unexpected("eks"),
    acm: unexpected("acm"), route53: unexpected("route53"), sns: unexpected("sns"), cloudwatch: unexpected("cloudwatch"), logs: unexpected("logs"),
    budgets: unexpected("budgets"), serviceQuotas: unexpected("serviceQuotas"), tagging: unexpected("tagging"),
    elbv2: unexpected("elbv2"), wafv2: unexpected("wafv2"), guardduty: unexpected("guardduty"), cloudtrail: unexpected("cloudtrail"), configService: unexpected("configService"), pricing: unexpected("pricing"),
    destroy: () => undefined,
  };
  return {
    aws,
    wait: { scale: 1, now: () => now, sleep: (ms) => Promise.resolve(void (now += ms)) },
    secrets: { add: (value) => void registered.push(value) },
    registered,
    slept: () => now,
  };
}

export async function run<S>(step: { run(context: { config: Config; services: S; outputs: Record<string, StepOutputs>; previous: StepOutputs | undefined; signal: AbortSignal }, report: RecordingReporter): Promise<StepOutputs | void> }, config: Config, services: S, outputs: Record<string, StepOutputs> = OUTPUTS): Promise<{ outputs: StepOutputs | void; report: RecordingReporter }> {
  const report = recordingReporter();
  const result = await step.run({ config, services, outputs, previous: undefined, signal: new AbortController().signal }, report);
  return { outputs: result, report };
}

/** The rejection of `promise`, which must be an Error. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { hint?: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof Error)) throw new Error(`expected a rejection, got ${String(error)}`);
  return error;
}

/** An SDK service error as the deserializer builds it: a name (the code) and $metadata. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400 } });
}
