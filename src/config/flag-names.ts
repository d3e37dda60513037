/**
 * Named flags and the config path each sets. Kept free of imports: the CLI registers these
 * flags at start-up, and start-up must not load zod or the schema (see bench:startup).
 */
// Commander options use the camelCase key.
export const CONFIG_FLAGS = {
  platform: { flag: "--platform <name>", path: ["platform"], help: "platform name" },
  environment: { flag: "--environment <env>", path: ["environment"], help: "development or production" },
  region: { flag: "--region <region>", path: ["aws", "region"], help: "AWS region" },
  drRegion: { flag: "--dr-region <region>", path: ["aws", "drRegion"], help: "disaster-recovery region" },
  profile: { flag: "--profile <profile>", path: ["aws", "profile"], help: "AWS profile" },
  domain: { flag: "--domain <host>", path: ["dns", "domain"], help: "platform domain" },
  hostedZoneId: { flag: "--hosted-zone-id <id>", path: ["dns", "hostedZoneId"], help: "Route 53 hosted zone id" },
  chartVersion: { flag: "--chart-version <version>", path: ["chart", "version"], help: "BTP chart version" },
} as const;

