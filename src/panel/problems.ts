import { CgerError } from '../common/errors.ts';

/**
 * Collects input problems so that all of them are reported together. A problem with the same
 * wording on many lines (an unknown province on every row of a file in the wrong encoding) is
 * reported once with its count and first lines.
 */
export class Problems {
  private readonly groups = new Map<string, number[]>();
  private readonly order: string[] = [];

  /** `what` is the problem without its place; `line` the 1-based file line, when it has one. */
  add(what: string, line?: number): void {
    let lines = this.groups.get(what);
    if (!lines) {
      lines = [];
      this.groups.set(what, lines);
      this.order.push(what);
    }
    if (line !== undefined) lines.push(line);
  }

  get count(): number {
    return this.order.length;
  }

  messages(): string[] {
    return this.order.map((what) => {
      const lines = this.groups.get(what)!;
      if (lines.length === 0) return what;
      if (lines.length === 1) return `line ${lines[0]}, ${what}`;
      return `${what} on ${lines.length} rows: lines ${formatLines(lines)}`;
    });
  }

  throwIfAny(file: string, what = 'problem(s) in the yearbook'): void {
    if (this.count === 0) return;
    const all = this.messages();
    const shown = all.slice(0, 100);
    const more = all.length > shown.length ? `\n  ... and ${all.length - shown.length} more` : '';
    throw new CgerError(`${file}: ${all.length} ${what}:\n  ${shown.join('\n  ')}${more}`);
  }
}

/** 2,3,4,5,9 -> "2-5, 9"; at most five runs shown. */
export function formatLines(lines: readonly number[]): string {
  const runs: string[] = [];
  let start = lines[0],
    prev = lines[0];
  const close = () => runs.push(start === prev ? String(start) : `${start}-${prev}`);
  for (const l of lines.slice(1)) {
    if (l === prev + 1) {
      prev = l;
      continue;
    }
    close();
    start = prev = l;
  }
  close();
  return runs.length <= 5 ? runs.join(', ') : `${runs.slice(0, 5).join(', ')}, ...`;
}
