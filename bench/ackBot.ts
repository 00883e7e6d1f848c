import { buildDataset } from '../src/dataset/build.ts';
import { createLogger } from '../src/log.ts';
import { loadSettings } from '../src/app/settings.ts';
import { startBot } from '../src/app/bot.ts';

/**
 * The bot for the ack measurement (bench/ack.ts), in a process of its own so that the requests timed by the bench
 * share its event loop with nothing else. `in-process` runs builds on the bot's own thread, as before job threads.
 * Prints its port as one JSON line; SIGTERM stops it.
 */
const inProcess = process.argv[2] === 'in-process';
const bot = await startBot({
  settings: loadSettings(process.env),
  log: createLogger({ level: 'error', secrets: [], write: (line) => process.stderr.write(`${line}\n`) }),
  ...(inProcess && { buildDataset }),
});
process.stdout.write(`${JSON.stringify({ port: bot.port })}\n`);
process.once('SIGTERM', () => {
  void bot.stop(5_000).then(() => process.exit(0));
});
