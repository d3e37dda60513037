/**
 * helm version parsing and the minimum-version rule. Pure: no process is run here.
 * A three-number compare is all we need, so no semver dependency.
 */
import { helmTooOld } from "./errors.js";

/** OCI chart references (`oci://…`), which the BTP chart uses, arrived in helm 3.8.0. */
export const MINIMUM_HELM_VERSION = "3.8.0";

/**
 * The version in helm's output, with its "v": "v3.17.3" from "v3.17.3", "v3.17.3+ge4da497"
 * (`--short`) or `version.BuildInfo{Version:"v4.1.4", …}`. Undefined when there is none.
 */
export function parseHelmVersion(output: string): string | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?/.exec(output);
  if (match === null) return undefined;
  return `v${match[1]}.${match[2]}.${match[3]}${match[4] ?? ""}`;
}

function numbers(version: string): [number, number, number] {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  if (match === null) throw new Error(`not a version: ${version}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/**
 * Negative, zero or positive as `a` is older than, equal to or newer than `b`. Pre-release tags
 * rank below their release (3.8.0-rc.1 < 3.8.0), as semver says; they are not compared further.
 */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  const pre = (v: string) => /^v?\d+\.\d+\.\d+-/.test(v.trim());
  return Number(pre(b)) - Number(pre(a));
}

/** "3.8.0" → "3.8": how people say it. */
function shortVersion(version: string): string {
  return version.replace(/^v/, "").replace(/\.0$/, "");
}

/** Throws when `version` is older than `minimum`; returns it otherwise. */
export function checkHelmVersion(version: string, minimum: string = MINIMUM_HELM_VERSION): string {
  if (compareVersions(version, minimum) < 0) {
    const shown = version.startsWith("v") ? version : `v${version}`;
    throw helmTooOld(shown, shortVersion(minimum));
  }
  return version;
}
