/** Names of everything infra creates, from the platform name: one place, so adoption finds them. */
import type { Config } from "../../config/schema.js";

export interface InfraNames {
  keyAlias: string;
  vpc: string;
  cluster: string;
  clusterRole: string;
  nodeRole: string;
  nodeGroup: string;
  launchTemplate: string;
  database: string;
  databaseSubnetGroup: string;
  databaseParameterGroup: string;
  cache: string;
  cacheSubnetGroup: string;
  secret: string;
  alarmTopic: string;
  budget: string;
  /** CloudWatch dashboard; dashboards carry no tags, so the name is the platform's mark. */
  dashboard: string;
  flowLogGroup: string;
  flowLogRole: string;
  securityGroups: { nodes: string; alb: string; database: string; cache: string };
  irsaRole: (service: string) => string;
}

export function infraNames(config: Pick<Config, "platform">): InfraNames {
  const base = `btp-${config.platform}`;
  return {
    keyAlias: `alias/${base}`,
    vpc: `${base}-vpc`,
    cluster: base,
    clusterRole: `${base}-eks-cluster`,
    nodeRole: `${base}-eks-node`,
    nodeGroup: `${base}-nodes`,
    launchTemplate: `${base}-nodes`,
    database: `${base}-db`,
    databaseSubnetGroup: `${base}-db`,
    databaseParameterGroup: `${base}-postgres`,
    cache: `${base}-redis`,
    cacheSubnetGroup: `${base}-redis`,
    secret: `${base}/credentials`,
    alarmTopic: `${base}-alarms`,
    budget: `${base}-monthly`,
    dashboard: base,
    flowLogGroup: `/btp-aws/${config.platform}/vpc-flow-logs`,
    flowLogRole: `${base}-flow-logs`,
    securityGroups: { nodes: `${base}-nodes`, alb: `${base}-alb`, database: `${base}-db`, cache: `${base}-redis` },
    irsaRole: (service) => `${base}-irsa-${service}`,
  };
}

/**
 * The S3 bucket name must be globally unique, so it carries the account and region.
 * (63 characters at most: the 24-character platform name leaves room.)
 */
export function bucketName(platform: string, account: string, region: string): string {
  return `btp-${platform}-${account}-${region}`;
}
