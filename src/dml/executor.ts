import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../common/worker.ts';
import { createTaskRunner, getLearner, type FitTask, type LearnerName, type LearnerParams, type LearnerTask, type Features } from './learners/index.ts';

/**
 * Runs learner fits on worker threads (or inline with threads <= 1). Results never depend on the
 * number of threads: every task is seeded by itself and partial results are combined in a fixed
 * order.
 */
export interface Executor {
  readonly threads: number;
  run(task: FitTask): Promise<Float64Array>;
  close(): Promise<void>;
}

/** Parts (trees) per task of a learner with parts: fixed (not derived from the thread count) so sums are reproducible. */
const PARTS_PER_TASK = 50;

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

export function createExecutor(threads = defaultThreads()): Executor {
  if (threads <= 1) {
    const runTask = createTaskRunner();
    return { threads: 1, run: async (task) => runTask(task), close: async () => {} };
  }
  return createWorkerExecutor(threads);
}

interface Pending { task: FitTask; resolve: (v: Float64Array) => void; reject: (e: Error) => void }

function createWorkerExecutor(threads: number): Executor {
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let failure: Error | null = null;
  const workers = Array.from({ length: threads }, () => startModuleWorker(import.meta.url, './worker'));

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const job = queue.shift()!;
      busy.set(worker, job);
      worker.postMessage(job.task);
    }
  };
  for (const worker of workers) {
    worker.on('message', (msg: { result?: Float64Array; error?: string }) => {
      const job = busy.get(worker)!;
      busy.delete(worker);
      idle.push(worker);
      if (msg.error !== undefined) job.reject(new Error(msg.error)); else job.resolve(msg.result!);
      dispatch();
    });
    worker.on('error', (err) => {
      failure = err;
      busy.get(worker)?.reject(err);
      busy.delete(worker);
      for (const job of queue.splice(0)) job.reject(err);
    });
    idle.push(worker);
  }
  return {
    threads,
    run: (task) => new Promise((resolve, reject) => {
      if (failure) { reject(failure); return; }
      queue.push({ task, resolve, reject });
      dispatch();
    }),
    close: async () => { await Promise.all(workers.map((w) => w.terminate())); },
  };
}

/**
 * Fits `learner` on (train, y) and predicts `test`; a learner with parts (a forest's trees) is
 * spread over tasks of PARTS_PER_TASK parts whose prediction sums are added in order, then averaged.
 */
export async function fitPredict(
  exec: Executor, learner: LearnerName, params: LearnerParams, train: Features, y: Float64Array, test: Features,
  seed: number, presortKey?: string, task: LearnerTask = 'regression',
): Promise<Float64Array> {
  const count = getLearner(learner).parts?.(params);
  if (count === undefined) return exec.run({ learner, params, task, train, y, test, seed, presortKey });
  const parts: Promise<Float64Array>[] = [];
  for (let from = 0; from < count; from += PARTS_PER_TASK) {
    parts.push(exec.run({ learner, params, task, train, y, test, seed, presortKey, part: [from, Math.min(count, from + PARTS_PER_TASK)] }));
  }
  const sums = await Promise.all(parts);
  const out = new Float64Array(test.n);
  for (const part of sums) for (let r = 0; r < test.n; r++) out[r] += part[r];
  for (let r = 0; r < test.n; r++) out[r] /= count;
  return out;
}
