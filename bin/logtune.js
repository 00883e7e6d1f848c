#!/usr/bin/env node
// The CLI, built into dist/ by `npm run build` (which `npm ci` runs through `prepare`). Source maps on, as
// `npm start`'s --enable-source-maps, so a stack trace names src/….ts lines.
process.setSourceMapsEnabled(true);

let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  process.stderr.write('logtune: the CLI is not built (no dist/cli.js): run `npm run build` (npm ci does it too)\n');
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
