/**
 * verify/dns: the platform's names point at its ALB. Waits for the ingress's ALB hostname, finds
 * the ALB's own hosted zone id (ELBv2), then UPSERTs alias A records for `domain` and `*.domain`
 * in the configured zone and waits until Route 53 reports the change INSYNC. Records already
 * pointing at the ALB are left alone: a re-run makes no change.
 */
import type { Change } from "@aws-sdk/client-route-53";
import { describeAwsError } from "../../aws/errors.js";
import { waitForChange } from "../../aws/route53.js";
import { BtpAwsError } from "../../errors.js";
import type { Step } from "../../plan/types.js";
import { clusterTarget, type KubernetesServices } from "../cluster/services.js";
import { aliasChanges, changeRecords, recordSetsNamed, type AliasTargetRef } from "./alias-records.js";
import { waitForIngressHostname } from "./ingress.js";
import { findLoadBalancerByDnsName } from "./load-balancer.js";

/** The chart's namespace (the btp phase's BTP_NAMESPACE; test/unit/phases/btp/names.test.ts holds them equal). */
export const PLATFORM_NAMESPACE = "settlemint";

export const dnsStep: Step<KubernetesServices> = {
  id: "verify/dns",
  title: "DNS alias records",
  phase: "verify",
  needs: ["verify/workloads"],
  describe: (c) => [`alias A records ${c.dns.domain} and *.${c.dns.domain} → the ALB, waited INSYNC`],
  async run(context, report) {
    const { config, services, signal } = context;
    const domain = config.dns.domain;
    const zoneId = config.dns.hostedZoneId;
    const names = [domain, `*.${domain}`];
    const kube = await services.cluster.kube(clusterTarget(context));
    const found = await waitForIngressHostname(kube, PLATFORM_NAMESPACE, domain, { settings: services.wait, onStatus: (t) => report.status(t), signal });

    const target = { endpoint: services.aws.endpoint, region: config.aws.region };
    let action = `find the load balancer ${found.hostname} (elasticloadbalancing:DescribeLoadBalancers)`;
    try {
      const lb = await findLoadBalancerByDnsName(await services.aws.elbv2(config.aws.region), found.hostname);
      if (lb === undefined) {
        throw new BtpAwsError(`Ingress ${PLATFORM_NAMESPACE}/${found.ingress} points at ${found.hostname}, but no load balancer with that DNS name exists in ${config.aws.region}`, {
          hint: "the AWS Load Balancer Controller may be replacing it, or it runs against another account or region: check `kubectl -n settlemint describe ingress`, then run `btp-aws install` again",
        });
      }
      const alias: AliasTargetRef = { dnsName: lb.dnsName, hostedZoneId: lb.canonicalHostedZoneId };
      const route53 = await services.aws.route53();
      action = `read the records ${names.join(" and ")} in hosted zone ${zoneId} (route53:ListResourceRecordSets)`;
      const changes: Change[] = [];
      for (const name of names) changes.push(...aliasChanges(name, await recordSetsNamed(route53, zoneId, name), alias));
      const outputs = { albHostname: lb.dnsName, albHostedZoneId: lb.canonicalHostedZoneId, records: names };
      if (changes.length === 0) {
        report.skip(`alias A records ${names.join(" and ")} already point at ${lb.dnsName}`);
        return outputs;
      }
      action = `write alias A records in hosted zone ${zoneId} (route53:ChangeResourceRecordSets)`;
      const changeId = await changeRecords(route53, zoneId, changes, `btp-aws ${config.platform}: ${names.join(", ")} → ${lb.dnsName}`);
      for (const change of changes.filter((c) => c.Action === "DELETE")) {
        report.info(`replaced the CNAME ${change.ResourceRecordSet?.Name ?? ""} with an alias A record (a CNAME cannot sit at a zone apex or beside an A record)`);
      }
      action = `wait for Route 53 change ${changeId} (route53:GetChange)`;
      await waitForChange(route53, changeId, { settings: services.wait, onStatus: (t) => report.status(t), signal });
      report.info(`alias A records ${names.join(" and ")} → ${lb.dnsName} (zone ${lb.canonicalHostedZoneId}), INSYNC`);
      return outputs;
    } catch (error) {
      throw describeAwsError(error, action, target);
    }
  },
};
