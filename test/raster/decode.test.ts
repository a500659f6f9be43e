import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { createInflater } from '../../src/raster/decode.ts';

// Float32 values of a strip: some repetition so DEFLATE has something to find, some noise.
const payload = new Uint8Array(new Float32Array(Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? 0 : Math.fround(Math.sin(i) * 1e3)))).buffer);
const compressed = deflateSync(payload);

for (const native of [true, false]) {
  const label = native ? 'native zlib handle' : 'inflateSync fallback';

  test(`${label}: inflates into the given buffer, block after block`, () => {
    const inflate = createInflater(native);
    const into = new Uint8Array(payload.length);
    for (let round = 0; round < 3; round++) {
      into.fill(0);
      assert.equal(inflate(compressed, into), payload.length);
      assert.deepEqual(into, payload);
    }
  });

  test(`${label}: never writes past the buffer, and reports a short stream`, () => {
    const inflate = createInflater(native);
    const small = new Uint8Array(1000);
    assert.equal(inflate(compressed, small), 1000);
    assert.deepEqual(small, payload.subarray(0, 1000));
    const into = new Uint8Array(payload.length);
    assert.throws(() => inflate(compressed.subarray(0, compressed.length >> 1), into), /unexpected end of file/);
  });

  test(`${label}: decodes just the start of a long stream (a strip needed only up to some column)`, () => {
    const inflate = createInflater(native);
    const long = new Uint8Array(new Float32Array(Array.from({ length: 262144 }, (_, i) => Math.fround(Math.sin(i / 7) * 100))).buffer);
    const into = new Uint8Array(100_000);
    assert.equal(inflate(deflateSync(long), into), into.length);
    assert.deepEqual(into, long.subarray(0, into.length));
  });

  test(`${label}: a corrupt stream is an error and the inflater still works afterwards`, () => {
    const inflate = createInflater(native);
    const corrupt = Uint8Array.from(compressed);
    corrupt[0] = 0x12; // not a zlib header
    const into = new Uint8Array(payload.length);
    assert.throws(() => inflate(corrupt, into), /incorrect header check/);
    assert.equal(inflate(compressed, into), payload.length);
    assert.deepEqual(into, payload);
  });
}
