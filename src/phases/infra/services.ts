/** What the infra steps need from outside: AWS clients, wait timing, and where secrets go. */
import type { AwsClients } from "../../aws/clients.js";
import type { WaitSettings } from "../../aws/wait.js";

export interface SecretSink {
  /** Registers a secret value so log files and terminal output redact it. */
  add(secret: string): void;
}

export interface InfraServices {
  aws: AwsClients;
  wait: WaitSettings;
  secrets: SecretSink;
}
