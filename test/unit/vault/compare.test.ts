import { describe, expect, it } from "vitest";
import { kubernetesConfigDifferences, kvV2Problem, roleDifferences, samePolicy } from "../../../src/vault/compare.js";
import type { AppRoleSettings } from "../../../src/vault/types.js";

describe("kvV2Problem", () => {
  it("accepts kv version 2 only", () => {
    expect(kvV2Problem({ type: "kv", options: { version: "2" }, description: "" })).toBeUndefined();
    expect(kvV2Problem({ type: "kv", options: { version: "1" }, description: "" })).toBe("kv version 1");
    expect(kvV2Problem({ type: "kv", options: {}, description: "" })).toBe("kv version 1");
    expect(kvV2Problem({ type: "generic", options: {}, description: "" })).toBe("kv version 1");
    expect(kvV2Problem({ type: "pki", options: {}, description: "" })).toBe("a pki secrets engine");
  });
});

describe("roleDifferences", () => {
  const desired: AppRoleSettings = { token_ttl: 3600, token_max_ttl: 14_400, secret_id_ttl: 0, secret_id_num_uses: 0, token_policies: ["a", "b"], bind_secret_id: true };

  it("compares policies as sets and names each differing field", () => {
    expect(roleDifferences({ ...desired, token_policies: ["b", "a"] }, desired)).toEqual([]);
    expect(roleDifferences({ ...desired, secret_id_num_uses: 10, bind_secret_id: false, token_policies: ["a"] }, desired)).toEqual([
      "secret_id_num_uses is 10, want 0",
      "token_policies is [a], want [a, b]",
      "bind_secret_id is false, want true",
    ]);
  });
});

describe("samePolicy", () => {
  it("ignores line endings and trailing blanks, nothing else", () => {
    expect(samePolicy('path "a/*" {\n  capabilities = ["read"]\n}\n', 'path "a/*" {  \r\n  capabilities = ["read"]\r\n}')).toBe(true);
    expect(samePolicy('path "a/*" {}', 'path "b/*" {}')).toBe(false);
    expect(samePolicy('path "a/*" {\n  capabilities = ["read"]\n}', 'path "a/*" {\n    capabilities = ["read"]\n}')).toBe(false);
  });
});

describe("kubernetesConfigDifferences", () => {
  it("names a differing CA certificate without printing it", () => {
    const base = { kubernetes_host: "https://kubernetes.default.svc", kubernetes_ca_cert: "", disable_local_ca_jwt: false };
    expect(kubernetesConfigDifferences({ ...base, kubernetes_ca_cert: "-----BEGIN CERTIFICATE-----\nabc" }, base)).toEqual(["kubernetes_ca_cert differs"]);
    expect(kubernetesConfigDifferences({ ...base, kubernetes_host: "" }, base)).toEqual(["kubernetes_host is (empty), want https://kubernetes.default.svc"]);
  });
});
