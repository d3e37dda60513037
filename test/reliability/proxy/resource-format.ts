/**
 * How a provisioning resource is found in an answer, and how its status is rewritten: in JSON
 * (EKS, ACM) by object paths and identity fields, in XML (RDS, ElastiCache, EC2) by element name
 * and identity children. Only the matching resource's own status changes; everything else in the
 * answer is left as moto wrote it.
 */
import { applyEdits, child, childText, escapeXmlText, findElements, parseXml, type Edit } from "./xml.js";

/** A resource's identity: the values of its identity fields ({ name: "btp-eks" }). */
export type ResourceKey = Readonly<Record<string, string>>;

export interface ResourceFormat {
  /** The created resource's identity, read from the create call's answer. */
  identify(body: string): ResourceKey | undefined;
  /** `body` with that resource's status set to `status`; undefined when the answer does not show it. */
  rewrite(body: string, key: ResourceKey, status: string): string | undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Objects at a path: "" is the root, "a.b" nests, "a[]" is each element of array a. */
export function objectsAt(root: unknown, path: string): Json[] {
  let current: unknown[] = [root];
  for (const part of path === "" ? [] : path.split(".")) {
    const many = part.endsWith("[]");
    const name = many ? part.slice(0, -2) : part;
    current = current.flatMap((value) => {
      const next = isObject(value) ? value[name] : undefined;
      return many ? (Array.isArray(next) ? (next as unknown[]) : []) : [next];
    });
  }
  return current.filter(isObject);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const keyOf = (fields: readonly string[], read: (field: string) => string | undefined): ResourceKey | undefined => {
  const entries = fields.map((f) => [f, read(f)] as const);
  return entries.every(([, v]) => v !== undefined) ? Object.fromEntries(entries) as ResourceKey : undefined;
};

export function jsonResource(spec: { at: readonly string[]; id: readonly string[]; status: string }): ResourceFormat {
  const read = (object: Json) => (field: string) => (typeof object[field] === "string" ? object[field] : undefined);
  return {
    identify(body) {
      const json = parseJson(body);
      for (const object of spec.at.flatMap((path) => objectsAt(json, path))) {
        const key = keyOf(spec.id, read(object));
        if (key) return key;
      }
      return undefined;
    },
    rewrite(body, key, status) {
      const json = parseJson(body);
      let changed = false;
      for (const object of spec.at.flatMap((path) => objectsAt(json, path))) {
        if (spec.status in object && spec.id.every((f) => object[f] === key[f])) {
          object[spec.status] = status;
          changed = true;
        }
      }
      return changed ? JSON.stringify(json) : undefined;
    },
  };
}

export function xmlResource(spec: { in: readonly string[]; id: readonly string[]; status: string }): ResourceFormat {
  const names = new Set(spec.in);
  const elements = (body: string) => {
    try {
      return findElements(parseXml(body), names);
    } catch {
      return [];
    }
  };
  return {
    identify(body) {
      for (const element of elements(body)) {
        const key = keyOf(spec.id, (field) => childText(body, element, field));
        if (key) return key;
      }
      return undefined;
    },
    rewrite(body, key, status) {
      const edits: Edit[] = [];
      for (const element of elements(body)) {
        const target = child(element, spec.status);
        if (target && !target.selfClosing && spec.id.every((f) => childText(body, element, f) === key[f])) edits.push({ start: target.contentStart, end: target.contentEnd, text: escapeXmlText(status) });
      }
      return edits.length > 0 ? applyEdits(body, edits) : undefined;
    },
  };
}
