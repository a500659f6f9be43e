import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { fuzzCase, loadBases, openFuzzZones, runCase, sameSums } from './harness.ts';

/** `npm test` runs a few hundred cases; `npm run test:fuzz` sets CGER_FUZZ_CASES to thousands. */
const CASES = Number(process.env.CGER_FUZZ_CASES ?? 320);
/** Where failing cases are kept for a look (and to become regression fixtures). */
const KEEP = process.env.CGER_FUZZ_KEEP;

test(`fuzz: ${CASES} mutated rasters give correct sums or a short error naming the file`, { timeout: 30 * 60_000 }, async () => {
  const engine = await openFuzzZones();
  const bases = loadBases();
  const dir = tempDir('fuzz');
  // Every base holds the same image: all must give the reference sums.
  const sums: number[][] = [];
  for (const base of bases) {
    const path = join(dir, base.name);
    writeFileSync(path, base.bytes);
    const outcome = await runCase(engine, path);
    assert.equal(outcome.kind, 'sums', `${base.name}: ${outcome.kind === 'error' ? outcome.message : ''}`);
    if (outcome.kind === 'sums') sums.push(outcome.sums);
  }
  for (let i = 1; i < sums.length; i++) assert.ok(sameSums(sums[i], sums[0]), `${bases[i].name}: ${sums[i]} vs ${sums[0]}`);

  const problems: string[] = [];
  const tally = { sums: 0, same: 0, error: 0 };
  for (let seed = 0; seed < CASES; seed++) {
    const base = bases[seed % bases.length];
    const r = await fuzzCase(engine, base, seed, dir);
    if (r.outcome.kind === 'sums') {
      tally.sums++;
      if (sameSums(r.outcome.sums, sums[0])) tally.same++;
      else if (process.env.CGER_FUZZ_VERBOSE) console.log(`changed sums: ${r.label}`);
    } else tally.error++;
    if (r.problem) {
      problems.push(`${r.label}: ${r.problem}${r.outcome.kind === 'error' ? ` (${r.outcome.message})` : ''}`);
      if (KEEP) {
        mkdirSync(KEEP, { recursive: true });
        copyFileSync(join(dir, `case${seed}-${base.name}`), join(KEEP, `case${seed}-${base.name}`));
      }
    }
  }
  console.log(`fuzz: ${CASES} cases: ${tally.sums} summed (${tally.same} to the base's sums), ${tally.error} clean errors, ${problems.length} problems`);
  assert.deepEqual(problems, []);
});
