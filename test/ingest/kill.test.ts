import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKillTest } from './killLoop.ts';

// Short version of `npm run test:kill` (which does 12 + 10 kills on the whole release): two kills, four months.
test('SIGKILL at random moments, rerun each time: outputs identical to a clean run, no month lost or doubled', async () => {
  const r = await runKillTest({ kills: 2, seed: 7, months: 4 });
  // After every kill the store held whole months only (checked by the loop); months never went backwards.
  assert.deepEqual(
    r.monthsDoneAtKill,
    [...r.monthsDoneAtKill].sort((a, b) => a - b),
  );
  assert.equal(r.finalExitCode, 0);
  assert.equal(r.monthsInStore, 4, 'every month in the store exactly once, with all its zone rows and its audit');
  for (const o of r.outputs) assert.deepEqual(o.final, o.clean, `${o.name} differs from the clean run`);
  assert.deepEqual(r.outputDirEntries, ['ingest_report.json', 'province_month.csv', 'province_year.csv'], 'no temporary files left');
});
