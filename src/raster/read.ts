/**
 * Reading a GeoTIFF (.tif or .tif.gz): header only, or the blocks that intersect a cell window,
 * in file order with bounded memory: either delivered decoded (readBlocks) or folded by a block
 * reducer on the threads that decode them (reduceBlocks: only small results cross threads).
 *
 * Plain files: the blocks are grouped in batches (~1 MB of adjacent blocks), each read and
 * decoded by a worker thread, and delivered in order; at most `2 x threads` batches are in flight.
 * Gzipped files: the gunzip stream is consumed once, front to back; the head is buffered until
 * the TIFF directory can be parsed, then each batch is cut from the stream as it passes, and the
 * stream is dropped after the last needed block. A layout that cannot be streamed (directory
 * after the data, overlapping blocks) is decompressed to a temporary file instead (onNotice says so).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { CgerError, errorMessage } from '../common/errors.ts';
import { outputIsFloat64 } from './decode.ts';
import { describeBlock, checkSignature, NeedMoreBytes, parseTiff, type ByteSource, type ParsedTiff, type TiffLayout } from './header.ts';
import { BlockDecodeError, createReducer, decodeInline, type BatchBlock, type BatchOutcome, type BatchSource } from './batch.ts';
import { sharedPool } from './pool.ts';
import type { BlockReducer, BlockReduction, CellWindow, Grid, RasterBlock, RasterInput, RowEnds } from './types.ts';

export interface RasterInfo {
  path: string;
  grid: Grid;
  /** GDAL nodata value (tag 42113); NaN when the file says "nan"; null when absent. */
  nodata: number | null;
  sampleFormat: 'float' | 'int' | 'uint';
  bitsPerSample: number;
  /** The file declared PixelIsPoint; `grid` is already shifted to cell edges. */
  pixelIsPoint: boolean;
  layout: {
    kind: 'strips' | 'tiles';
    blockWidth: number;
    blockHeight: number;
    compression: number;
    predictor: number;
    bigTiff: boolean;
    gzipped: boolean;
  };
}

export interface ReadOptions {
  /** Cells to read (clipped to the grid); default the whole grid. */
  window?: CellWindow;
  /**
   * Within the window, how far each row is needed. Blocks holding no needed cell are skipped,
   * and a block is decoded only up to its last needed cell (its rows before that, and the last
   * one up to the furthest needed column), then delivered clipped to that: strips are no longer
   * whole. A stream decodes front to back, so the tail after the last needed cell costs nothing.
   */
  rowEnds?: RowEnds;
  /** Decode worker threads. 0 decodes on the calling thread. Default: os.availableParallelism(),
   * or 0 when the window holds under 4 MB of compressed data (starting workers would cost more). */
  threads?: number;
  /** Told when the reader takes a slower path (e.g. a temporary file for a .gz it cannot stream). */
  onNotice?: (message: string) => void;
  /** Called with the number of file bytes consumed, as they are read (for MB/s progress). */
  onBytes?: (bytes: number) => void;
}

/** The buffered head of a .gz stream must hold the TIFF directory, else the temp-file path is used. */
const GZ_HEAD_LIMIT = 16 * 1024 * 1024;
/** A batch holds at most this many compressed bytes and decoded bytes (zeros compress ~1000:1). */
const BATCH_BYTES = 1024 * 1024;
const BATCH_DECODED_BYTES = 4 * 1024 * 1024;
const BATCH_GAP = 64 * 1024;
const INLINE_BELOW_BYTES = 4 * 1024 * 1024;

interface PlannedBlock extends BatchBlock {
  index: number;
  offset: number;
}

interface Batch {
  start: number;
  end: number;
  decodedBytes: number;
  blocks: PlannedBlock[];
}

function toInfo(path: string, parsed: ParsedTiff, gzipped: boolean): RasterInfo {
  const { layout } = parsed;
  const { format } = layout;
  return {
    path,
    grid: parsed.grid,
    nodata: parsed.nodata,
    sampleFormat: format.sampleFormat === 3 ? 'float' : format.sampleFormat === 2 ? 'int' : 'uint',
    bitsPerSample: format.bitsPerSample,
    pixelIsPoint: parsed.pixelIsPoint,
    layout: {
      kind: layout.kind, blockWidth: layout.blockWidth, blockHeight: layout.blockHeight,
      compression: format.compression, predictor: format.predictor, bigTiff: layout.bigTiff, gzipped,
    },
  };
}

/** The blocks intersecting `window` (and holding a cell `rowEnds` needs), sorted by file offset. */
function planBlocks(layout: TiffLayout, window: CellWindow | undefined, rowEnds: RowEnds | undefined): PlannedBlock[] {
  const row0 = Math.max(0, window?.row0 ?? 0);
  const row1 = Math.min(layout.height, window?.row1 ?? layout.height);
  const col0 = Math.max(0, window?.col0 ?? 0);
  const col1 = Math.min(layout.width, window?.col1 ?? layout.width);
  const blocks: PlannedBlock[] = [];
  if (!(row1 > row0 && col1 > col0)) return blocks;
  const { blockWidth: bw, blockHeight: bh } = layout;
  const across = layout.kind === 'strips' ? [0, 1] : [Math.floor(col0 / bw), Math.ceil(col1 / bw)];
  for (let by = Math.floor(row0 / bh); by < Math.ceil(row1 / bh); by++) {
    for (let bx = across[0]; bx < across[1]; bx++) {
      const index = by * layout.blocksAcross + bx;
      const blockRow0 = by * bh;
      const blockCol0 = bx * bw;
      const gridRows = Math.min(bh, layout.height - blockRow0);
      let keepRows = gridRows;
      let keepCols = Math.min(bw, layout.width - blockCol0);
      if (rowEnds) {
        let lastRow = -1;
        let cols = 0;
        for (let r = Math.max(blockRow0, row0); r < Math.min(blockRow0 + gridRows, row1); r++) {
          const i = r - rowEnds.row0;
          const end = Math.min(i >= 0 && i < rowEnds.colEnd.length ? rowEnds.colEnd[i] : 0, blockCol0 + keepCols, col1);
          if (end > Math.max(blockCol0, col0)) {
            lastRow = r;
            cols = Math.max(cols, end - blockCol0);
          }
        }
        if (lastRow < 0) continue;
        keepRows = lastRow - blockRow0 + 1;
        keepCols = cols;
      }
      blocks.push({
        index, row0: blockRow0, col0: blockCol0, offset: layout.offsets[index], start: 0, length: layout.byteCounts[index],
        keepRows,
        keepCols,
      });
    }
  }
  return blocks.sort((a, b) => a.offset - b.offset || a.index - b.index);
}

/** Groups offset-sorted blocks into batches of adjacent byte ranges; null if blocks overlap. */
function makeBatches(blocks: PlannedBlock[], layout: TiffLayout): Batch[] | null {
  const sampleBytes = layout.format.bitsPerSample / 8;
  const batches: Batch[] = [];
  let current: Batch | null = null;
  for (const block of blocks) {
    if (block.length === 0) continue; // sparse block, filled without reading
    const end = block.offset + block.length;
    const decoded = block.keepRows * layout.blockWidth * sampleBytes;
    if (current && block.offset < current.end) return null;
    if (!current || block.offset - current.end > BATCH_GAP || end - current.start > BATCH_BYTES || current.decodedBytes + decoded > BATCH_DECODED_BYTES) {
      current = { start: block.offset, end, decodedBytes: 0, blocks: [] };
      batches.push(current);
    }
    current.end = end;
    current.decodedBytes += decoded;
    block.start = block.offset - current.start;
    current.blocks.push(block);
  }
  return batches;
}

function checkExtents(path: string, layout: TiffLayout, blocks: Iterable<number>, fileSize: number): void {
  for (const index of blocks) {
    const end = layout.offsets[index] + layout.byteCounts[index];
    if (layout.byteCounts[index] > 0 && end > fileSize) {
      throw new CgerError(`${path}: file is truncated: ${describeBlock(layout, index)} needs bytes ${layout.offsets[index]}-${end} but the file has ${fileSize} bytes`);
    }
  }
}

async function isGzipFile(handle: FileHandle): Promise<boolean> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
  return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}

function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafeSlow(n);
      if (n > 0) await handle.read(buf, 0, n, offset);
      return buf;
    },
  };
}

async function parseFile(handle: FileHandle, path: string, size: number): Promise<ParsedTiff> {
  const source = fileSource(handle, size);
  checkSignature(await source.read(0, 8), path);
  return parseTiff(source, path);
}

/** Pulls a gunzip stream chunk by chunk, mapping zlib errors to CgerErrors. */
class GunzipCursor {
  /** Bytes pulled so far (position of the end of `chunk` in the decompressed stream). */
  position = 0;
  chunk: Buffer = Buffer.alloc(0);
  ended = false;
  private readonly input: Readable;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(private readonly path: string, onBytes?: (n: number) => void, input?: Readable) {
    this.input = input ?? createReadStream(path, { highWaterMark: 1 << 20 });
    // Read ahead up to 32 MB (zlib streams pass stream options on): gunzip, the serial part of
    // a .gz read, keeps going while batches wait for the decoders (~1 s less a month).
    const options: ZlibOptions & { highWaterMark: number } = { chunkSize: 1 << 20, highWaterMark: 32 << 20 };
    const gunzip = createGunzip(options);
    if (onBytes) this.input.on('data', (c: Buffer) => onBytes(c.length));
    this.input.on('error', (err: Error) => gunzip.destroy(err));
    this.input.pipe(gunzip);
    this.iterator = gunzip[Symbol.asyncIterator]();
  }

  /** Next decompressed chunk, or null at the end of the stream. */
  async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    let result: IteratorResult<Buffer>;
    try {
      result = await this.iterator.next();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'Z_BUF_ERROR') throw new CgerError(`${this.path}: gzip stream is truncated (${errorMessage(err)} after ${this.position} decompressed bytes)`);
      if (code?.startsWith('Z_')) throw new CgerError(`${this.path}: gzip stream is corrupt (${errorMessage(err)} after ${this.position} decompressed bytes)`);
      throw new CgerError(`${this.path}: cannot read (${errorMessage(err)})`);
    }
    if (result.done) {
      this.ended = true;
      return null;
    }
    this.chunk = result.value;
    this.position += this.chunk.length;
    return this.chunk;
  }

  async close(): Promise<void> {
    this.ended = true;
    this.input.destroy();
    await this.iterator.return?.();
  }
}

/** Buffers the head of a gunzip stream until the TIFF directory parses (or the head limit). */
async function parseGzipHead(cursor: GunzipCursor, path: string): Promise<{ parsed: ParsedTiff | null; head: Buffer }> {
  const chunks: Buffer[] = [];
  let head: Buffer = Buffer.alloc(0);
  const fill = async (end: number) => {
    while (cursor.position < end && (await cursor.next())) chunks.push(cursor.chunk);
    head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    chunks.splice(0, chunks.length, head);
  };
  await fill(16);
  checkSignature(head, path);
  const source: ByteSource = {
    async read(offset, length) {
      if (offset + length > head.length && !cursor.ended) throw new NeedMoreBytes(offset + length);
      return head.subarray(offset, offset + length);
    },
  };
  for (;;) {
    try {
      return { parsed: await parseTiff(source, path), head };
    } catch (err) {
      if (!(err instanceof NeedMoreBytes)) throw err;
      if (err.end > GZ_HEAD_LIMIT) return { parsed: null, head };
      await fill(Math.min(GZ_HEAD_LIMIT, Math.max(err.end, 2 * head.length)));
    }
  }
}

/** Header of a .tif or .tif.gz (for .gz only the head of the stream is decompressed). */
export async function readRasterInfo(path: string): Promise<RasterInfo> {
  const handle = await openForReading(path);
  try {
    if (await isGzipFile(handle)) {
      const cursor = new GunzipCursor(path);
      try {
        const { parsed } = await parseGzipHead(cursor, path);
        if (parsed) return toInfo(path, parsed, true);
      } finally {
        await cursor.close();
      }
      return await viaTempFile(path, new GunzipCursor(path), null, () => {}, async (tmp) => {
        const tmpHandle = await openForReading(tmp);
        try {
          const info = await plainFileInfo(tmpHandle, path);
          return { ...info, layout: { ...info.layout, gzipped: true } };
        } finally {
          await tmpHandle.close();
        }
      });
    }
    return await plainFileInfo(handle, path);
  } finally {
    await handle.close();
  }
}

/** Header of an uncompressed TIFF, checking that every block lies inside the file. */
async function plainFileInfo(handle: FileHandle, displayPath: string): Promise<RasterInfo> {
  const { size } = await handle.stat();
  const parsed = await parseFile(handle, displayPath, size);
  checkExtents(displayPath, parsed.layout, parsed.layout.offsets.keys(), size);
  return toInfo(displayPath, parsed, false);
}

async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw new CgerError(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
}

function asRasterBlock(block: PlannedBlock, data: Float32Array | Float64Array): RasterBlock {
  return { row0: block.row0, col0: block.col0, width: block.keepCols, height: block.keepRows, data };
}

/** What the reader does with each batch: hand the decoded blocks over, or fold them with a reducer. */
type BatchConsumer =
  | { kind: 'blocks'; onBlock: (block: RasterBlock) => void }
  | { kind: 'reduce'; reduction: BlockReduction<unknown>; onResult: (result: unknown) => void };

/** Delivers batches in file order, with at most 2 x threads batches in flight (decoding or awaiting delivery). */
class OrderedDelivery {
  private queue: Array<{ batch: Batch; outcome: Promise<BatchOutcome> }> = [];
  /** The reducer's key on the worker pool (reduce mode with threads). */
  private poolReducer: number | undefined;
  /** A reducer on this thread: for inline decoding and sparse blocks (reduce mode). */
  private localReducer: Promise<BlockReducer<unknown>> | undefined;

  constructor(
    private readonly path: string,
    private readonly parsed: ParsedTiff,
    private readonly threads: number,
    private readonly consumer: BatchConsumer,
  ) {
    if (consumer.kind === 'reduce' && threads > 0) this.poolReducer = sharedPool(threads).install(consumer.reduction);
  }

  async submit(batch: Batch, source: BatchSource): Promise<void> {
    while (this.queue.length >= Math.max(2, 2 * this.threads)) await this.deliverHead();
    const { format } = this.parsed.layout;
    const outcome = this.threads > 0
      ? sharedPool(this.threads).decode(format, source, batch.blocks, this.poolReducer)
      : this.reducer().then((reducer) => decodeInline(format, source, batch.blocks, reducer));
    outcome.catch(() => {}); // awaited in order by deliverHead; avoid an unhandled rejection meanwhile
    this.queue.push({ batch, outcome });
  }

  async finish(): Promise<void> {
    while (this.queue.length > 0) await this.deliverHead();
  }

  /**
   * Call once, after the last batch or on failure: waits for batches still being decoded (they
   * read from the caller's file, which must stay open until then) and frees the reducer.
   */
  async close(): Promise<void> {
    await Promise.allSettled(this.queue.map((q) => q.outcome));
    this.queue = [];
    if (this.poolReducer !== undefined) sharedPool(this.threads).uninstall(this.poolReducer);
  }

  private async deliverHead(): Promise<void> {
    const { batch, outcome } = this.queue.shift()!;
    let result: BatchOutcome;
    try {
      result = await outcome;
    } catch (err) {
      if (err instanceof BlockDecodeError && err.index >= 0) {
        throw new CgerError(`${this.path}: ${describeBlock(this.parsed.layout, batch.blocks[err.index].index)} failed to decode: ${err.message}`);
      }
      if (err instanceof BlockDecodeError) throw new CgerError(`${this.path}: ${err.message}`);
      throw new CgerError(`${this.path}: decoding failed (${errorMessage(err)})`);
    }
    if (result.kind === 'arrays') result.arrays.forEach((data, i) => this.deliver(batch.blocks[i], data));
    else if (this.consumer.kind === 'reduce') this.consumer.onResult(result.reduced);
  }

  /** A block with no bytes (GDAL sparse file): nodata if the file has one, else 0, as GDAL reads it. */
  async deliverSparse(block: PlannedBlock): Promise<void> {
    const ctor = outputIsFloat64(this.parsed.layout.format) ? Float64Array : Float32Array;
    const data = new ctor(block.keepRows * block.keepCols).fill(this.parsed.nodata ?? 0);
    if (this.consumer.kind === 'blocks') return this.deliver(block, data);
    const reducer = (await this.reducer())!;
    reducer.add(asRasterBlock(block, data));
    this.consumer.onResult(reducer.take());
  }

  /** Hands a decoded block to onBlock (blocks mode); synchronous, so what onBlock throws fails the read. */
  private deliver(block: PlannedBlock, data: Float32Array | Float64Array): void {
    if (this.consumer.kind === 'blocks') this.consumer.onBlock(asRasterBlock(block, data));
  }

  private reducer(): Promise<BlockReducer<unknown> | undefined> {
    if (this.consumer.kind !== 'reduce') return Promise.resolve(undefined);
    this.localReducer ??= createReducer(this.consumer.reduction);
    return this.localReducer;
  }
}

function chooseThreads(opts: ReadOptions, batches: Batch[]): number {
  if (opts.threads !== undefined) return Math.max(0, Math.floor(opts.threads));
  const bytes = batches.reduce((sum, b) => sum + (b.end - b.start), 0);
  return bytes < INLINE_BELOW_BYTES ? 0 : availableParallelism();
}

/** Runs the batches in file order; sparse blocks are delivered at their place in that order. */
async function runBatches(
  path: string, parsed: ParsedTiff, blocks: PlannedBlock[], batches: Batch[], opts: ReadOptions,
  consumer: BatchConsumer, fetch: (batch: Batch) => Promise<BatchSource>,
): Promise<void> {
  const delivery = new OrderedDelivery(path, parsed, chooseThreads(opts, batches), consumer);
  try {
    const sparse = blocks.filter((b) => b.length === 0);
    let nextSparse = 0;
    for (const batch of batches) {
      while (nextSparse < sparse.length && sparse[nextSparse].offset <= batch.start) {
        await delivery.finish();
        await delivery.deliverSparse(sparse[nextSparse++]);
      }
      await delivery.submit(batch, await fetch(batch));
    }
    await delivery.finish();
    while (nextSparse < sparse.length) await delivery.deliverSparse(sparse[nextSparse++]);
  } finally {
    await delivery.close();
  }
}

async function readPlainBlocks(handle: FileHandle, displayPath: string, gzipped: boolean, prepare: Prepare, opts: ReadOptions): Promise<RasterInfo> {
  const { size } = await handle.stat();
  const parsed = await parseFile(handle, displayPath, size);
  const info = toInfo(displayPath, parsed, gzipped);
  const plan = await prepare(info);
  if (!plan) return info;
  const { consumer } = plan;
  const blocks = planBlocks(parsed.layout, plan.window, plan.rowEnds);
  checkExtents(displayPath, parsed.layout, blocks.map((b) => b.index), size);
  // Overlapping blocks are legal TIFF (never written by GDAL); read those one by one.
  const batches = makeBatches(blocks, parsed.layout) ?? blocks.filter((b) => b.length > 0).map((b) => ({ start: b.offset, end: b.offset + b.length, decodedBytes: 0, blocks: [{ ...b, start: 0 }] }));
  // The batches are read where they are decoded (a worker, into memory it reuses).
  await runBatches(displayPath, parsed, blocks, batches, opts, consumer, async (batch) => {
    opts.onBytes?.(batch.end - batch.start);
    return { fd: handle.fd, position: batch.start, length: batch.end - batch.start };
  });
  return info;
}

/** Decompresses the rest of the stream (after `head`) into a temp file, runs `use` on it, removes it. */
async function viaTempFile<T>(path: string, cursor: GunzipCursor, head: Buffer | null, notice: (m: string) => void, use: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = join(tmpdir(), `cger-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tif`);
  notice(`${path}: TIFF layout cannot be streamed (directory after the image data or blocks out of order); decompressing to temporary file ${tmp}`);
  try {
    const out = await open(tmp, 'w');
    try {
      if (head) await out.write(head);
      for (let chunk = await cursor.next(); chunk; chunk = await cursor.next()) await out.write(chunk);
    } finally {
      await out.close();
    }
    return await use(tmp);
  } finally {
    await cursor.close();
    await rm(tmp, { force: true });
  }
}

async function readGzipBlocks(path: string, prepare: Prepare, opts: ReadOptions, input?: Readable): Promise<RasterInfo> {
  const cursor = new GunzipCursor(path, opts.onBytes, input);
  const notice = opts.onNotice ?? (() => {});
  try {
    const { parsed, head } = await parseGzipHead(cursor, path);
    const info = parsed ? toInfo(path, parsed, true) : null;
    const plan = info ? await prepare(info) : undefined;
    if (info && !plan) return info;
    const blocks = parsed && plan ? planBlocks(parsed.layout, plan.window, plan.rowEnds) : [];
    const batches = parsed ? makeBatches(blocks, parsed.layout) : null;
    if (!parsed || !plan || !batches) {
      // Asked again with the header read from the temp file (the same header when it was parsed here).
      const again: Prepare = plan ? async () => plan : prepare;
      return await viaTempFile(path, cursor, head, notice, async (tmp) => {
        const handle = await openForReading(tmp);
        try {
          return await readPlainBlocks(handle, path, true, again, opts);
        } finally {
          await handle.close();
        }
      });
    }
    const { consumer } = plan;
    const headLength = cursor.position;
    await runBatches(path, parsed, blocks, batches, opts, consumer, async (batch) => {
      const out = Buffer.allocUnsafeSlow(batch.end - batch.start);
      let filled = 0;
      if (batch.start < headLength) {
        filled = head.copy(out, 0, batch.start, Math.min(batch.end, headLength));
      }
      while (batch.start + filled < batch.end) {
        const chunkStart = cursor.position - cursor.chunk.length;
        const want = batch.start + filled;
        if (want < cursor.position && want >= chunkStart) {
          filled += cursor.chunk.copy(out, filled, want - chunkStart, Math.min(cursor.chunk.length, batch.end - chunkStart));
        } else if (!(await cursor.next())) {
          const index = batch.blocks.find((b) => b.offset + b.length > want)!.index;
          throw new CgerError(`${path}: file is truncated: ${describeBlock(parsed.layout, index)} needs bytes up to ${batch.end} but the TIFF data ends at byte ${cursor.position}`);
        }
      }
      return { bytes: out.buffer as ArrayBuffer };
    });
    return info!;
  } finally {
    await cursor.close();
  }
}

/** What to read and how, decided once the header is known; null: nothing to read. */
interface ReadPlan extends Pick<ReadOptions, 'window' | 'rowEnds'> {
  consumer: BatchConsumer;
}
type Prepare = (info: RasterInfo) => Promise<ReadPlan | null>;

/**
 * Streams the blocks intersecting `opts.window`, each decoded to a Float32Array (Float64Array for
 * Float64 and 32-bit integer rasters), calling onBlock in file order. Strips come whole (full
 * grid width) unless `opts.rowEnds` clips them; tiles are clipped to the grid. Nodata and NaN are
 * left as they are. Resolves with the raster's info when all blocks are delivered; rejects with
 * a CgerError on any failure.
 */
export function readBlocks(path: string, onBlock: (block: RasterBlock) => void, opts: ReadOptions = {}): Promise<RasterInfo> {
  return readWith(path, async () => ({ consumer: { kind: 'blocks', onBlock }, window: opts.window, rowEnds: opts.rowEnds }), opts);
}

/** What reduceBlocks reads, and the reducer that folds it. */
export interface ReducePlan<I> extends Pick<ReadOptions, 'window' | 'rowEnds'> {
  reduction: BlockReduction<I>;
}

/**
 * Like readBlocks, but the blocks are folded by a block reducer where they are decoded (worker
 * threads, or this thread for small reads), and what to read is decided by `plan` from the
 * raster's header (parsed once; null: nothing to read). `onResult` receives one result per batch
 * of adjacent blocks, in file order, whatever the thread count, so folding the results in the
 * order received is deterministic.
 */
export function reduceBlocks<I, R>(
  path: RasterInput, plan: (info: RasterInfo) => Promise<ReducePlan<I> | null>, onResult: (result: R) => void,
  opts: Omit<ReadOptions, 'window' | 'rowEnds'> = {},
): Promise<RasterInfo> {
  return readWith(path, async (info) => {
    const p = await plan(info);
    return p && { consumer: { kind: 'reduce', reduction: p.reduction, onResult: onResult as (result: unknown) => void }, window: p.window, rowEnds: p.rowEnds };
  }, opts);
}

async function readWith(input: RasterInput, prepare: Prepare, opts: ReadOptions): Promise<RasterInfo> {
  // A gzip stream (e.g. a zip archive's entry) is read as a .tif.gz file's stream would be.
  if (typeof input !== 'string') return readGzipBlocks(input.name, prepare, opts, await input.open());
  const path = input;
  const handle = await openForReading(path);
  try {
    if (await isGzipFile(handle)) return await readGzipBlocks(path, prepare, opts);
    return await readPlainBlocks(handle, path, false, prepare, opts);
  } finally {
    await handle.close();
  }
}

/**
 * Starts the decode worker threads now (default os.availableParallelism()) so their start-up
 * overlaps other work, e.g. loading boundaries before the first month is read.
 */
export async function warmUpDecoders(threads = availableParallelism()): Promise<void> {
  if (threads > 0) await sharedPool(threads).warmUp();
}

/**
 * Starts the decode workers in the background if any of `paths` is big enough to be decoded on
 * them (small reads decode on the calling thread), so that their start-up overlaps other work.
 * Files that cannot be read are skipped: reading them reports the problem.
 */
export async function warmUpDecodersFor(paths: string[], threads?: number): Promise<void> {
  const big = await Promise.all(paths.map((p) => stat(p).then((s) => s.size >= INLINE_BELOW_BYTES, () => false)));
  if (big.some(Boolean) && threads !== 0) await warmUpDecoders(threads);
}
