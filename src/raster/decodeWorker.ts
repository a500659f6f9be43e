/** Worker thread: decodes batches of blocks sent by DecodePool (see pool.ts for the protocol). */
import { parentPort } from 'node:worker_threads';
import { decodeBlock, getDecompressor } from './decode.ts';
import type { DecodeReply, DecodeRequest } from './pool.ts';

const port = parentPort!;
port.on('message', async (req: DecodeRequest) => {
  let index = 0;
  try {
    const decompress = await getDecompressor(req.format.compression);
    const results: Array<Float32Array | Float64Array> = [];
    for (; index < req.blocks.length; index++) {
      const block = req.blocks[index];
      results.push(decodeBlock(new Uint8Array(req.buffer, block.start, block.length), req.format, block, decompress));
    }
    const reply: DecodeReply = { id: req.id, ok: true, results };
    port.postMessage(reply, results.map((r) => r.buffer as ArrayBuffer));
  } catch (err) {
    const reply: DecodeReply = { id: req.id, ok: false, index, message: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
port.postMessage({ id: 0, ready: true } satisfies DecodeReply);
