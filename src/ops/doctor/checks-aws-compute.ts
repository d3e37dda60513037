/** AWS checks of the compute side: the EKS cluster, its Kubernetes version and the node group. */
import { standardSupport } from "./eks-support.js";
import { finding, outcome, REPAIR_INFRA, type Finding } from "./findings.js";
import { fail, ok, warn, type Check } from "./types.js";

/** States a resource passes through on its own; anything else needs a person. */
const TRANSITIONAL = new Set(["CREATING", "UPDATING", "PENDING"]);

const eksCluster: Check = {
  id: "aws/eks-cluster",
  title: "EKS cluster",
  area: "aws",
  async run({ facts, region }) {
    const cluster = await facts.cluster();
    if (!cluster) return fail(`EKS cluster ${facts.clusterName} not found in ${region}`, `create it with ${REPAIR_INFRA}`);
    const subject = `${cluster.name} ${cluster.status}, Kubernetes ${cluster.version}`;
    if (cluster.status === "ACTIVE") return ok(subject);
    const issues = cluster.issues.length > 0 ? ` (${cluster.issues.join("; ")})` : "";
    if (TRANSITIONAL.has(cluster.status)) return warn(`${subject}${issues}: EKS is still working on it`, "wait for it to become ACTIVE, then run doctor again");
    return fail(`${subject}${issues}`, `look at the cluster in the EKS console (aws eks describe-cluster --name ${cluster.name}); ${REPAIR_INFRA} repairs what it can`);
  },
};

const eksVersion: Check = {
  id: "aws/eks-version",
  title: "Kubernetes version support",
  area: "aws",
  async run({ facts, now }) {
    const cluster = await facts.cluster();
    if (!cluster) return fail(`EKS cluster ${facts.clusterName} not found: no version to check`, `create it with ${REPAIR_INFRA}`);
    const version = cluster.version;
    const next = `1.${Number(version.split(".")[1] ?? 0) + 1}`;
    const upgrade = `upgrade one minor version at a time: \`aws eks update-cluster-version --name ${cluster.name} --kubernetes-version ${next}\`, then set cluster.kubernetesVersion to "${next}" and run ${REPAIR_INFRA}`;
    const answer = standardSupport(version, now());
    switch (answer.state) {
      case "supported":
        return ok(`${version}: in EKS standard support until ${answer.endsOn} (${answer.daysLeft} days)`);
      case "ending":
        return warn(`${version}: EKS standard support ends ${answer.endsOn}, in ${answer.daysLeft} days; extended support is billed per cluster hour`, upgrade);
      case "ended":
        return fail(`${version}: EKS standard support ended ${answer.endsOn} (${answer.daysAgo} days ago); the cluster runs on paid extended support`, upgrade);
      case "newer":
        return ok(`${version}: newer than btp-aws's support calendar (last entry ${answer.newestKnown}), so inside standard support`);
      case "older":
        return fail(`${version}: older than ${answer.oldestKnown}, long past EKS standard support`, upgrade);
      default:
        return warn(`${version}: not in btp-aws's EKS support calendar`, "look the version up in the Amazon EKS Kubernetes release calendar");
    }
  },
};

const nodeGroup: Check = {
  id: "aws/nodegroup",
  title: "EKS node group",
  area: "aws",
  async run({ facts }) {
    const group = await facts.nodeGroup();
    if (!group) return fail(`node group ${facts.nodeGroupName} not found in cluster ${facts.clusterName}`, `create it with ${REPAIR_INFRA}`);
    const { min, desired, max } = group.scaling;
    const running = (await facts.nodeInstances()).filter((i) => i.state === "running").length;
    const subject = `${group.name} ${group.status}, ${running}/${desired} nodes running (min ${min}, max ${max})`;
    const findings: Finding[] = [];
    const issues = group.issues.join("; ");
    if (group.status !== "ACTIVE") {
      findings.push(TRANSITIONAL.has(group.status)
        ? finding("warn", `EKS is still working on it${issues ? ` (${issues})` : ""}`, "wait for it to become ACTIVE, then run doctor again")
        : finding("fail", issues || "not ACTIVE", `aws eks describe-nodegroup --cluster-name ${facts.clusterName} --nodegroup-name ${group.name} shows the health issues; fix them, then run ${REPAIR_INFRA}`));
    }
    if (running === 0 && desired > 0) {
      findings.push(finding("fail", "no node is running", `look at the node group's Auto Scaling group activity (capacity, quotas, subnets) and its health issues`));
    } else if (running < desired) {
      findings.push(finding("warn", `${desired - running} of ${desired} desired nodes not running`, "nodes are being replaced or cannot launch: look at the Auto Scaling group's activity if this lasts"));
    }
    return outcome(subject, findings);
  },
};

export const awsComputeChecks: readonly Check[] = [eksCluster, eksVersion, nodeGroup];
