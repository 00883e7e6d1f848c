import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The file a parse worker starts from. Built (dist/), that is parseWorker.js, bundled at build time beside the
 * chunk holding this code (scripts/build.js keeps dist/ flat).
 *
 * From the sources (vitest, tsx), there is no JavaScript file to start: the worker's TypeScript is bundled once per
 * process (~20 ms, measured) into a file in the temp folder named by its content, so test processes (which are
 * often killed rather than left to exit) share it instead of each leaving one behind. Starting the worker from its
 * .ts file with tsx's loader instead (`execArgv: ['--import', 'tsx']`) fails on Node 20 (ERR_UNKNOWN_FILE_EXTENSION:
 * the loader is not in place for the worker's own entry), and would give every worker a loader of its own where it
 * works. esbuild is a dev dependency: the import below never runs from dist/.
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
    // piscina stays the copy its own worker script loads: `move()` marks results with a symbol private to a copy.
    plugins: [
      {
        name: 'piscina-from-node-modules',
        setup(b) {
          b.onResolve({ filter: /^piscina$/ }, () => ({
            path: createRequire(import.meta.url).resolve('piscina'),
            external: true,
          }));
        },
      },
    ],
  });
  // One bundle per process: esbuild's service process is not needed after it.
  await stop();
  const contents = result.outputFiles[0]!.contents;
  // .cjs: self-contained (packages bundled in), so it runs from outside the repository's module tree.
  const file = join(
    tmpdir(),
    `logtune-parse-worker-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}.cjs`,
  );
  if (!existsSync(file)) {
    // Written whole under another name first: a concurrent process never starts a half-written file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, contents);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}
