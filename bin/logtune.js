#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size: see "Memory" in the README (the main thread's young generation, capped at 2 MB).
// The CLI is TypeScript, bundled at start by bin/launch.js: no build step between `npm ci` and use.
import { importSource } from './launch.js';

const { main } = await importSource('src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
