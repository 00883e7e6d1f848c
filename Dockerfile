# logtune Slack bot. Build: docker build -t logtune .   Run: docker run --env-file logtune.env -p 3000:3000 -v logtune-data:/data logtune

# Build stage: every dependency (esbuild is a dev dependency), compilers in case better-sqlite3 (native) has no
# prebuilt binary to fetch. The sources are copied after the install, so a source change does not reinstall:
# hence --ignore-scripts (`prepare` would build before there is anything to build) and the two install scripts
# that matter run by name. Then the build, and the dev dependencies pruned away.
FROM node:24-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json ./
COPY scripts/build.js ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: same base image (same glibc as the compiled addon), no compilers, production dependencies and dist/
# only (no sources: stack traces still name src/….ts lines, from the source maps), non-root.
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    LOGTUNE_DB=/data/logtune.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json: "type": "module" makes dist/*.js ES modules.
COPY package.json ./
# The dataset CLI ships too: docker run --rm --env-file logtune.env logtune node bin/logtune.js dataset april-may
COPY bin ./bin
# The volume inherits this ownership on first use, so the node user can write the database.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1 (not npm) so SIGTERM from `docker stop` reaches logtune's graceful shutdown directly; the
# same command as `npm start` (test/build/dist.test.ts checks).
CMD ["node", "--enable-source-maps", "dist/main.js"]
