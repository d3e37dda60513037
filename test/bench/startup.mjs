// Start-up benchmark: median wall time of `btp-aws --help` against bare `node -e 0`.
// The AWS SDK, zod and listr2 must stay out of start-up; the target ratio is ≤ 2.5.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const bin = fileURLToPath(new URL("../../bin/btp-aws.js", import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args) {
  const samples = [];
  spawnSync(process.execPath, args, { stdio: "ignore" }); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

// Interleaving would be fairer on a noisy machine; alternating whole batches is simpler and the
// medians are robust enough for a ratio target.
const bare = time(["-e", "0"]);
const help = time([bin, "--help"]);
const ratio = help / bare;
console.log(`node ${process.version}, ${RUNS} runs each`);
console.log(`node -e 0          median ${bare.toFixed(1)} ms`);
console.log(`btp-aws --help     median ${help.toFixed(1)} ms`);
console.log(`startup ratio ${ratio.toFixed(2)} (target ≤ 2.50)`);
process.exitCode = ratio <= 2.5 ? 0 : 1;
