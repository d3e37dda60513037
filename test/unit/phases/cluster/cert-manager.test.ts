import { describe, expect, it } from "vitest";
import { certManagerReleaseStep, clusterIssuersStep } from "../../../../src/phases/cert-manager/steps.js";
import { testConfig } from "../../../support/config.js";
import { runStep } from "../../../support/infra.js";
import { OUTPUTS, role, testServices } from "./services.js";

const config = testConfig();

function virtualTime(onSleep: () => void = () => {}) {
  let now = 0;
  return { scale: 1, now: () => now, sleep: (ms: number) => Promise.resolve(void ((now += ms), onSleep())) };
}

const ready = { conditions: [{ type: "Ready", status: "True", message: "The ACME account was registered with the ACME server" }] };

describe("cert-manager/release", () => {
  it("installs the OCI chart with CRDs kept, the IRSA role, and waits", async () => {
    const services = testServices();
    await runStep(certManagerReleaseStep, config, services, OUTPUTS);
    const release = services.fakeHelm.upgrades[0]!;
    expect(release).toMatchObject({ name: "cert-manager", namespace: "cert-manager", chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.2", wait: true, createNamespace: true });
    expect(release.repo).toBeUndefined();
    expect(release.values).toMatchObject({ crds: { enabled: true, keep: true }, serviceAccount: { name: "cert-manager", annotations: { "eks.amazonaws.com/role-arn": role("cert-manager") } } });
  });
});

describe("cert-manager/issuers", () => {
  it("applies staging and prod once the webhook answers, waits Ready, then changes nothing", async () => {
    let webhookUp = false;
    const services = testServices({}, { served: (apiVersion) => apiVersion !== "cert-manager.io/v1" || webhookUp });
    let polls = 0;
    services.wait = virtualTime(() => {
      polls += 1;
      if (polls === 2) webhookUp = true;
      // cert-manager registers the ACME accounts a little later.
      if (polls === 4) for (const name of ["letsencrypt-staging", "letsencrypt-prod"]) services.kube.seed({ ...services.kube.objects().find((o) => o.metadata.name === name)!, status: ready });
    });
    const first = await runStep(clusterIssuersStep, config, services, OUTPUTS);
    expect(first.report.infos).toEqual(["ClusterIssuers: letsencrypt-staging created, letsencrypt-prod created"]);
    expect(first.report.statuses[0]).toMatch(/^not accepted yet \(.*\), 0s$/);
    const prod = await services.kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-prod");
    expect(prod?.spec).toEqual({
      acme: {
        server: "https://acme-v02.api.letsencrypt.org/directory",
        email: config.dns.acmeEmail,
        privateKeySecretRef: { name: "letsencrypt-prod-account-key" },
        solvers: [{ selector: { dnsZones: [config.dns.domain] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: config.dns.hostedZoneId } } }],
      },
    });
    const staging = await services.kube.get("cert-manager.io/v1", "ClusterIssuer", "letsencrypt-staging");
    expect((staging?.spec as { acme: { server: string } }).acme.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");

    const second = await runStep(clusterIssuersStep, config, services, OUTPUTS);
    expect(second.report.skipped).toEqual(["ClusterIssuers letsencrypt-staging and letsencrypt-prod already configured"]);
  });

  it("says why an issuer never became Ready", async () => {
    const services = testServices();
    services.wait = virtualTime(() => {
      const prod = services.kube.objects().find((o) => o.metadata.name === "letsencrypt-staging");
      if (prod && !prod.status) services.kube.seed({ ...prod, status: { conditions: [{ type: "Ready", status: "False", message: "Failed to register ACME account: dial tcp: i/o timeout" }] } });
    });
    const error = await runStep(clusterIssuersStep, config, services, OUTPUTS).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
    expect(error?.message).toMatch(/^timed out waiting for ClusterIssuer letsencrypt-staging to be Ready: still not ready: Failed to register ACME account: dial tcp: i\/o timeout after 5m/);
    expect(error?.hint).toMatch(/must reach Let's Encrypt/);
  });
});
