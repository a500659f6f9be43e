/** What a read is asked to do: the caller's options, and the plan decided once the header is known. */
import type { RasterInfo } from './info.ts';
import type { BlockReduction, CellWindow, RasterBlock, RowEnds } from './types.ts';

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

/** What the reader does with the decoded blocks: hand them over, or fold them with a reducer. */
export type BatchConsumer =
  | { kind: 'blocks'; onBlock: (block: RasterBlock) => void }
  | { kind: 'reduce'; reduction: BlockReduction<unknown>; onResult: (result: unknown) => void };

/** What to read and how, decided once the header is known; null: nothing to read. */
export interface ReadPlan extends Pick<ReadOptions, 'window' | 'rowEnds'> {
  consumer: BatchConsumer;
}
export type Prepare = (info: RasterInfo) => Promise<ReadPlan | null>;
