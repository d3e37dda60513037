/** JSON Schema derived from the zod schema: for editors (`btp-aws config schema`) and for walking fields. */
import { z } from "zod";
import { ConfigSchema } from "./schema.js";
import { formatPath } from "./paths.js";

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  [key: string]: unknown;
}

let cached: JsonSchema | undefined;

export function configJsonSchema(): JsonSchema {
  cached ??= {
    ...(z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema),
    $id: "https://github.com/settlemint/btp-aws/config.schema.json",
    title: "btp-aws installation config",
  };
  return cached;
}

/** A leaf field of the config: what env vars, --set and the wizard address. */
export interface Field {
  readonly path: readonly string[];
  readonly schema: JsonSchema;
  /** Required whenever its section is present (no default). */
  readonly required: boolean;
  /** Only for some members of a discriminated union (auth.tenantId: provider microsoftEntraId). */
  readonly when?: { readonly path: string; readonly in: readonly unknown[] };
}

function branches(schema: JsonSchema): JsonSchema[] {
  return schema.oneOf ?? schema.anyOf ?? [];
}

/** Every leaf field, in schema order; a union contributes its discriminator as an enum field. */
export function configFields(schema: JsonSchema = configJsonSchema()): Field[] {
  const fields = new Map<string, { path: string[]; schema: JsonSchema; required: boolean; when?: { path: string; in: unknown[] } }>();
  const walk = (node: JsonSchema, path: string[], required: boolean, when?: { path: string; value: unknown }): void => {
    if (node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key], required && (node.required ?? []).includes(key), when);
      return;
    }
    const members = branches(node).filter((b) => b.properties);
    const discriminator = members[0] && Object.entries(members[0].properties!).find(([, p]) => p.const !== undefined)?.[0];
    if (discriminator) {
      const values = members.map((m) => m.properties![discriminator]!.const);
      walk({ type: "string", enum: values, description: node.description }, [...path, discriminator], required);
      for (const member of members) {
        const { [discriminator]: _, ...rest } = member.properties!;
        walk({ ...member, properties: rest }, path, required, { path: formatPath([...path, discriminator]), value: member.properties![discriminator]!.const });
      }
      return;
    }
    const key = path.join(".");
    const existing = fields.get(key);
    if (existing) {
      if (existing.when && when) existing.when.in.push(when.value);
      return;
    }
    fields.set(key, { path, schema: node, required, ...(when ? { when: { path: when.path, in: [when.value] } } : {}) });
  };
  walk(schema, [], true);
  return [...fields.values()];
}

/** The property names allowed at a path, for "did you mean" (union branches merged). */
export function keysAt(path: readonly (string | number)[], schema: JsonSchema = configJsonSchema()): string[] {
  let nodes: JsonSchema[] = [schema];
  for (const key of path) {
    nodes = nodes.flatMap((n) => [n, ...branches(n)]).flatMap((n) => {
      const child = n.properties?.[String(key)] ?? (typeof n.additionalProperties === "object" ? n.additionalProperties : undefined);
      return child ? [child] : [];
    });
  }
  const keys = nodes.flatMap((n) => [n, ...branches(n)]).flatMap((n) => Object.keys(n.properties ?? {}));
  return [...new Set(keys)];
}

export function fieldType(schema: JsonSchema): "string" | "number" | "boolean" | "array" | "record" | "enum" {
  if (schema.enum) return "enum";
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "integer" || type === "number") return "number";
  if (type === "boolean") return "boolean";
  if (type === "array") return "array";
  if (type === "object") return "record";
  return "string";
}
