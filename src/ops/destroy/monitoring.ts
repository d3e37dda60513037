/**
 * destroy/monitoring: the dashboard btp-<platform>, the CloudWatch alarms (btp-<platform>-…, ours by tag), the alarm topic and
 * the monthly budget. Budgets are account-wide by name; the name carries the platform, so the
 * budget btp-<platform>-monthly is this platform's.
 */
import { describeBudget } from "../../aws/budgets.js";
import { deleteBudget } from "../../aws/budgets-delete.js";
import { alarmsWithPrefix, deleteAlarms } from "../../aws/cloudwatch-delete.js";
import { alarmTags } from "../../aws/cloudwatch.js";
import { dashboardBody, deleteDashboard } from "../../aws/cloudwatch-dashboards.js";
import { deleteTopic } from "../../aws/sns-delete.js";
import { describeTopic, topicTags } from "../../aws/sns.js";
import { belongsTo } from "../../aws/tags.js";
import { attempt, count, deleting, names, recorded } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

interface Plan {
  dashboard: string | undefined;
  alarms: string[];
  topicArn: string | undefined;
  budget: string | undefined;
}

async function plan(context: DestroyContext): Promise<Plan> {
  const { platform, partition, region, account } = context.target;
  const n = names(context);
  const cloudwatch = await context.services.aws.cloudwatch();
  const candidates = await attempt(context, `find alarms btp-${platform}-* (cloudwatch:DescribeAlarms)`, () => alarmsWithPrefix(cloudwatch, `btp-${platform}-`));
  const alarms: string[] = [];
  for (const alarm of candidates) {
    // "btp-acme-" is also the prefix of platform "acme-2"'s alarms: the tag decides.
    if (belongsTo(await attempt(context, `read the tags of alarm ${alarm.name} (cloudwatch:ListTagsForResource)`, () => alarmTags(cloudwatch, alarm.arn)), platform)) alarms.push(alarm.name);
  }
  const sns = await context.services.aws.sns();
  const arn = recorded(context, "infra/monitoring", "topicArn") ?? `arn:${partition}:sns:${region}:${account}:${n.alarmTopic}`;
  const topic = await attempt(context, `read topic ${arn} (sns:GetTopicAttributes)`, () => describeTopic(sns, arn));
  const topicOurs = topic ? belongsTo(await attempt(context, `read the tags of topic ${arn} (sns:ListTagsForResource)`, () => topicTags(sns, arn)), platform) : false;
  const budgets = await context.services.aws.budgets();
  const budget = await attempt(context, `read budget ${n.budget} (budgets:ViewBudget)`, () => describeBudget(budgets, account, n.budget));
  // Dashboards carry no tags: like the budget, the platform's name in its name marks it as ours.
  const dashboard = await attempt(context, `read dashboard ${n.dashboard} (cloudwatch:GetDashboard)`, () => dashboardBody(cloudwatch, n.dashboard));
  return { dashboard: dashboard === undefined ? undefined : n.dashboard, alarms, topicArn: topicOurs ? arn : undefined, budget: budget ? n.budget : undefined };
}

export const monitoringStage: Stage = {
  id: "destroy/monitoring",
  title: "Delete the alarms, alarm topic and budget",
  phase: "infra",
  async survey(context) {
    const found = await plan(context);
    return deleting([...(found.dashboard ? [`CloudWatch dashboard ${found.dashboard}`] : []), ...found.alarms.map((a) => `CloudWatch alarm ${a}`), ...(found.topicArn ? [`SNS topic ${found.topicArn}`] : []), ...(found.budget ? [`budget ${found.budget}`] : [])]);
  },
  async run(context, report) {
    const found = await plan(context);
    const done: string[] = [];
    const dashboard = found.dashboard;
    if (dashboard) {
      await attempt(context, `delete dashboard ${dashboard} (cloudwatch:DeleteDashboards)`, async () => deleteDashboard(await context.services.aws.cloudwatch(), dashboard));
      done.push(`deleted dashboard ${dashboard}`);
    }
    if (found.alarms.length > 0) {
      await attempt(context, "delete alarms (cloudwatch:DeleteAlarms)", async () => deleteAlarms(await context.services.aws.cloudwatch(), found.alarms));
      done.push(`deleted ${count(found.alarms.length, "alarm")}`);
    }
    const topicArn = found.topicArn;
    if (topicArn) {
      await attempt(context, `delete topic ${topicArn} (sns:DeleteTopic)`, async () => deleteTopic(await context.services.aws.sns(), topicArn));
      done.push(`deleted topic ${topicArn}`);
    }
    const budget = found.budget;
    if (budget) {
      await attempt(context, `delete budget ${budget} (budgets:ModifyBudget)`, async () => deleteBudget(await context.services.aws.budgets(), context.target.account, budget));
      done.push(`deleted budget ${budget}`);
    }
    if (done.length === 0) return report.skip("no dashboard, alarm, alarm topic or budget of the platform is left");
    report.info(done.join("; "));
  },
};
