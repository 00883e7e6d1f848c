/**
 * The layers of src/, bottom to top, and the imports allowed between them (`npm run lint:deps`, run in CI):
 *
 *   shared/, errors.ts, log.ts                  primitives anything may use
 *   db/, objectStore/, aws/                      adapters to what logtune stores in or calls
 *   logs/, dataset/, training/, deploy/, …       the domain: knows nothing of Slack, the CLI or the bot's features
 *   slack/                                       the Slack surface's own machinery (router, messenger, listeners)
 *   features/                                    what the bot does, one folder per feature
 *   cli/                                         the command line (never a bot feature)
 *   app/, main.ts                                the bot assembled from the registry
 *
 * An import may run down or sideways, never up; a feature uses another only through its index.ts (its public
 * face); no runtime import runs in a circle (type-only circles are erased at build time, so they are allowed).
 */
const DOMAIN = '^src/(logs|dataset|training|deploy|inference|evaluation|trackers|spend|jumpstart|athena|jobThread)/';
const ADAPTERS = '^src/(db|objectStore|aws)/';
const PRIMITIVES = '^src/(shared/|errors\\.ts$|log\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-runtime-circle',
      comment: 'Modules that import each other at run time: load order decides which sees the other half-made.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'primitives-stay-primitive',
      comment: 'shared/, errors.ts and log.ts are used by everything, so they use nothing of logtune but each other.',
      severity: 'error',
      from: { path: PRIMITIVES },
      to: { path: '^src/', pathNot: PRIMITIVES },
    },
    {
      name: 'adapters-below-the-domain',
      comment: 'db/, objectStore/ and aws/ serve the domain; they never import it, Slack, features, the CLI or app.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: `${DOMAIN}|^src/(slack|features|cli|app)/|^src/main\\.ts$` },
    },
    {
      name: 'domain-knows-no-surface',
      comment: 'Domain code is shared by the bot and the CLI: it never imports Slack, a feature, the CLI or app.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^src/(slack|features|cli|app)/|^src/main\\.ts$' },
    },
    {
      name: 'slack-knows-no-feature',
      comment: 'slack/ is the machinery features plug into: features import it, not the other way round.',
      severity: 'error',
      from: { path: '^src/slack/' },
      to: { path: '^src/(features|cli|app)/|^src/main\\.ts$' },
    },
    {
      name: 'cli-is-not-the-bot',
      comment: 'The CLI runs without Slack: it uses the domain, never a bot feature, slack/ or app/.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/(slack|features|app)/|^src/main\\.ts$' },
    },
    {
      name: 'features-below-the-app',
      comment: 'Features are assembled by app/; they never import it, the CLI or the entry point.',
      severity: 'error',
      from: { path: '^src/features/' },
      to: { path: '^src/(app|cli)/|^src/main\\.ts$' },
    },
    {
      name: 'features-meet-at-their-index',
      comment: "A feature uses another only through the other's index.ts, so a feature's insides can change alone.",
      severity: 'error',
      from: { path: '^src/features/([^/]+)/' },
      to: {
        path: '^src/features/([^/]+)/',
        pathNot: ['^src/features/$1/', '^src/features/[^/]+/index\\.ts$', '^src/features/approval/'],
      },
    },
    {
      name: 'only-main-starts-the-app',
      comment: 'app/ is the top: only the entry point imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app/|main\\.ts$)' },
      to: { path: '^src/app/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
