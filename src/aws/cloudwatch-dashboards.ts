/** CloudWatch dashboards: found and deleted by name (they carry no tags), written whole. */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { awsErrorCode } from "./errors.js";
import { loadSdk } from "./sdk.js";

/** The dashboard's JSON body, or undefined when there is no dashboard of that name. */
export async function dashboardBody(cloudwatch: CloudWatchClient, name: string): Promise<string | undefined> {
  const { GetDashboardCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  try {
    return (await cloudwatch.send(new GetDashboardCommand({ DashboardName: name }))).DashboardBody;
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFound" || awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

export async function putDashboard(cloudwatch: CloudWatchClient, name: string, body: string): Promise<void> {
  const { PutDashboardCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  await cloudwatch.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body }));
}

export async function deleteDashboard(cloudwatch: CloudWatchClient, name: string): Promise<void> {
  const { DeleteDashboardsCommand } = await loadSdk("@aws-sdk/client-cloudwatch");
  await cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [name] }));
}
