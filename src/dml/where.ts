import { CgerError } from '../common/errors.ts';

/**
 * Subsample filters such as `coastal==1`, `region=="east"`, `year>=2015 && env_reg_high==1`:
 * comparisons (== = != < <= > >=) of a column with a number or a (quoted or bare) word, combined
 * with && || ! and parentheses. Values compare as numbers when both sides are numbers, else as text.
 */
export type RowPredicate = (values: Record<string, string>) => boolean;

type Token = { kind: 'op' | 'word' | 'string' | 'paren'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(==|!=|<=|>=|&&|\|\||[<>=!])|([()])|"([^"]*)"|'([^']*)'|([^\s()<>=!&|"']+))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new CgerError(`--where '${expr}': cannot read it at '${expr.slice(pos).trim()}'`);
    pos = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'op', text: m[1] === '=' ? '==' : m[1] });
    else if (m[2]) tokens.push({ kind: 'paren', text: m[2] });
    else if (m[3] !== undefined || m[4] !== undefined) tokens.push({ kind: 'string', text: m[3] ?? m[4] });
    else tokens.push({ kind: 'word', text: m[5] });
  }
  return tokens;
}

function compare(a: string, op: string, b: string): boolean {
  const x = Number(a),
    y = Number(b);
  const numeric = a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y);
  const c = numeric ? Math.sign(x - y) : a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** Compiles `expr`; `columns` are the data's columns (a column name must be on the left). */
export function compileWhere(expr: string, columns: readonly string[]): RowPredicate {
  const tokens = tokenize(expr);
  let i = 0;
  const fail = (what: string): never => {
    throw new CgerError(`--where '${expr}': ${what}`);
  };
  const peek = (): Token | undefined => tokens[i];

  const parseOr = (): RowPredicate => {
    let left = parseAnd();
    while (peek()?.text === '||') {
      i++;
      const a = left,
        b = parseAnd();
      left = (v) => a(v) || b(v);
    }
    return left;
  };
  const parseAnd = (): RowPredicate => {
    let left = parseUnary();
    while (peek()?.text === '&&') {
      i++;
      const a = left,
        b = parseUnary();
      left = (v) => a(v) && b(v);
    }
    return left;
  };
  const parseUnary = (): RowPredicate => {
    const t = peek();
    if (!t) return fail('expression ends early');
    if (t.kind === 'op' && t.text === '!') {
      i++;
      const inner = parseUnary();
      return (v) => !inner(v);
    }
    if (t.kind === 'paren' && t.text === '(') {
      i++;
      const inner = parseOr();
      if (peek()?.text !== ')') fail('missing )');
      i++;
      return inner;
    }
    if (t.kind !== 'word') return fail(`expected a column name, found '${t.text}'`);
    if (!columns.includes(t.text)) fail(`no column '${t.text}' in the data`);
    const column = t.text;
    i++;
    const op = peek();
    if (op?.kind !== 'op' || ['&&', '||', '!'].includes(op.text)) return fail(`expected a comparison after '${column}'`);
    i++;
    const rhs = peek();
    if (!rhs || (rhs.kind !== 'word' && rhs.kind !== 'string')) return fail(`expected a value after '${column} ${op.text}'`);
    i++;
    const value = rhs.text;
    return (v) => compare(v[column] ?? '', op.text, value);
  };

  const predicate = parseOr();
  if (i < tokens.length) fail(`unexpected '${tokens[i].text}'`);
  return predicate;
}
