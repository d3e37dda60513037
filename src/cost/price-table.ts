/**
 * The dated price table shipped in the package: what `btp-aws plan` prices with when the AWS
 * Price List API cannot be asked (no credentials, offline, `--prices table`) or has no answer.
 *
 * It covers the defaults of both environments (m5.xlarge nodes; db.t4g.medium / db.r6g.large;
 * cache.t4g.medium / cache.r6g.large) in eu-west-1 and four other large regions. Anything else is
 * "price unknown" unless the API answers. Refresh it from `btp-aws plan --prices api --output json`
 * (every line then says priceFrom "api") and move PRICE_TABLE_DATE.
 */
import type { PriceQuery, PriceSource } from "./types.js";

export const PRICE_TABLE_DATE = "2026-11-28";
export const PRICE_TABLE_SOURCE =
  "AWS public on-demand prices (EC2 Linux shared tenancy, EBS, EKS, VPC, ELB, RDS for PostgreSQL, ElastiCache, KMS, Secrets Manager, CloudWatch, WAF price pages), compiled by hand";

/** The table's key for a query: the attributes that change the price, nothing else. */
export function priceKey(query: PriceQuery): string {
  switch (query.kind) {
    case "ec2-instance":
      return `ec2:${query.instanceType}`;
    case "rds-instance":
      return `rds:${query.instanceClass}:${query.multiAz ? "multi-az" : "single-az"}`;
    case "rds-gp3-storage":
      return `rds-gp3:${query.multiAz ? "multi-az" : "single-az"}`;
    case "elasticache-node":
      return `elasticache:${query.engine}:${query.nodeType}`;
    default:
      return query.kind;
  }
}

/** Per region: what differs between regions. Multi-AZ and Valkey prices are derived below. */
interface RegionalPrices {
  ec2: Record<string, number>;
  ebsGp3: number;
  natGateway: number;
  albHour: number;
  albLcu: number;
  /** RDS for PostgreSQL, Single-AZ. */
  rds: Record<string, number>;
  rdsGp3: number;
  /** ElastiCache for Redis OSS. */
  redis: Record<string, number>;
}

const REGIONS: Record<string, RegionalPrices> = {
  "us-east-1": {
    ec2: { "m5.xlarge": 0.192 }, ebsGp3: 0.08, natGateway: 0.045, albHour: 0.0225, albLcu: 0.008,
    rds: { "db.t4g.medium": 0.065, "db.r6g.large": 0.225 }, rdsGp3: 0.115,
    redis: { "cache.t4g.medium": 0.065, "cache.r6g.large": 0.206 },
  },
  "us-west-2": {
    ec2: { "m5.xlarge": 0.192 }, ebsGp3: 0.08, natGateway: 0.045, albHour: 0.0225, albLcu: 0.008,
    rds: { "db.t4g.medium": 0.065, "db.r6g.large": 0.225 }, rdsGp3: 0.115,
    redis: { "cache.t4g.medium": 0.065, "cache.r6g.large": 0.206 },
  },
  "eu-west-1": {
    ec2: { "m5.xlarge": 0.214 }, ebsGp3: 0.088, natGateway: 0.048, albHour: 0.0252, albLcu: 0.008,
    rds: { "db.t4g.medium": 0.068, "db.r6g.large": 0.25 }, rdsGp3: 0.127,
    redis: { "cache.t4g.medium": 0.072, "cache.r6g.large": 0.229 },
  },
  "eu-central-1": {
    ec2: { "m5.xlarge": 0.23 }, ebsGp3: 0.0952, natGateway: 0.052, albHour: 0.027, albLcu: 0.008,
    rds: { "db.t4g.medium": 0.071, "db.r6g.large": 0.27 }, rdsGp3: 0.137,
    redis: { "cache.t4g.medium": 0.074, "cache.r6g.large": 0.252 },
  },
  "ap-southeast-1": {
    ec2: { "m5.xlarge": 0.24 }, ebsGp3: 0.096, natGateway: 0.059, albHour: 0.0252, albLcu: 0.008,
    rds: { "db.t4g.medium": 0.083, "db.r6g.large": 0.27 }, rdsGp3: 0.138,
    redis: { "cache.t4g.medium": 0.08, "cache.r6g.large": 0.249 },
  },
};

/** The same in every commercial region. */
const FLAT = { eksCluster: 0.1, publicIpv4: 0.005, kmsKey: 1, secret: 0.4, cloudwatchAlarm: 0.1, wafWebAcl: 5, wafRule: 1 };

const round = (value: number) => Math.round(value * 10_000) / 10_000;

function flatten(prices: RegionalPrices): Map<string, number> {
  const table = new Map<string, number>();
  const region = "";
  const add = (query: PriceQuery, price: number) => table.set(priceKey(query), price);
  for (const [instanceType, price] of Object.entries(prices.ec2)) add({ kind: "ec2-instance", region, instanceType }, price);
  add({ kind: "ebs-gp3", region }, prices.ebsGp3);
  add({ kind: "eks-cluster", region }, FLAT.eksCluster);
  add({ kind: "nat-gateway", region }, prices.natGateway);
  add({ kind: "public-ipv4", region }, FLAT.publicIpv4);
  add({ kind: "alb-hour", region }, prices.albHour);
  add({ kind: "alb-lcu", region }, prices.albLcu);
  // A Multi-AZ instance is the primary plus one standby: AWS bills exactly twice, storage included.
  for (const [instanceClass, price] of Object.entries(prices.rds)) {
    add({ kind: "rds-instance", region, instanceClass, multiAz: false }, price);
    add({ kind: "rds-instance", region, instanceClass, multiAz: true }, round(price * 2));
  }
  add({ kind: "rds-gp3-storage", region, multiAz: false }, prices.rdsGp3);
  add({ kind: "rds-gp3-storage", region, multiAz: true }, round(prices.rdsGp3 * 2));
  // ElastiCache for Valkey nodes are priced 20% below Redis OSS nodes of the same type.
  for (const [nodeType, price] of Object.entries(prices.redis)) {
    add({ kind: "elasticache-node", region, nodeType, engine: "redis" }, price);
    add({ kind: "elasticache-node", region, nodeType, engine: "valkey" }, round(price * 0.8));
  }
  add({ kind: "kms-key", region }, FLAT.kmsKey);
  add({ kind: "secret", region }, FLAT.secret);
  add({ kind: "cloudwatch-alarm", region }, FLAT.cloudwatchAlarm);
  add({ kind: "waf-web-acl", region }, FLAT.wafWebAcl);
  add({ kind: "waf-rule", region }, FLAT.wafRule);
  return table;
}

const TABLE = new Map(Object.entries(REGIONS).map(([region, prices]) => [region, flatten(prices)]));

/** The regions the table covers, for messages. */
export const PRICE_TABLE_REGIONS: readonly string[] = [...TABLE.keys()];

export function priceTableSource(): PriceSource {
  return {
    kind: "table",
    price: (query) => Promise.resolve(TABLE.get(query.region)?.get(priceKey(query))),
    missReason: (query) => (TABLE.has(query.region) ? `not in the price table for ${query.region}` : `the price table does not cover ${query.region} (it covers ${PRICE_TABLE_REGIONS.join(", ")})`),
  };
}
