/** Local checks: what this machine and these credentials need before anything else can work. */
import { helmNotFound } from "../../helm/errors.js";
import { checkHelmVersion } from "../../helm/version.js";
import { fail, ok, warn, type Check, type CheckOutcome, type DoctorContext } from "./types.js";

function configOutcome({ local, config, platform }: DoctorContext): CheckOutcome {
  if (local.configProblems) {
    const [first, ...rest] = local.configProblems;
    const where = local.configPath ?? "the config";
    return fail(`${where} is invalid: ${first ?? "unreadable"}${rest.length > 0 ? ` (and ${rest.length} more)` : ""}`, `run \`btp-aws config validate ${local.configPath ?? "<file>"}\` to list every problem, fix them, then run doctor again`);
  }
  if (local.configSource === "file" || local.configSource === "flags") {
    const summary = `${local.configPath ?? "config from flags and environment"}: valid (platform ${platform}, ${config?.environment ?? "?"})`;
    if (local.configWarnings.length > 0) return warn(`${summary}, with warnings: ${local.configWarnings.join("; ")}`, "review the warnings; they do not stop an install");
    return ok(summary);
  }
  if (local.configSource === "state") return ok("no config file: using the config the last install recorded in the state");
  return warn("no config file and none recorded in a state file: the domain, sizes and budget are unknown, so checks that need them are limited", "pass --config <file> (or --state-dir where the platform's state lives)");
}

function stateOutcome({ local, state, platform }: DoctorContext): CheckOutcome {
  if (local.stateProblem) return fail(local.stateProblem.message, local.stateProblem.hint ?? "move the file aside; resources are still found by name and tag");
  if (!state) {
    return warn(`no state for platform ${platform} in ${local.stateDir}: resources are found by name and the btp-aws:platform tag`, "pass --state-dir where the platform's state lives, if it exists");
  }
  const records = Object.entries(state.steps);
  const unfinished = records.filter(([, r]) => r.status !== "done").map(([id, r]) => `${id} (${r.status})`);
  const done = records.length - unfinished.length;
  if (unfinished.length > 0) return warn(`${done} steps done; not finished: ${unfinished.join(", ")}`, "run `btp-aws install` to resume where it stopped");
  return ok(`${done} steps done, updated ${state.updatedAt}`);
}

const configValid: Check = { id: "local/config", title: "Config valid", area: "local", run: (ctx) => Promise.resolve(configOutcome(ctx)) };

const stateReadable: Check = { id: "local/state", title: "State readable", area: "local", run: (ctx) => Promise.resolve(stateOutcome(ctx)) };

const helmPresent: Check = {
  id: "local/helm",
  title: "helm present",
  area: "local",
  async run({ local }) {
    const binary = await local.helm.find();
    if (binary === undefined) {
      const missing = helmNotFound();
      return fail(missing.message, missing.hint ?? "install helm 3.8 or newer");
    }
    const version = checkHelmVersion(await local.helm.version(binary));
    return ok(`helm ${version} at ${binary}`);
  },
};

const credentials: Check = {
  id: "local/credentials",
  title: "AWS credentials",
  area: "local",
  async run({ facts, config, outputs }) {
    const identity = await facts.identity();
    const recordedAccount = outputs["prepare/credentials"]?.account;
    const expected = config?.aws.accountId ?? (typeof recordedAccount === "string" ? recordedAccount : undefined);
    if (expected !== undefined && expected !== identity.account) {
      return fail(`the credentials belong to account ${identity.account} (${identity.arn}), the platform to ${expected}`, "choose the platform's account: --profile <name> or AWS_PROFILE, then run doctor again");
    }
    return ok(`account ${identity.account} as ${identity.arn}${expected === undefined ? " (no expected account recorded)" : ""}`);
  },
};

export const localChecks: readonly Check[] = [configValid, stateReadable, helmPresent, credentials];
