/**
 * EKS and launch template errors, turned into messages that name the config field that caused
 * them or the quota that was hit. Everything else goes through describeAwsError.
 */
import { awsErrorCode, describeAwsError } from "../../aws/errors.js";
import type { Config } from "../../config/schema.js";
import { BtpAwsError } from "../../errors.js";

export interface ErrorTarget {
  endpoint: string | undefined;
  region: string;
}

const INVALID = new Set(["InvalidParameterException", "InvalidRequestException", "InvalidParameterValue", "InvalidParameterCombination", "InvalidBlockDeviceMapping"]);

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]?.trim() ?? "";
}

function configError(field: string, service: string, value: string, error: unknown, hint: string): BtpAwsError {
  return new BtpAwsError(`${field}: ${service} rejected ${value}: ${firstLine(error)}`, { cause: error, hint });
}

/** Errors of the cluster calls (eks:CreateCluster, eks:UpdateClusterConfig …). */
export function clusterError(error: unknown, action: string, config: Config, target: ErrorTarget): BtpAwsError {
  if (error instanceof BtpAwsError) return error;
  const code = awsErrorCode(error) ?? "";
  const message = firstLine(error);
  if (INVALID.has(code)) {
    if (/version/i.test(message)) {
      return configError("cluster.kubernetesVersion", "EKS", config.cluster.kubernetesVersion, error, "choose a version in EKS standard support (aws eks describe-cluster-versions), then run again");
    }
    if (/cidr/i.test(message)) {
      return configError("cluster.publicAccessCidrs", "EKS", config.cluster.publicAccessCidrs.join(", "), error, "list public IPv4 CIDR blocks (at most 40), then run again");
    }
  }
  if (code === "UnsupportedAvailabilityZoneException") {
    return new BtpAwsError(`network.azCount: EKS cannot place a control plane in one of the VPC's availability zones: ${message}`, {
      cause: error,
      hint: "EKS lacks capacity in that zone; run again later, or use another region",
    });
  }
  if (code === "ResourceLimitExceededException") {
    return new BtpAwsError(`${action}: ${code}: ${message}: EKS clusters per region (service quotas: eks L-1194D53C)`, {
      cause: error,
      hint: "delete an unused cluster or ask for a higher quota in the Service Quotas console, then run again",
    });
  }
  return describeAwsError(error, action, target);
}

/** Errors of the node group and launch template calls. */
export function nodeGroupError(error: unknown, action: string, config: Config, target: ErrorTarget): BtpAwsError {
  if (error instanceof BtpAwsError) return error;
  const code = awsErrorCode(error) ?? "";
  const message = firstLine(error);
  if (INVALID.has(code)) {
    if (/instance ?type/i.test(message)) {
      return configError("cluster.instanceTypes", "EKS", config.cluster.instanceTypes.join(", "), error, "choose instance types offered in every availability zone of the region, then run again");
    }
    if (/scaling|desired|min ?size|max ?size/i.test(message)) {
      const { minNodes, desiredNodes, maxNodes } = config.cluster;
      return configError("cluster.minNodes/desiredNodes/maxNodes", "EKS", `${minNodes}/${desiredNodes}/${maxNodes}`, error, "keep minNodes ≤ desiredNodes ≤ maxNodes ≤ 450, then run again");
    }
    if (/volume|size|iops|throughput/i.test(message)) {
      return configError("cluster.diskSizeGiB", "EC2", `${config.cluster.diskSizeGiB} GiB`, error, "choose a root volume size between 20 and 16384 GiB, then run again");
    }
  }
  if (code === "ResourceLimitExceededException") {
    return new BtpAwsError(`${action}: ${code}: ${message}: managed node groups per cluster or nodes per node group (service quotas: eks)`, {
      cause: error,
      hint: "ask for a higher quota in the Service Quotas console or lower cluster.maxNodes, then run again",
    });
  }
  if (/LimitExceeded$/.test(code)) {
    return new BtpAwsError(`${action}: ${code}: ${message}: launch templates per region (service quotas: ec2)`, {
      cause: error,
      hint: "delete unused launch templates or ask for a higher quota, then run again",
    });
  }
  return describeAwsError(error, action, target);
}

/**
 * A node group that failed to launch instances because the account's vCPU quota is spent says so
 * in its health issues; name the quota to raise.
 */
export function withVcpuQuotaHint(error: unknown): unknown {
  if (error instanceof BtpAwsError && /vcpulimitexceeded|vcpu limit|vcpu capacity/i.test(error.message)) {
    return new BtpAwsError(error.message, {
      cause: error,
      hint: "the node group's maximum needs more on-demand vCPUs than the account may run: raise Running On-Demand Standard instances (service quotas: ec2 L-1216C47A) or lower cluster.maxNodes, then run again",
    });
  }
  return error;
}
