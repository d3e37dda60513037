/**
 * The AWS Budgets operations moto 5.2.5 does not implement, answered from memory. moto keeps
 * budgets and notifications but neither subscribers nor tags, so CreateBudget and
 * CreateNotification still go to moto and are also remembered here (`observe`, after moto
 * succeeded); DescribeSubscribersForNotification, CreateSubscriber, ListTagsForResource and
 * TagResource are answered from that memory (`answer`). Both are plain functions over an
 * in-memory state, shared by the in-process middleware below and by the reliability proxy
 * (test/reliability/proxy/), which serves them over HTTP to a child-process CLI. Answered calls
 * are counted like real ones. (UpdateBudget is missing too; it is unit-tested, not served.)
 */
import type { BudgetsClient } from "@aws-sdk/client-budgets";
import type { CallCounter } from "../../src/aws/call-counter.js";
import type { GapAnswer, GapInput } from "./eks-moto-gaps.js";

interface Subscriber {
  SubscriptionType: string;
  Address: string;
}

export interface BudgetsMotoGaps {
  /** Subscribers by "account/budget/notification". */
  subscribers: Map<string, Subscriber[]>;
  /** Tags by budget ARN. */
  tags: Map<string, Record<string, string>>;
}

type Tag = { Key: string; Value: string };

export function createBudgetsMotoGaps(): BudgetsMotoGaps {
  return { subscribers: new Map(), tags: new Map() };
}

const notificationKey = (input: GapInput, notification: unknown): string => {
  const n = notification as { NotificationType?: string; ComparisonOperator?: string; Threshold?: number; ThresholdType?: string };
  return `${String(input.AccountId)}/${String(input.BudgetName)}/${n.NotificationType} ${n.ComparisonOperator} ${n.Threshold} ${n.ThresholdType ?? "PERCENTAGE"}`;
};

/** Remembers what moto accepted but will not report back: call after moto answered `operation` successfully. */
export function observeBudgets(gaps: BudgetsMotoGaps, operation: string, input: GapInput): void {
  if (operation === "CreateBudget") {
    const name = String((input.Budget as GapInput).BudgetName);
    const tags = Object.fromEntries(((input.ResourceTags as Tag[] | undefined) ?? []).map((t) => [t.Key, t.Value]));
    gaps.tags.set(`arn:aws:budgets::${String(input.AccountId)}:budget/${name}`, tags);
    for (const entry of (input.NotificationsWithSubscribers as GapInput[] | undefined) ?? []) {
      gaps.subscribers.set(notificationKey({ ...input, BudgetName: name }, entry.Notification), [...(entry.Subscribers as Subscriber[])]);
    }
  }
  if (operation === "CreateNotification") gaps.subscribers.set(notificationKey(input, input.Notification), [...(input.Subscribers as Subscriber[])]);
}

function handlers(gaps: BudgetsMotoGaps): Record<string, (input: GapInput) => object> {
  return {
    DescribeSubscribersForNotification: (input) => ({ Subscribers: gaps.subscribers.get(notificationKey(input, input.Notification)) ?? [] }),
    CreateSubscriber(input) {
      const key = notificationKey(input, input.Notification);
      gaps.subscribers.set(key, [...(gaps.subscribers.get(key) ?? []), input.Subscriber as Subscriber]);
      return {};
    },
    ListTagsForResource: (input) => ({ ResourceTags: Object.entries(gaps.tags.get(String(input.ResourceARN)) ?? {}).map(([Key, Value]) => ({ Key, Value })) }),
    TagResource(input) {
      const arn = String(input.ResourceARN);
      const added = Object.fromEntries(((input.ResourceTags as Tag[] | undefined) ?? []).map((t) => [t.Key, t.Value]));
      gaps.tags.set(arn, { ...gaps.tags.get(arn), ...added });
      return {};
    },
  };
}

/** The Budgets gap operations over `gaps`; undefined for an operation moto implements. */
export function budgetsGapAnswer(gaps: BudgetsMotoGaps): GapAnswer {
  const served = handlers(gaps);
  return (operation, input) => served[operation]?.(input);
}

export function serveBudgetsMotoGaps(budgets: BudgetsClient, counter: CallCounter | undefined): BudgetsMotoGaps {
  const gaps = createBudgetsMotoGaps();
  const answer = budgetsGapAnswer(gaps);
  // Budgets' generated types narrow middlewareStack.add (see src/aws/clients.ts); the runtime shape is the usual one.
  const stack = budgets.middlewareStack as unknown as {
    add(middleware: (next: (args: { input: object }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: object }) => Promise<unknown>, options: object): void;
  };
  stack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "").replace(/Command$/, "");
      const input = args.input as GapInput;
      const output = answer(operation, input);
      if (output === undefined) {
        const result = await next(args);
        observeBudgets(gaps, operation, input);
        return result;
      }
      counter?.record("Budgets", operation);
      return { output: { $metadata: {}, ...output }, response: {} };
    },
    { step: "initialize", name: "btpAwsTestBudgetsMotoGaps", override: true },
  );
  return gaps;
}
