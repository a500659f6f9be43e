import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../common/worker.ts';
import {
  createTaskRunner,
  type Features,
  type FitTask,
  getLearner,
  type LearnerName,
  type LearnerParams,
  type LearnerTask,
  selectRows,
} from './learners/index.ts';

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

interface Pending {
  task: FitTask;
  resolve: (v: Float64Array) => void;
  reject: (e: Error) => void;
}

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
      if (msg.error !== undefined) job.reject(new Error(msg.error));
      else job.resolve(msg.result!);
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
    run: (task) =>
      new Promise((resolve, reject) => {
        if (failure) {
          reject(failure);
          return;
        }
        queue.push({ task, resolve, reject });
        dispatch();
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Forest tasks post the same matrices many times (one task per PARTS_PER_TASK trees, two or three
 * nuisances per fold): in shared memory they reach the threads without a copy per task. Matrices
 * made by selectRows already live there; others get one shared copy, kept as long as the caller
 * keeps the matrix.
 */
const shared = new WeakMap<Features, Features>();

function sharedCopy(a: Float64Array): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = new Float64Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

function sharedFeatures(x: Features): Features {
  if (x.cols.every((col) => col.buffer instanceof SharedArrayBuffer)) return x;
  let s = shared.get(x);
  if (!s) {
    s = selectRows(
      x,
      Int32Array.from({ length: x.n }, (_, i) => i),
    );
    shared.set(x, s);
  }
  return s;
}

/**
 * Fits `learner` on (train, y) and predicts `test`; a learner with parts (a forest's trees) is
 * spread over tasks of PARTS_PER_TASK parts whose prediction sums are added in order, then averaged.
 */
export async function fitPredict(
  exec: Executor,
  learner: LearnerName,
  params: LearnerParams,
  train: Features,
  y: Float64Array,
  test: Features,
  seed: number,
  presortKey?: string,
  task: LearnerTask = 'regression',
): Promise<Float64Array> {
  const count = getLearner(learner).parts?.(params);
  if (count === undefined) return exec.run({ learner, params, task, train, y, test, seed, presortKey });
  if (exec.threads > 1) {
    train = sharedFeatures(train);
    test = sharedFeatures(test);
    y = sharedCopy(y);
  }
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
