import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKillTest } from './killLoop.ts';

// Short version of `npm run test:kill` (which does 12 + 10 kills on the whole release): two kills, four months.
test('SIGKILL at random moments, rerun each time: outputs identical to a clean run, no month lost or doubled', async () => {
  const result = await runKillTest({ kills: 2, seed: 7, months: 4 });
  assert.equal(result.kills, 2);
});
