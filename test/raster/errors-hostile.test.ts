import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
// @ts-expect-error: plain JavaScript module without types
import { inputsManifest, sameManifest } from '../../scripts/inputs-manifest.mjs';
import { CgerError } from '../../src/common/errors.ts';
import { decodeLzw, decodePackBits, decodeZstd, loadZstd } from '../../src/raster/codecs.ts';
import { createInflater } from '../../src/raster/decode.ts';
import { readBlocks, readRasterInfo } from '../../src/raster/index.ts';
import { Tag } from '../../src/raster/tags.ts';
import { encodeLzw, encodePackBits, encodeZstdStored } from '../fuzz/encoders.ts';
import { fixture, repoRoot, tempDir } from '../helpers.ts';
import { defaultGeo, makeTiff } from './makeTiff.ts';

const data = Uint8Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? 0 : (i * 7) % 251));

test('LZW, PackBits and ZSTD: exact round trips; more data than the block is corrupt, never written past it', async () => {
  const zstd = await loadZstd();
  const cases: Array<[string, (out: Uint8Array) => number]> = [
    ['LZW', (out) => decodeLzw(encodeLzw(data), out)],
    ['PackBits', (out) => decodePackBits(encodePackBits(data), out)],
    [
      'ZSTD',
      (out) => {
        const r = decodeZstd(zstd, encodeZstdStored(data), out.length);
        out.set(r);
        return r.length;
      },
    ],
  ];
  for (const [codec, decode] of cases) {
    const out = new Uint8Array(data.length + 8);
    assert.equal(decode(out), data.length, codec);
    assert.deepEqual(out.subarray(0, data.length), data, codec);
    const small = new Uint8Array(1000);
    assert.throws(() => decode(small), /decodes to more than the block's 1000 bytes/, codec);
  }
});

test('LZW codes past the dictionary are corruption, not a chain to follow', () => {
  // clear, literal 0, then code 400 while the table holds 258 entries
  const bits = [
    [256, 9],
    [0, 9],
    [400, 9],
    [257, 9],
  ]
    .map(([c, w]) => c.toString(2).padStart(w, '0'))
    .join('');
  const bytes = Uint8Array.from(bits.padEnd(Math.ceil(bits.length / 8) * 8, '0').match(/.{8}/g)!, (b) => parseInt(b, 2));
  assert.throws(() => decodeLzw(bytes, new Uint8Array(100)), /LZW code 400 beyond the dictionary \(258 entries\)/);
});

test('DEFLATE: a stream that inflates to wrong data fails its checksum, even when only a prefix is kept', () => {
  const payload = Uint8Array.from({ length: 20000 }, (_, i) => (i * 31) % 256);
  const good = deflateSync(payload, { level: 0 }); // stored blocks: a flipped data bit still inflates
  const bad = Uint8Array.from(good);
  bad[5000] ^= 0x10;
  for (const native of [true, false]) {
    const inflate = createInflater(native);
    assert.equal(inflate(good, new Uint8Array(1000), payload.length), 1000);
    assert.throws(() => inflate(bad, new Uint8Array(1000), payload.length), /incorrect data check/);
    assert.throws(() => inflate(good, new Uint8Array(1000), 10000), /decodes to more than the block's 10000 bytes/);
  }
});

test('header: first of a duplicated tag wins, offsets must be integers, counts and extents are checked before reading', async () => {
  const dir = tempDir('hostile');
  const values = Array.from({ length: 12 }, (_, i) => i);
  const geo = defaultGeo();
  const dup = join(dir, 'dup.tif');
  writeFileSync(dup, makeTiff({ width: 4, height: 3, values, geo: [...geo, { tag: Tag.ImageWidth, type: 'LONG', values: [2] }] }));
  assert.equal((await readRasterInfo(dup)).grid.width, 4);

  const cases: Array<[string, Buffer, RegExp]> = [];
  const tiff = makeTiff({ width: 4, height: 3, values, geo, compression: 1 });
  const ifd = tiff.readUInt32LE(4);
  const entry = (tag: number) => {
    for (let i = 0; i < tiff.readUInt16LE(ifd); i++) if (tiff.readUInt16LE(ifd + 2 + 12 * i) === tag) return ifd + 2 + 12 * i;
    throw new Error(`no tag ${tag}`);
  };
  const patch = (f: (b: Buffer) => void) => {
    const b = Buffer.from(tiff);
    f(b);
    return b;
  };
  cases.push(['undefined.tif', patch((b) => b.writeUInt16LE(7, entry(Tag.StripOffsets) + 2)), /tag StripOffsets has type UNDEFINED/]);
  cases.push(['count.tif', patch((b) => b.writeUInt32LE(0xffffffff, entry(Tag.GeoKeyDirectory) + 4)), /tag GeoKeyDirectory .* lies outside the file/]);
  cases.push(['entries.tif', patch((b) => b.writeUInt16LE(4000, ifd)), /directory's 4000 entries .* lies outside the file/]);
  cases.push(['ifd.tif', patch((b) => b.writeUInt32LE(0xfffffff0, 4)), /the directory at bytes 4294967280-4294967282 lies outside the file/]);
  cases.push([
    'short.tif',
    patch((b) => b.writeUInt32LE(10, b.readUInt32LE(entry(Tag.StripByteCounts) + 8))),
    /strip 0 \(rows 0-0\) holds 10 bytes, but 16 uncompressed bytes are needed/,
  ]);
  cases.push(['wide.tif', patch((b) => b.writeUInt32LE(2 ** 31, entry(Tag.ImageWidth) + 8)), /image of 2147483648 x 3 cells is too large/]);
  for (const [name, bytes, pattern] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    await assert.rejects(
      readBlocks(path, () => {}),
      (err: Error) => {
        assert.ok(err instanceof CgerError && err.message.startsWith(`${path}: `), err.message);
        assert.match(err.message, pattern);
        return true;
      },
    );
  }
});

test('a ZSTD raster under an address-space limit fails with a clean message (compiled CLI)', (t) => {
  // Under ulimit -v only the compiled CLI starts: tsx itself needs WebAssembly memory.
  const fresh =
    existsSync(join(repoRoot, 'dist/.built')) && sameManifest(JSON.parse(readFileSync(join(repoRoot, 'dist/.built'), 'utf8')), inputsManifest(repoRoot));
  if (!fresh) return t.skip('dist/ is not built from these sources (npm run build)');
  const zstd = fixture('fuzz/base/tile16_zstd_pred2_int32.tif');
  const r = spawnSync(
    'sh',
    [
      '-c',
      `ulimit -v 3000000; exec "${process.execPath}" "${repoRoot}bin/cger.js" aggregate --quiet --zones "${fixture('fuzz/base/zones.geojson')}" --cache-dir "${tempDir('ulimit')}" "${zstd}"`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /tile16_zstd_pred2_int32\.tif: .*cannot start the ZSTD decoder .*ulimit -v/);
});
