/**
 * The gap answers over HTTP, round-tripped through the real SDK without moto: the EKS and Budgets
 * clients send through a stub whose answers come from GapServer, decoded from the wire exactly as
 * the proxy decodes them.
 */
import { BudgetsClient, DescribeSubscribersForNotificationCommand, ListTagsForResourceCommand as ListBudgetTags, TagResourceCommand as TagBudget } from "@aws-sdk/client-budgets";
import * as eks from "@aws-sdk/client-eks";
import { describe, expect, it } from "vitest";
import { detectCall } from "../../reliability/proxy/detect.js";
import { GapServer, restJsonInput } from "../../reliability/proxy/gaps.js";
import { stubHandler } from "../../reliability/proxy/sdk-wire.js";
import { MOTO_CREDENTIALS } from "../../support/moto.js";

const PRINCIPAL = "arn:aws:iam::123456789012:role/btp-admin";

function served(gaps: GapServer) {
  // Anything moto would answer is a test failure here: the stub has no moto behind it.
  const handler = stubHandler((request) => gaps.answer(detectCall(request), request) ?? { status: 599, headers: {}, body: "not a gap" });
  const config = { region: "eu-west-1", endpoint: "http://127.0.0.1:4566", credentials: MOTO_CREDENTIALS, requestHandler: handler, maxAttempts: 1 };
  return { handler, eks: new eks.EKSClient(config), budgets: new BudgetsClient({ ...config, region: "us-east-1" }) };
}

describe("restJsonInput", () => {
  it("decodes path labels, httpQuery members and the body back into the SDK input", async () => {
    const { handler, eks: client } = served(new GapServer());
    const inputs = {
      describeUpdate: { name: "btp-eks", updateId: "u-1", nodegroupName: "ng" },
      versions: { addonName: "vpc-cni", kubernetesVersion: "1.34" },
      policy: { clusterName: "btp-eks", principalArn: PRINCIPAL, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" as const } },
      version: { clusterName: "btp-eks", nodegroupName: "ng", launchTemplate: { id: "lt-1", version: "2" } },
    };
    await client.send(new eks.DescribeUpdateCommand(inputs.describeUpdate)).catch(() => undefined);
    await client.send(new eks.DescribeAddonVersionsCommand(inputs.versions)).catch(() => undefined);
    await client.send(new eks.AssociateAccessPolicyCommand(inputs.policy)).catch(() => undefined);
    await client.send(new eks.UpdateNodegroupVersionCommand(inputs.version)).catch(() => undefined);
    const decoded = handler.requests.map((r) => restJsonInput(detectCall(r), r));
    expect(decoded).toEqual([inputs.describeUpdate, inputs.versions, inputs.policy, { ...inputs.version, clientRequestToken: expect.any(String) as string }]);
  });
});

describe("GapServer", () => {
  it("serves EKS add-ons and access entries from memory, not-found as the SDK's ResourceNotFoundException", async () => {
    const gaps = new GapServer();
    const { eks: client } = served(gaps);
    await expect(client.send(new eks.DescribeAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException", message: "No addon: vpc-cni found in cluster: btp-eks", $metadata: { httpStatusCode: 404 },
    });
    await client.send(new eks.CreateAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni", addonVersion: "v1.34.0-eksbuild.1", tags: { team: "chain" } }));
    const described = await client.send(new eks.DescribeAddonCommand({ clusterName: "btp-eks", addonName: "vpc-cni" }));
    expect(described.addon).toEqual({ addonName: "vpc-cni", clusterName: "btp-eks", addonArn: "arn:aws:eks:eu-west-1:123456789012:addon/btp-eks/vpc-cni/0", addonVersion: "v1.34.0-eksbuild.1", status: "ACTIVE", tags: { team: "chain" } });
    expect((await client.send(new eks.ListAddonsCommand({ clusterName: "btp-eks" }))).addons).toEqual(["vpc-cni"]);
    await client.send(new eks.CreateAccessEntryCommand({ clusterName: "btp-eks", principalArn: PRINCIPAL, type: "STANDARD" }));
    expect((await client.send(new eks.DescribeAccessEntryCommand({ clusterName: "btp-eks", principalArn: PRINCIPAL }))).accessEntry?.principalArn).toBe(PRINCIPAL);
    expect(gaps.eksState("eu-west-1").entries.has(`btp-eks ${PRINCIPAL}`)).toBe(true);
    expect(gaps.eksState("eu-central-1").entries.size).toBe(0);
  });

  it("leaves what moto implements to moto; an add-on ARN's TagResource is served, a cluster's is not", async () => {
    const { eks: client, handler } = served(new GapServer());
    const arn = (kind: string) => `arn:aws:eks:eu-west-1:123456789012:${kind}/btp-eks/x`;
    const status = (e: unknown) => (e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode;
    expect((await client.send(new eks.TagResourceCommand({ resourceArn: arn("addon"), tags: { a: "b" } }))).$metadata.httpStatusCode).toBe(200);
    // 599: the stub's "this would have gone to moto".
    expect(status(await client.send(new eks.DescribeClusterCommand({ name: "btp-eks" })).catch((e: unknown) => e))).toBe(599);
    expect(status(await client.send(new eks.TagResourceCommand({ resourceArn: arn("cluster"), tags: { a: "b" } })).catch((e: unknown) => e))).toBe(599);
    expect(handler.requests).toHaveLength(3);
  });

  it("Budgets: remembers tags and subscribers of what moto created, and serves them back", async () => {
    const gaps = new GapServer();
    const { budgets } = served(gaps);
    const notification = { NotificationType: "ACTUAL" as const, ComparisonOperator: "GREATER_THAN" as const, Threshold: 80, ThresholdType: "PERCENTAGE" as const };
    const createBudget = { AccountId: "123456789012", Budget: { BudgetName: "btp-budget", BudgetType: "COST", TimeUnit: "MONTHLY" }, ResourceTags: [{ Key: "team", Value: "chain" }], NotificationsWithSubscribers: [{ Notification: notification, Subscribers: [{ SubscriptionType: "EMAIL", Address: "a@example.com" }] }] };
    const call = { service: "budgets", region: "us-east-1", operation: "CreateBudget", protocol: "json" as const };
    gaps.observe(call, { method: "POST", url: "/", headers: {}, body: Buffer.from(JSON.stringify(createBudget)) });
    const arn = "arn:aws:budgets::123456789012:budget/btp-budget";
    expect((await budgets.send(new ListBudgetTags({ ResourceARN: arn }))).ResourceTags).toEqual([{ Key: "team", Value: "chain" }]);
    await budgets.send(new TagBudget({ ResourceARN: arn, ResourceTags: [{ Key: "owner", Value: "ops" }] }));
    expect((await budgets.send(new ListBudgetTags({ ResourceARN: arn }))).ResourceTags).toEqual([{ Key: "team", Value: "chain" }, { Key: "owner", Value: "ops" }]);
    const subscribers = await budgets.send(new DescribeSubscribersForNotificationCommand({ AccountId: "123456789012", BudgetName: "btp-budget", Notification: notification }));
    expect(subscribers.Subscribers).toEqual([{ SubscriptionType: "EMAIL", Address: "a@example.com" }]);
  });
});
