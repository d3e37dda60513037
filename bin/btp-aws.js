#!/usr/bin/env node
// Kept tiny on purpose: start-up time is a feature (see `npm run bench:startup`).
import module from "node:module";

// Node ≥ 22.1 caches compiled bytecode on disk; later runs skip parsing commander and our code.
module.enableCompileCache?.();
const { main } = await import("../dist/main.js");
process.exitCode = await main(process.argv);
