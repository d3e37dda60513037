#!/usr/bin/env node
// Kept tiny on purpose: start-up time is a feature (see `npm run bench:startup`).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
