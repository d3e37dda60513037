import type { Prompter } from "../../../src/cli/wizard.js";

/** Answers prompts from a script keyed by the start of the question, recording what was asked. */
export function scriptedPrompter(answers: Record<string, string | boolean>): Prompter & { asked: string[]; rejected: Record<string, string> } {
  const asked: string[] = [];
  const rejected: Record<string, string> = {};
  const answerFor = (message: string) => {
    const key = Object.keys(answers).find((k) => message.startsWith(k));
    if (key === undefined) throw new Error(`unexpected prompt: ${message}`);
    asked.push(key);
    return answers[key]!;
  };
  return {
    asked,
    rejected,
    input: (q) => {
      const answer = String(answerFor(q.message));
      // Real prompts re-ask on a validation failure; recording it lets tests assert the message.
      const verdict = q.validate(answer);
      if (verdict !== true) rejected[q.message.split(" ")[0]!] = verdict;
      return Promise.resolve(answer);
    },
    select: (q) => Promise.resolve(String(answerFor(q.message))),
    confirm: (q) => Promise.resolve(answerFor(q.message) === true),
    password: (q) => Promise.resolve(String(answerFor(q.message))),
  };
}
