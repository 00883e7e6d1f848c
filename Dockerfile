# logtune Slack bot. Build: docker build -t logtune .   Run: docker run --env-file logtune.env -p 3000:3000 -v logtune-data:/data logtune

# Builder: production dependencies only; compilers in case better-sqlite3 (native) has no prebuilt binary to fetch.
FROM node:22-slim AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# esbuild is a production dependency: bin/launch.js bundles the TypeScript sources at start (no build step).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Runtime: same base image (same glibc as the compiled addon), no compilers, non-root.
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=3000 \
    LOGTUNE_DB=/data/logtune.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
# The dataset CLI ships too: docker run --rm --env-file logtune.env logtune node bin/logtune.js dataset april-may
COPY bin ./bin
# The volume inherits this ownership on first use, so the node user can write the database; the cache folder is
# where bin/launch.js writes the start-up bundle (without it, it falls back to tsx's loader).
RUN mkdir -p /data node_modules/.cache/logtune && chown node:node /data node_modules/.cache/logtune
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1 (not npm) so SIGTERM from `docker stop` reaches logtune's graceful shutdown directly.
# --max-semi-space-size=2 as in `npm start` (see "Memory" in the README).
CMD ["node", "--max-semi-space-size=2", "bin/launch.js", "src/main.ts"]
