/**
 * Reading Vault's JSON without trusting it: a field of the wrong type is an error that names the
 * endpoint and the field, never the value (a value may be a secret).
 */
import { BtpAwsError } from "../errors.js";
import type { AppRoleSettings, KubernetesAuthConfig, RaftPeer, SecretIdInfo, VaultMount } from "./types.js";

export type Json = Record<string, unknown>;

export function shapeError(request: string, field: string, expected: string): BtpAwsError {
  return new BtpAwsError(`Vault ${request}: unexpected answer: ${field} is not ${expected}`, {
    hint: "the address may not be a Vault or OpenBao server: check the port-forward target",
  });
}

export function object(value: unknown, request: string, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw shapeError(request, field, "an object");
  return value as Json;
}

export function string(value: unknown, request: string, field: string): string {
  if (typeof value !== "string") throw shapeError(request, field, "a string");
  return value;
}

export function boolean(value: unknown, request: string, field: string): boolean {
  if (typeof value !== "boolean") throw shapeError(request, field, "true or false");
  return value;
}

export function number(value: unknown, request: string, field: string): number {
  if (typeof value !== "number") throw shapeError(request, field, "a number");
  return value;
}

export function strings(value: unknown, request: string, field: string): string[] {
  // Vault writes an empty list as null in several places (keys with auto-unseal, cidr lists).
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw shapeError(request, field, "a list of strings");
  return value;
}

/** Most endpoints wrap their answer in `data`; a few sys endpoints also repeat it at the top. */
export function data(body: Json, request: string): Json {
  return object(body.data, request, "data");
}

/** sys/mounts and sys/auth: `{ "<path>/": { type, options, ... } }`. */
export function mountTable(table: Json, request: string): Record<string, VaultMount> {
  const result: Record<string, VaultMount> = {};
  for (const [path, raw] of Object.entries(table)) {
    const entry = object(raw, request, path);
    const options: Record<string, string> = {};
    if (entry.options !== null && entry.options !== undefined) {
      for (const [key, value] of Object.entries(object(entry.options, request, `${path}.options`))) {
        if (typeof value === "string") options[key] = value;
      }
    }
    result[path] = { type: string(entry.type, request, `${path}.type`), options, description: typeof entry.description === "string" ? entry.description : "" };
  }
  return result;
}

export function appRole(body: Json, request: string): AppRoleSettings {
  const d = data(body, request);
  return {
    token_ttl: number(d.token_ttl, request, "token_ttl"),
    token_max_ttl: number(d.token_max_ttl, request, "token_max_ttl"),
    secret_id_ttl: number(d.secret_id_ttl, request, "secret_id_ttl"),
    secret_id_num_uses: number(d.secret_id_num_uses, request, "secret_id_num_uses"),
    token_policies: strings(d.token_policies, request, "token_policies"),
    bind_secret_id: boolean(d.bind_secret_id, request, "bind_secret_id"),
  };
}

/** Go's zero time: Vault's way of saying "never expires". */
const NEVER = "0001-01-01T00:00:00Z";

export function secretIdInfo(body: Json, request: string): SecretIdInfo {
  const d = data(body, request);
  const expiration = typeof d.expiration_time === "string" ? d.expiration_time : NEVER;
  return {
    accessor: string(d.secret_id_accessor, request, "secret_id_accessor"),
    expiresAt: expiration.startsWith("0001-01-01") ? undefined : new Date(expiration),
    usesLeft: number(d.secret_id_num_uses, request, "secret_id_num_uses"),
  };
}

export function kubernetesConfig(body: Json, request: string): KubernetesAuthConfig {
  const d = data(body, request);
  return {
    kubernetes_host: string(d.kubernetes_host, request, "kubernetes_host"),
    kubernetes_ca_cert: typeof d.kubernetes_ca_cert === "string" ? d.kubernetes_ca_cert : "",
    disable_local_ca_jwt: d.disable_local_ca_jwt === true,
  };
}

export function raftServers(body: Json, request: string): RaftPeer[] {
  const config = object(data(body, request).config, request, "data.config");
  const servers = config.servers ?? [];
  if (!Array.isArray(servers)) throw shapeError(request, "data.config.servers", "a list");
  return servers.map((raw, i) => {
    const s = object(raw, request, `servers[${i}]`);
    return {
      nodeId: string(s.node_id, request, `servers[${i}].node_id`),
      address: string(s.address, request, `servers[${i}].address`),
      leader: boolean(s.leader, request, `servers[${i}].leader`),
      voter: boolean(s.voter, request, `servers[${i}].voter`),
    };
  });
}
