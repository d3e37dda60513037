/**
 * What the prepare phase needs from the outside world. Narrow on purpose: the CLI passes the
 * real adapters (createAwsClients, createHelmLocator, node:dns/promises), tests pass fakes or
 * moto-backed clients. Every AWS client here is used for reads only: prepare changes nothing.
 */
import type { AwsClients } from "../../aws/clients.js";

export interface PrepareServices {
  aws: Pick<AwsClients, "sts" | "ec2" | "route53" | "serviceQuotas" | "tagging" | "rds" | "elasticache" | "endpoint" | "region">;
  helm: {
    /** The helm binary to use, or undefined when there is none. */
    find(): Promise<string | undefined>;
    /** The version the binary reports, e.g. "v3.17.3". */
    version(binary: string): Promise<string>;
  };
  /** Public DNS, as the internet sees it (the CLI passes node:dns/promises). */
  dns: {
    /** The NS records of `name`; rejects (ENOTFOUND, ENODATA, …) when there are none. */
    resolveNs(name: string): Promise<string[]>;
  };
}
