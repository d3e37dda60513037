/** Reading another step's outputs, with an error that names what is missing. */
import { BtpAwsError } from "../errors.js";
import type { OutputValue, StepOutputs } from "./types.js";

export function output(outputs: Readonly<Record<string, StepOutputs>>, step: string, key: string): OutputValue {
  const value = outputs[step]?.[key];
  if (value === undefined) {
    throw new BtpAwsError(`output ${key} of step ${step} is missing from the state`, { hint: `run \`btp-aws install\` without --only so ${step} runs first` });
  }
  return value;
}

export function stringOutput(outputs: Readonly<Record<string, StepOutputs>>, step: string, key: string): string {
  const value = output(outputs, step, key);
  if (typeof value !== "string") throw new BtpAwsError(`output ${key} of step ${step} is not a string in the state`);
  return value;
}

export function listOutput(outputs: Readonly<Record<string, StepOutputs>>, step: string, key: string): readonly string[] {
  const value = output(outputs, step, key);
  if (!Array.isArray(value)) throw new BtpAwsError(`output ${key} of step ${step} is not a list in the state`);
  return value as readonly string[];
}
