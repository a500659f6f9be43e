import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a module next to the caller: `startModuleWorker(import.meta.url,
 * './decodeWorker')`. From the compiled JavaScript (dist/) the worker runs `<name>.js` as is
 * (~40 ms to start); from the TypeScript sources (tests, development) it registers tsx in the
 * new thread first (loader hooks are per thread; ~0.4 s CPU) and loads `<name>.ts`.
 * `execArgv` defaults to [] so that the parent's `--import tsx` is not started a second time.
 */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const opts = { execArgv: [], ...options };
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`${name}.js`, callerUrl), opts);
  const moduleUrl = new URL(`${name}.ts`, callerUrl).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(moduleUrl)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), opts);
}
