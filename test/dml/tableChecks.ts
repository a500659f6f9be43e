import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvRows } from '../../src/common/csv.ts';
import type { BatteryEstimate } from '../../src/dml/index.ts';

/**
 * Checks that each table's CSV, Markdown and LaTeX parse and agree with estimates.json:
 * CSV rows complete with coefficient (stars from p), t and N cells; Markdown cell counts;
 * LaTeX braces, environments and cells per row.
 */
export function assertTablesParse(out: string, tables: string[], estimates: BatteryEstimate[]): void {
  for (const table of tables) {
    const columns = estimates.filter((e) => e.table === table);
    // CSV: `row` column then one per model, every row complete.
    const rows = parseCsvRows(readFileSync(join(out, `${table}.csv`), 'utf8'));
    assert.deepEqual(rows[0], ['row', ...columns.map((e) => e.column)]);
    for (const r of rows) assert.equal(r.length, columns.length + 1, `${table}.csv row ${r[0]}`);
    const labels = rows.map((r) => r[0]);
    for (const label of ['N', 'Learner', 'K', 'Controls', 'Province FE', 'Year FE']) assert.ok(labels.includes(label), `${table} has ${label}`);
    columns.forEach((e, c) => {
      const coefRow = rows.find((r) => r[0] === e.d)!;
      const tRow = rows[rows.indexOf(coefRow) + 1];
      const stars = e.p < 0.01 ? '***' : e.p < 0.05 ? '**' : e.p < 0.1 ? '*' : '';
      assert.equal(coefRow[c + 1], `${e.theta.toFixed(4)}${stars}`);
      assert.equal(tRow[c + 1], `(${e.t.toFixed(2)})`);
      assert.equal(rows.find((r) => r[0] === 'N')![c + 1], String(e.n_obs));
    });
    // Markdown: a pipe table with a constant number of cells.
    const md = readFileSync(join(out, `${table}.md`), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('|'));
    assert.equal(md.length, rows.length + 1);
    for (const line of md) assert.equal(line.split(/(?<!\\)\|/).length - 2, columns.length + 1, `${table}.md: ${line}`);
    // LaTeX: balanced braces and environments; every tabular row has the right number of cells.
    const tex = readFileSync(join(out, `${table}.tex`), 'utf8');
    let depth = 0;
    for (let i = 0; i < tex.length; i++) {
      if (tex[i] === '\\') {
        i++;
        continue;
      }
      if (tex[i] === '{') depth++;
      if (tex[i] === '}') depth--;
      assert.ok(depth >= 0, `${table}.tex: unbalanced }`);
    }
    assert.equal(depth, 0, `${table}.tex: unbalanced {`);
    const envs = [...tex.matchAll(/\\(begin|end)\{(\w+)\}/g)];
    const stack: string[] = [];
    for (const [, kind, name] of envs) {
      if (kind === 'begin') stack.push(name);
      else assert.equal(stack.pop(), name, `${table}.tex: \\end{${name}}`);
    }
    assert.equal(stack.length, 0);
    const body = tex
      .slice(tex.indexOf('\\begin{tabular}'), tex.indexOf('\\end{tabular}'))
      .split('\n')
      .filter((l) => l.endsWith('\\\\'));
    assert.equal(body.length, rows.length);
    for (const line of body) assert.equal(line.split(/(?<!\\)&/).length, columns.length + 1, `${table}.tex: ${line}`);
  }
}
