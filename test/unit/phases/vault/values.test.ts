import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BtpAwsError } from "../../../../src/errors.js";
import { IRSA_SERVICE_ACCOUNTS } from "../../../../src/phases/infra/irsa-policies.js";
import { PLATFORM_POLICY_FILE } from "../../../../src/phases/vault/configure.js";
import { VAULT_NAMESPACE, VAULT_SERVICE_ACCOUNT, vaultServerConfig, vaultValues, vaultValuesFromState } from "../../../../src/phases/vault/values.js";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::123456789012:role/btp-acme-irsa-vault";
const input = { region: "eu-west-1", kmsKeyArn: KEY, irsaRoleArn: ROLE };

describe("vaultServerConfig", () => {
  it("is raft storage joining all three pods, the awskms seal with region and key, plain HTTP inside the cluster", () => {
    expect(vaultServerConfig(input)).toBe(`ui = true

listener "tcp" {
  tls_disable = 1
  address = "[::]:8200"
  cluster_address = "[::]:8201"
}

storage "raft" {
  path = "/vault/data"
  retry_join {
    leader_api_addr = "http://vault-0.vault-internal:8200"
  }
  retry_join {
    leader_api_addr = "http://vault-1.vault-internal:8200"
  }
  retry_join {
    leader_api_addr = "http://vault-2.vault-internal:8200"
  }
}

seal "awskms" {
  region = "eu-west-1"
  kms_key_id = "${KEY}"
}

service_registration "kubernetes" {}
`);
  });

  it("refuses a value that could break out of an HCL string", () => {
    expect(() => vaultServerConfig({ ...input, kmsKeyArn: 'x" }\nseal "shamir" {' })).toThrow('KMS key "x" }\nseal "shamir" {" is not a region, ARN or key id');
  });
});

describe("vaultValues", () => {
  it("is HA with 3 raft replicas, the IRSA annotation on the server service account, TLS and the injector off", () => {
    const values = vaultValues(input);
    expect(values).toMatchObject({
      global: { tlsDisable: true },
      injector: { enabled: false },
      server: {
        ha: { enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true, config: vaultServerConfig(input) } },
        dataStorage: { enabled: true, size: "10Gi" },
        serviceAccount: { create: true, name: "vault", annotations: { "eks.amazonaws.com/role-arn": ROLE } },
        authDelegator: { enabled: true },
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname" } }] } },
      },
    });
    expect(Object.keys(values).sort()).toEqual(["global", "injector", "server"]);
    // It serialises to YAML as the helm wrapper will write it.
    expect(stringify(values)).toContain("eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/btp-acme-irsa-vault");
  });

  it("uses the service account the vault IRSA role trusts", () => {
    expect({ namespace: VAULT_NAMESPACE, name: VAULT_SERVICE_ACCOUNT }).toEqual(IRSA_SERVICE_ACCOUNTS.vault);
  });

  it("is built from the config and infra's outputs", () => {
    const outputs = { "infra/kms": { keyArn: KEY }, "infra/irsa": { vaultRoleArn: ROLE } };
    expect(vaultValuesFromState({ aws: { region: "eu-west-1" } }, outputs)).toEqual(vaultValues(input));
    expect(() => vaultValuesFromState({ aws: { region: "eu-west-1" } }, { "infra/kms": { keyArn: KEY } })).toThrow(BtpAwsError);
  });
});

describe("templates/vault/platform-policy.hcl", () => {
  it("grants the platform's capabilities on the kv-v2 data, metadata and version paths of each mount, and nothing else", async () => {
    const text = await readFile(PLATFORM_POLICY_FILE, "utf8");
    const stanzas = [...text.matchAll(/^path "([^"]+)" \{\n {2}capabilities = \[([^\]]*)\]\n\}$/gm)].map((m) => [m[1], m[2]!.replace(/"/g, "").split(", ")]);
    const crudl = ["create", "read", "update", "delete", "list"];
    const expected = ["ethereum", "fabric", "ipfs"].flatMap((mount) => [
      [`${mount}/data/*`, crudl],
      [`${mount}/metadata/*`, crudl],
      [`${mount}/delete/*`, ["update"]],
      [`${mount}/undelete/*`, ["update"]],
      [`${mount}/destroy/*`, ["update"]],
    ]);
    expect(stanzas).toEqual(expected);
    // Every stanza was matched: no path hides in an unexpected format.
    expect(text.match(/^path /gm)).toHaveLength(expected.length);
  });
});
