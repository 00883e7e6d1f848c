import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError } from '../errors.ts';
import { toThreadError, type FromThread, type ToThread } from './protocol.ts';
import { TASKS, type TaskName } from './tasks.ts';

/**
 * A job thread: runs one task (workerData) and reports its progress and outcome; told 'abort', it cancels. The
 * caller terminates the thread once the outcome has arrived.
 */
/**
 * Background work yields the CPU to the bot's own thread, which answers Slack: on Linux a thread's nice value is its
 * own (setpriority on thread 0 is the calling thread), and the parse workers this thread starts inherit it. Elsewhere
 * the call would lower the whole process, so it is left out.
 */
const JOB_THREAD_NICE = 10;
if (process.platform === 'linux') setPriority(0, JOB_THREAD_NICE);

const port = parentPort!;
const { task, input } = workerData as { task: TaskName; input: never };
const controller = new AbortController();
const send = (message: FromThread) => port.postMessage(message);

port.on('message', (message: ToThread) => {
  if (message.type === 'abort') controller.abort(new CancelledError());
});
TASKS[task](input, {
  signal: controller.signal,
  onProgress: (progress: unknown) => send({ type: 'progress', progress }),
}).then(
  (value) => send({ type: 'done', value }),
  (error: unknown) => send({ type: 'failed', error: toThreadError(error) }),
);
