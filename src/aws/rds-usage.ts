/** RDS DB instances in a region, for the "DB instances" quota. Read-only. */
import type { RDSClient } from "@aws-sdk/client-rds";
import { loadSdk } from "./sdk.js";

export async function listDbInstanceIds(rds: RDSClient): Promise<string[]> {
  const { paginateDescribeDBInstances } = await loadSdk("@aws-sdk/client-rds");
  const ids: string[] = [];
  for await (const page of paginateDescribeDBInstances({ client: rds }, {})) {
    for (const db of page.DBInstances ?? []) if (db.DBInstanceIdentifier) ids.push(db.DBInstanceIdentifier);
  }
  return ids;
}
