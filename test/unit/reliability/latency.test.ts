/**
 * The latency model's pure parts: finding a created resource in an answer, rewriting only its
 * status (moto-shaped samples, with the nested elements that share the status's name), the
 * clock per resource, and the table's agreement with the plan's TYPICAL_SECONDS.
 */
import { describe, expect, it } from "vitest";
import { TYPICAL_SECONDS } from "../../../src/plan/critical-path.js";
import type { Call } from "../../reliability/proxy/detect.js";
import { DEFAULT_LATENCY_TABLE, LatencyModel, modelledStepSeconds } from "../../reliability/proxy/latency.js";
import { jsonResource, objectsAt, xmlResource } from "../../reliability/proxy/resource-format.js";
import { applyEdits, findElements, parseXml } from "../../reliability/proxy/xml.js";

const rdsInstance = (id: string, status: string) =>
  `<DBInstance><DBInstanceIdentifier>${id}</DBInstanceIdentifier><DBInstanceStatus>${status}</DBInstanceStatus><VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-1</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups><DBSecurityGroups/></DBInstance>`;
const describeDb = (...instances: string[]) =>
  `<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances>${instances.join("")}</DBInstances></DescribeDBInstancesResult></DescribeDBInstancesResponse>`;
const replicationGroup = (id: string) =>
  `<ReplicationGroup><ReplicationGroupId>${id}</ReplicationGroupId><Status>available</Status><NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status></NodeGroup></NodeGroups></ReplicationGroup>`;
const natItem = (id: string) =>
  `<item><natGatewayId>${id}</natGatewayId><natGatewayAddressSet><item><allocationId>eipalloc-1</allocationId><status>succeeded</status></item></natGatewayAddressSet><state>available</state><tagSet><item><key>state</key><value>x</value></item></tagSet></item>`;

describe("xml", () => {
  it("finds elements with source offsets, through declarations, comments and self-closing tags", () => {
    const xml = `<?xml version="1.0"?><!-- c --><a x="1"><b>one</b><c/><b>two</b></a>`;
    const found = findElements(parseXml(xml), new Set(["b", "c"]));
    expect(found.map((e) => [e.name, xml.slice(e.contentStart, e.contentEnd), e.selfClosing])).toEqual([["b", "one", false], ["c", "", true], ["b", "two", false]]);
    expect(applyEdits(xml, [{ start: found[0]!.contentStart, end: found[0]!.contentEnd, text: "1" }, { start: found[2]!.contentStart, end: found[2]!.contentEnd, text: "2" }])).toBe(`<?xml version="1.0"?><!-- c --><a x="1"><b>1</b><c/><b>2</b></a>`);
  });

  it("refuses mismatched tags", () => {
    expect(() => parseXml("<a><b></a>")).toThrow("unexpected </a>");
    expect(() => parseXml("<a><b></b>")).toThrow("unclosed <a>");
  });
});

describe("resource formats", () => {
  const rds = xmlResource({ in: ["DBInstance"], id: ["DBInstanceIdentifier"], status: "DBInstanceStatus" });

  it("XML: identifies the created resource and rewrites only its own status element", () => {
    expect(rds.identify(`<CreateDBInstanceResponse><CreateDBInstanceResult>${rdsInstance("db-a", "available")}</CreateDBInstanceResult></CreateDBInstanceResponse>`)).toEqual({ DBInstanceIdentifier: "db-a" });
    const body = describeDb(rdsInstance("db-a", "available"), rdsInstance("db-b", "available"));
    expect(rds.rewrite(body, { DBInstanceIdentifier: "db-b" }, "creating")).toBe(describeDb(rdsInstance("db-a", "available"), rdsInstance("db-b", "creating")));
    expect(rds.rewrite(body, { DBInstanceIdentifier: "db-c" }, "creating")).toBeUndefined();
  });

  it("XML: a nested element with the status's name is left alone (ElastiCache node groups, EC2 address sets)", () => {
    const cache = xmlResource({ in: ["ReplicationGroup"], id: ["ReplicationGroupId"], status: "Status" });
    const body = `<R><ReplicationGroups>${replicationGroup("rg-a")}${replicationGroup("rg-b")}</ReplicationGroups></R>`;
    expect(cache.rewrite(body, { ReplicationGroupId: "rg-a" }, "creating")).toBe(`<R><ReplicationGroups>${replicationGroup("rg-a").replace("<Status>available</Status><NodeGroups>", "<Status>creating</Status><NodeGroups>")}${replicationGroup("rg-b")}</ReplicationGroups></R>`);
    const nat = xmlResource({ in: ["natGateway", "item"], id: ["natGatewayId"], status: "state" });
    const nats = `<DescribeNatGatewaysResponse><natGatewaySet>${natItem("nat-1")}${natItem("nat-2")}</natGatewaySet></DescribeNatGatewaysResponse>`;
    expect(nat.rewrite(nats, { natGatewayId: "nat-2" }, "pending")).toBe(nats.replace(natItem("nat-2"), natItem("nat-2").replace("<state>available</state>", "<state>pending</state>")));
    expect(nat.identify(`<CreateNatGatewayResponse><natGateway><natGatewayId>nat-9</natGatewayId><state>pending</state></natGateway></CreateNatGatewayResponse>`)).toEqual({ natGatewayId: "nat-9" });
  });

  it("JSON: matches every identity field, rewrites objects at the given paths only", () => {
    const nodegroup = jsonResource({ at: ["nodegroup"], id: ["clusterName", "nodegroupName"], status: "status" });
    const body = JSON.stringify({ nodegroup: { clusterName: "c1", nodegroupName: "ng", status: "ACTIVE", health: { status: "OK" } } });
    expect(nodegroup.identify(body)).toEqual({ clusterName: "c1", nodegroupName: "ng" });
    expect(JSON.parse(nodegroup.rewrite(body, { clusterName: "c1", nodegroupName: "ng" }, "CREATING")!)).toEqual({ nodegroup: { clusterName: "c1", nodegroupName: "ng", status: "CREATING", health: { status: "OK" } } });
    expect(nodegroup.rewrite(body, { clusterName: "c2", nodegroupName: "ng" }, "CREATING")).toBeUndefined();
    expect(nodegroup.identify("not json")).toBeUndefined();
  });

  it("JSON: ACM's create answer has only the ARN; lists are rewritten per entry", () => {
    const acm = jsonResource({ at: ["", "Certificate", "CertificateSummaryList[]"], id: ["CertificateArn"], status: "Status" });
    expect(acm.identify(JSON.stringify({ CertificateArn: "arn:1" }))).toEqual({ CertificateArn: "arn:1" });
    expect(acm.rewrite(JSON.stringify({ CertificateArn: "arn:1" }), { CertificateArn: "arn:1" }, "PENDING_VALIDATION")).toBeUndefined();
    const list = { CertificateSummaryList: [{ CertificateArn: "arn:1", Status: "ISSUED" }, { CertificateArn: "arn:2", Status: "ISSUED" }] };
    expect(JSON.parse(acm.rewrite(JSON.stringify(list), { CertificateArn: "arn:2" }, "PENDING_VALIDATION")!)).toEqual({ CertificateSummaryList: [{ CertificateArn: "arn:1", Status: "ISSUED" }, { CertificateArn: "arn:2", Status: "PENDING_VALIDATION" }] });
    expect(objectsAt({ a: [{ b: { c: 1 } }, 2] }, "a[].b")).toEqual([{ c: 1 }]);
  });
});

describe("LatencyModel", () => {
  const eks = (operation: string, region = "eu-west-1"): Call => ({ service: "eks", region, operation, protocol: "rest-json" });
  const cluster = (name: string, status = "ACTIVE") => JSON.stringify({ cluster: { name, status } });
  const statusOf = (body: string | undefined) => (body === undefined ? "unchanged" : (JSON.parse(body) as { cluster: { status: string } }).cluster.status);

  it("reports the provisioning state from the create until seconds × scale have passed, for that resource only", () => {
    const model = new LatencyModel();
    model.set({ scale: 1 / 60 }); // EKS cluster: 600 s → 10 s
    expect(statusOf(model.observe(eks("CreateCluster"), cluster("btp-eks"), 1_000))).toBe("CREATING");
    expect(statusOf(model.observe(eks("DescribeCluster"), cluster("btp-eks"), 10_999))).toBe("CREATING");
    expect(statusOf(model.observe(eks("DescribeCluster"), cluster("other"), 5_000))).toBe("unchanged");
    expect(statusOf(model.observe(eks("DescribeCluster", "eu-central-1"), cluster("btp-eks"), 5_000))).toBe("unchanged");
    expect(model.pending(6_000)).toEqual([{ what: "EKS cluster", key: { name: "btp-eks" }, readyInMs: 5_000 }]);
    expect(statusOf(model.observe(eks("DescribeCluster"), cluster("btp-eks"), 11_000))).toBe("unchanged");
    expect(model.pending(11_000)).toEqual([]);
  });

  it("restarts the clock when the same resource is created again; does nothing while off", () => {
    const model = new LatencyModel();
    model.set({ scale: 1 / 600 }); // 1 s
    model.observe(eks("CreateCluster"), cluster("c"), 0);
    model.observe(eks("CreateCluster"), cluster("c"), 800);
    expect(statusOf(model.observe(eks("DescribeCluster"), cluster("c"), 1_500))).toBe("CREATING");
    model.set(undefined);
    expect(model.observe(eks("DescribeCluster"), cluster("c"), 1_500)).toBeUndefined();
    expect(() => model.set({ scale: 0 })).toThrow("latency scale must be above 0, got 0");
  });
});

describe("DEFAULT_LATENCY_TABLE", () => {
  it("takes its durations from the plan's TYPICAL_SECONDS; the NAT gateway is part of infra/nat-gateways", () => {
    const table = DEFAULT_LATENCY_TABLE.map((r) => [r.what, r.service, r.create, r.status, r.seconds, r.step]);
    expect(table).toEqual([
      ["EKS cluster", "eks", "CreateCluster", "CREATING", 600, "infra/eks"],
      ["EKS node group", "eks", "CreateNodegroup", "CREATING", 240, "infra/nodegroup"],
      ["EKS add-on", "eks", "CreateAddon", "CREATING", 90, "infra/eks-addons"],
      ["RDS instance (Multi-AZ)", "rds", "CreateDBInstance", "creating", 900, "infra/rds"],
      ["ElastiCache replication group", "elasticache", "CreateReplicationGroup", "creating", 600, "infra/elasticache"],
      ["NAT gateway", "ec2", "CreateNatGateway", "pending", 120, "infra/nat-gateways"],
      ["ACM certificate", "acm", "RequestCertificate", "PENDING_VALIDATION", 180, "infra/acm"],
    ]);
    for (const rule of DEFAULT_LATENCY_TABLE.filter((r) => r.what !== "NAT gateway")) expect(rule.seconds).toBe(TYPICAL_SECONDS[rule.step]);
    expect(TYPICAL_SECONDS["infra/nat-gateways"]).toBeGreaterThan(120);
    // The VPC itself is quick: what took minutes moved off the path to the EKS cluster.
    expect(TYPICAL_SECONDS["infra/vpc"]).toBeLessThan(60);
    expect(modelledStepSeconds(DEFAULT_LATENCY_TABLE, 1 / 60)).toEqual({ "infra/eks": 10, "infra/nodegroup": 4, "infra/eks-addons": 1.5, "infra/rds": 15, "infra/elasticache": 10, "infra/nat-gateways": 2, "infra/acm": 3 });
  });
});
