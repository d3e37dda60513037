/**
 * The helm adapter the Kubernetes phases use: releases (status, upgrade --install with a skip
 * rule), rendering, chart values and registry login, on helm 3.8+ and 4.x.
 *
 * Skip rule: a deployed release whose chart version equals the wanted one and whose recorded
 * values hash equals the hash of the wanted values is left alone. The hash is recorded as the
 * revision's description (see release-state.ts for why not labels or a value key).
 *
 * helm 3 / 4 differences handled here (major version detected once, on first need):
 * - `--wait` is a boolean on 3; on 4 it takes a strategy, and we name helm 4's own default for a
 *   bare --wait ("watcher", kstatus-based) explicitly rather than rely on flag parsing.
 * - `list` shows only deployed and failed releases on 3 unless `--all`; 4 shows every status by
 *   default and has no `--all` flag (passing it is an error).
 */
import { BtpAwsError } from "../errors.js";
import type { ChartSource } from "./charts.js";
import { registryLogin } from "./registry.js";
import {
  describeValues, exactNameFilter, hashFromDescription, isPending, parseListJson, parseStatusJson, sameChartVersion, splitChartLabel, type ListedRelease,
} from "./release-state.js";
import { createHelmRunner, helmFailed, type HelmRunner, type RunResult } from "./run.js";
import { valuesHash, withValuesFile } from "./values-file.js";
import { checkHelmVersion, parseHelmVersion } from "./version.js";
import { parse } from "yaml";

export { valuesHash } from "./values-file.js";

export interface HelmRelease {
  name: string;
  namespace: string;
  /** A chart name in `repo`, an oci:// reference, or a local path. */
  chart: string;
  /** HTTP chart repository for `chart` (helm --repo); absent for oci:// references and paths. */
  repo?: string | undefined;
  version?: string | undefined;
  values: Record<string, unknown>;
  timeoutSeconds: number;
  wait: boolean;
  createNamespace?: boolean | undefined;
}

export interface HelmReleaseStatus {
  /** helm's status: deployed, failed, pending-install, pending-upgrade, superseded, … */
  status: string;
  /** "" when helm list no longer shows the release (removed between the two calls). */
  chartVersion: string;
  revision: number;
  /** The hash btp-aws recorded with this revision; absent when it was made another way. */
  valuesHash?: string;
}

export interface HelmListedRelease {
  name: string;
  namespace: string;
  status: string;
  /** "<chart name>-<chart version>" */
  chart: string;
}

export interface UpgradeResult {
  action: "installed" | "upgraded" | "skipped";
  reason?: string;
  revision: number;
}

export interface Helm {
  status(name: string, namespace: string): Promise<HelmReleaseStatus | undefined>;
  upgradeInstall(release: HelmRelease): Promise<UpgradeResult>;
  /** `helm template` output, for tests and `values` previews. Contains the values, secrets included. */
  template(release: HelmRelease): Promise<string>;
  /** The chart's default values (`helm show values`). `repo` as in ChartSource. */
  showValues(chart: string, version?: string, repo?: string): Promise<Record<string, unknown>>;
  /** The password goes to helm on stdin (--password-stdin). */
  registryLogin(host: string, username: string, password: string): Promise<void>;
  /** Releases in `namespace`, or in every namespace; every status, on helm 3 and 4 alike. */
  list(namespace?: string): Promise<HelmListedRelease[]>;
  /** `helm uninstall`, waiting until the release's resources are deleted; "absent" when there was no such release. */
  uninstall(name: string, namespace: string, timeoutSeconds: number): Promise<"uninstalled" | "absent">;
}

export interface CreateHelmOptions {
  binary: string;
  kubeconfig?: string | undefined;
  kubeContext?: string | undefined;
  /** Where the private values directories are made (default: the OS temporary directory). */
  tmpDir?: string | undefined;
  /** Receives every argv ([binary, ...args]) before helm runs: tests assert no secret is in it. */
  onArgv?: ((argv: string[]) => void) | undefined;
}

/** helm's own commands (show, template, login) are quick; only upgrades wait for the cluster. */
const QUICK_TIMEOUT_MS = 120_000;
/** Time helm gets beyond its own --timeout to save the release before we stop it. */
const UPGRADE_GRACE_MS = 120_000;

const RESUME = "then run `btp-aws install` again to resume";

function chartArgs(source: Pick<ChartSource, "chart" | "repo"> & { version?: string | undefined }): string[] {
  return [source.chart, ...(source.repo ? ["--repo", source.repo] : []), ...(source.version ? ["--version", source.version] : [])];
}

function describeChart(release: HelmRelease): string {
  return release.version ? `${release.chart} ${release.version}` : release.chart;
}

function pendingRelease(name: string, namespace: string, status: string): BtpAwsError {
  return new BtpAwsError(`helm release ${name} in namespace ${namespace} is ${status}: an earlier helm operation on it is running or was interrupted`, {
    hint: `if no other helm or btp-aws is working on it, run \`helm rollback ${name} -n ${namespace}\` (or \`helm uninstall ${name} -n ${namespace}\` if it was never deployed), ${RESUME}`,
  });
}

/** What to do after a failed upgrade, from helm's words. */
export function upgradeHint(release: HelmRelease, stderr: string): string {
  if (/another operation \(install\/upgrade\/rollback\) is in progress/.test(stderr)) {
    return `another helm operation holds ${release.name}; wait for it, or roll it back with \`helm rollback ${release.name} -n ${release.namespace}\`, ${RESUME}`;
  }
  if (/timed out waiting for the condition|context deadline exceeded|resources not ready/i.test(stderr)) {
    return `the release's resources were not ready within ${release.timeoutSeconds} s: their events say why; fix the cause, ${RESUME}`;
  }
  if (/values don't meet the specifications of the schema/.test(stderr)) {
    return `the chart rejects these values: compare them (btp-aws values) with the chart's own for ${describeChart(release)}, ${RESUME}`;
  }
  return `fix the cause above, ${RESUME}`;
}

function checkRelease(release: HelmRelease): void {
  if (!Number.isInteger(release.timeoutSeconds) || release.timeoutSeconds <= 0) {
    throw new Error(`helm release ${release.name}: timeoutSeconds must be a positive integer, got ${release.timeoutSeconds}`);
  }
}

export function createHelm(options: CreateHelmOptions): Helm {
  const runner: HelmRunner = createHelmRunner(options);
  let major: Promise<number> | undefined;

  /** The major version, asked once per adapter; a failed attempt is retried next time. */
  function majorVersion(): Promise<number> {
    major ??= detectMajor(runner).catch((error: unknown) => {
      major = undefined;
      throw error;
    });
    return major;
  }

  async function listReleases(namespace: string | undefined, filter?: string): Promise<ListedRelease[]> {
    const all = (await majorVersion()) === 3 ? ["--all"] : [];
    const scope = namespace === undefined ? ["--all-namespaces"] : ["--namespace", namespace];
    const result = await runner.run(["list", ...scope, ...all, ...(filter ? ["--filter", filter] : []), "--output", "json"], { cluster: true });
    if (result.exitCode !== 0) {
      throw helmFailed(`helm list ${namespace === undefined ? "--all-namespaces" : `-n ${namespace}`}`, result, "check that the cluster is reachable (--kubeconfig / --context), then try again");
    }
    return parseListJson(result.stdout);
  }

  async function status(name: string, namespace: string): Promise<HelmReleaseStatus | undefined> {
    const result = await runner.run(["status", name, "--namespace", namespace, "--output", "json"], { cluster: true });
    if (result.exitCode !== 0) {
      if (/release: not found/.test(result.stderr)) return undefined;
      throw helmFailed(`helm status ${name} -n ${namespace}`, result, "check that the cluster is reachable (--kubeconfig / --context), then try again");
    }
    const current = parseStatusJson(result.stdout);
    // status -o json leaves the chart out (helm 3 and 4): its version comes from list.
    const listed = (await listReleases(namespace, exactNameFilter(name))).find((r) => r.name === name);
    const hash = hashFromDescription(current.description);
    return {
      status: current.status,
      chartVersion: listed === undefined ? "" : (splitChartLabel(listed.chart)?.version ?? ""),
      revision: current.revision,
      ...(hash === undefined ? {} : { valuesHash: hash }),
    };
  }

  /** The version `release` would install when none is pinned: the chart's own, from helm show chart. */
  async function wantedVersion(release: HelmRelease): Promise<string> {
    if (release.version) return release.version;
    const result = await runner.run(["show", "chart", ...chartArgs(release)], { timeoutMs: QUICK_TIMEOUT_MS });
    if (result.exitCode !== 0) throw helmFailed(`helm show chart ${release.chart}`, result, "check the chart reference, then try again");
    const chart = parse(result.stdout) as unknown;
    const version = (chart as { version?: unknown } | null)?.version;
    if (typeof version !== "string") throw new BtpAwsError(`helm show chart ${release.chart} printed no chart version`, { hint: "check the chart reference" });
    return version;
  }

  async function upgradeInstall(release: HelmRelease): Promise<UpgradeResult> {
    checkRelease(release);
    const hash = valuesHash(release.values);
    const current = await status(release.name, release.namespace);
    if (current !== undefined && isPending(current.status)) throw pendingRelease(release.name, release.namespace, current.status);
    if (current?.status === "deployed" && current.valuesHash === hash) {
      const wanted = await wantedVersion(release);
      if (sameChartVersion(current.chartVersion, wanted)) {
        return { action: "skipped", reason: `${release.name} ${wanted} already deployed with the same values`, revision: current.revision };
      }
    }
    const waitFlag = release.wait ? [(await majorVersion()) >= 4 ? "--wait=watcher" : "--wait"] : [];
    await withValuesFile(release.values, options.tmpDir, async (file) => {
      const args = [
        "upgrade", release.name, ...chartArgs(release), "--install",
        "--namespace", release.namespace,
        "--values", file,
        // Our values replace the last release's entirely; without this an empty values file
        // would make helm reuse the previous values while we recorded the hash of {}.
        "--reset-values",
        "--description", describeValues(hash),
        "--timeout", `${release.timeoutSeconds}s`,
        ...(release.createNamespace ? ["--create-namespace"] : []),
        ...waitFlag,
      ];
      const result: RunResult = await runner.run(args, { cluster: true, timeoutMs: release.timeoutSeconds * 1000 + UPGRADE_GRACE_MS });
      if (result.exitCode !== 0) {
        throw helmFailed(`helm upgrade --install ${release.name} (${describeChart(release)}) in namespace ${release.namespace}`, result, upgradeHint(release, result.stderr));
      }
    });
    const after = await status(release.name, release.namespace);
    if (after === undefined) {
      throw new BtpAwsError(`helm upgrade --install ${release.name} reported success, but helm status finds no release ${release.name} in namespace ${release.namespace}`, {
        hint: `check the cluster with \`helm list -n ${release.namespace}\`, ${RESUME}`,
      });
    }
    return { action: current === undefined ? "installed" : "upgraded", revision: after.revision };
  }

  return {
    status,
    upgradeInstall,
    async template(release) {
      checkRelease(release);
      return withValuesFile(release.values, options.tmpDir, async (file) => {
        const args = ["template", release.name, ...chartArgs(release), "--namespace", release.namespace, "--values", file];
        const result = await runner.run(args, { timeoutMs: QUICK_TIMEOUT_MS });
        if (result.exitCode !== 0) throw helmFailed(`helm template ${release.name} (${describeChart(release)})`, result, "fix the values or the chart reference, then try again");
        return result.stdout;
      });
    },
    async showValues(chart, version, repo) {
      const result = await runner.run(["show", "values", ...chartArgs({ chart, repo, version })], { timeoutMs: QUICK_TIMEOUT_MS });
      if (result.exitCode !== 0) {
        throw helmFailed(`helm show values ${chart}${version ? ` ${version}` : ""}`, result, "check the chart reference and version (and the registry login for oci:// charts), then try again");
      }
      const values = parse(result.stdout) as unknown;
      if (values === null || values === undefined) return {};
      if (typeof values !== "object" || Array.isArray(values)) throw new BtpAwsError(`helm show values ${chart} printed something other than a map of values`);
      return values as Record<string, unknown>;
    },
    registryLogin: (host, username, password) => registryLogin(runner, host, username, password),
    async list(namespace) {
      return (await listReleases(namespace)).map(({ name, namespace: ns, status: s, chart }) => ({ name, namespace: ns, status: s, chart }));
    },
    async uninstall(name, namespace, timeoutSeconds) {
      // --ignore-not-found needs helm 3.13; helm's own "not found" answer works from 3.8 on.
      const waitFlag = (await majorVersion()) >= 4 ? "--wait=watcher" : "--wait";
      const result = await runner.run(["uninstall", name, "--namespace", namespace, waitFlag, "--timeout", `${timeoutSeconds}s`], { cluster: true, timeoutMs: timeoutSeconds * 1000 + UPGRADE_GRACE_MS });
      if (result.exitCode === 0) return "uninstalled";
      if (/release: not found/.test(result.stderr)) return "absent";
      throw helmFailed(`helm uninstall ${name} -n ${namespace}`, result, "check that the cluster is reachable, then run `btp-aws destroy` again to resume");
    },
  };
}

/** helm's major version, through the recorded runner; refuses helm older than 3.8. */
async function detectMajor(runner: HelmRunner): Promise<number> {
  let result = await runner.run(["version", "--template", "{{.Version}}"], { timeoutMs: QUICK_TIMEOUT_MS });
  let version = result.exitCode === 0 ? parseHelmVersion(result.stdout) : undefined;
  if (version === undefined) {
    result = await runner.run(["version", "--short"], { timeoutMs: QUICK_TIMEOUT_MS });
    version = result.exitCode === 0 ? parseHelmVersion(result.stdout) : undefined;
  }
  if (version === undefined) throw helmFailed(`${runner.binary} version`, result, "pass --helm the path of a working helm 3.8+ binary");
  checkHelmVersion(version);
  return Number(/^v(\d+)/.exec(version)?.[1]);
}
