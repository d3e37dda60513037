/**
 * What the prepare phase needs from the outside world. Narrow on purpose: the CLI passes the
 * real adapters (createAwsClients, createHelmLocator), tests pass fakes or moto-backed clients.
 */
import type { AwsClients } from "../../aws/clients.js";

export interface PrepareServices {
  aws: Pick<AwsClients, "sts" | "endpoint" | "region">;
  helm: {
    /** The helm binary to use, or undefined when there is none. */
    find(): Promise<string | undefined>;
    /** The version the binary reports, e.g. "v3.17.3". */
    version(binary: string): Promise<string>;
  };
}
