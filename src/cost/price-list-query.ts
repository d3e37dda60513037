/**
 * A PriceQuery as a Price List API GetProducts request: the service code, the attribute filters
 * that narrow it to one product, and the price dimension unit to read. Attribute names and values
 * are the Price List's own (`aws pricing get-attribute-values` lists them).
 *
 * Usage types carry a region prefix ("EU-NatGateway-Hours", none in us-east-1), so they are
 * matched with CONTAINS; everything else with an exact TERM_MATCH.
 */
import type { PriceQuery } from "./types.js";

export interface ProductFilter {
  Type: "TERM_MATCH" | "CONTAINS";
  Field: string;
  Value: string;
}

export interface ProductRequest {
  serviceCode: string;
  filters: ProductFilter[];
  /** The priceDimensions unit of the wanted price ("Hrs", "GB-Mo"); undefined: any unit. */
  unit: string | undefined;
}

const term = (Field: string, Value: string): ProductFilter => ({ Type: "TERM_MATCH", Field, Value });
const contains = (Field: string, Value: string): ProductFilter => ({ Type: "CONTAINS", Field, Value });

export function productRequest(query: PriceQuery): ProductRequest {
  const region = term("regionCode", query.region);
  switch (query.kind) {
    case "ec2-instance":
      return {
        serviceCode: "AmazonEC2",
        filters: [region, term("productFamily", "Compute Instance"), term("instanceType", query.instanceType), term("operatingSystem", "Linux"), term("tenancy", "Shared"), term("preInstalledSw", "NA"), term("capacitystatus", "Used"), term("licenseModel", "No License required")],
        unit: "Hrs",
      };
    case "ebs-gp3":
      return { serviceCode: "AmazonEC2", filters: [region, term("productFamily", "Storage"), term("volumeApiName", "gp3")], unit: "GB-Mo" };
    case "eks-cluster":
      return { serviceCode: "AmazonEKS", filters: [region, contains("usagetype", "AmazonEKS-Hours:perCluster")], unit: "Hrs" };
    case "nat-gateway":
      return { serviceCode: "AmazonEC2", filters: [region, term("productFamily", "NAT Gateway"), contains("usagetype", "NatGateway-Hours")], unit: "Hrs" };
    case "public-ipv4":
      return { serviceCode: "AmazonVPC", filters: [region, contains("usagetype", "PublicIPv4:InUseAddress")], unit: "Hrs" };
    case "alb-hour":
      return { serviceCode: "AWSELB", filters: [region, term("productFamily", "Load Balancer-Application"), contains("usagetype", "LoadBalancerUsage")], unit: "Hrs" };
    case "alb-lcu":
      return { serviceCode: "AWSELB", filters: [region, term("productFamily", "Load Balancer-Application"), contains("usagetype", "LCUUsage")], unit: "LCU-Hrs" };
    case "rds-instance":
      return {
        serviceCode: "AmazonRDS",
        filters: [region, term("productFamily", "Database Instance"), term("instanceType", query.instanceClass), term("databaseEngine", "PostgreSQL"), term("deploymentOption", query.multiAz ? "Multi-AZ" : "Single-AZ")],
        unit: "Hrs",
      };
    case "rds-gp3-storage":
      return { serviceCode: "AmazonRDS", filters: [region, term("productFamily", "Database Storage"), term("volumeType", "General Purpose-GP3"), term("deploymentOption", query.multiAz ? "Multi-AZ" : "Single-AZ")], unit: "GB-Mo" };
    case "elasticache-node":
      return {
        serviceCode: "AmazonElastiCache",
        filters: [region, term("productFamily", "Cache Instance"), term("instanceType", query.nodeType), term("cacheEngine", query.engine === "valkey" ? "Valkey" : "Redis")],
        unit: "Hrs",
      };
    case "kms-key":
      return { serviceCode: "awskms", filters: [region, contains("usagetype", "KMS-Keys")], unit: undefined };
    case "secret":
      return { serviceCode: "AWSSecretsManager", filters: [region, contains("usagetype", "AWSSecretsManager-Secrets")], unit: undefined };
    case "cloudwatch-alarm":
      return { serviceCode: "AmazonCloudWatch", filters: [region, term("productFamily", "Alarm"), contains("usagetype", "CW:AlarmMonitorUsage")], unit: undefined };
    case "waf-web-acl":
      return { serviceCode: "awswaf", filters: [region, contains("usagetype", "WebACLV2")], unit: undefined };
    case "waf-rule":
      return { serviceCode: "awswaf", filters: [region, contains("usagetype", "RuleV2")], unit: undefined };
  }
}
