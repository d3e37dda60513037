/**
 * The EKS operations moto 5.2.5 does not implement, answered from memory; every other operation
 * goes to moto. The answers are one plain function of (operation, input) over an in-memory
 * state, shared by two servers:
 * - `serveEksMotoGaps`, a middleware on an in-process EKS client, before the request is
 *   serialised (answered calls are counted like real ones, so "zero mutating calls" stays honest);
 * - the reliability proxy (test/reliability/proxy/), which answers the same operations over HTTP
 *   so a child-process CLI can run against moto.
 * Each step's own handling of these operations is unit-tested with aws-sdk-client-mock
 * (test/README.md lists them).
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

export type GapInput = Record<string, unknown>;

/** An error the real service would answer; each server encodes it its own way (SDK exception, HTTP). */
export class MotoGapError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Answers one gap operation, or returns undefined when moto implements it (the call goes to moto). */
export type GapAnswer = (operation: string, input: GapInput) => object | undefined;

export function createEksMotoGaps(): EksMotoGaps {
  return { entries: new Map(), versionUpdates: [], addons: new Map() };
}

const notFound = (message: string) => new MotoGapError("ResourceNotFoundException", 404, message);

function handlers(gaps: EksMotoGaps, region: string): Record<string, (input: GapInput) => object> {
  const entryKey = (input: GapInput) => `${String(input.clusterName)} ${String(input.principalArn)}`;
  const entry = (input: GapInput) => {
    const found = gaps.entries.get(entryKey(input));
    if (!found) throw notFound(`The specified access entry resource ${String(input.principalArn)} could not be found.`);
    return found;
  };
  const addonKey = (input: GapInput) => `${String(input.clusterName)}/${String(input.addonName)}`;
  const addon = (input: GapInput) => {
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

/** The EKS gap operations over `gaps`; ARNs name `region`. Throws MotoGapError for not-found. */
export function eksGapAnswer(gaps: EksMotoGaps, region: string): GapAnswer {
  const served = handlers(gaps, region);
  return (operation, input) => {
    // TagResource on an add-on ARN is a gap too; on a cluster or node group it goes to moto.
    if (operation === "TagResource") return String(input.resourceArn).includes(":addon/") ? {} : undefined;
    return served[operation]?.(input);
  };
}

export function serveEksMotoGaps(eks: EKSClient, counter: CallCounter | undefined, region = "eu-west-1"): EksMotoGaps {
  const gaps = createEksMotoGaps();
  const answer = eksGapAnswer(gaps, region);
  eks.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "").replace(/Command$/, "");
      let output: object | undefined;
      try {
        output = answer(operation, args.input as GapInput);
      } catch (error) {
        // The SDK's own exception class, so steps see what a real EKS answer would give them.
        if (error instanceof MotoGapError) throw new ResourceNotFoundException({ message: error.message, $metadata: { httpStatusCode: error.status } });
        throw error;
      }
      if (output === undefined) return next(args);
      counter?.record("EKS", operation);
      return { output: { $metadata: {}, ...output }, response: {} };
    },
    { step: "initialize", name: "btpAwsTestMotoGaps", override: true },
  );
  return gaps;
}
