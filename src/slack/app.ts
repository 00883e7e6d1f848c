import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel, type Logger as BoltLogger, type webApi } from '@slack/bolt';
import type { BotSettings } from './settings.ts';
import { requireSetting } from '../shared/env.ts';
import type { SlackDeps } from './deps.ts';
import type { Feature } from './feature.ts';
import { registerListeners } from './listeners/index.ts';

export interface SlackAppOptions {
  readonly config: BotSettings;
  readonly deps: SlackDeps;
  readonly features: readonly Feature[];
  readonly logger: BoltLogger;
  readonly clientOptions: webApi.WebClientOptions;
  /** Throws when the bot cannot serve (e.g. its database is closed); `/healthz` answers 503 then. */
  readonly checkHealth: () => void;
}

const BOLT_LEVELS = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR } as const;

function healthRoute(checkHealth: () => void) {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      let ok = true;
      try {
        checkHealth();
      } catch {
        ok = false;
      }
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok }));
    },
  };
}

/**
 * The Bolt app: Socket Mode when an app-level token is set, otherwise HTTP with signed requests on /slack/events.
 * `botId` + `botUserId` come from our own start-up auth.test, so Bolt never fires its unawaited constructor-time one.
 */
export function createSlackApp({ config, deps, features, logger, clientOptions, checkHealth }: SlackAppOptions): App {
  const common = {
    token: config.botToken,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    logger,
    // Without it Bolt resets the logger it is given to INFO.
    logLevel: BOLT_LEVELS[config.logLevel],
    clientOptions,
    // HTTP: the listening port. Socket Mode: the port of the small server that serves /healthz.
    port: config.port,
    convoStore: false as const,
    customRoutes: [healthRoute(checkHealth)],
  };
  const app =
    config.appToken !== undefined
      ? new App({ ...common, socketMode: true, appToken: config.appToken })
      : new App({
          ...common,
          signingSecret: requireSetting(config.signingSecret, 'SLACK_SIGNING_SECRET', 'HTTP mode'),
        });
  app.error(async (error) => {
    deps.log.error('listener failed', { error });
  });
  registerListeners(app, features, deps);
  return app;
}
