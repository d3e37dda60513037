/**
 * The shapes of a cost estimate: what is priced (a PriceQuery), where a price comes from (a
 * PriceSource: the Price List API or the table shipped in the package), and the result.
 */

/** One price AWS publishes, in the units the Price List API uses for it. */
export type PriceQuery =
  | { kind: "ec2-instance"; region: string; instanceType: string }
  | { kind: "ebs-gp3"; region: string }
  | { kind: "eks-cluster"; region: string }
  | { kind: "nat-gateway"; region: string }
  | { kind: "public-ipv4"; region: string }
  | { kind: "alb-hour"; region: string }
  | { kind: "alb-lcu"; region: string }
  | { kind: "rds-instance"; region: string; instanceClass: string; multiAz: boolean }
  | { kind: "rds-gp3-storage"; region: string; multiAz: boolean }
  | { kind: "elasticache-node"; region: string; nodeType: string; engine: "redis" | "valkey" }
  | { kind: "kms-key"; region: string }
  | { kind: "secret"; region: string }
  | { kind: "cloudwatch-alarm"; region: string }
  | { kind: "waf-web-acl"; region: string }
  | { kind: "waf-rule"; region: string };

export type PriceOrigin = "api" | "table";

export interface PriceSource {
  readonly kind: PriceOrigin;
  /** USD per unit (per hour, per GiB-month, per month); undefined when this source has no price. */
  price(query: PriceQuery): Promise<number | undefined>;
  /** Why the last lookup of `query` found nothing, for the line's note. */
  missReason?(query: PriceQuery): string | undefined;
  /** Why the source stopped answering altogether (refused, unreachable, out of time), if it did. */
  failure?(): string | undefined;
}

/** Hourly prices are multiplied by this, as AWS's own calculator does. */
export const HOURS_PER_MONTH = 730;

export interface CostLine {
  resource: string;
  /** The install step that creates it, e.g. "infra/nodegroup". */
  step: string;
  quantity: number;
  /** What `quantity` counts: "node", "GiB", "gateway", ... */
  unit: string;
  /** The period of the unit price: hourly prices are multiplied by 730 hours. */
  per: "hour" | "month";
  unitPriceUsd: number | null;
  monthlyUsd: number | null;
  /** "unknown": neither the API nor the table has a price; the line is left out of the total. */
  priceFrom: PriceOrigin | "unknown";
  note?: string;
}

export interface CostEstimate {
  region: string;
  currency: "USD";
  hoursPerMonth: number;
  lines: CostLine[];
  /** Sum of the priced lines; lines with an unknown price are not in it. */
  totalMonthlyUsd: number;
  priceTable: { date: string; source: string };
  /** Sentences for the reader: where the prices came from, what is not counted. */
  notes: string[];
}
