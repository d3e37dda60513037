/**
 * destroy/waf: the platform's web ACL (infra/waf). It runs after the network stages: by then the
 * ALB that used it is gone, and WAF refuses to delete an ACL an ALB is still associated with.
 */
import { belongsTo } from "../../aws/tags.js";
import { deleteWebAcl, findWebAcl, webAclTags, type WebAclSummary } from "../../aws/wafv2.js";
import { webAclName } from "../../phases/infra/waf.js";
import { attempt, deleting } from "./context.js";
import type { DestroyContext, Stage } from "./types.js";

async function ours(context: DestroyContext): Promise<WebAclSummary | undefined> {
  const { platform } = context.target;
  const name = webAclName({ platform });
  const waf = await context.services.aws.wafv2();
  const found = await attempt(context, `find web ACL ${name} (wafv2:ListWebACLs)`, () => findWebAcl(waf, name));
  if (!found) return undefined;
  // Same name, someone else's: left alone, like every other resource destroy did not make.
  const tags = await attempt(context, `read the tags of web ACL ${name} (wafv2:ListTagsForResource)`, () => webAclTags(waf, found.arn));
  return belongsTo(tags, platform) ? found : undefined;
}

export const wafStage: Stage = {
  id: "destroy/waf",
  title: "Delete the WAF web ACL",
  phase: "infra",
  async survey(context) {
    const found = await ours(context);
    return deleting(found ? [`WAF web ACL ${found.name}`] : []);
  },
  async run(context, report) {
    const found = await ours(context);
    if (!found) return report.skip("no web ACL of the platform is left");
    await attempt(context, `delete web ACL ${found.name} (wafv2:DeleteWebACL)`, async () => deleteWebAcl(await context.services.aws.wafv2(), found));
    report.info(`deleted web ACL ${found.name}`);
  },
};
