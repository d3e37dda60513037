/** RDS errors in terms of the config: which field AWS rejected, which quota ran out. */
import type { Config } from "../../config/schema.js";
import type { AwsCallTarget } from "../../aws/errors.js";
import type { BtpAwsError } from "../../errors.js";
import { explainFailure } from "./aws-failure.js";

const INVALID = new Set([
  "InvalidParameterCombination", "InvalidParameterValue", "InsufficientDBInstanceCapacity", "InsufficientDBInstanceCapacityFault",
  "StorageTypeNotSupported", "StorageTypeNotSupportedFault",
]);

const QUOTAS: Readonly<Record<string, string>> = {
  InstanceQuotaExceeded: "DB instances (service quotas: rds L-7B6409FD)",
  InstanceQuotaExceededFault: "DB instances (service quotas: rds L-7B6409FD)",
  StorageQuotaExceeded: "total storage for all DB instances (service quotas: rds L-7ADDB58A)",
  StorageQuotaExceededFault: "total storage for all DB instances (service quotas: rds L-7ADDB58A)",
  DBSubnetGroupQuotaExceeded: "DB subnet groups (service quotas: rds, DB subnet groups)",
  DBSubnetGroupQuotaExceededFault: "DB subnet groups (service quotas: rds, DB subnet groups)",
  DBParameterGroupQuotaExceeded: "parameter groups (service quotas: rds, Parameter groups)",
  DBParameterGroupQuotaExceededFault: "parameter groups (service quotas: rds, Parameter groups)",
};

export function rdsFailure(error: unknown, config: Config, action: string, target: AwsCallTarget, secrets: readonly string[]): BtpAwsError {
  const { instanceClass, engineVersion, storageGiB, backupRetentionDays } = config.database;
  return explainFailure(error, {
    action,
    service: "RDS",
    target,
    invalidCodes: INVALID,
    // First match wins: RDS names the class in "combination" messages that also name the version,
    // and the class is what usually does not exist for that version or region.
    fields: [
      { field: "database.instanceClass", value: instanceClass, mentions: new RegExp(`DBInstanceClass|instance class|${instanceClass.replaceAll(".", "\\.")}`, "i") },
      { field: "database.engineVersion", value: engineVersion, mentions: /version/i },
      { field: "database.storageGiB", value: `${storageGiB} GiB`, mentions: /storage size|AllocatedStorage|allocated storage/i },
      { field: "database.backupRetentionDays", value: String(backupRetentionDays), mentions: /backup retention/i },
    ],
    quotas: QUOTAS,
    secrets,
  });
}
