/**
 * AWS failures of the network steps, turned into errors that say what to change. On top of
 * describeAwsError (credentials, AccessDenied, network, throttling): a limit names the Service
 * Quotas entry to raise, and an invalid parameter names the config field that produced it.
 */
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { BtpAwsError } from "../../errors.js";

/** EC2's limit codes and the quota behind each, as Service Quotas names it. */
const EC2_QUOTAS: Readonly<Record<string, string>> = {
  VpcLimitExceeded: "VPCs per Region (service quotas: vpc L-F678F1CE)",
  InternetGatewayLimitExceeded: "Internet gateways per Region (service quotas: vpc L-A4707A72)",
  NatGatewayLimitExceeded: "NAT gateways per Availability Zone (service quotas: vpc L-FE5A380F)",
  AddressLimitExceeded: "EC2-VPC Elastic IPs (service quotas: ec2 L-0263D0A3)",
  SubnetLimitExceeded: "Subnets per VPC (service quotas: vpc L-407747CB)",
  RouteTableLimitExceeded: "Route tables per VPC (service quotas: vpc L-589F43AA)",
  RouteLimitExceeded: "Routes per route table (service quotas: vpc L-93826ACB)",
  SecurityGroupLimitExceeded: "VPC security groups per Region (service quotas: vpc L-E79EC296)",
  RulesPerSecurityGroupLimitExceeded: "Inbound or outbound rules per security group (service quotas: vpc L-0EA8095F)",
};

// IAM and CloudWatch Logs use one generic code for every limit; the call says which quota.
const GENERIC_LIMITS = new Set(["LimitExceeded", "LimitExceededException"]);

const INVALID_PARAMETER = new Set([
  "InvalidParameterValue", "InvalidParameter", "InvalidParameterCombination", "InvalidParameterException",
  "InvalidVpc.Range", "InvalidSubnet.Range", "InvalidSubnet.Conflict", "ValidationError", "MalformedPolicyDocument",
]);

/** What a call's failure may be blamed on, beyond the call itself. */
export interface Blame {
  /** The config field whose value went into the call: `network.vpcCidr`, value `10.0.0.0/8`. */
  field?: { path: string; value: string };
  /** For services with one generic limit code: the quota this call counts against. */
  quota?: string;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]?.trim() ?? "";
}

export function awsCallError(error: unknown, action: string, target: AwsCallTarget, blame: Blame = {}): BtpAwsError {
  if (error instanceof BtpAwsError) return error;
  const code = awsErrorCode(error) ?? "UnknownError";
  const quota = EC2_QUOTAS[code] ?? (GENERIC_LIMITS.has(code) ? blame.quota : undefined);
  if (quota !== undefined) {
    return new BtpAwsError(`${action}: ${code}: the account is at its limit of ${quota}`, {
      cause: error,
      hint: "free up resources or request a higher quota in the Service Quotas console, then run the same command again",
    });
  }
  if (blame.field && INVALID_PARAMETER.has(code)) {
    return new BtpAwsError(`${blame.field.path}: AWS rejected ${blame.field.value} (${action}): ${code}: ${firstLine(error)}`, {
      cause: error,
      hint: `change ${blame.field.path} in the config, then run the same command again`,
    });
  }
  return describeAwsError(error, action, target);
}

/** Runs one AWS call; a failure becomes an error naming the call ("create VPC x (ec2:CreateVpc)"). */
export type AwsCall = <T>(action: string, call: () => Promise<T>, blame?: Blame) => Promise<T>;

export function awsCall(target: AwsCallTarget): AwsCall {
  return async (action, call, blame) => {
    try {
      return await call();
    } catch (error) {
      throw awsCallError(error, action, target, blame);
    }
  };
}
