/** What infra/eks records of a cluster, whether it made the cluster or adopted it (cluster.mode existing). */
import type { EksCluster } from "../../aws/eks.js";

export function clusterOutputs(cluster: EksCluster) {
  return {
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    endpoint: cluster.endpoint ?? "",
    oidcIssuer: cluster.oidcIssuer ?? "",
    clusterSecurityGroupId: cluster.clusterSecurityGroupId ?? "",
    kubernetesVersion: cluster.version,
  };
}
