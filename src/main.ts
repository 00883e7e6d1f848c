import { ConfigError } from './errors.ts';
import { createLogger, makeRedactor } from './log.ts';
import { loadSettings, type Settings } from './app/settings.ts';
import { startBot, type RunningBot } from './app/bot.ts';

/**
 * `npm start`: validate settings, start the bot, and stop it cleanly on SIGTERM/SIGINT. Docker sends SIGKILL 10 s
 * after SIGTERM by default, so the graceful part gets 8 s and a hard exit follows shortly after.
 */
const SHUTDOWN_TIMEOUT_MS = 8_000;
const HARD_EXIT_AFTER_MS = 9_500;

function fail(message: string): never {
  process.stderr.write(`logtune: ${message}\n`);
  process.exit(1);
}

function loadConfig(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

function onSignals(bot: RunningBot, log: ReturnType<typeof createLogger>): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal });
    setTimeout(() => {
      log.error('shutdown took too long: exiting');
      process.exit(1);
    }, HARD_EXIT_AFTER_MS).unref();
    bot.stop(SHUTDOWN_TIMEOUT_MS).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

async function main(): Promise<void> {
  const settings = loadConfig();
  const { bot } = settings;
  const log = createLogger({ level: bot.logLevel, secrets: [bot.botToken, bot.appToken, bot.signingSecret] });
  // Background work catches its own errors; anything that slips through is logged rather than taking the bot down.
  process.on('unhandledRejection', (error) => log.error('unhandled rejection', { error }));
  let running: RunningBot;
  try {
    running = await startBot({ settings, log });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    log.error('start-up failed', { error });
    const redact = makeRedactor([bot.botToken, bot.appToken, bot.signingSecret]);
    fail(redact(error instanceof Error ? error.message : String(error)));
  }
  onSignals(running, log);
}

await main();
