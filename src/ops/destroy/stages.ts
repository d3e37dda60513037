/**
 * The destroy stages, in the order the issue and AWS's dependencies require: what runs in the
 * cluster (while its API and the load balancer controller still exist), then DNS, then EKS from
 * the inside out, IAM, the data services, the network from the inside out, and last the things
 * that hold or protect data: certificate, monitoring, bucket, secret, key.
 */
import { cacheStage } from "./cache.js";
import { certificateStage } from "./certificate.js";
import { databaseStage } from "./database.js";
import { dnsStage } from "./dns-records.js";
import { clusterStage, eksAddonsStage, nodegroupStage } from "./eks.js";
import { iamStage } from "./iam.js";
import { clusterAddonsStage } from "./k8s-addons.js";
import { dependencyReleasesStage } from "./k8s-dependencies.js";
import { ingressesStage } from "./k8s-ingresses.js";
import { btpReleaseStage } from "./k8s-release.js";
import { monitoringStage } from "./monitoring.js";
import { networkStage, vpcStage } from "./network.js";
import { bucketStage, keyStage, secretStage } from "./storage.js";
import type { Stage } from "./types.js";
import { wafStage } from "./waf.js";

export const DESTROY_STAGES: readonly Stage[] = [
  btpReleaseStage, ingressesStage, dependencyReleasesStage, clusterAddonsStage, dnsStage,
  nodegroupStage, eksAddonsStage, clusterStage, iamStage,
  databaseStage, cacheStage, networkStage, vpcStage, wafStage,
  certificateStage, monitoringStage, bucketStage, secretStage, keyStage,
];
