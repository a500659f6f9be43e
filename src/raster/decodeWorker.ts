/** Worker thread: decodes batches of blocks sent by DecodePool (see pool.ts for the protocol). */
import { parentPort } from 'node:worker_threads';
import { BlockDecodeError, createReducer, decodeInline } from './batch.ts';
import type { PoolReply, PoolRequest } from './pool.ts';
import type { BlockReducer } from './types.ts';

const port = parentPort!;
/** Installed reducers by key; creation is awaited by the decode requests that name them. */
const reducers = new Map<number, Promise<BlockReducer<unknown>>>();

port.on('message', async (req: PoolRequest) => {
  if (req.kind === 'install') {
    const reducer = createReducer(req);
    reducer.catch(() => {}); // reported by the decode requests that use it
    reducers.set(req.key, reducer);
    return;
  }
  if (req.kind === 'uninstall') {
    reducers.delete(req.key);
    return;
  }
  try {
    const reducer = req.reducer === undefined ? undefined : await reducers.get(req.reducer);
    if (req.reducer !== undefined && !reducer) throw new Error(`block reducer ${req.reducer} is not installed`);
    const outcome = await decodeInline(req.format, req.source, req.blocks, reducer);
    const reply: PoolReply = { id: req.id, ok: true, outcome };
    port.postMessage(reply, outcome.kind === 'arrays' ? outcome.arrays.map((a) => a.buffer as ArrayBuffer) : []);
  } catch (err) {
    const index = err instanceof BlockDecodeError ? err.index : -1; // -1: not one block's fault (reading, the reducer)
    const reply: PoolReply = { id: req.id, ok: false, index, message: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
port.postMessage({ id: 0, ready: true } satisfies PoolReply);
