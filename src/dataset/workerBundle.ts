import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The file a parse worker starts from. Built (dist/), that is parseWorker.js, bundled at build time beside the
 * chunk holding this code (scripts/build.js keeps dist/ flat).
 *
 * From the sources (vitest, tsx), there is no JavaScript file to start: the worker's TypeScript is bundled once per
 * process into a temporary file, removed at exit (~20 ms, measured). Starting the worker from its .ts file with
 * tsx's loader instead (`execArgv: ['--import', 'tsx']`) fails on Node 20 (ERR_UNKNOWN_FILE_EXTENSION: the loader
 * is not in place for the worker's own entry), and would give every worker a loader of its own where it works.
 * esbuild is a dev dependency: the import below never runs from dist/.
 */
let sourceBundle: Promise<URL> | undefined;

export function parseWorkerFile(): Promise<URL> {
  if (!import.meta.url.endsWith('.ts')) return Promise.resolve(new URL('./parseWorker.js', import.meta.url));
  sourceBundle ??= bundleSources().catch((error: unknown) => {
    sourceBundle = undefined;
    throw error;
  });
  return sourceBundle;
}

async function bundleSources(): Promise<URL> {
  const { build, stop } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./parseWorker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'error',
  });
  // One bundle per process: esbuild's service process is not needed after it.
  await stop();
  const folder = mkdtempSync(join(tmpdir(), 'logtune-parse-worker-'));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  // .cjs: self-contained (packages bundled in), so it runs from outside the repository's module tree.
  const file = join(folder, 'parseWorker.cjs');
  writeFileSync(file, result.outputFiles[0]!.contents);
  return pathToFileURL(file);
}
