/**
 * Keys we set that the chart's own values.yaml does not have: a likely typo, or a key a chart
 * version renamed (`state.s3ConnectionUrl` became `state.connectionUrl`), which helm would
 * silently ignore. Only a warning: charts may read keys they give no default for.
 */
import { isMap, type Values } from "./overrides.js";

/** `a.b`, with keys that hold dots or odd characters quoted: `ingress.annotations["alb.ingress.kubernetes.io/scheme"]`. */
function join(path: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (path === "" || part.startsWith("[")) return `${path}${part}`;
  return `${path}.${part}`;
}

/**
 * Dotted paths of `ours` absent from `chartDefaults`. We descend only where both sides are maps;
 * a chart default of `{}` or null is an open map (annotations, provider blocks) and accepts any
 * key below it. Lists are settings as a whole: their items are not compared.
 */
export function unknownKeys(ours: Values, chartDefaults: Values, path = ""): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(ours)) {
    const here = join(path, key);
    if (!Object.hasOwn(chartDefaults, key)) {
      unknown.push(here);
      continue;
    }
    const theirs = chartDefaults[key];
    if (theirs === null || theirs === undefined) continue;
    if (isMap(value) && isMap(theirs) && Object.keys(theirs).length > 0) unknown.push(...unknownKeys(value, theirs, here));
  }
  return unknown;
}
