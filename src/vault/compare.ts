/** What Vault holds against what the installer wants. Pure: configure decides from these. */
import type { AppRoleSettings, KubernetesAuthConfig, VaultMount } from "./types.js";

/** Why a mount cannot serve as kv-v2, or undefined when it can. */
export function kvV2Problem(mount: VaultMount): string | undefined {
  if (mount.type === "kv" || mount.type === "generic") {
    // kv without options.version is version 1 (and "generic" is kv v1's old name).
    return mount.options.version === "2" ? undefined : "kv version 1";
  }
  return `a ${mount.type} secrets engine`;
}

/** "token_ttl is 7200, want 3600" for every field that differs; policies compare as sets. */
export function roleDifferences(actual: AppRoleSettings, desired: AppRoleSettings): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(desired) as (keyof AppRoleSettings)[]) {
    const have = actual[key];
    const want = desired[key];
    const same = Array.isArray(want) && Array.isArray(have) ? sameSet(have, want) : have === want;
    if (!same) differences.push(`${key} is ${format(have)}, want ${format(want)}`);
  }
  return differences;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((x) => left.has(x));
}

function format(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(", ")}]` : String(value);
}

/** Policies are stored as written; line endings and trailing blanks are not a difference. */
export function samePolicy(a: string, b: string): boolean {
  const normal = (text: string) => text.replace(/\r\n/g, "\n").split("\n").map((line) => line.trimEnd()).join("\n").trim();
  return normal(a) === normal(b);
}

/** Fields of the Kubernetes auth config that differ; a CA certificate is named, never printed. */
export function kubernetesConfigDifferences(actual: KubernetesAuthConfig, desired: KubernetesAuthConfig): string[] {
  const differences: string[] = [];
  if (actual.kubernetes_host !== desired.kubernetes_host) differences.push(`kubernetes_host is ${actual.kubernetes_host || "(empty)"}, want ${desired.kubernetes_host}`);
  if (actual.kubernetes_ca_cert.trim() !== desired.kubernetes_ca_cert.trim()) differences.push("kubernetes_ca_cert differs");
  if (actual.disable_local_ca_jwt !== desired.disable_local_ca_jwt) differences.push(`disable_local_ca_jwt is ${actual.disable_local_ca_jwt}, want ${desired.disable_local_ca_jwt}`);
  return differences;
}
