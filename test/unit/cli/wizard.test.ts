import { describe, expect, it } from "vitest";
import { PromptWizard } from "../../../src/cli/wizard.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { scriptedPrompter } from "./scripted-prompter.js";

const answers = {
  platform: "demo",
  environment: "development",
  "aws.region": "eu-west-1",
  "aws.drRegion": "eu-central-1",
  "dns.domain": "btp.example.com",
  "dns.hostedZoneId": "Z0123456789ABC",
  "dns.acmeEmail": "ops@example.com",
  "auth.provider": "microsoftEntraId",
  "auth.clientId": "client-id",
  "auth.tenantId": "tenant-id",
  "chart.version": "v7.32.10",
  "license.accountName": "acme",
  "license.email": "lic@example.com",
  "license.expirationDate": "2030-01-01",
  "license.signature": "sig",
  "SettleMint license token": "token-value-123",
};

describe("PromptWizard", () => {
  it("asks for every required field in schema order, the provider's own fields, then secrets", async () => {
    const prompter = scriptedPrompter(answers);
    const resolved = await resolveConfig({
      configPath: undefined, cwd: "/nonexistent", env: {}, flags: {},
      wizard: new PromptWizard(prompter, { askAlso: ["environment"] }), secrets: ["licenseToken"],
    });
    expect(prompter.asked).toEqual(Object.keys(answers));
    expect(resolved.config.auth).toEqual({ provider: "microsoftEntraId", clientId: "client-id", tenantId: "tenant-id" });
    expect(resolved.config.environment).toBe("development");
    expect(resolved.secrets.licenseToken).toBe("token-value-123");
    expect(JSON.stringify(resolved.input)).not.toContain("token-value-123");
  });

  it("asks only what the flags and environment left out", async () => {
    const prompter = scriptedPrompter(answers);
    await resolveConfig({
      configPath: undefined, cwd: "/nonexistent", flags: { platform: "demo", region: "eu-west-1", domain: "btp.example.com" },
      env: { BTP_AWS_DR_REGION: "eu-central-1", BTP_AWS_LICENSE_TOKEN: "from-env-123" },
      wizard: new PromptWizard(prompter), secrets: ["licenseToken"],
    });
    expect(prompter.asked).not.toContain("platform");
    expect(prompter.asked).not.toContain("aws.region");
    expect(prompter.asked).not.toContain("aws.drRegion");
    expect(prompter.asked).not.toContain("SettleMint license token");
    expect(prompter.asked).toContain("dns.hostedZoneId");
  });

  it("validates each answer with the schema, inline", async () => {
    const prompter = scriptedPrompter({ ...answers, "dns.domain": "not a domain", "dns.acmeEmail": "nope" });
    await resolveConfig({ configPath: undefined, cwd: "/nonexistent", env: {}, flags: {}, wizard: new PromptWizard(prompter), secrets: [] }).catch(() => undefined);
    expect(prompter.rejected).toEqual({ "dns.domain": "must be a DNS name such as btp.example.com", "dns.acmeEmail": "must be an email address" });
  });
});
