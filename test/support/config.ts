/** A valid config for step tests, parsed through the real schema so it stays honest. */
import { ConfigSchema, resolveEnvironmentDefaults, type Config, type ConfigInput } from "../../src/config/schema.js";

const BASE: ConfigInput = {
  platform: "btp-test",
  environment: "development",
  aws: { region: "eu-west-1", drRegion: "eu-central-1" },
  dns: { domain: "btp.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", acmeEmail: "ops@example.com" },
  auth: { provider: "google", clientId: "client-id" },
  chart: { version: "v7.32.10" },
  license: { accountName: "acme", email: "ops@example.com", expirationDate: "2027-12-31", signature: "sig" },
};

/** `aws` overrides are merged into the base `aws` section; other sections are replaced. */
export function testConfig(overrides: Partial<Omit<ConfigInput, "aws">> & { aws?: Partial<ConfigInput["aws"]> } = {}): Config {
  const { aws, ...rest } = overrides;
  return resolveEnvironmentDefaults(ConfigSchema.parse({ ...BASE, ...rest, aws: { ...BASE.aws, ...aws } }));
}
