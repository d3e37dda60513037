/** Writes a config as YAML with each key's description from the schema as a comment above it. */
import { Document, isMap, isScalar, type YAMLMap } from "yaml";
import { configJsonSchema, type JsonSchema } from "./json-schema.js";

function childSchema(node: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!node) return undefined;
  const candidates = [node, ...(node.oneOf ?? node.anyOf ?? [])];
  for (const candidate of candidates) {
    const child = candidate.properties?.[key];
    if (child) return child;
  }
  return undefined;
}

function annotate(map: YAMLMap, schema: JsonSchema | undefined): void {
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const child = childSchema(schema, String(pair.key.value));
    if (child?.description) pair.key.commentBefore = ` ${child.description}`;
    if (isMap(pair.value)) annotate(pair.value, child);
  }
}

export function renderConfigYaml(input: Record<string, unknown>, header: readonly string[]): string {
  const document = new Document(input);
  if (isMap(document.contents)) annotate(document.contents, configJsonSchema());
  document.commentBefore = header.map((line) => ` ${line}`).join("\n");
  return document.toString({ lineWidth: 0 });
}
