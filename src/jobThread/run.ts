import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../errors.ts';
import { fromThreadError, type FromThread, type ToThread } from './protocol.ts';
import type { BuildHooks, BuildRequest, BuildSummary } from '../dataset/types.ts';
import type { TaskInput, TaskName, TaskOutput, TaskProgress } from './tasks.ts';

/** How long a cancelled task has to stop by itself before its thread is terminated. */
const ABORT_GRACE_MS = 10_000;

export interface ThreadHooks<P> {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: P) => void) | undefined;
}

/**
 * Runs one task on a thread of its own (a worker thread per job), so that its CPU work (parsing, sampling,
 * training the baseline) and its many small callbacks leave the caller's event loop free: in the bot, that is the
 * loop that acknowledges Slack within its 3 s. Progress and the outcome come back as messages; aborting the
 * signal cancels the task there, and a thread that has not stopped ABORT_GRACE_MS later is terminated.
 */
export function runOnJobThread<N extends TaskName>(
  task: N,
  input: TaskInput<N>,
  hooks: ThreadHooks<TaskProgress<N>> = {},
): Promise<TaskOutput<N>> {
  const { signal, onProgress } = hooks;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolve, reject) => {
    const worker = startThread({ task, input });
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(grace);
      outcome();
      void worker.terminate();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort' } satisfies ToThread);
      grace = setTimeout(() => settle(() => reject(new CancelledError())), ABORT_GRACE_MS);
      grace.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromThread) => {
      if (message.type === 'progress') onProgress?.(message.progress as TaskProgress<N>);
      else if (message.type === 'done') settle(() => resolve(message.value as TaskOutput<N>));
      else settle(() => reject(fromThreadError(message.error)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the ${task} thread stopped (exit code ${code}) before it finished`))),
    );
  });
}

/** buildDataset on a job thread: what the bot runs for every build. */
export function buildOnJobThread(request: BuildRequest, hooks: BuildHooks = {}): Promise<BuildSummary> {
  return runOnJobThread('build', request, hooks);
}

/**
 * Built (dist/), the thread starts from jobWorker.js, bundled beside the chunk holding this code (scripts/build.js
 * keeps dist/ flat). From the sources (vitest, tsx), it registers tsx's loader first and then imports worker.ts:
 * tsx as `--import` in the worker's execArgv would be too late for the worker's own entry on Node 20. tsx is a dev
 * dependency; this branch never runs from dist/.
 */
function startThread(workerData: { task: TaskName; input: unknown }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./jobWorker.js', import.meta.url), { workerData });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
