/**
 * infra/eks-addons with the EKS client mocked. moto has no EKS add-on API, so these tests are
 * the only cover for this step: create, skip, role update, tags, waits, failures with health
 * issues, and the error paths.
 */
import {
  CreateAddonCommand, DescribeAddonCommand, DescribeAddonVersionsCommand, EKSClient, EKSServiceException, ResourceNotFoundException, TagResourceCommand,
  UpdateAddonCommand, type Addon,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { classifyOperation } from "../../../../src/aws/call-counter.js";
import { platformTags } from "../../../../src/aws/tags.js";
import { BtpAwsError } from "../../../../src/errors.js";
import {
  CONTAINER_INSIGHTS_ADDON, EKS_ADDONS, SNAPSHOT_CONTROLLER_ADDON, eksAddonsStep, needsSnapshotController, wantedAddons,
} from "../../../../src/phases/infra/eks-addons.js";
import type { InfraServices } from "../../../../src/phases/infra/services.js";
import type { StepOutputs } from "../../../../src/plan/types.js";
import { testConfig } from "../../../support/config.js";
import { PREPARE_OUTPUTS, runStep } from "../../../support/infra.js";

const CLUSTER = "btp-btp-test";
const EBS_ROLE = "arn:aws:iam::123456789012:role/btp-btp-test-irsa-ebs-csi";
// Production: AWS-managed dependencies and no Container Insights, so exactly the four base add-ons.
const config = testConfig({ environment: "production", tags: { team: "chain" } });
const OUTPUTS: Record<string, StepOutputs> = {
  ...PREPARE_OUTPUTS,
  "infra/eks": { clusterName: CLUSTER, kubernetesVersion: "1.34", oidcIssuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/X" },
  "infra/nodegroup": { nodeGroupName: "btp-btp-test-nodes", launchTemplateId: "lt-1" },
  "infra/irsa": { ebsCsiRoleArn: EBS_ROLE },
};
const DEFAULTS: Record<string, string> = {
  "vpc-cni": "v1.20.4-eksbuild.1",
  coredns: "v1.12.4-eksbuild.1",
  "kube-proxy": "v1.34.1-eksbuild.2",
  "aws-ebs-csi-driver": "v1.51.0-eksbuild.1",
};

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const sleeps: number[] = [];
function services(): Pick<InfraServices, "aws" | "wait"> {
  let clock = 0;
  return {
    aws: { eks: () => Promise.resolve(eks), endpoint: undefined, region: "eu-west-1" } as unknown as AwsClients,
    // Every clock read advances a second; sleeps are recorded, not slept.
    wait: { scale: 1, now: () => (clock += 1_000), sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    } },
  };
}

const tagsFor = (name: string) => platformTags(config, { Name: `${CLUSTER}-${name}` });
function addon(name: string, status: string, extra: Partial<Addon> = {}): { addon: Addon } {
  return {
    addon: {
      addonName: name, clusterName: CLUSTER, status: status as Addon["status"], addonVersion: DEFAULTS[name], addonArn: `arn:aws:eks:eu-west-1:123456789012:addon/${CLUSTER}/${name}/abc`,
      serviceAccountRoleArn: name === "aws-ebs-csi-driver" ? EBS_ROLE : undefined, tags: { ...tagsFor(name) }, health: { issues: [] }, ...extra,
    },
  };
}
const notFound = () => new ResourceNotFoundException({ message: "No addon: x found in cluster: y", $metadata: {} });
function eksError(name: string, message: string): EKSServiceException {
  return new EKSServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });
}

/** Versions as DescribeAddonVersions lists them: newest first, the default flagged per Kubernetes version. */
function versionsResponse(name: string) {
  return {
    addons: [{
      addonName: name,
      addonVersions: [
        { addonVersion: "v9.9.9-eksbuild.1", compatibilities: [{ clusterVersion: "1.34", defaultVersion: false }, { clusterVersion: "1.33", defaultVersion: true }] },
        { addonVersion: DEFAULTS[name], compatibilities: [{ clusterVersion: "1.33", defaultVersion: false }, { clusterVersion: "1.34", defaultVersion: true }] },
      ],
    }],
  };
}

function allActive(): void {
  for (const name of EKS_ADDONS) eksMock.on(DescribeAddonCommand, { addonName: name }).resolves(addon(name, "ACTIVE"));
}

function mutations(): string[] {
  return eksMock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, "")).filter((op) => classifyOperation(op) === "mutating");
}

async function failure(promise: Promise<unknown>): Promise<BtpAwsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BtpAwsError);
  return error as BtpAwsError;
}

const run = (outputs = OUTPUTS) => runStep(eksAddonsStep, config, services(), outputs);

/** The optional add-ons are looked at even when not wanted (to warn about leftovers): absent by default. */
function optionalAddonsAbsent(): void {
  for (const name of [CONTAINER_INSIGHTS_ADDON, SNAPSHOT_CONTROLLER_ADDON]) eksMock.on(DescribeAddonCommand, { addonName: name }).rejects(notFound());
}

beforeEach(() => {
  eksMock.reset();
  sleeps.length = 0;
  optionalAddonsAbsent();
});
afterEach(() => eksMock.reset());

describe("infra/eks-addons: plan", () => {
  it("needs the node group and the IRSA roles, and says what it installs", () => {
    expect(eksAddonsStep.needs).toEqual(["infra/nodegroup", "infra/irsa"]);
    expect(eksAddonsStep.describe(config)).toEqual([
      "install the EKS add-ons vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver at EKS's default versions for Kubernetes 1.35; aws-ebs-csi-driver with its IRSA role",
    ]);
  });
});

describe("infra/eks-addons: creating", () => {
  beforeEach(() => {
    for (const name of EKS_ADDONS) {
      eksMock.on(DescribeAddonCommand, { addonName: name }).rejectsOnce(notFound()).resolvesOnce(addon(name, "CREATING")).resolves(addon(name, "ACTIVE"));
      eksMock.on(DescribeAddonVersionsCommand, { addonName: name }).resolves(versionsResponse(name));
    }
    eksMock.on(CreateAddonCommand).resolves({});
  });

  it("creates each missing add-on at the default version for the cluster's Kubernetes version, ebs-csi with its role", async () => {
    const { outputs } = await run();
    const creates = eksMock.commandCalls(CreateAddonCommand).map((c) => c.args[0].input);
    expect(creates).toEqual(EKS_ADDONS.map((name) => ({
      clusterName: CLUSTER,
      addonName: name,
      addonVersion: DEFAULTS[name],
      ...(name === "aws-ebs-csi-driver" ? { serviceAccountRoleArn: EBS_ROLE } : {}),
      resolveConflicts: "OVERWRITE",
      tags: { ...tagsFor(name) },
    })));
    expect(eksMock.commandCalls(DescribeAddonVersionsCommand)[0]!.args[0].input).toEqual({ addonName: "vpc-cni", kubernetesVersion: "1.34" });
    expect(outputs).toEqual({
      addons: ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"],
      addonVersions: EKS_ADDONS.map((name) => `${name}=${DEFAULTS[name]}`),
    });
  });

  it("creates them all before waiting, waits until each is ACTIVE with a status line, polling every 15 s", async () => {
    const { report } = await run();
    const order = eksMock.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.lastIndexOf("CreateAddonCommand")).toBeLessThan(order.indexOf("DescribeAddonCommand", order.lastIndexOf("CreateAddonCommand")));
    expect(report.statuses).toEqual(expect.arrayContaining(["vpc-cni: CREATING, 1s", "aws-ebs-csi-driver: CREATING, 1s"]));
    expect(sleeps).toEqual([15_000, 15_000, 15_000, 15_000]);
    expect(report.infos).toEqual([
      `created add-on vpc-cni ${DEFAULTS["vpc-cni"]}`,
      `created add-on coredns ${DEFAULTS.coredns}`,
      `created add-on kube-proxy ${DEFAULTS["kube-proxy"]}`,
      `created add-on aws-ebs-csi-driver ${DEFAULTS["aws-ebs-csi-driver"]} with role ${EBS_ROLE}`,
    ]);
  });

  it("finds the default version on a later page of DescribeAddonVersions", async () => {
    eksMock.on(DescribeAddonVersionsCommand, { addonName: "coredns" })
      .resolvesOnce({ addons: [{ addonName: "coredns", addonVersions: [{ addonVersion: "v1.0.0", compatibilities: [{ clusterVersion: "1.34", defaultVersion: false }] }] }], nextToken: "page-2" })
      .resolves({ addons: [{ addonName: "coredns", addonVersions: [{ addonVersion: "v1.12.9-eksbuild.3", compatibilities: [{ clusterVersion: "1.34", defaultVersion: true }] }] }] });
    await run();
    expect(eksMock.commandCalls(CreateAddonCommand, { addonName: "coredns" })[0]!.args[0].input.addonVersion).toBe("v1.12.9-eksbuild.3");
    expect(eksMock.commandCalls(DescribeAddonVersionsCommand, { addonName: "coredns" })[1]!.args[0].input.nextToken).toBe("page-2");
  });

  it("stops when EKS has no default version for the cluster's Kubernetes version", async () => {
    eksMock.on(DescribeAddonVersionsCommand, { addonName: "vpc-cni" }).resolves({ addons: [{ addonName: "vpc-cni", addonVersions: [{ addonVersion: "v1", compatibilities: [{ clusterVersion: "1.33", defaultVersion: true }] }] }] });
    const error = await failure(run());
    expect(error.message).toBe("EKS offers no default vpc-cni add-on version for Kubernetes 1.34");
    expect(error.hint).toBe("choose a Kubernetes version in EKS standard support (cluster.kubernetesVersion)");
    expect(mutations()).toEqual([]);
  });

  it("fails with the health issues when an add-on ends CREATE_FAILED", async () => {
    eksMock.on(DescribeAddonCommand, { addonName: "aws-ebs-csi-driver" }).rejectsOnce(notFound()).resolves(addon("aws-ebs-csi-driver", "CREATE_FAILED", {
      health: { issues: [{ code: "AccessDenied", message: "The IAM role cannot be assumed by the add-on's service account", resourceIds: ["ebs-csi-controller-sa"] }] },
    }));
    const error = await failure(run());
    expect(error.message).toBe("EKS add-on aws-ebs-csi-driver on cluster btp-btp-test to become ACTIVE: it is CREATE_FAILED: AccessDenied: The IAM role cannot be assumed by the add-on's service account (ebs-csi-controller-sa)");
    expect(error.hint).toBe(`see aws eks describe-addon --cluster-name ${CLUSTER} --addon-name aws-ebs-csi-driver; run the same command again to keep waiting`);
  });

  it("fails with the health issues when an add-on turns DEGRADED while waited for", async () => {
    eksMock.on(DescribeAddonCommand, { addonName: "coredns" }).rejectsOnce(notFound()).resolvesOnce(addon("coredns", "CREATING")).resolves(addon("coredns", "DEGRADED", {
      health: { issues: [{ code: "InsufficientNumberOfReplicas", message: "The add-on is unhealthy because it doesn't have the desired number of replicas." }] },
    }));
    const error = await failure(run());
    expect(error.message).toBe("EKS add-on coredns on cluster btp-btp-test to become ACTIVE: it is DEGRADED: InsufficientNumberOfReplicas: The add-on is unhealthy because it doesn't have the desired number of replicas.");
  });

  it("times out after 20 minutes of CREATING, saying where it stands", async () => {
    eksMock.on(DescribeAddonCommand, { addonName: "kube-proxy" }).rejectsOnce(notFound()).resolves(addon("kube-proxy", "CREATING"));
    const error = await failure(run());
    expect(error.message).toMatch(/^timed out waiting for EKS add-on kube-proxy on cluster btp-btp-test to become ACTIVE: still CREATING after 20m0\ds$/);
  });

  it("names the EKS action that was denied", async () => {
    eksMock.on(CreateAddonCommand).rejects(eksError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: eks:CreateAddon"));
    const error = await failure(run());
    expect(error.message).toBe(`not allowed to create EKS add-on vpc-cni ${DEFAULTS["vpc-cni"]} (eks:CreateAddon): AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: eks:CreateAddon`);
  });

  it("blames cluster.kubernetesVersion when EKS rejects the version", async () => {
    eksMock.on(CreateAddonCommand).rejects(eksError("InvalidParameterException", "Addon version specified is not supported"));
    const error = await failure(run());
    expect(error.message).toBe(`create EKS add-on vpc-cni ${DEFAULTS["vpc-cni"]} (eks:CreateAddon): EKS rejected it (cluster.kubernetesVersion): InvalidParameterException: Addon version specified is not supported`);
  });

  it("blames the IRSA role when EKS rejects the service account role", async () => {
    eksMock.on(CreateAddonCommand, { addonName: "aws-ebs-csi-driver" }).rejects(eksError("InvalidParameterException", "The role arn:aws:iam::1:role/x is not valid"));
    const error = await failure(run());
    expect(error.message).toBe(`create EKS add-on aws-ebs-csi-driver ${DEFAULTS["aws-ebs-csi-driver"]} (eks:CreateAddon): EKS rejected it (the add-on's IRSA role from infra/irsa): InvalidParameterException: The role arn:aws:iam::1:role/x is not valid`);
  });
});

describe("infra/eks-addons: adopting", () => {
  it("skips with zero mutating calls when every add-on is ACTIVE with its role and tags", async () => {
    allActive();
    const { report, outputs } = await run();
    expect(mutations()).toEqual([]);
    expect(eksMock.commandCalls(DescribeAddonVersionsCommand)).toEqual([]);
    expect(sleeps).toEqual([]);
    expect(report.skipped).toEqual([`add-ons ${EKS_ADDONS.map((n) => `${n}=${DEFAULTS[n]}`).join(", ")} are ACTIVE`]);
    expect(outputs.addons).toEqual([...EKS_ADDONS]);
  });

  it("keeps an older version: upgrades are not a side effect of re-running install", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "coredns" }).resolves(addon("coredns", "ACTIVE", { addonVersion: "v1.11.1-eksbuild.1" }));
    const { outputs } = await run();
    expect(mutations()).toEqual([]);
    expect(outputs.addonVersions).toContain("coredns=v1.11.1-eksbuild.1");
  });

  it("points the EBS CSI driver back at its role when it differs, then waits for the update", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "aws-ebs-csi-driver" })
      .resolvesOnce(addon("aws-ebs-csi-driver", "ACTIVE", { serviceAccountRoleArn: "arn:aws:iam::123456789012:role/someone-else" }))
      .resolvesOnce(addon("aws-ebs-csi-driver", "UPDATING"))
      .resolves(addon("aws-ebs-csi-driver", "ACTIVE"));
    eksMock.on(UpdateAddonCommand).resolves({ update: { id: "u-1", status: "InProgress" } });
    const { report } = await run();
    expect(eksMock.commandCalls(UpdateAddonCommand)[0]!.args[0].input).toEqual({ clusterName: CLUSTER, addonName: "aws-ebs-csi-driver", serviceAccountRoleArn: EBS_ROLE, resolveConflicts: "OVERWRITE" });
    expect(report.infos).toEqual([`add-on aws-ebs-csi-driver: service account role arn:aws:iam::123456789012:role/someone-else → ${EBS_ROLE}`]);
    expect(report.statuses).toContain("aws-ebs-csi-driver: UPDATING, 1s");
    expect(mutations()).toEqual(["UpdateAddon"]);
  });

  it("gives the EBS CSI driver its role when it has none", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "aws-ebs-csi-driver" }).resolves(addon("aws-ebs-csi-driver", "ACTIVE", { serviceAccountRoleArn: undefined }));
    eksMock.on(UpdateAddonCommand).resolves({});
    const { report } = await run();
    expect(report.infos).toEqual([`add-on aws-ebs-csi-driver: service account role none → ${EBS_ROLE}`]);
  });

  it("leaves a role on an add-on btp-aws gives none (the user's choice)", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "vpc-cni" }).resolves(addon("vpc-cni", "ACTIVE", { serviceAccountRoleArn: "arn:aws:iam::123456789012:role/cni" }));
    await run();
    expect(mutations()).toEqual([]);
  });

  it("adds missing tags to an adopted add-on", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "kube-proxy" }).resolves(addon("kube-proxy", "ACTIVE", { tags: { "btp-aws:platform": "btp-test" } }));
    eksMock.on(TagResourceCommand).resolves({});
    const { report } = await run();
    expect(eksMock.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({
      resourceArn: `arn:aws:eks:eu-west-1:123456789012:addon/${CLUSTER}/kube-proxy/abc`,
      tags: { team: "chain", Name: `${CLUSTER}-kube-proxy`, "btp-aws:managed-by": "btp-aws" },
    });
    expect(report.infos).toEqual(["add-on kube-proxy: added tags team, Name, btp-aws:managed-by"]);
  });

  it("waits for an add-on still CREATING from an interrupted run, without creating it again", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "vpc-cni" }).resolvesOnce(addon("vpc-cni", "CREATING")).resolvesOnce(addon("vpc-cni", "CREATING")).resolves(addon("vpc-cni", "ACTIVE"));
    const { report } = await run();
    expect(mutations()).toEqual([]);
    expect(eksMock.commandCalls(DescribeAddonCommand, { addonName: "vpc-cni" })).toHaveLength(3);
    expect(report.statuses).toContain("vpc-cni: CREATING, 1s");
  });

  it("stops on a DEGRADED add-on with its health issues", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "coredns" }).resolves(addon("coredns", "DEGRADED", {
      health: { issues: [{ code: "InsufficientNumberOfReplicas", message: "0 of 2 replicas ready", resourceIds: ["deployment/coredns"] }, { code: "ConfigurationConflict", message: "Conflicts found" }] },
    }));
    const error = await failure(run());
    expect(error.message).toBe("EKS add-on coredns on cluster btp-btp-test is DEGRADED: InsufficientNumberOfReplicas: 0 of 2 replicas ready (deployment/coredns); ConfigurationConflict: Conflicts found");
    expect(error.hint).toBe(`fix the cause above (aws eks describe-addon --cluster-name ${CLUSTER} --addon-name coredns), then run the same command again`);
    expect(mutations()).toEqual([]);
  });

  it("says so when a failed add-on carries no health issues", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "kube-proxy" }).resolves(addon("kube-proxy", "UPDATE_FAILED", { health: undefined }));
    const error = await failure(run());
    expect(error.message).toBe("EKS add-on kube-proxy on cluster btp-btp-test is UPDATE_FAILED: EKS reports no health issues");
  });

  it("stops on an add-on being deleted", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "vpc-cni" }).resolves(addon("vpc-cni", "DELETING"));
    const error = await failure(run());
    expect(error.message).toBe("EKS add-on vpc-cni on cluster btp-btp-test is being deleted");
  });

  it("refuses an add-on that is not tagged for this platform", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: "coredns" }).resolves(addon("coredns", "ACTIVE", { tags: {} }));
    const error = await failure(run());
    expect(error.message).toBe("EKS add-on coredns on cluster btp-btp-test exists but is not managed by btp-aws for platform btp-test");
    expect(error.hint).toBe(`tag it (aws eks tag-resource --resource-arn arn:aws:eks:eu-west-1:123456789012:addon/${CLUSTER}/coredns/abc --tags btp-aws:platform=btp-test) to let btp-aws manage it, or delete it, then run again`);
  });

  it("says which output is missing when infra/irsa has not run", async () => {
    const { "infra/irsa": _irsa, ...without } = OUTPUTS;
    const error = await failure(run(without));
    expect(error.message).toBe("output ebsCsiRoleArn of step infra/irsa is missing from the state");
    expect(eksMock.calls()).toEqual([]);
  });
});

describe("infra/eks-addons: Container Insights and the snapshot controller", () => {
  const CI_ROLE = "arn:aws:iam::123456789012:role/btp-btp-test-irsa-cloudwatch-observability";
  const OPTIONAL_DEFAULTS: Record<string, string> = { [CONTAINER_INSIGHTS_ADDON]: "v4.4.0-eksbuild.1", [SNAPSHOT_CONTROLLER_ADDON]: "v8.3.0-eksbuild.1" };
  // Development resolves every dependency to in-cluster: the snapshot controller is wanted.
  const both = testConfig({ tags: { team: "chain" }, monitoring: { containerInsights: true } });
  const withRole = { ...OUTPUTS, "infra/irsa": { ebsCsiRoleArn: EBS_ROLE, containerInsightsRoleArn: CI_ROLE } };
  const versionOf = (name: string) => DEFAULTS[name] ?? OPTIONAL_DEFAULTS[name];

  it("wants the snapshot controller exactly when some dependency runs in-cluster", () => {
    const modes = (database: string, cache: string, storage: string) => ({ database: { mode: database }, cache: { mode: cache }, storage: { mode: storage } }) as Parameters<typeof needsSnapshotController>[0];
    expect(needsSnapshotController(modes("aws", "aws", "aws"))).toBe(false);
    expect(needsSnapshotController(modes("external", "aws", "external"))).toBe(false);
    expect(needsSnapshotController(modes("aws", "in-cluster", "aws"))).toBe(true);
    expect(needsSnapshotController(modes("aws", "aws", "in-cluster"))).toBe(true);
    expect(wantedAddons(config)).toEqual([...EKS_ADDONS]);
    expect(wantedAddons(testConfig())).toEqual([...EKS_ADDONS, SNAPSHOT_CONTROLLER_ADDON]);
    expect(wantedAddons(both)).toEqual([...EKS_ADDONS, CONTAINER_INSIGHTS_ADDON, SNAPSHOT_CONTROLLER_ADDON]);
    expect(wantedAddons(testConfig({ environment: "production", monitoring: { containerInsights: true } }))).toEqual([...EKS_ADDONS, CONTAINER_INSIGHTS_ADDON]);
  });

  it("says in the plan which optional add-ons it installs and why", () => {
    expect(eksAddonsStep.describe(both)).toEqual([
      "install the EKS add-ons vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver, amazon-cloudwatch-observability, snapshot-controller at EKS's default versions for Kubernetes 1.35; aws-ebs-csi-driver with its IRSA role",
      "amazon-cloudwatch-observability: CloudWatch Container Insights, with its IRSA role (CloudWatchAgentServerPolicy, X-Ray writes)",
      "snapshot-controller: VolumeSnapshots of the in-cluster dependencies' volumes",
    ]);
  });

  it("creates amazon-cloudwatch-observability with its IRSA role and snapshot-controller without one", async () => {
    for (const name of wantedAddons(both)) {
      eksMock.on(DescribeAddonCommand, { addonName: name }).rejectsOnce(notFound()).resolves(addon(name, "ACTIVE", { addonVersion: versionOf(name), serviceAccountRoleArn: name === CONTAINER_INSIGHTS_ADDON ? CI_ROLE : undefined }));
      eksMock.on(DescribeAddonVersionsCommand, { addonName: name }).resolves({ addons: [{ addonName: name, addonVersions: [{ addonVersion: versionOf(name), compatibilities: [{ clusterVersion: "1.34", defaultVersion: true }] }] }] });
    }
    eksMock.on(CreateAddonCommand).resolves({});
    const { outputs, report } = await runStep(eksAddonsStep, both, services(), withRole);
    const creates = eksMock.commandCalls(CreateAddonCommand).map((c) => c.args[0].input);
    expect(creates.slice(4)).toEqual([
      { clusterName: CLUSTER, addonName: CONTAINER_INSIGHTS_ADDON, addonVersion: "v4.4.0-eksbuild.1", serviceAccountRoleArn: CI_ROLE, resolveConflicts: "OVERWRITE", tags: { ...platformTags(both, { Name: `${CLUSTER}-${CONTAINER_INSIGHTS_ADDON}` }) } },
      { clusterName: CLUSTER, addonName: SNAPSHOT_CONTROLLER_ADDON, addonVersion: "v8.3.0-eksbuild.1", resolveConflicts: "OVERWRITE", tags: { ...platformTags(both, { Name: `${CLUSTER}-${SNAPSHOT_CONTROLLER_ADDON}` }) } },
    ]);
    expect(report.infos.slice(4)).toEqual([`created add-on ${CONTAINER_INSIGHTS_ADDON} v4.4.0-eksbuild.1 with role ${CI_ROLE}`, `created add-on ${SNAPSHOT_CONTROLLER_ADDON} v8.3.0-eksbuild.1`]);
    expect(outputs.addons).toEqual([...EKS_ADDONS, CONTAINER_INSIGHTS_ADDON, SNAPSHOT_CONTROLLER_ADDON]);
    expect(report.warnings).toEqual([]);
  });

  it("puts Container Insights back on its role when it was changed", async () => {
    for (const name of wantedAddons(both)) eksMock.on(DescribeAddonCommand, { addonName: name }).resolves(addon(name, "ACTIVE", { addonVersion: versionOf(name), serviceAccountRoleArn: undefined }));
    eksMock.on(DescribeAddonCommand, { addonName: "aws-ebs-csi-driver" }).resolves(addon("aws-ebs-csi-driver", "ACTIVE"));
    eksMock.on(UpdateAddonCommand).resolves({});
    const { report } = await runStep(eksAddonsStep, both, services(), withRole);
    expect(eksMock.commandCalls(UpdateAddonCommand).map((c) => c.args[0].input)).toEqual([{ clusterName: CLUSTER, addonName: CONTAINER_INSIGHTS_ADDON, serviceAccountRoleArn: CI_ROLE, resolveConflicts: "OVERWRITE" }]);
    expect(report.infos).toEqual([`add-on ${CONTAINER_INSIGHTS_ADDON}: service account role none → ${CI_ROLE}`]);
  });

  it("says which output is missing when infra/irsa made no Container Insights role", async () => {
    const error = await failure(runStep(eksAddonsStep, both, services(), OUTPUTS));
    expect(error.message).toBe("output containerInsightsRoleArn of step infra/irsa is missing from the state");
    expect(eksMock.calls()).toEqual([]);
  });

  it("leaves an optional add-on of this platform that is no longer wanted, and warns; ignores one that is not ours", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: CONTAINER_INSIGHTS_ADDON }).resolves(addon(CONTAINER_INSIGHTS_ADDON, "ACTIVE", { addonVersion: "v4.4.0-eksbuild.1" }));
    eksMock.on(DescribeAddonCommand, { addonName: SNAPSHOT_CONTROLLER_ADDON }).resolves(addon(SNAPSHOT_CONTROLLER_ADDON, "ACTIVE", { tags: { "btp-aws:platform": "someone-else" } }));
    const { report, outputs } = await run();
    expect(mutations()).toEqual([]);
    expect(report.warnings).toEqual([
      `EKS add-on ${CONTAINER_INSIGHTS_ADDON} is still installed although monitoring.containerInsights is off: btp-aws leaves it; remove it with \`aws eks delete-addon --cluster-name ${CLUSTER} --addon-name ${CONTAINER_INSIGHTS_ADDON}\``,
    ]);
    expect(outputs.addons).toEqual([...EKS_ADDONS]);
  });

  it("warns about a leftover snapshot controller once no dependency runs in-cluster", async () => {
    allActive();
    eksMock.on(DescribeAddonCommand, { addonName: SNAPSHOT_CONTROLLER_ADDON }).resolves(addon(SNAPSHOT_CONTROLLER_ADDON, "ACTIVE"));
    const { report } = await run();
    expect(report.warnings).toEqual([
      `EKS add-on ${SNAPSHOT_CONTROLLER_ADDON} is still installed although no dependency runs in-cluster any more: btp-aws leaves it; remove it with \`aws eks delete-addon --cluster-name ${CLUSTER} --addon-name ${SNAPSHOT_CONTROLLER_ADDON}\``,
    ]);
  });
});
