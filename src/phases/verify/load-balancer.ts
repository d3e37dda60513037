/**
 * The ALB behind an ingress hostname. An alias record needs the load balancer's own hosted zone
 * id (CanonicalHostedZoneId, per region and type), which only ELBv2 knows: the ingress status
 * has the DNS name alone. The controller names the ALB itself, so we look it up by DNS name.
 */
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadSdk } from "../../aws/sdk.js";

export interface LoadBalancerRef {
  arn: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  state: string;
}

const bare = (name: string): string => name.toLowerCase().replace(/\.$/, "");

/** The load balancer whose DNS name is `dnsName`, or undefined (another region or account, or gone). */
export async function findLoadBalancerByDnsName(elbv2: ElasticLoadBalancingV2Client, dnsName: string): Promise<LoadBalancerRef | undefined> {
  const { DescribeLoadBalancersCommand } = await loadSdk("@aws-sdk/client-elastic-load-balancing-v2");
  let marker: string | undefined;
  do {
    const page = await elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
    const found = (page.LoadBalancers ?? []).find((lb) => lb.DNSName !== undefined && bare(lb.DNSName) === bare(dnsName));
    if (found?.LoadBalancerArn && found.CanonicalHostedZoneId && found.DNSName) {
      return { arn: found.LoadBalancerArn, dnsName: bare(found.DNSName), canonicalHostedZoneId: found.CanonicalHostedZoneId, state: found.State?.Code ?? "unknown" };
    }
    marker = page.NextMarker;
  } while (marker);
  return undefined;
}
