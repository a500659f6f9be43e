// `npm run test:pack` (run by .ci/run; too slow for `npm test`): packs cger as `npm pack` does,
// installs the tarball with production dependencies only into an empty project, from the npm
// cache where it can, without install scripts (so better-sqlite3's native binding is absent, as
// on a machine where its build was not approved), and runs the installed `cger` there.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { boundary, fixture, repoRoot, runCli, tempDir } from '../helpers.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('the packed tarball installs with production dependencies only and runs cger aggregate from dist/', { timeout: 600_000 }, () => {
  const packDir = tempDir('pack');
  execFileSync(npm, ['pack', '--pack-destination', packDir, '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const [tarball] = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');

  const project = tempDir('install');
  writeFileSync(join(project, 'package.json'), '{"name": "uses-cger", "version": "1.0.0", "private": true}\n');
  execFileSync(npm, ['install', join(packDir, tarball), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const installed = join(project, 'node_modules', 'cger');
  assert.ok(existsSync(join(installed, 'dist', 'cli', 'main.js')));
  assert.ok(!existsSync(join(installed, 'src')), 'sources are not shipped');
  for (const devOnly of ['tsx', 'typescript', 'playwright-core', 'ml-random-forest']) {
    assert.ok(!existsSync(join(project, 'node_modules', devOnly)), `${devOnly} (development only) was installed`);
  }

  const raster = fixture('jjj/jjj_strip_deflate.tif');
  const zones = boundary('cn-provinces-ctamap2023.geojson');
  const args = ['aggregate', '--zones', zones, '--cache-dir', join(project, 'cache'), '--quiet', raster];
  const fromPackage = spawnSync(npm, ['exec', '--offline', '--', 'cger', ...args], { cwd: project, encoding: 'utf8' });
  assert.equal(fromPackage.status, 0, fromPackage.stderr);
  const fromCheckout = runCli([...args.slice(0, 4), join(tempDir('cache'), 'cache'), ...args.slice(5)]);
  assert.equal(fromCheckout.code, 0, fromCheckout.stderr);
  assert.match(fromPackage.stdout, /^zone_id,zone_name,raster,year,month,sum,coverage,cells\n110000,/);
  assert.equal(fromPackage.stdout, fromCheckout.stdout);

  // A command that needs the store says what is missing instead of failing on the binding.
  const report = spawnSync(npm, ['exec', '--offline', '--', 'cger', 'report', '--out-dir', join(project, 'output')], { cwd: project, encoding: 'utf8' });
  assert.equal(report.status, 1);
  assert.match(report.stderr, /report: 8 inputs are missing:/);
});
