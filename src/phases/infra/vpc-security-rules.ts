/**
 * The ingress rules the platform's security groups must have, and how to compare them with what
 * EC2 reports. Nothing is open to the internet except the ALB's 80 and 443.
 */
import type { IngressRule, RuleSource } from "../../aws/ec2.js";

export type GroupRole = "nodes" | "alb" | "database" | "cache";
export type GroupIds = Readonly<Record<GroupRole, string>>;

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
const WORLD: readonly RuleSource[] = [{ cidrIpv4: "0.0.0.0/0" }, { cidrIpv6: "::/0" }];

function allFrom(groupId: string, description: string): IngressRule {
  return { protocol: "-1", fromPort: -1, toPort: -1, source: { groupId }, description };
}

function tcp(port: number, source: RuleSource, description: string): IngressRule {
  return { protocol: "tcp", fromPort: port, toPort: port, source, description };
}

export function wantedIngress(ids: GroupIds): Record<GroupRole, IngressRule[]> {
  return {
    // Pods talk to pods on any port across nodes; the ALB forwards to pod IPs (target type ip).
    nodes: [allFrom(ids.nodes, "btp-aws: node to node"), allFrom(ids.alb, "btp-aws: from the ALB")],
    alb: [80, 443].flatMap((port) => WORLD.map((source) => tcp(port, source, `btp-aws: ${port === 80 ? "HTTP" : "HTTPS"} from the internet`))),
    database: [tcp(POSTGRES_PORT, { groupId: ids.nodes }, "btp-aws: PostgreSQL from the cluster nodes")],
    cache: [tcp(REDIS_PORT, { groupId: ids.nodes }, "btp-aws: Redis from the cluster nodes")],
  };
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { "6": "tcp", "17": "udp", "1": "icmp", all: "-1" };

function protocolOf(rule: IngressRule): string {
  const p = rule.protocol.toLowerCase();
  return PROTOCOL_NAMES[p] ?? p;
}

function sourceKey(source: IngressRule["source"]): string {
  if ("cidrIpv4" in source) return `ipv4:${source.cidrIpv4}`;
  if ("cidrIpv6" in source) return `ipv6:${source.cidrIpv6}`;
  if ("groupId" in source) return `group:${source.groupId}`;
  return `prefix-list:${source.prefixListId}`;
}

/** Same traffic allowed: protocol, ports (ignored for all-traffic rules) and source; descriptions aside. */
export function sameRule(a: IngressRule, b: IngressRule): boolean {
  const protocol = protocolOf(a);
  if (protocol !== protocolOf(b) || sourceKey(a.source) !== sourceKey(b.source)) return false;
  return protocol === "-1" || (a.fromPort === b.fromPort && a.toPort === b.toPort);
}

export function opensToWorld(rule: IngressRule): boolean {
  return WORLD.some((w) => sourceKey(w) === sourceKey(rule.source));
}

/** "tcp 5432 from 0.0.0.0/0", "all traffic from sg-1". */
export function describeRule(rule: IngressRule): string {
  const protocol = protocolOf(rule);
  const ports = protocol === "-1" ? "all traffic" : `${protocol} ${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`;
  return `${ports} from ${sourceKey(rule.source).replace(/^[a-z0-9-]+:/, "")}`;
}
