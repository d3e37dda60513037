/** The platform's regional WAFv2 web ACL: found by name, created, compared, updated with its lock token. */
import type { Rule, WAFV2Client } from "@aws-sdk/client-wafv2";
import { tagList, type TagMap } from "./tags.js";
import { loadSdk } from "./sdk.js";

export interface WebAclSummary {
  name: string;
  id: string;
  arn: string;
  lockToken: string;
}

export interface WebAclSpec {
  name: string;
  description: string;
  rules: Rule[];
  metricName: string;
  tags: TagMap;
}

const SCOPE = "REGIONAL";

/** Every regional web ACL (those an ALB can use). */
export async function listWebAcls(waf: WAFV2Client): Promise<WebAclSummary[]> {
  const { ListWebACLsCommand } = await loadSdk("@aws-sdk/client-wafv2");
  const found: WebAclSummary[] = [];
  let marker: string | undefined;
  do {
    const page = await waf.send(new ListWebACLsCommand({ Scope: SCOPE, Limit: 100, ...(marker ? { NextMarker: marker } : {}) }));
    for (const acl of page.WebACLs ?? []) {
      if (acl.Name && acl.Id && acl.ARN && acl.LockToken) found.push({ name: acl.Name, id: acl.Id, arn: acl.ARN, lockToken: acl.LockToken });
    }
    // WAF keeps returning a marker with an empty last page; stop there.
    marker = (page.WebACLs ?? []).length > 0 ? page.NextMarker : undefined;
  } while (marker);
  return found;
}

export async function findWebAcl(waf: WAFV2Client, name: string): Promise<WebAclSummary | undefined> {
  return (await listWebAcls(waf)).find((acl) => acl.name === name);
}

/** The name of the web ACL protecting a resource (an ALB), or undefined. */
export async function webAclFor(waf: WAFV2Client, resourceArn: string): Promise<string | undefined> {
  const { GetWebACLForResourceCommand } = await loadSdk("@aws-sdk/client-wafv2");
  const { WebACL } = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: resourceArn }));
  return WebACL?.Name ?? WebACL?.ARN;
}

export async function webAclRules(waf: WAFV2Client, acl: Pick<WebAclSummary, "name" | "id">): Promise<{ rules: Rule[]; lockToken: string | undefined }> {
  const { GetWebACLCommand } = await loadSdk("@aws-sdk/client-wafv2");
  const answer = await waf.send(new GetWebACLCommand({ Scope: SCOPE, Name: acl.name, Id: acl.id }));
  return { rules: answer.WebACL?.Rules ?? [], lockToken: answer.LockToken };
}

function visibility(metricName: string) {
  return { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metricName };
}

export async function createWebAcl(waf: WAFV2Client, spec: WebAclSpec): Promise<WebAclSummary> {
  const { CreateWebACLCommand } = await loadSdk("@aws-sdk/client-wafv2");
  const { Summary } = await waf.send(new CreateWebACLCommand({
    Scope: SCOPE,
    Name: spec.name,
    Description: spec.description,
    DefaultAction: { Allow: {} },
    Rules: spec.rules,
    VisibilityConfig: visibility(spec.metricName),
    Tags: tagList(spec.tags),
  }));
  if (!Summary?.Id || !Summary.ARN || !Summary.LockToken) throw new Error(`CreateWebACL ${spec.name} answered without an id`);
  return { name: spec.name, id: Summary.Id, arn: Summary.ARN, lockToken: Summary.LockToken };
}

export async function updateWebAcl(waf: WAFV2Client, acl: WebAclSummary, spec: WebAclSpec): Promise<void> {
  const { UpdateWebACLCommand } = await loadSdk("@aws-sdk/client-wafv2");
  await waf.send(new UpdateWebACLCommand({
    Scope: SCOPE,
    Name: acl.name,
    Id: acl.id,
    LockToken: acl.lockToken,
    Description: spec.description,
    DefaultAction: { Allow: {} },
    Rules: spec.rules,
    VisibilityConfig: visibility(spec.metricName),
  }));
}

/** Refused (WAFAssociatedItemException) while an ALB still uses the ACL: delete the ALB first. */
export async function deleteWebAcl(waf: WAFV2Client, acl: WebAclSummary): Promise<void> {
  const { DeleteWebACLCommand } = await loadSdk("@aws-sdk/client-wafv2");
  await waf.send(new DeleteWebACLCommand({ Scope: SCOPE, Name: acl.name, Id: acl.id, LockToken: acl.lockToken }));
}

export async function webAclTags(waf: WAFV2Client, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = await loadSdk("@aws-sdk/client-wafv2");
  const answer = await waf.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return Object.fromEntries((answer.TagInfoForResource?.TagList ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? ""]] : [])));
}
