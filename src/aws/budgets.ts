/**
 * The AWS Budgets calls the installer makes, as domain operations. "Not found" is `undefined`.
 * Budgets is a global service: every call names the account the budget belongs to.
 */
import type { BudgetsClient, Notification as SdkNotification } from "@aws-sdk/client-budgets";
import { awsErrorCode } from "./errors.js";
import { tagList, tagMap, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface Budget {
  name: string;
  /** COST, USAGE, … */
  type: string;
  /** MONTHLY, QUARTERLY, … */
  timeUnit: string;
  amount: number;
  unit: string;
}

/** A threshold alert, e.g. ACTUAL spend GREATER_THAN 80 PERCENTAGE of the limit. */
export interface BudgetNotification {
  notificationType: "ACTUAL" | "FORECASTED";
  comparison: "GREATER_THAN" | "LESS_THAN" | "EQUAL_TO";
  threshold: number;
  thresholdType: "PERCENTAGE" | "ABSOLUTE_VALUE";
}

export interface Subscriber {
  type: "EMAIL" | "SNS";
  address: string;
}

function sdkNotification(n: BudgetNotification): SdkNotification {
  return { NotificationType: n.notificationType, ComparisonOperator: n.comparison, Threshold: n.threshold, ThresholdType: n.thresholdType };
}

function sdkSubscribers(subscribers: readonly Subscriber[]): { SubscriptionType: Subscriber["type"]; Address: string }[] {
  return subscribers.map((s) => ({ SubscriptionType: s.type, Address: s.address }));
}

export async function describeBudget(budgets: BudgetsClient, account: string, name: string): Promise<Budget | undefined> {
  const { DescribeBudgetCommand } = await loadSdk("@aws-sdk/client-budgets");
  try {
    const { Budget: b } = await budgets.send(new DescribeBudgetCommand({ AccountId: account, BudgetName: name }));
    if (!b?.BudgetName) return undefined;
    return { name: b.BudgetName, type: b.BudgetType ?? "", timeUnit: b.TimeUnit ?? "", amount: Number(b.BudgetLimit?.Amount ?? Number.NaN), unit: b.BudgetLimit?.Unit ?? "" };
  } catch (error) {
    if (awsErrorCode(error) === "NotFoundException") return undefined;
    throw error;
  }
}

export interface MonthlyCostBudget {
  name: string;
  amountUsd: number;
  notification: BudgetNotification;
  subscribers: Subscriber[];
  tags: TagMap;
}

/** A monthly COST budget in USD with one notification and its subscribers, in one call. */
export async function createMonthlyCostBudget(budgets: BudgetsClient, account: string, spec: MonthlyCostBudget): Promise<void> {
  const { CreateBudgetCommand } = await loadSdk("@aws-sdk/client-budgets");
  await budgets.send(new CreateBudgetCommand({
    AccountId: account,
    Budget: { BudgetName: spec.name, BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: String(spec.amountUsd), Unit: "USD" } },
    NotificationsWithSubscribers: [{ Notification: sdkNotification(spec.notification), Subscribers: sdkSubscribers(spec.subscribers) }],
    ResourceTags: tagList(spec.tags),
  }));
}

/** Changes the limit of a monthly COST budget (UpdateBudget replaces the budget definition). */
export async function updateMonthlyCostLimit(budgets: BudgetsClient, account: string, name: string, amountUsd: number): Promise<void> {
  const { UpdateBudgetCommand } = await loadSdk("@aws-sdk/client-budgets");
  await budgets.send(new UpdateBudgetCommand({
    AccountId: account,
    NewBudget: { BudgetName: name, BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: String(amountUsd), Unit: "USD" } },
  }));
}

export async function budgetNotifications(budgets: BudgetsClient, account: string, name: string): Promise<BudgetNotification[]> {
  const { paginateDescribeNotificationsForBudget } = await loadSdk("@aws-sdk/client-budgets");
  const found: BudgetNotification[] = [];
  for await (const page of paginateDescribeNotificationsForBudget({ client: budgets }, { AccountId: account, BudgetName: name })) {
    for (const n of page.Notifications ?? []) {
      found.push({
        notificationType: n.NotificationType as BudgetNotification["notificationType"],
        comparison: n.ComparisonOperator as BudgetNotification["comparison"],
        threshold: n.Threshold ?? Number.NaN,
        thresholdType: n.ThresholdType ?? "PERCENTAGE",
      });
    }
  }
  return found;
}

export async function notificationSubscribers(budgets: BudgetsClient, account: string, name: string, notification: BudgetNotification): Promise<Subscriber[]> {
  const { paginateDescribeSubscribersForNotification } = await loadSdk("@aws-sdk/client-budgets");
  const found: Subscriber[] = [];
  for await (const page of paginateDescribeSubscribersForNotification({ client: budgets }, { AccountId: account, BudgetName: name, Notification: sdkNotification(notification) })) {
    for (const s of page.Subscribers ?? []) {
      if (s.SubscriptionType && s.Address) found.push({ type: s.SubscriptionType, address: s.Address });
    }
  }
  return found;
}

export async function createNotification(budgets: BudgetsClient, account: string, name: string, notification: BudgetNotification, subscribers: readonly Subscriber[]): Promise<void> {
  const { CreateNotificationCommand } = await loadSdk("@aws-sdk/client-budgets");
  await budgets.send(new CreateNotificationCommand({ AccountId: account, BudgetName: name, Notification: sdkNotification(notification), Subscribers: sdkSubscribers(subscribers) }));
}

export async function createSubscriber(budgets: BudgetsClient, account: string, name: string, notification: BudgetNotification, subscriber: Subscriber): Promise<void> {
  const { CreateSubscriberCommand } = await loadSdk("@aws-sdk/client-budgets");
  await budgets.send(new CreateSubscriberCommand({ AccountId: account, BudgetName: name, Notification: sdkNotification(notification), Subscriber: sdkSubscribers([subscriber])[0]! }));
}

export async function budgetTags(budgets: BudgetsClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-budgets");
  const { ResourceTags } = await budgets.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return tagMap(ResourceTags);
}

export async function tagBudget(budgets: BudgetsClient, arn: string, tags: TagMap): Promise<void> {
  const { TagResourceCommand } = await loadSdk("@aws-sdk/client-budgets");
  await budgets.send(new TagResourceCommand({ ResourceARN: arn, ResourceTags: tagList(tags) }));
}
