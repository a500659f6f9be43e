import { parentPort } from 'node:worker_threads';
import { createTaskRunner, type FitTask } from './learners/index.ts';

/** Worker thread: runs learner fit tasks posted by the executor, one at a time. */
const runTask = createTaskRunner();
parentPort!.on('message', (task: FitTask) => {
  try {
    parentPort!.postMessage({ result: runTask(task) });
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
