// Run by test/launch/launch.test.ts through bin/launch.js: reports what a launched script sees.
const typed: readonly string[] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify({ args: typed, url: import.meta.url, loaders: process.execArgv })}\n`);
if (typed[0] === 'exit') process.exit(3);
