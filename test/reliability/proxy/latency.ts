/**
 * The latency model: moto makes every resource ready at once (ACM aside), so the installer's
 * waits never wait. Here a resource reports its provisioning state for its real-world typical
 * duration after its create call, times a scale (1/60: a minute becomes a second), by rewriting
 * the status in the answers that report it. The installer's polls scale the same way through
 * BTP_AWS_POLL_SCALE, so a scaled run keeps real-world proportions.
 */
import { TYPICAL_SECONDS } from "../../../src/plan/critical-path.js";
import type { Call } from "./detect.js";
import { jsonResource, xmlResource, type ResourceFormat, type ResourceKey } from "./resource-format.js";

export interface LatencyRule {
  /** The plan step whose wait this models (a TYPICAL_SECONDS key). */
  step: string;
  /** "EKS cluster", for messages. */
  what: string;
  /** Signing name of the service. */
  service: string;
  /** The create operation whose success starts the clock. */
  create: string;
  /** Operations whose answers show the status (the create's own answer does too). */
  reports: readonly string[];
  /** Reported until ready. */
  status: string;
  /** Unscaled seconds from the create until ready. */
  seconds: number;
  format: ResourceFormat;
}

const typical = (step: string): number => {
  const seconds = TYPICAL_SECONDS[step];
  if (seconds === undefined) throw new Error(`TYPICAL_SECONDS has no ${step}`);
  return seconds;
};

/**
 * Real-world typical durations. The table's single source is src/plan/critical-path.ts
 * (TYPICAL_SECONDS, what `plan` and the benchmark's lower bound use), read by step id; the NAT
 * gateway is the one resource that is only part of its step: "infra/nat-gateways" is 150 s, the
 * NAT gateway's ~2 min plus the private routes and flow logs.
 */
export const DEFAULT_LATENCY_TABLE: readonly LatencyRule[] = [
  {
    step: "infra/eks", what: "EKS cluster", service: "eks", create: "CreateCluster", reports: ["DescribeCluster"], status: "CREATING", seconds: typical("infra/eks"),
    format: jsonResource({ at: ["cluster"], id: ["name"], status: "status" }),
  },
  {
    step: "infra/nodegroup", what: "EKS node group", service: "eks", create: "CreateNodegroup", reports: ["DescribeNodegroup"], status: "CREATING", seconds: typical("infra/nodegroup"),
    format: jsonResource({ at: ["nodegroup"], id: ["clusterName", "nodegroupName"], status: "status" }),
  },
  {
    step: "infra/eks-addons", what: "EKS add-on", service: "eks", create: "CreateAddon", reports: ["DescribeAddon"], status: "CREATING", seconds: typical("infra/eks-addons"),
    format: jsonResource({ at: ["addon"], id: ["clusterName", "addonName"], status: "status" }),
  },
  {
    step: "infra/rds", what: "RDS instance (Multi-AZ)", service: "rds", create: "CreateDBInstance", reports: ["DescribeDBInstances"], status: "creating", seconds: typical("infra/rds"),
    format: xmlResource({ in: ["DBInstance"], id: ["DBInstanceIdentifier"], status: "DBInstanceStatus" }),
  },
  {
    step: "infra/elasticache", what: "ElastiCache replication group", service: "elasticache", create: "CreateReplicationGroup", reports: ["DescribeReplicationGroups"], status: "creating", seconds: typical("infra/elasticache"),
    format: xmlResource({ in: ["ReplicationGroup"], id: ["ReplicationGroupId"], status: "Status" }),
  },
  {
    step: "infra/nat-gateways", what: "NAT gateway", service: "ec2", create: "CreateNatGateway", reports: ["DescribeNatGateways"], status: "pending", seconds: 120,
    // "item" is every list entry in EC2 XML; only a NAT gateway's has a natGatewayId child.
    format: xmlResource({ in: ["natGateway", "item"], id: ["natGatewayId"], status: "state" }),
  },
  {
    step: "infra/acm", what: "ACM certificate", service: "acm", create: "RequestCertificate", reports: ["DescribeCertificate", "ListCertificates"], status: "PENDING_VALIDATION", seconds: typical("infra/acm"),
    format: jsonResource({ at: ["", "Certificate", "CertificateSummaryList[]"], id: ["CertificateArn"], status: "Status" }),
  },
];

/** Modelled seconds per step (scaled): the waits the model adds, for a critical-path bound under the model. */
export function modelledStepSeconds(table: readonly LatencyRule[] = DEFAULT_LATENCY_TABLE, scale = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rule of table) out[rule.step] = Math.max(out[rule.step] ?? 0, rule.seconds * scale);
  return out;
}

export interface LatencySettings {
  /** Multiplies every duration: 1/60 turns a minute into a second. */
  scale: number;
  table?: readonly LatencyRule[];
}

interface Tracked {
  rule: LatencyRule;
  region: string;
  key: ResourceKey;
  createdAt: number;
}

const sameKey = (a: ResourceKey, b: ResourceKey) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * Resources created while the model is on, and the rewriting of the answers that report them.
 * A resource created while it is off is ready at once, as moto has it.
 */
export class LatencyModel {
  private settings: Required<LatencySettings> | undefined;
  private tracked: Tracked[] = [];

  set(settings: LatencySettings | undefined): void {
    if (settings && !(settings.scale > 0)) throw new Error(`latency scale must be above 0, got ${settings.scale}`);
    this.settings = settings && { scale: settings.scale, table: settings.table ?? DEFAULT_LATENCY_TABLE };
  }

  get active(): boolean {
    return this.settings !== undefined;
  }

  /** Resources still provisioning at `now`, for tests and reports. */
  pending(now = Date.now()): { what: string; key: ResourceKey; readyInMs: number }[] {
    return this.tracked.map((t) => ({ what: t.rule.what, key: t.key, readyInMs: this.readyAt(t) - now })).filter((t) => t.readyInMs > 0);
  }

  private readyAt(t: Tracked): number {
    return t.createdAt + t.rule.seconds * (this.settings?.scale ?? 0) * 1000;
  }

  /**
   * Sees a successful answer: a create starts its resource's clock; any answer that shows a
   * resource still provisioning gets that resource's status rewritten. Returns the new body, or
   * undefined when nothing changed.
   */
  observe(call: Call, body: string, now = Date.now()): string | undefined {
    if (!this.settings) return undefined;
    for (const rule of this.settings.table) {
      if (rule.service !== call.service || rule.create !== call.operation) continue;
      const key = rule.format.identify(body);
      if (!key) continue;
      // A re-created resource (same identity) starts over.
      this.tracked = this.tracked.filter((t) => !(t.rule === rule && t.region === call.region && sameKey(t.key, key)));
      this.tracked.push({ rule, region: call.region, key, createdAt: now });
    }
    let rewritten = body;
    let changed = false;
    for (const t of this.tracked) {
      if (t.region !== call.region || t.rule.service !== call.service) continue;
      if (t.rule.create !== call.operation && !t.rule.reports.includes(call.operation)) continue;
      if (now >= this.readyAt(t)) continue;
      const next = t.rule.format.rewrite(rewritten, t.key, t.rule.status);
      if (next !== undefined) {
        rewritten = next;
        changed = true;
      }
    }
    return changed ? rewritten : undefined;
  }
}
