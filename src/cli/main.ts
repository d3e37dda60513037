/**
 * The commander program. Commands only wire flags to functions; each command's module is
 * imported when it runs, so `btp-aws --help` loads commander and nothing else.
 */
import { Command, CommanderError, Option } from "commander";
import { ExitCode } from "../errors.js";
import { CONFIG_FLAGS } from "../config/flag-names.js";
import { createUi, reportError } from "./output.js";

import { VERSION } from "./version.js";

export interface GlobalFlags {
  config?: string;
  stateDir?: string;
  verbose?: boolean;
  yes?: boolean;
  set?: string[];
  output?: "text" | "json";
  [flag: string]: unknown;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function configOptions(command: Command): Command {
  command
    .option("-c, --config <file>", "installation config (YAML); default ./btp-aws.yaml when present")
    .option("--set <path=value>", "set any config field, e.g. --set database.instanceClass=db.r6g.large (repeatable)", collect);
  for (const spec of Object.values(CONFIG_FLAGS)) command.option(spec.flag, spec.help);
  return command;
}

function stateOptions(command: Command): Command {
  return command.option("--state-dir <dir>", "where state, locks and logs live (default ./.btp-aws)");
}

const outputOption = () => new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text");

/** Runs a lazily imported command; its resolved value is the exit code. */
function action(load: () => Promise<(flags: GlobalFlags, args: string[]) => Promise<number>>) {
  return async (...received: unknown[]) => {
    const command = received.at(-1) as Command;
    const args = received.slice(0, -2).map(String);
    const run = await load();
    process.exitCode = await run(command.optsWithGlobals<GlobalFlags>(), args);
  };
}

export function buildProgram(): Command {
  const program = new Command("btp-aws")
    .description("Install SettleMint's Blockchain Transformation Platform on AWS: resumable, idempotent, one command.")
    .version(VERSION, "-V, --version")
    .option("-v, --verbose", "plain line-by-line progress, AWS call totals and stack traces")
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .exitOverride();

  const phaseHelp = "phases: prepare, infra, addons, vault, cert-manager, btp, verify";
  const install = configOptions(stateOptions(program.command("install")))
    .description("install or resume the platform: prepare → infra → addons → vault → cert-manager → btp → verify")
    .option("--dry-run", "print the plan and change nothing (same as `btp-aws plan`)")
    .option("-y, --yes", "do not ask: no prompts, proceed when the config changed")
    .option("--only <phases>", `run only these phases, comma-separated (${phaseHelp})`)
    .option("--from <phase>", "run from this phase on")
    .option("--concurrency <n>", "steps run at the same time (most of a step is waiting on AWS)", "8")
    .option("--helm <path>", "helm binary to use (default: helm on PATH)")
    .option("--kubeconfig <file>", "use this kubeconfig for the cluster phases instead of connecting to the EKS cluster infra built")
    .option("--context <name>", "kubeconfig context to use (default: its current context)")
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/install.js")).installCommand));
  install.exitOverride();

  configOptions(stateOptions(program.command("plan")))
    .description("print what install would do, step by step, and its estimated monthly cost; works offline, without credentials")
    .option("--only <phases>", `plan only these phases (${phaseHelp})`)
    .option("--from <phase>", "plan from this phase on")
    .addOption(new Option("--prices <source>", "cost estimate prices: the AWS Price List API when credentials resolve quickly, else the shipped table (auto); only the table (table, no network); the API or fail (api)").choices(["auto", "table", "api"]).default("auto"))
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/install.js")).planCommand));

  stateOptions(program.command("status"))
    .description("show phases and steps from the state file, with times and key outputs")
    .option("-c, --config <file>", "config file naming the platform (default ./btp-aws.yaml when present)")
    .option("--platform <name>", "platform whose state to show")
    .option("--region <region>", "AWS region, when there is no state and no config: shows the live part only")
    .option("--profile <profile>", "AWS profile for the live part")
    .option("--offline", "show the state file only; no AWS calls")
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/status.js")).statusCommand));

  configOptions(stateOptions(program.command("values <release>")))
    .description("print the values a release would be installed with (aws-load-balancer-controller, vault, cert-manager, btp); secrets shown as placeholders")
    .option("-o, --output <format>", "yaml or json", "yaml")
    .action(action(async () => (await import("./commands/values.js")).valuesCommand));

  stateOptions(program.command("kubeconfig"))
    .description("print a kubeconfig for the platform's EKS cluster, write it (--out) or merge it into yours (--merge); it holds no token")
    .option("-c, --config <file>", "config file naming the platform (default ./btp-aws.yaml when present)")
    .option("--platform <name>", "platform whose cluster to use")
    .option("--region <region>", "AWS region, when there is no state and no config")
    .option("--profile <profile>", "AWS profile to sign Kubernetes tokens with")
    .option("--merge", "merge into KUBECONFIG's first file or ~/.kube/config (or --out) as context btp-<platform>, made current")
    .option("--out <file>", "write to this file (mode 0600) instead of stdout")
    .action(action(async () => (await import("./commands/kubeconfig.js")).kubeconfigCommand));

  // The exec credential plugin of the kubeconfigs btp-aws writes: like `aws eks get-token`, it
  // prints a short-lived token on stdout by contract. Hidden: users never call it themselves.
  program.command("eks-token", { hidden: true })
    .description("print an EKS bearer token as an ExecCredential")
    .requiredOption("--cluster <name>", "EKS cluster name")
    .requiredOption("--region <region>", "the cluster's region")
    .option("--profile <profile>", "AWS profile")
    .action(action(async () => (await import("./commands/eks-token.js")).eksTokenCommand));

  stateOptions(program.command("doctor"))
    .description("check the platform's health, configuration and security posture; read-only (exit 1 when a check fails)")
    .option("-c, --config <file>", "config file naming the platform (default ./btp-aws.yaml when present)")
    .option("--platform <name>", "platform to check; with --region, works without a state file")
    .option("--region <region>", "AWS region, when there is no state and no config")
    .option("--profile <profile>", "AWS profile")
    .option("--strict", "exit 1 on warnings too")
    .option("--timeout <seconds>", "time each check may take", "30")
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/doctor.js")).doctorCommand));

  stateOptions(program.command("destroy"))
    .description("delete everything install created, in dependency order, then sweep for leaks (asks for the platform name, or --yes)")
    .option("-c, --config <file>", "config file naming the platform (default ./btp-aws.yaml when present)")
    .option("--platform <name>", "platform to destroy; with --region, works without a state file (resources are found by name and tag)")
    .option("--region <region>", "AWS region, when there is no state and no config")
    .option("--profile <profile>", "AWS profile")
    .option("--dry-run", "list what is live and would be deleted or kept; change nothing")
    .option("-y, --yes", "do not ask for the platform name")
    .option("--delete-data", "also empty and delete the S3 bucket, every object version included (kept otherwise)")
    .option("--skip-final-snapshot", "delete the database without a final snapshot")
    .option("--helm <path>", "helm binary to uninstall the releases with (default: helm on PATH)")
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/destroy.js")).destroyCommand));

  stateOptions(program.command("dr-snapshot"))
    .description("take a disaster-recovery snapshot set into the DR region: database, bucket objects, Kubernetes objects, Vault, with a manifest")
    .option("-c, --config <file>", "config file naming the platform (default ./btp-aws.yaml when present)")
    .option("--platform <name>", "platform to snapshot; with --region and --dr-region, works without a state file")
    .option("--region <region>", "AWS region, when there is no state and no config")
    .option("--dr-region <region>", "disaster-recovery region (default: the config's aws.drRegion)")
    .option("--profile <profile>", "AWS profile")
    .option("--id <id>", "resume the set with this id instead of starting a new one")
    .option("--keep <n>", "keep the n newest complete sets and prune the older ones (snapshot copies and bucket prefixes)")
    .option("--include-secrets", "also export Kubernetes Secrets, envelope-encrypted with the DR key")
    .option("--dry-run", "list what would be captured and pruned; change nothing")
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/dr-snapshot.js")).drSnapshotCommand));

  const config = program.command("config").description("write, check and describe the installation config");
  configOptions(config.command("init"))
    .description("ask for the settings and write a commented YAML config (never secrets)")
    .option("--out <file>", "where to write it", "btp-aws.yaml")
    .option("--force", "overwrite an existing file")
    .option("-y, --yes", "do not prompt; fail listing what is missing")
    .action(action(async () => (await import("./commands/config.js")).configInitCommand));
  config.command("validate <file>")
    .description("check a config file; exit 2 listing every problem")
    .addOption(outputOption())
    .action(action(async () => (await import("./commands/config.js")).configValidateCommand));
  config.command("schema")
    .description("print the config's JSON Schema (for editor completion of the YAML)")
    .option("--out <file>", "write it to a file instead of stdout")
    .action(action(async () => (await import("./commands/config.js")).configSchemaCommand));

  // Every subcommand reports usage errors the same way: exit 2 rather than commander's 1.
  for (const command of [program, ...program.commands, ...config.commands]) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; commander has already printed the message.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
      return ExitCode.usage;
    }
    const verbose = argv.includes("--verbose") || argv.includes("-v");
    return reportError(error, createUi({ env: process.env }), verbose);
  }
}
