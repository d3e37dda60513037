/**
 * Loads an AWS SDK package when a step first needs it (see clients.ts: nothing in src/ imports
 * one at its top level, for start-up time).
 *
 * Through require(), not import(): the packages are CommonJS without an "exports" map, and
 * Node's ESM loader reads each entry file twice more than require() does (once to detect its
 * format, once to lex its export names). Loading the seven clients the prepare checks use took
 * 370 ms this way against 500 ms with import() (Node 24, compile cache on), all of it on the
 * install's critical path. It is the same module instance either way: Node's ESM import of a
 * CommonJS file goes through the same require cache, so tests that import a client class to
 * mock it, and `instanceof` checks on its errors, see the class used here.
 */
import { createRequire } from "node:module";
import type * as Acm from "@aws-sdk/client-acm";
import type * as Budgets from "@aws-sdk/client-budgets";
import type * as Cloudtrail from "@aws-sdk/client-cloudtrail";
import type * as Cloudwatch from "@aws-sdk/client-cloudwatch";
import type * as CloudwatchLogs from "@aws-sdk/client-cloudwatch-logs";
import type * as ConfigService from "@aws-sdk/client-config-service";
import type * as Ec2 from "@aws-sdk/client-ec2";
import type * as Eks from "@aws-sdk/client-eks";
import type * as ElasticLoadBalancingV2 from "@aws-sdk/client-elastic-load-balancing-v2";
import type * as Elasticache from "@aws-sdk/client-elasticache";
import type * as Guardduty from "@aws-sdk/client-guardduty";
import type * as Iam from "@aws-sdk/client-iam";
import type * as Kms from "@aws-sdk/client-kms";
import type * as Pricing from "@aws-sdk/client-pricing";
import type * as Rds from "@aws-sdk/client-rds";
import type * as ResourceGroupsTaggingApi from "@aws-sdk/client-resource-groups-tagging-api";
import type * as Route53 from "@aws-sdk/client-route-53";
import type * as S3 from "@aws-sdk/client-s3";
import type * as SecretsManager from "@aws-sdk/client-secrets-manager";
import type * as ServiceQuotas from "@aws-sdk/client-service-quotas";
import type * as Sns from "@aws-sdk/client-sns";
import type * as Sts from "@aws-sdk/client-sts";
import type * as Wafv2 from "@aws-sdk/client-wafv2";
import type * as SignatureV4 from "@smithy/signature-v4";

interface SdkModules {
  "@aws-sdk/client-acm": typeof Acm;
  "@aws-sdk/client-budgets": typeof Budgets;
  "@aws-sdk/client-cloudtrail": typeof Cloudtrail;
  "@aws-sdk/client-cloudwatch": typeof Cloudwatch;
  "@aws-sdk/client-cloudwatch-logs": typeof CloudwatchLogs;
  "@aws-sdk/client-config-service": typeof ConfigService;
  "@aws-sdk/client-ec2": typeof Ec2;
  "@aws-sdk/client-eks": typeof Eks;
  "@aws-sdk/client-elastic-load-balancing-v2": typeof ElasticLoadBalancingV2;
  "@aws-sdk/client-elasticache": typeof Elasticache;
  "@aws-sdk/client-guardduty": typeof Guardduty;
  "@aws-sdk/client-iam": typeof Iam;
  "@aws-sdk/client-kms": typeof Kms;
  "@aws-sdk/client-pricing": typeof Pricing;
  "@aws-sdk/client-rds": typeof Rds;
  "@aws-sdk/client-resource-groups-tagging-api": typeof ResourceGroupsTaggingApi;
  "@aws-sdk/client-route-53": typeof Route53;
  "@aws-sdk/client-s3": typeof S3;
  "@aws-sdk/client-secrets-manager": typeof SecretsManager;
  "@aws-sdk/client-service-quotas": typeof ServiceQuotas;
  "@aws-sdk/client-sns": typeof Sns;
  "@aws-sdk/client-sts": typeof Sts;
  "@aws-sdk/client-wafv2": typeof Wafv2;
  "@smithy/signature-v4": typeof SignatureV4;
}

const requireSdk = createRequire(import.meta.url);

export function loadSdk<M extends keyof SdkModules>(name: M): Promise<SdkModules[M]> {
  // Asynchronous like import(): a package that fails to load rejects instead of throwing.
  return Promise.resolve().then(() => requireSdk(name) as SdkModules[M]);
}
