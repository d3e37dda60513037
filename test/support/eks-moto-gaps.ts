/**
 * The EKS operations moto 5.2.5 does not implement, answered from memory by a middleware on the
 * EKS client before the request is serialised; every other operation goes to moto. Answered
 * calls are counted like real ones, so "zero mutating calls" stays honest. Each step's own
 * handling of these operations is unit-tested with aws-sdk-client-mock (test/README.md lists them).
 */
import { ResourceNotFoundException, type EKSClient } from "@aws-sdk/client-eks";
import type { CallCounter } from "../../src/aws/call-counter.js";
import { MOTO_ACCOUNT } from "./moto.js";

interface AccessEntryRecord {
  arn: string;
  tags: Record<string, string>;
  policies: { policyArn: string; accessScope: { type: string } }[];
}

interface AddonRecord {
  addonName: string;
  clusterName: string;
  addonArn: string;
  addonVersion: string;
  status: string;
  serviceAccountRoleArn?: string;
  tags: Record<string, string>;
}

export interface EksMotoGaps {
  /** Access entries by "cluster principal". */
  entries: Map<string, AccessEntryRecord>;
  /** UpdateNodegroupVersion inputs, in order. */
  versionUpdates: Record<string, unknown>[];
  /** Add-ons by "cluster/name". */
  addons: Map<string, AddonRecord>;
}

type Input = Record<string, unknown>;

function notFound(message: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: {} });
}

function handlers(gaps: EksMotoGaps, region: string): Record<string, (input: Input) => object> {
  const entryKey = (input: Input) => `${String(input.clusterName)} ${String(input.principalArn)}`;
  const entry = (input: Input) => {
    const found = gaps.entries.get(entryKey(input));
    if (!found) throw notFound(`The specified access entry resource ${String(input.principalArn)} could not be found.`);
    return found;
  };
  const addonKey = (input: Input) => `${String(input.clusterName)}/${String(input.addonName)}`;
  const addon = (input: Input) => {
    const found = gaps.addons.get(addonKey(input));
    if (!found) throw notFound(`No addon: ${String(input.addonName)} found in cluster: ${String(input.clusterName)}`);
    return found;
  };
  return {
    CreateAccessEntry(input) {
      const created = { arn: `arn:aws:eks:${region}:${MOTO_ACCOUNT}:access-entry/${String(input.clusterName)}/user/${gaps.entries.size}`, tags: { ...(input.tags as Record<string, string>) }, policies: [] };
      gaps.entries.set(entryKey(input), created);
      return { accessEntry: { accessEntryArn: created.arn, principalArn: input.principalArn, tags: created.tags, type: input.type } };
    },
    DescribeAccessEntry(input) {
      const found = entry(input);
      return { accessEntry: { accessEntryArn: found.arn, principalArn: input.principalArn, tags: found.tags, type: "STANDARD" } };
    },
    ListAssociatedAccessPolicies: (input) => ({ associatedAccessPolicies: entry(input).policies }),
    AssociateAccessPolicy(input) {
      entry(input).policies.push({ policyArn: String(input.policyArn), accessScope: input.accessScope as { type: string } });
      return {};
    },
    UpdateNodegroupVersion(input) {
      gaps.versionUpdates.push(input);
      return { update: { id: `update-${gaps.versionUpdates.length}`, status: "InProgress", type: "VersionUpdate" } };
    },
    DescribeUpdate: (input) => ({ update: { id: input.updateId, status: "Successful" } }),
    DescribeAddonVersions(input) {
      const k8s = String(input.kubernetesVersion);
      return { addons: [{ addonName: input.addonName, addonVersions: [{ addonVersion: `v${k8s}.0-eksbuild.1`, compatibilities: [{ clusterVersion: k8s, defaultVersion: true }] }] }] };
    },
    DescribeAddon: (input) => ({ addon: { ...addon(input) } }),
    CreateAddon(input) {
      const created: AddonRecord = {
        addonName: String(input.addonName),
        clusterName: String(input.clusterName),
        addonArn: `arn:aws:eks:${region}:${MOTO_ACCOUNT}:addon/${String(input.clusterName)}/${String(input.addonName)}/0`,
        addonVersion: String(input.addonVersion),
        status: "ACTIVE",
        ...(typeof input.serviceAccountRoleArn === "string" ? { serviceAccountRoleArn: input.serviceAccountRoleArn } : {}),
        tags: { ...(input.tags as Record<string, string> | undefined) },
      };
      gaps.addons.set(addonKey(input), created);
      return { addon: { ...created } };
    },
    UpdateAddon(input) {
      const found = addon(input);
      if (typeof input.serviceAccountRoleArn === "string") found.serviceAccountRoleArn = input.serviceAccountRoleArn;
      return { update: { id: "addon-update", status: "Successful" } };
    },
    ListAddons: (input) => ({ addons: [...gaps.addons.values()].filter((a) => a.clusterName === input.clusterName).map((a) => a.addonName) }),
    DeleteAddon(input) {
      gaps.addons.delete(addonKey(input));
      return {};
    },
  };
}

export function serveEksMotoGaps(eks: EKSClient, counter: CallCounter | undefined, region = "eu-west-1"): EksMotoGaps {
  const gaps: EksMotoGaps = { entries: new Map(), versionUpdates: [], addons: new Map() };
  const served = handlers(gaps, region);
  eks.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "").replace(/Command$/, "");
      const input = args.input as Input;
      // TagResource on an add-on ARN is a gap too; on a cluster or node group it goes to moto.
      const addonTag = operation === "TagResource" && String(input.resourceArn).includes(":addon/");
      const handler = addonTag ? () => ({}) : served[operation];
      if (!handler) return next(args);
      counter?.record("EKS", operation);
      return { output: { $metadata: {}, ...handler(input) }, response: {} };
    },
    { step: "initialize", name: "btpAwsTestMotoGaps", override: true },
  );
  return gaps;
}
