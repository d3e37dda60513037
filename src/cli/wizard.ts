/**
 * The interactive wizard: asks only for what is still missing, validating each answer against
 * the same zod schema the config file goes through. Runs before any task list draws.
 */
import type { Wizard } from "../config/resolve.js";
import { coerceText } from "../config/coerce.js";
import { configFields, fieldType, type Field } from "../config/json-schema.js";
import { parseConfig } from "../config/parse.js";
import { deepMerge, getAt, setAt } from "../config/paths.js";

/** The prompt calls the wizard needs; @inquirer/prompts in real use, a script in tests. */
export interface Prompter {
  input(question: { message: string; default?: string; validate: (value: string) => string | true }): Promise<string>;
  select(question: { message: string; choices: { name: string; value: string }[]; default?: string }): Promise<string>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
  password(question: { message: string; validate: (value: string) => string | true }): Promise<string>;
}

export async function inquirerPrompter(): Promise<Prompter> {
  const prompts = await import("@inquirer/prompts");
  const output = { output: process.stderr }; // prompts are progress, not data: keep stdout clean
  return {
    input: (q) => prompts.input(q, output),
    select: (q) => prompts.select(q, output),
    confirm: (q) => prompts.confirm(q, output),
    password: (q) => prompts.password({ ...q, mask: "*" }, output),
  };
}

export class PromptWizard implements Wizard {
  readonly #prompter: Prompter;
  readonly #askAlso: readonly string[];
  #askedAlso = false;

  /** `askAlso`: fields worth confirming even though they have defaults (config init asks the environment). */
  constructor(prompter: Prompter, options: { askAlso?: readonly string[] } = {}) {
    this.#prompter = prompter;
    this.#askAlso = options.askAlso ?? [];
  }

  async fill(missing: readonly string[], current: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    let answers: Record<string, unknown> = {};
    const extra = this.#askedAlso ? [] : this.#askAlso.filter((path) => getAt(current, path.split(".")) === undefined);
    this.#askedAlso = true;
    for (const field of configFields()) {
      const key = field.path.join(".");
      const wanted = extra.includes(key) || (field.required && missing.some((m) => key === m || key.startsWith(`${m}.`)));
      if (!wanted || getAt(current, field.path) !== undefined) continue;
      const merged = deepMerge(current, answers);
      if (field.when && !field.when.in.includes(getAt(merged, field.when.path.split(".")))) continue;
      answers = setAt(answers, [...field.path], await this.#ask(field, merged));
    }
    return answers;
  }

  password(message: string): Promise<string> {
    return this.#prompter.password({ message, validate: (v) => (v.trim() === "" ? "is required" : true) });
  }

  async #ask(field: Field, current: Record<string, unknown>): Promise<unknown> {
    const key = field.path.join(".");
    const example = field.schema.examples?.[0] as string | number | undefined;
    const message = `${key}${field.schema.description ? ` — ${field.schema.description}` : ""}${example !== undefined ? ` (e.g. ${String(example)})` : ""}`;
    const fallback = field.schema.default as string | number | boolean | string[] | undefined;
    switch (fieldType(field.schema)) {
      case "enum": {
        const choices = (field.schema.enum ?? []).map((v) => ({ name: String(v), value: String(v) }));
        return this.#prompter.select({ message, choices, ...(fallback !== undefined ? { default: String(fallback) } : {}) });
      }
      case "boolean":
        return this.#prompter.confirm({ message, ...(typeof fallback === "boolean" ? { default: fallback } : {}) });
      default: {
        const text = await this.#prompter.input({
          message,
          ...(fallback !== undefined ? { default: Array.isArray(fallback) ? fallback.join(",") : String(fallback) } : {}),
          validate: (value) => validateAnswer(field, value, current),
        });
        const coerced = coerceText(text, field);
        return coerced.ok ? coerced.value : text;
      }
    }
  }
}

/** Checks one answer with the whole schema, keeping only the problems at that field's path. */
export function validateAnswer(field: Field, text: string, current: Record<string, unknown>): string | true {
  const coerced = coerceText(text, field);
  if (!coerced.ok) return coerced.message;
  const key = field.path.join(".");
  const result = parseConfig(setAt(current, [...field.path], coerced.value));
  if (result.ok) return true;
  const mine = result.errors.find((e) => e.startsWith(`${key}: `));
  return mine ? mine.slice(key.length + 2) : true;
}
