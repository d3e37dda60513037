/**
 * How another program (helm, kubectl) runs btp-aws itself: the running Node binary and this
 * package's bin script, by absolute path, so the exec credential plugin in a kubeconfig works
 * whatever PATH the child process sees.
 */
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../package-root.js";

export interface ExecCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export function selfExecCommand(): ExecCommand {
  return { command: process.execPath, args: [fileURLToPath(new URL("bin/btp-aws.js", PACKAGE_ROOT))] };
}
