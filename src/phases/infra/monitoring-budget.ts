/**
 * The AWS Budgets monthly cost budget with an alert at 80% of actual spend, sent to the alarm
 * topic and the alarm email. Only when monitoring.monthlyBudgetUsd is set; a budget left from
 * an earlier config is never deleted (it costs nothing and someone may rely on its alerts).
 */
import type { BudgetsClient } from "@aws-sdk/client-budgets";
import {
  budgetNotifications, budgetTags, createMonthlyCostBudget, createNotification, createSubscriber, describeBudget, notificationSubscribers, tagBudget,
  updateMonthlyCostLimit, type BudgetNotification, type Subscriber,
} from "../../aws/budgets.js";
import { awsErrorCode, describeAwsError, type AwsCallTarget } from "../../aws/errors.js";
import { PLATFORM_TAG, missingTags, type TagMap } from "../../aws/tags.js";
import { BtpAwsError } from "../../errors.js";
import type { Reporter } from "../../plan/types.js";

export const BUDGET_ALERT: BudgetNotification = { notificationType: "ACTUAL", comparison: "GREATER_THAN", threshold: 80, thresholdType: "PERCENTAGE" };

export interface BudgetSpec {
  name: string;
  account: string;
  partition: string;
  platform: string;
  /** monitoring.monthlyBudgetUsd; undefined: no budget wanted. */
  amountUsd: number | undefined;
  topicArn: string;
  email: string | undefined;
  tags: TagMap;
  /** State says an earlier run created this budget: its tags may be missing, it is still ours. */
  recorded: boolean;
}

const sameAlert = (a: BudgetNotification, b: BudgetNotification): boolean =>
  a.notificationType === b.notificationType && a.comparison === b.comparison && a.threshold === b.threshold && a.thresholdType === b.thresholdType;

function budgetError(error: unknown, action: string, target: AwsCallTarget): BtpAwsError {
  const code = awsErrorCode(error);
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (code === "InvalidParameterException") {
    return new BtpAwsError(`monitoring.monthlyBudgetUsd, monitoring.alarmEmail: AWS Budgets rejected the budget: ${code}: ${detail}`, { cause: error, hint: "fix the monitoring section of the config, then run again" });
  }
  if (code === "CreationLimitExceededException") {
    return new BtpAwsError(`${action}: ${code}: ${detail}`, { cause: error, hint: "the account has as many budgets (or notifications per budget) as AWS Budgets allows: delete unused ones, then run again" });
  }
  return describeAwsError(error, action, target);
}

async function call<T>(run: () => Promise<T>, action: string, target: AwsCallTarget): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw budgetError(error, action, target);
  }
}

/** Creates or repairs the budget; returns what it changed, for the report. */
export async function ensureBudget(budgets: BudgetsClient, spec: BudgetSpec, report: Reporter, target: AwsCallTarget): Promise<string[]> {
  const { name, account } = spec;
  const existing = await call(() => describeBudget(budgets, account, name), `look for budget ${name} (budgets:ViewBudget)`, target);
  if (spec.amountUsd === undefined) {
    if (existing) {
      report.warn(`budget ${name} exists but monitoring.monthlyBudgetUsd is not set: left as it is (aws budgets delete-budget --account-id ${account} --budget-name ${name} removes it)`);
    }
    return [];
  }
  const amount = spec.amountUsd;
  const subscribers: Subscriber[] = [{ type: "SNS", address: spec.topicArn }, ...(spec.email === undefined ? [] : [{ type: "EMAIL" as const, address: spec.email }])];
  if (!existing) {
    await call(() => createMonthlyCostBudget(budgets, account, { name, amountUsd: amount, notification: BUDGET_ALERT, subscribers, tags: spec.tags }), `create budget ${name} (budgets:ModifyBudget)`, target);
    return [`created budget ${name}: ${amount} USD a month, alert at 80% of actual spend`];
  }

  const arn = `arn:${spec.partition}:budgets::${account}:budget/${name}`;
  const done: string[] = [];
  const tags = await call(() => budgetTags(budgets, arn), `read the tags of budget ${name} (budgets:ListTagsForResource)`, target);
  const owner = tags[PLATFORM_TAG];
  if (owner !== spec.platform && !(owner === undefined && spec.recorded)) {
    throw new BtpAwsError(`budget ${name} exists but is not managed by btp-aws for platform ${spec.platform}: ${owner === undefined ? "it has no btp-aws:platform tag" : `it is tagged for platform ${owner}`}`, {
      hint: `delete it (aws budgets delete-budget --account-id ${account} --budget-name ${name}) or tag it ${PLATFORM_TAG}=${spec.platform}, then run again`,
    });
  }
  const absent = missingTags(tags, spec.tags);
  if (Object.keys(absent).length > 0) {
    await call(() => tagBudget(budgets, arn, absent), `tag budget ${name} (budgets:TagResource)`, target);
    done.push(`budget tags ${Object.keys(absent).join(", ")} set`);
  }
  if (existing.type !== "COST" || existing.timeUnit !== "MONTHLY") {
    throw new BtpAwsError(`budget ${name} is a ${existing.timeUnit} ${existing.type} budget, not the MONTHLY COST budget btp-aws manages`, {
      hint: `delete it (aws budgets delete-budget --account-id ${account} --budget-name ${name}) so the next run creates the monthly cost budget`,
    });
  }
  if (existing.amount !== amount || existing.unit !== "USD") {
    await call(() => updateMonthlyCostLimit(budgets, account, name, amount), `change the limit of budget ${name} (budgets:ModifyBudget)`, target);
    done.push(`budget limit ${existing.amount} ${existing.unit} → ${amount} USD`);
  }
  const alerts = await call(() => budgetNotifications(budgets, account, name), `read the notifications of budget ${name} (budgets:ViewBudget)`, target);
  if (!alerts.some((n) => sameAlert(n, BUDGET_ALERT))) {
    await call(() => createNotification(budgets, account, name, BUDGET_ALERT, subscribers), `add the 80% alert to budget ${name} (budgets:ModifyBudget)`, target);
    done.push("budget alert at 80% added");
    return done;
  }
  const current = await call(() => notificationSubscribers(budgets, account, name, BUDGET_ALERT), `read the subscribers of budget ${name} (budgets:ViewBudget)`, target);
  for (const subscriber of subscribers) {
    if (current.some((s) => s.type === subscriber.type && s.address.toLowerCase() === subscriber.address.toLowerCase())) continue;
    await call(() => createSubscriber(budgets, account, name, BUDGET_ALERT, subscriber), `subscribe ${subscriber.address} to budget ${name} (budgets:ModifyBudget)`, target);
    done.push(`budget alert sent to ${subscriber.address}`);
  }
  return done;
}
