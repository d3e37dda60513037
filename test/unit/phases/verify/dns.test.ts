/**
 * verify/dns's decisions without AWS: which record changes it makes, and what a missing ALB
 * hostname looks like, and the INSYNC wait (moto is INSYNC at once, so PENDING is mocked here).
 * The Route 53 and ELBv2 calls themselves run against moto in test/integration/aws/verify-dns.test.ts.
 */
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client, Route53ServiceException, type ResourceRecordSet } from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/kube.js";
import { aliasChanges } from "../../../../src/phases/verify/alias-records.js";
import { dnsStep } from "../../../../src/phases/verify/dns.js";
import { platformIngress } from "../../../../src/phases/verify/ingress.js";
import { testConfig } from "../../../support/config.js";
import { stepContext } from "../../../support/context.js";
import { recordingReporter } from "../../../support/reporter.js";
import { fakeKube } from "../../../fakes/kube.js";
import { failure, kubernetesServices } from "../btp/helpers.js";
import { INFRA_OUTPUTS } from "../btp/fixtures.js";
import { instantTime } from "../vault/helpers.js";

const ALB = { dnsName: "k8s-btpbtptest-0a1b2c3d4e-1234567890.eu-west-1.elb.amazonaws.com", hostedZoneId: "Z32O12XQLNTSW2" };
const aliasA = (dnsName: string, evaluate = true): ResourceRecordSet => ({ Name: "btp.example.com.", Type: "A", AliasTarget: { DNSName: `${dnsName}.`, HostedZoneId: ALB.hostedZoneId, EvaluateTargetHealth: evaluate } });
const upsert = (name: string) => ({ Action: "UPSERT", ResourceRecordSet: { Name: name, Type: "A", AliasTarget: { DNSName: ALB.dnsName, HostedZoneId: ALB.hostedZoneId, EvaluateTargetHealth: true } } });

describe("aliasChanges", () => {
  it("changes nothing when the alias already points at the ALB (dualstack. is the same target)", () => {
    expect(aliasChanges("btp.example.com", [aliasA(ALB.dnsName)], ALB)).toEqual([]);
    expect(aliasChanges("btp.example.com", [aliasA(`dualstack.${ALB.dnsName.toUpperCase()}`)], ALB)).toEqual([]);
  });

  it("upserts over a missing record, a plain A record, another target or target health off", () => {
    const plain: ResourceRecordSet = { Name: "btp.example.com.", Type: "A", TTL: 300, ResourceRecords: [{ Value: "203.0.113.7" }] };
    for (const existing of [[], [plain], [aliasA("old-alb-1.eu-west-1.elb.amazonaws.com")], [aliasA(ALB.dnsName, false)]]) {
      expect(aliasChanges("btp.example.com", existing, ALB)).toEqual([upsert("btp.example.com")]);
    }
  });

  it("replaces the guide's CNAME to this ALB in the same batch", () => {
    const cname: ResourceRecordSet = { Name: "btp.example.com.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: ALB.dnsName }] };
    expect(aliasChanges("btp.example.com", [cname], ALB)).toEqual([{ Action: "DELETE", ResourceRecordSet: cname }, upsert("btp.example.com")]);
  });

  it("leaves a CNAME to something else alone and stops", () => {
    const cname: ResourceRecordSet = { Name: "\\052.btp.example.com.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "legacy.example.net" }] };
    let error: unknown;
    try {
      aliasChanges("*.btp.example.com", [cname], ALB);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      message: "a CNAME record *.btp.example.com → legacy.example.net exists: an alias A record for the platform cannot sit beside it",
      hint: "delete that CNAME (it points elsewhere, so btp-aws leaves it alone), then run `btp-aws install` again",
    });
  });
});

describe("platformIngress", () => {
  const ingress = (name: string, host: string): KubeObject => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace: "settlemint" }, spec: { rules: [{ host }] } });
  it("prefers the ingress that serves the domain", () => {
    expect(platformIngress([ingress("docs", "docs.btp.example.com"), ingress("settlemint", "btp.example.com")], "btp.example.com")?.metadata.name).toBe("settlemint");
    expect(platformIngress([ingress("docs", "docs.btp.example.com")], "btp.example.com")?.metadata.name).toBe("docs");
    expect(platformIngress([], "btp.example.com")).toBeUndefined();
  });
});

describe("verify/dns without an ALB hostname", () => {
  it("times out showing the ingress's events", async () => {
    const kube = fakeKube();
    kube.seed({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "settlemint", namespace: "settlemint" }, spec: { rules: [{ host: "btp.example.com" }] } });
    kube.recordEvent({ namespace: "settlemint", involvedObject: { kind: "Ingress", name: "settlemint" }, type: "Warning", reason: "FailedBuildModel", message: "Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet", lastTimestamp: "2026-11-20T10:00:01Z" });
    kube.recordEvent({ namespace: "settlemint", involvedObject: { kind: "Pod", name: "settlemint-api-1" }, type: "Warning", reason: "Unrelated", message: "not about the ingress", lastTimestamp: "2026-11-20T10:00:02Z" });
    const report = recordingReporter();
    const error = await failure(dnsStep.run(stepContext(testConfig(), kubernetesServices({ kube, wait: instantTime() }), INFRA_OUTPUTS), report));
    expect(error.message).toBe([
      "timed out waiting for an ALB hostname in the status of the platform's ingress in namespace settlemint: still Ingress settlemint has no load balancer yet after 10m00s",
      "events of the ingress, most recent last:",
      "  Ingress/settlemint: Warning FailedBuildModel: Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet",
    ].join("\n"));
    expect(error.hint).toBe("fix what the events say (subnet tags, the certificate, the controller's permissions), then run `btp-aws install` again to keep waiting");
  });

  it("says when the chart made no ingress at all", async () => {
    const error = await failure(dnsStep.run(stepContext(testConfig(), kubernetesServices({ wait: instantTime() }), INFRA_OUTPUTS), recordingReporter()));
    expect(error.message).toBe([
      "timed out waiting for an ALB hostname in the status of the platform's ingress in namespace settlemint: still no Ingress in namespace settlemint after 10m00s",
      "namespace settlemint has no Ingress: the chart did not create one (check ingress.enabled)",
    ].join("\n"));
  });
});

describe("verify/dns waiting for Route 53 (SDK mocked: moto is always INSYNC)", () => {
  const route53 = mockClient(Route53Client);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  afterEach(() => {
    route53.reset();
    elbv2.reset();
  });

  function withAlb(): ReturnType<typeof fakeKube> {
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        { LoadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/1", DNSName: "other-1.eu-west-1.elb.amazonaws.com", CanonicalHostedZoneId: "ZOTHER" },
        { LoadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s/2", DNSName: ALB.dnsName, CanonicalHostedZoneId: ALB.hostedZoneId, State: { Code: "active" } },
      ],
    });
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 20 });
    const kube = fakeKube();
    kube.seed({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "settlemint", namespace: "settlemint" }, spec: { rules: [{ host: "btp.example.com" }] }, status: { loadBalancer: { ingress: [{ hostname: ALB.dnsName }] } } });
    return kube;
  }

  it("upserts both alias records in one batch and waits until the change is INSYNC", async () => {
    const kube = withAlb();
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: "/change/C123", Status: "PENDING", SubmittedAt: new Date() } });
    route53.on(GetChangeCommand).resolvesOnce({ ChangeInfo: { Id: "/change/C123", Status: "PENDING", SubmittedAt: new Date() } }).resolves({ ChangeInfo: { Id: "/change/C123", Status: "INSYNC", SubmittedAt: new Date() } });
    const report = recordingReporter();
    const outputs = await dnsStep.run(stepContext(testConfig(), kubernetesServices({ kube, wait: instantTime() }), INFRA_OUTPUTS), report);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([{
      HostedZoneId: "Z0123456789ABCDEFGHIJ",
      ChangeBatch: { Comment: `btp-aws btp-test: btp.example.com, *.btp.example.com → ${ALB.dnsName}`, Changes: [upsert("btp.example.com"), upsert("*.btp.example.com")] },
    }]);
    expect(route53.commandCalls(GetChangeCommand)).toHaveLength(2);
    expect(report.statuses.at(-1)).toBe("PENDING, 0s");
    expect(outputs).toEqual({ albHostname: ALB.dnsName, albHostedZoneId: ALB.hostedZoneId, records: ["btp.example.com", "*.btp.example.com"] });
  });

  it("names the IAM action Route 53 refused", async () => {
    const kube = withAlb();
    route53.on(ChangeResourceRecordSetsCommand).rejects(new Route53ServiceException({ name: "AccessDenied", $fault: "client", $metadata: {}, message: "User is not authorized to perform: route53:ChangeResourceRecordSets" }));
    const error = await failure(dnsStep.run(stepContext(testConfig(), kubernetesServices({ kube, wait: instantTime() }), INFRA_OUTPUTS), recordingReporter()));
    expect(error.message).toBe("not allowed to write alias A records in hosted zone Z0123456789ABCDEFGHIJ (route53:ChangeResourceRecordSets): AccessDenied: User is not authorized to perform: route53:ChangeResourceRecordSets");
  });
});
