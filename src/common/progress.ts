import cliProgress from 'cli-progress';

export interface ProgressOptions {
  label: string;
  total: number;
  /** Unit shown next to the counts, e.g. "files", "months". */
  unit?: string;
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
}

export interface Progress {
  /** Advances by `n` (default 1); `detail` is shown after the counts (e.g. "12.3 MB/s"). */
  tick(n?: number, detail?: string): void;
  /** Writes a message line without breaking the bar. */
  log(message: string): void;
  stop(): void;
}

/**
 * Progress for long work: a bar on a TTY, plain lines otherwise (one per step, so logs stay
 * readable), nothing with `quiet`. Always on stderr, so stdout stays clean for --json.
 */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const unit = opts.unit ?? '';
  let done = 0;
  if (opts.quiet)
    return {
      tick: (n = 1) => {
        done += n;
      },
      log: () => {},
      stop: () => {},
    };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${opts.label} [{bar}] {value}/{total} ${unit} | {detail} | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(opts.total, 0, { detail: '' });
    return {
      tick: (n = 1, detail = '') => {
        done += n;
        bar.update(done, { detail });
      },
      log: (message) => {
        stream.write(`\r\x1b[K${message}\n`);
        bar.render();
      },
      stop: () => bar.stop(),
    };
  }
  return {
    tick: (n = 1, detail) => {
      done += n;
      stream.write(`${opts.label}: ${done}/${opts.total}${unit ? ' ' + unit : ''}${detail ? ' ' + detail : ''}\n`);
    },
    log: (message) => {
      stream.write(message + '\n');
    },
    stop: () => {},
  };
}
