import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger, type webApi } from '@slack/bolt';
import { guardedListener } from './httpGuard.ts';
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

const EVENTS_PATH = '/slack/events';

/** The port and routes belong to the receiver when the app is given one. */
function withoutServerOptions<T extends { port: unknown; customRoutes: unknown }>({
  port: _port,
  customRoutes: _routes,
  ...rest
}: T): Omit<T, 'port' | 'customRoutes'> {
  return rest;
}

/** Bolt's HTTP receiver, with logtune's checks in front of it (httpGuard.ts); its `requestListener` is public. */
function guardedReceiver(
  config: BotSettings,
  deps: SlackDeps,
  logger: BoltLogger,
  customRoutes: ReturnType<typeof healthRoute>[],
): HTTPReceiver {
  const signingSecret = requireSetting(config.signingSecret, 'SLACK_SIGNING_SECRET', 'HTTP mode');
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: EVENTS_PATH,
    port: config.port,
    customRoutes,
    logger,
  });
  receiver.requestListener = guardedListener(receiver.requestListener, {
    signingSecret,
    endpoint: EVENTS_PATH,
    firstSight: (signature) => deps.seenEvents.markSeen(`signature:${signature}`, deps.now()),
    log: deps.log,
  });
  return receiver;
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
          ...withoutServerOptions(common),
          receiver: guardedReceiver(config, deps, logger, common.customRoutes),
        });
  app.error(async (error) => {
    deps.log.error('listener failed', { error });
  });
  registerListeners(app, features, deps);
  return app;
}
