import { describe, expect, it } from "vitest";
import { CHART_PINS, resolveChart } from "../../../src/helm/charts.js";
import { IRSA_SERVICE_ACCOUNTS } from "../../../src/phases/infra/irsa-policies.js";

describe("CHART_PINS", () => {
  it("pins exact versions", () => {
    expect(Object.fromEntries(Object.entries(CHART_PINS).map(([key, pin]) => [key, pin.version]))).toEqual({
      "aws-load-balancer-controller": "3.6.0",
      vault: "0.34.1",
      "cert-manager": "v1.21.2",
      "cluster-autoscaler": "9.59.0",
      postgresql: "16.7.27",
      redis: "22.0.3",
      minio: "5.4.0",
    });
    for (const pin of Object.values(CHART_PINS)) expect(pin.version).toMatch(/^v?\d+\.\d+\.\d+$/);
  });

  it("installs each chart where its IRSA role's trust policy expects the service account", () => {
    // The release name is the chart's fullname, which the charts use as the service account name.
    for (const key of ["aws-load-balancer-controller", "vault", "cert-manager", "cluster-autoscaler"] as const) {
      expect({ namespace: CHART_PINS[key].namespace, name: CHART_PINS[key].release }).toEqual(IRSA_SERVICE_ACCOUNTS[key]);
    }
  });

  it("has an HTTP repository or an OCI reference for every chart", () => {
    for (const pin of Object.values(CHART_PINS)) {
      expect(pin.repo !== undefined ? /^https:\/\//.test(pin.repo) : pin.chart.startsWith("oci://")).toBe(true);
    }
  });
});

describe("resolveChart", () => {
  it("returns the pin without an override", () => {
    expect(resolveChart("vault")).toEqual({ chart: "vault", repo: "https://helm.releases.hashicorp.com", version: "0.34.1" });
    expect(resolveChart("cert-manager")).toEqual({ chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.2" });
  });

  it("takes a version override and keeps the repository", () => {
    expect(resolveChart("vault", { version: "0.33.0" })).toEqual({ chart: "vault", repo: "https://helm.releases.hashicorp.com", version: "0.33.0" });
  });

  it("drops the pinned repository when the chart is overridden without one (mirror, local copy)", () => {
    expect(resolveChart("aws-load-balancer-controller", { chart: "oci://mirror.example.com/eks/aws-load-balancer-controller" })).toEqual({
      chart: "oci://mirror.example.com/eks/aws-load-balancer-controller",
      version: "3.6.0",
    });
    expect(resolveChart("vault", { chart: "vault", repo: "https://charts.example.com" })).toEqual({ chart: "vault", repo: "https://charts.example.com", version: "0.34.1" });
  });
});
