/**
 * How another program (helm, kubectl) runs btp-aws itself: the running Node binary and this
 * package's bin script, by absolute path, so the exec credential plugin in a kubeconfig works
 * whatever PATH the child process sees.
 */
import { fileURLToPath } from "node:url";

export interface ExecCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export function selfExecCommand(): ExecCommand {
  // src/k8s/ and dist/k8s/ both sit two levels below the package root, next to bin/.
  return { command: process.execPath, args: [fileURLToPath(new URL("../../bin/btp-aws.js", import.meta.url))] };
}
