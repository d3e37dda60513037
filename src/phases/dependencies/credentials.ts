/**
 * The namespace of the in-cluster dependencies and the Secrets their charts read passwords from.
 * The passwords come from the platform secret (Secrets Manager, infra/secrets), registered with
 * the redactor before anything else sees them, and are written to the cluster by server-side
 * apply: they never reach helm, its argv or its release values.
 */
import { readPlatformSecret } from "../../aws/secrets-manager.js";
import { BtpAwsError } from "../../errors.js";
import type { ApplyResult, Kube, KubeObject } from "../../k8s/kube.js";
import { stringOutput } from "../../plan/outputs.js";
import type { StepContext } from "../../plan/types.js";
import type { KubernetesServices } from "../cluster/services.js";
import { DEPENDENCIES_NAMESPACE } from "./names.js";

const MANAGED = { "app.kubernetes.io/managed-by": "btp-aws" };

export function dependenciesNamespace(platform: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: DEPENDENCIES_NAMESPACE, labels: { ...MANAGED, "btp-aws/platform": platform } } };
}

/** `data` is base64 (not stringData), so a re-apply of the same values is byte-for-byte unchanged. */
export function credentialsSecret(name: string, values: Record<string, string>): KubeObject {
  const data = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value, "utf8").toString("base64")]));
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: DEPENDENCIES_NAMESPACE, labels: MANAGED }, type: "Opaque", data };
}

/**
 * The named keys of the platform secret, or an error naming the first one missing (an older
 * platform secret, made before in-cluster modes, lacks the object storage keys).
 */
export async function platformCredentials(context: StepContext<Pick<KubernetesServices, "aws" | "secrets">>, keys: readonly string[]): Promise<Record<string, string>> {
  const arn = stringOutput(context.outputs, "infra/secrets", "secretArn");
  const sm = await context.services.aws.secretsManager();
  const stored = await readPlatformSecret(sm, arn, (value) => context.services.secrets.add(value));
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = stored[key];
    if (value === undefined || value === "") {
      throw new BtpAwsError(`the platform secret ${arn} has no ${key}`, {
        hint: "infra/secrets adds the credentials the configured modes need: run `btp-aws install --from infra` so it runs again",
      });
    }
    picked[key] = value;
  }
  return picked;
}

/** Applies the namespace, then the Secret; says what happened to the Secret. */
export async function applyCredentials(kube: Kube, platform: string, secret: KubeObject): Promise<ApplyResult> {
  await kube.apply(dependenciesNamespace(platform));
  return kube.apply(secret);
}
