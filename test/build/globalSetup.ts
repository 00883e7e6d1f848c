import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * dist/ built once before any test file runs, by the same command as `npm run build`, so the tests that start the
 * product the way it ships (npm start, bin/logtune.js, parse workers from dist/) never run a stale build.
 */
export default function buildDist(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build.js')], {
    stdio: 'inherit',
    timeout: 60_000,
  });
}
