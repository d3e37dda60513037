/**
 * destroy/ingresses: every Ingress (and LoadBalancer Service) in the cluster is deleted, then
 * destroy waits until the AWS Load Balancer Controller has removed the load balancers, target
 * groups and security groups it made for them. Left behind, they hold network interfaces in the
 * VPC and the VPC can never be deleted (FACTS.md). When the controller is gone or does not finish
 * in time, destroy deletes what is left itself.
 */
import { waitFor } from "../../aws/wait.js";
import type { KubeObject } from "../../k8s/kube.js";
import type { Reporter } from "../../plan/types.js";
import { count, deleting } from "./context.js";
import { CONTROLLER_RELEASE } from "./releases.js";
import { deleteControllerResourcesOnce, describeControllerResources, findControllerResources, isEmpty } from "./controller-resources.js";
import type { ClusterHandles, DestroyContext, Stage } from "./types.js";

/** The controller usually finishes within a minute of the Ingress going. */
const CONTROLLER_WAIT = { timeoutMs: 10 * 60_000, intervalMs: 15_000 };
/** Direct deletion waits for AWS to let go of network interfaces and target groups. */
const DIRECT_WAIT = { timeoutMs: 15 * 60_000, intervalMs: 15_000 };

function describe(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

async function loadBalancerObjects(handles: ClusterHandles): Promise<KubeObject[]> {
  const ingresses = await handles.kube.list("networking.k8s.io/v1", "Ingress");
  const services = (await handles.kube.list("v1", "Service")).filter((s) => (s.spec as { type?: string } | undefined)?.type === "LoadBalancer");
  return [...ingresses, ...services];
}

export const ingressesStage: Stage = {
  id: "destroy/ingresses",
  title: "Delete Ingresses and the controller's load balancers",
  phase: "addons",
  async survey(context) {
    const reach = await context.services.cluster();
    const objects = reach.state === "reachable" ? (await loadBalancerObjects(reach.handles)).map(describe) : [];
    return deleting([...objects, ...describeControllerResources(await findControllerResources(context))]);
  },
  async run(context: DestroyContext, report: Reporter) {
    const reach = await context.services.cluster();
    let removed = 0;
    if (reach.state === "reachable") {
      for (const object of await loadBalancerObjects(reach.handles)) {
        report.status(`deleting ${describe(object)}`);
        if (await reach.handles.kube.delete(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace)) removed += 1;
      }
      if (removed > 0) report.info(`deleted ${count(removed, "Ingress or LoadBalancer Service", "Ingresses and LoadBalancer Services")}`);
    }
    const before = await findControllerResources(context);
    if (isEmpty(before)) {
      if (removed === 0) report.skip(reach.state === "reachable" ? "no Ingress, LoadBalancer Service or controller load balancer is left" : `${reach.reason}; no controller load balancer is left`);
      return;
    }
    // Without its Deployment (uninstalled by an earlier, interrupted destroy) nobody would clean up.
    const controller = reach.state === "reachable" ? await reach.handles.kube.get("apps/v1", "Deployment", CONTROLLER_RELEASE.name, CONTROLLER_RELEASE.namespace) : undefined;
    if (reach.state === "reachable" && controller === undefined) report.info("the load balancer controller is not running: deleting what it left directly");
    if (controller !== undefined) {
      try {
        await waitFor({
          what: `the load balancer controller to remove ${describeControllerResources(before).join(", ")}`,
          observe: async () => (isEmpty(await findControllerResources(context)) ? { state: "ready", value: undefined, status: "gone" } : { state: "pending", status: "the controller is removing its load balancers" }),
          ...CONTROLLER_WAIT,
          settings: context.services.wait,
          onStatus: (text) => report.status(text),
          signal: context.signal,
        });
        report.info(`the load balancer controller removed ${describeControllerResources(before).join(", ")}`);
        return;
      } catch (error) {
        if (context.signal.aborted) throw error;
        report.warn("the load balancer controller did not remove its load balancers in time: deleting them directly");
      }
    }
    const deleted: string[] = [];
    await waitFor({
      what: `AWS to delete ${describeControllerResources(before).join(", ")}`,
      observe: () => deleteControllerResourcesOnce(context, deleted),
      ...DIRECT_WAIT,
      settings: context.services.wait,
      onStatus: (text) => report.status(text),
      signal: context.signal,
      hint: "something else still uses them (see above): remove it, then run `btp-aws destroy` again",
    });
    report.info(`deleted what the load balancer controller left: ${deleted.join(", ")}`);
  },
};
