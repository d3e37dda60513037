/** Turns text from an environment variable or `--set` into the type the schema field expects. */
import { fieldType, type Field } from "./json-schema.js";

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

export function coerceText(text: string, field: Field): Coerced {
  switch (fieldType(field.schema)) {
    case "number": {
      const value = Number(text);
      return text.trim() !== "" && Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `must be a number, got "${text}"` };
    }
    case "boolean": {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return { ok: false, message: `must be true or false, got "${text}"` };
    }
    case "array":
      return { ok: true, value: text.split(",").map((s) => s.trim()).filter((s) => s !== "") };
    case "record": {
      // key=value,key2=value2 — the only map in the config is `tags`.
      const entries: [string, string][] = [];
      for (const pair of text.split(",").filter((s) => s.trim() !== "")) {
        const at = pair.indexOf("=");
        if (at <= 0) return { ok: false, message: `must be key=value pairs separated by commas, got "${pair}"` };
        entries.push([pair.slice(0, at).trim(), pair.slice(at + 1).trim()]);
      }
      return { ok: true, value: Object.fromEntries(entries) };
    }
    default:
      return { ok: true, value: text };
  }
}
