/**
 * Reads for the security posture checks: the account-level services the guide's production
 * checklist asks for (GuardDuty, CloudTrail) and the WAF in front of the ALB. Reads only.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { GuardDutyClient } from "@aws-sdk/client-guardduty";
import type { WAFV2Client } from "@aws-sdk/client-wafv2";

export interface Detector {
  id: string;
  /** ENABLED or DISABLED. */
  status: string;
}

export async function guardDutyDetectors(guardduty: GuardDutyClient): Promise<Detector[]> {
  const { GetDetectorCommand, paginateListDetectors } = await import("@aws-sdk/client-guardduty");
  const ids: string[] = [];
  for await (const page of paginateListDetectors({ client: guardduty }, {})) ids.push(...(page.DetectorIds ?? []));
  return Promise.all(ids.map(async (id) => ({ id, status: (await guardduty.send(new GetDetectorCommand({ DetectorId: id }))).Status ?? "UNKNOWN" })));
}

export interface TrailInfo {
  name: string;
  multiRegion: boolean;
  homeRegion: string | undefined;
  logging: boolean;
}

/** Trails that apply to this region (its own and multi-region ones), with whether they log. */
export async function cloudTrails(cloudtrail: CloudTrailClient): Promise<TrailInfo[]> {
  const { DescribeTrailsCommand, GetTrailStatusCommand } = await import("@aws-sdk/client-cloudtrail");
  const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  return Promise.all((trailList ?? []).filter((t) => t.TrailARN ?? t.Name).map(async (t) => {
    const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: t.TrailARN ?? t.Name }));
    return { name: t.Name ?? t.TrailARN ?? "", multiRegion: t.IsMultiRegionTrail === true, homeRegion: t.HomeRegion, logging: status.IsLogging === true };
  }));
}

/** The web ACL protecting a resource (an ALB), or undefined. */
export async function webAclFor(waf: WAFV2Client, resourceArn: string): Promise<string | undefined> {
  const { GetWebACLForResourceCommand } = await import("@aws-sdk/client-wafv2");
  const { WebACL } = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: resourceArn }));
  return WebACL?.Name ?? WebACL?.ARN;
}

/** Names of the regional web ACLs (those an ALB can use). */
export async function regionalWebAcls(waf: WAFV2Client): Promise<string[]> {
  const { ListWebACLsCommand } = await import("@aws-sdk/client-wafv2");
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await waf.send(new ListWebACLsCommand({ Scope: "REGIONAL", ...(marker ? { NextMarker: marker } : {}) }));
    names.push(...(page.WebACLs ?? []).map((w) => w.Name ?? w.Id ?? ""));
    // WAF keeps returning a marker with an empty last page; stop there.
    marker = (page.WebACLs ?? []).length > 0 ? page.NextMarker : undefined;
  } while (marker);
  return names;
}
