// Runs logtune's TypeScript without a build step and without a TypeScript loader in the running process.
//
// The entry file is bundled with esbuild (a dependency already: the parse workers are bundled the same way) into
// plain JavaScript, imported, and the bundle file removed. Packages stay external and load from node_modules as
// usual. Measured against running through tsx's loader: about 20 MB less resident memory, for a bare start as at
// the peak of a 2 M-row build (tsx keeps a loader thread for the process's whole life), and no per-module
// transform at run time.
//
// `node bin/launch.js <file.ts> [args…]` runs a file (the script then sees its own args at process.argv[2…]);
// `importSource(file)` imports one. If the bundle cannot be written (a read-only install), tsx is used instead.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `import.meta.url` keeps meaning the source file's own URL once bundled (files are located relative to it). */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/** Bundles left by processes that were killed before they could remove theirs. */
function removeOrphans(cache) {
  for (const name of readdirSync(cache)) {
    const pid = Number(/\.(\d+)\.mjs$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if (error.code === 'ESRCH') rmSync(join(cache, name), { force: true });
    }
  }
}

export async function importSource(file) {
  const entry = resolve(root, file);
  const cache = join(root, 'node_modules', '.cache', 'logtune');
  // One file per process: concurrent launches never read each other's half-written bundle.
  const bundle = join(cache, `${relative(root, entry).replace(/[^\w.-]+/g, '_')}.${process.pid}.mjs`);
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'error',
    plugins: [keepImportMetaUrl],
  });
  // The async API keeps an esbuild service process for later builds; there are none.
  await stop();
  try {
    mkdirSync(cache, { recursive: true });
    removeOrphans(cache);
    writeFileSync(bundle, outputFiles[0].contents);
    // Also on process.exit() during the import (a bot that fails its settings check exits from inside it).
    process.once('exit', () => rmSync(bundle, { force: true }));
  } catch (error) {
    if (!['EACCES', 'EPERM', 'EROFS'].includes(error.code)) throw error;
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(entry).href);
  }
  try {
    return await import(pathToFileURL(bundle).href);
  } finally {
    rmSync(bundle, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bin/launch.js <file.ts> [args…]\n');
    process.exit(2);
  }
  process.argv.splice(1, 1);
  process.argv[1] = resolve(file);
  await importSource(process.argv[1]);
}
