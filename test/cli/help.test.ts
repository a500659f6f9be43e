import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, runCli } from '../helpers.ts';

/** Inputs named in help examples must exist in a checkout; outputs and the user's own rasters need not. */
const WRITTEN_OR_USERS = /^(output|rasters|\/tmp|my-|https?:)/;

for (const command of ['aggregate', 'demo', 'report', 'synth yearbook', 'ingest', 'panel', 'dml', 'yearbook import', 'worker']) {
  test(`cger ${command} --help: examples start with npx cger and name inputs that exist`, () => {
    const r = runCli([...command.split(' '), '--help']);
    assert.equal(r.code, 0, r.stderr);
    const examples = r.stdout
      .slice(r.stdout.indexOf('Example'))
      .split('\n')
      .filter((l) => /^\s+(npx )?cger /.test(l));
    assert.ok(examples.length > 0, 'has examples');
    for (const line of examples) assert.match(line, /^\s+npx cger /, line);
    const joined = r.stdout.slice(r.stdout.indexOf('Example')).replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n').filter((l) => /^\s+npx cger /.test(l))) {
      for (const token of line.replace(/#.*$/, '').trim().split(/\s+/).slice(2)) {
        if (token.startsWith('-') || !token.includes('/') || WRITTEN_OR_USERS.test(token)) continue;
        assert.ok(existsSync(join(repoRoot, token)), `${command}: ${token} (in "${line.trim()}") does not exist`);
      }
    }
  });
}
