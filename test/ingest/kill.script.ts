/**
 * `npm run test:kill`: the full kill test. SIGKILLs `cger ingest` at 12 seeded random moments on
 * the directory source and 10 on the HTTP source, rerunning after each; fails (exit 1) unless the
 * final outputs equal a clean run's byte for byte and every month is in the store exactly once.
 */
import { assertKillOutcome, runKillTest } from './killLoop.ts';

const seed = Number(process.env.CGER_KILL_SEED ?? 20261129);
let failed = false;
for (const variant of [
  { name: 'directory', http: false, kills: 12 },
  { name: 'http', http: true, kills: 10 },
]) {
  try {
    const r = await runKillTest({ kills: variant.kills, seed, http: variant.http, log: (m) => console.log(`  [${variant.name}] ${m}`) });
    assertKillOutcome(r);
    console.log(
      `${variant.name}: OK - ${r.kills} kills (months done at each: ${r.monthsDoneAtKill.join(' ')}), ` +
        `${r.completedEarly} run(s) finished before their kill; outputs identical to the clean run`,
    );
  } catch (err) {
    failed = true;
    console.error(`${variant.name}: FAILED - ${(err as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
