/**
 * `btp-aws values <release>`: the values file a release would be installed with, built from the
 * config and the infra outputs in the state exactly as install builds it, every secret replaced
 * by a placeholder naming where install takes it from. Offline: no AWS call, no cluster.
 */
import { ExitCode, UsageError } from "../../errors.js";
import { commandEnvironment, loadConfig, stateDir, type CommandEnvironment } from "./context.js";
import type { GlobalFlags } from "../main.js";
import type { Config } from "../../config/schema.js";
import type { StepOutputs } from "../../plan/types.js";
import { readState } from "../../state/file-store.js";
import { stringify } from "yaml";

export const RELEASES = ["aws-load-balancer-controller", "cluster-autoscaler", "vault", "cert-manager", "postgresql", "redis", "minio", "btp"] as const;
type ReleaseName = (typeof RELEASES)[number];

type Outputs = Readonly<Record<string, StepOutputs>>;

async function releaseValues(release: ReleaseName, config: Config, outputs: Outputs, cwd: string): Promise<Record<string, unknown>> {
  switch (release) {
    case "aws-load-balancer-controller":
      return (await import("../../phases/addons/values.js")).loadBalancerControllerValues(config, outputs);
    case "cluster-autoscaler":
      return (await import("../../phases/addons/autoscaler-values.js")).clusterAutoscalerValues(config, outputs);
    case "vault":
      return (await import("../../phases/vault/values.js")).vaultValuesFromState(config, outputs);
    case "cert-manager":
      return (await import("../../phases/cert-manager/values.js")).certManagerValues(outputs);
    // No secrets in these: the charts read their passwords from a Kubernetes Secret.
    case "postgresql":
      return (await import("../../phases/dependencies/values.js")).postgresqlValues(config);
    case "redis":
      return (await import("../../phases/dependencies/values.js")).redisValues();
    case "minio":
      return (await import("../../phases/dependencies/values.js")).minioValues();
    case "btp": {
      const { btpValues, BTP_SECRET_PLACEHOLDERS, mergeOverrides, readOverridesFile } = await import("../../phases/btp/index.js");
      const ours = btpValues(config, outputs, BTP_SECRET_PLACEHOLDERS);
      return config.chart.valuesFile ? mergeOverrides(ours, await readOverridesFile(config.chart.valuesFile, cwd)) : ours;
    }
  }
}

export async function valuesCommand(flags: GlobalFlags, args: string[], overrides: Partial<CommandEnvironment> = {}): Promise<number> {
  const context = commandEnvironment(flags, overrides);
  const release = args[0];
  if (!RELEASES.includes(release as ReleaseName)) {
    throw new UsageError(`release ${JSON.stringify(release ?? "")}: not one btp-aws installs`, [], `choose one of: ${RELEASES.join(", ")}`);
  }
  const { config } = await loadConfig(flags, context, { interactive: false });
  const state = await readState(stateDir(flags, context), config.platform);
  const outputs: Record<string, StepOutputs> = {};
  for (const [id, record] of Object.entries(state?.steps ?? {})) if (record.status === "done") outputs[id] = record.outputs;
  const values = await releaseValues(release as ReleaseName, config, outputs, context.cwd);
  if (flags.output === "json") context.ui.data(JSON.stringify(values, null, 2));
  else {
    context.ui.data(`# values for release ${release} of platform ${config.platform}; secrets are placeholders\n${stringify(values, { lineWidth: 0 })}`);
  }
  return ExitCode.ok;
}
