import { build, stop } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * The worker's code as one CommonJS script, bundled from TypeScript once per process. A worker started from it
 * needs no TypeScript loader of its own, which saves each worker a loader thread, tens of MB and ~0.3 s of start-up.
 * Bundled asynchronously (esbuild works in its own process), so the ~50 ms it takes overlaps the build's listing
 * instead of blocking the thread that sends the listing requests.
 */
let bundle: Promise<string> | undefined;

export function workerScript(): Promise<string> {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('./parseWorker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'error',
  }).then(
    async (result) => {
      // One bundle per process: esbuild's service process is not needed after it.
      await stop();
      return result.outputFiles[0]!.text;
    },
    (error: unknown) => {
      bundle = undefined;
      throw error;
    },
  );
  return bundle;
}
