#!/usr/bin/env bash
# better-sqlite3's native addon for one Node runtime from .ci/runtimes: prints the path of a built
# better_sqlite3.node. Built from a copy of node_modules/better-sqlite3 (node_modules stays as `npm ci` left it)
# against the headers the runtime's package carries (include/node: --nodedir), so node-gyp downloads nothing from
# nodejs.org; prebuild-install is not used (its binaries come from GitHub, which CI cannot reach). Cached in
# .ci/cache/ by addon version and Node version: a build takes ~90 s of one core.
set -euo pipefail
cd "$(dirname "$0")/.."
runtime=$(cd "$1" && pwd)
node_version=$("$runtime/bin/node" -p process.version)
addon_version=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
cached=".ci/cache/better-sqlite3-$addon_version-node-$node_version-$(node -p 'process.platform + "-" + process.arch').node"
if [ ! -f "$cached" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd node_modules/better-sqlite3 && tar cf - --exclude=./build .) | (cd "$work" && tar xf -)
  # npm runs the package's own build script with its bundled node-gyp; the runtime first on PATH runs both.
  (cd "$work" && PATH="$runtime/bin:$PATH" npm_config_nodedir="$runtime" JOBS=2 npm run build-release --silent) \
    >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  mkdir -p .ci/cache
  cp "$work/build/Release/better_sqlite3.node" "$cached.partial"
  mv "$cached.partial" "$cached"
fi
echo "$cached"
