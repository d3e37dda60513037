import { readFileSync } from "node:fs";
import { parseConfigYaml } from "../../../src/config/file.js";

export const EXAMPLE_PATH = new URL("../../../examples/btp-aws.yaml", import.meta.url).pathname;

/** The shipped production example as a plain object, for tests that tweak one field. */
export function example(): Record<string, unknown> {
  return parseConfigYaml(readFileSync(EXAMPLE_PATH, "utf8"), EXAMPLE_PATH);
}

/** The smallest valid config: only required fields. */
export function minimal(): Record<string, unknown> {
  return {
    platform: "demo",
    aws: { region: "eu-west-1", drRegion: "eu-central-1" },
    dns: { domain: "btp.example.com", hostedZoneId: "Z0123456789ABC", acmeEmail: "ops@example.com" },
    auth: { provider: "google", clientId: "client" },
    chart: { version: "v7.32.10" },
    license: { accountName: "acme", email: "l@example.com", expirationDate: "2030-01-01", signature: "sig" },
  };
}
