import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parseCsv } from '../../src/common/csv.ts';
import { findChromium } from './chromium.ts';
import { readZipEntries } from './zipEntries.ts';

/**
 * `npm test`'s end-to-end run: `cger demo --quick` (4 years x 12 months of 1 km rasters, small
 * forests) once in a temporary directory before the tests, which check its outputs, then the
 * report in headless Chromium.
 */
const run = promisify(execFile);
const workdir = mkdtempSync(join(tmpdir(), 'cger-demo-'));
const output = join(workdir, 'output');
/** Where the screenshot is kept for people to look at (override with CGER_SCREENSHOT). */
const screenshot = process.env.CGER_SCREENSHOT ?? join(tmpdir(), 'cger-report-screenshot.png');

interface DemoJson {
  report: string;
  baseline: { model: string; y: string; theta: number; ci: [number, number]; truth: number; covered: boolean }[];
  co2_max_rel_error: number;
}

let demo: DemoJson;

before(
  async () => {
    const { stdout } = await run(process.execPath, ['bin/cger.js', 'demo', '--quick', '--workdir', workdir, '--json', '--quiet'], { maxBuffer: 1 << 24 });
    demo = JSON.parse(stdout);
  },
  { timeout: 300_000 },
);

test('the demo release is laid out as ODIAC ships it: per-year zips of monthly .tif.gz with md5 lists', async () => {
  const root = join(workdir, 'rasters', 'demo', 'odiac2099', '1km_tiff');
  for (const year of [2011, 2012, 2013, 2014]) {
    const dir = join(root, String(year));
    assert.deepEqual(readdirSync(dir).sort(), [`odiac2099_1km_checksum_${year}.md5.txt`, `odiac2099_1km_excl_intl_${year}_allmonths.tif.gz.zip`]);
    const entries = await readZipEntries(join(dir, `odiac2099_1km_excl_intl_${year}_allmonths.tif.gz.zip`));
    const list = readFileSync(join(dir, `odiac2099_1km_checksum_${year}.md5.txt`), 'utf8')
      .trim()
      .split('\n');
    assert.equal(list.length, 12);
    assert.equal(entries.size, 12);
    for (const line of list) {
      const [md5, name] = line.split(/\s+/);
      assert.match(name, new RegExp(`^odiac2099_1km_excl_intl_${year % 100}(0[1-9]|1[0-2])\\.tif\\.gz$`));
      const bytes = entries.get(name);
      assert.ok(bytes, `${name} in the ${year} zip`);
      assert.equal(createHash('md5').update(bytes).digest('hex'), md5, name);
    }
  }
});

test('cger demo --quick recovers the planted CO2 and effect', () => {
  // Ingested province-year CO2 equals the planted CO2 (exact sums over interior cells).
  const planted = parseCsv(readFileSync(join(output, 'demo', 'true_co2.csv'), 'utf8')).records;
  const ingested = new Map(
    parseCsv(readFileSync(join(output, 'province_year.csv'), 'utf8')).records.map((r) => [`${r.values.zone_id}/${r.values.year}`, r.values]),
  );
  assert.equal(planted.length, 120);
  for (const { values } of planted) {
    const got = ingested.get(`${values.zone_id}/${values.year}`);
    assert.ok(got, `no ingested CO2 for ${values.zone_id} ${values.year}`);
    assert.equal(got.months, '12');
    const rel = Math.abs(Number(got.co2_t) - Number(values.co2_t)) / Number(values.co2_t);
    assert.ok(rel < 1e-9, `${values.zone_id} ${values.year}: ingested ${got.co2_t}, planted ${values.co2_t}`);
  }
  assert.ok(demo.co2_max_rel_error < 1e-9);

  // The planted effects of DCP on CEE and CIWB lie inside the baseline 95% intervals.
  assert.deepEqual(
    demo.baseline.map((b) => b.y),
    ['CEE', 'CEE', 'CIWB', 'CIWB'],
  );
  for (const b of demo.baseline) {
    assert.ok(b.ci[0] <= b.truth && b.truth <= b.ci[1], `${b.model}: true ${b.truth} outside [${b.ci[0]}, ${b.ci[1]}]`);
    assert.equal(b.covered, true);
  }

  // Outputs of every stage.
  for (const f of [
    'report.html',
    'panel.csv',
    'tables/table3_descriptive.csv',
    'tables/table4_baseline.csv',
    'tables/table11_env_reg.csv',
    'tables/estimates.json',
    'tables/tables.json',
  ]) {
    assert.ok(existsSync(join(output, f)), f);
  }
  assert.deepEqual(readdirSync(join(output, 'maps')).sort(), [
    'cee_2011.svg',
    'cee_2014.svg',
    'ciwb_2011.svg',
    'ciwb_2014.svg',
    'dcp_2011.svg',
    'dcp_2014.svg',
  ]);
});

test('the report renders in headless Chromium with maps, legends and tables, and no network', { timeout: 120_000 }, async (t) => {
  const executablePath = await findChromium();
  if (!executablePath) return t.skip('no Chromium found (set CHROMIUM_PATH, run `npx playwright install chromium`, or install the chromium package)');
  const html = readFileSync(demo.report, 'utf8');
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'external reference in report.html');
  const { chromium } = await import('playwright-core');
  // launch() gives the browser a fresh temporary profile (--user-data-dir) of its own.
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${demo.report}`, { waitUntil: 'load' });
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:')),
      [],
    );

    // Six maps, each with one visible path per province of the boundary file (34).
    const maps = page.locator('#maps svg.choropleth');
    assert.equal(await maps.count(), 6);
    for (let i = 0; i < 6; i++) {
      const map = maps.nth(i);
      assert.equal(await map.locator('g.provinces > path').count(), 34);
      assert.equal(await map.locator('g.provinces > path.in-sample').count(), 30);
      assert.equal(await map.locator('g.provinces > path[data-id="540000"].not-in-sample').count(), 1);
      const box = await map.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 250, 'map drawn at a readable size');
      // Legend: five classes and "not in sample", visible and labelled.
      const items = map.locator('g.legend g.legend-item');
      assert.equal(await items.count(), 6);
      for (let k = 0; k < 6; k++) {
        assert.ok(await items.nth(k).isVisible());
        assert.notEqual((await items.nth(k).textContent())?.trim() ?? '', '');
      }
      assert.equal(await items.nth(5).textContent(), 'not in sample');
      assert.ok(await map.locator('text.map-title').isVisible());
    }
    // Tables 3-11 and Table 4's sensitivity companion visible with non-empty cells.
    const tables = page.locator('table.result-table');
    assert.equal(await tables.count(), 10);
    for (let i = 0; i < 10; i++) {
      const table = tables.nth(i);
      assert.ok(await table.isVisible());
      const cells = await table.locator('tbody td').allTextContents();
      assert.ok(cells.length >= 8 && cells.filter((c) => c.trim() !== '').length >= cells.length / 2);
    }
    assert.match((await page.locator('table.baseline').textContent()) ?? '', /DCP/);
    assert.ok(await page.locator('#co2 svg.line-chart path.series').first().isVisible());
    await page.screenshot({ path: screenshot, fullPage: true, timeout: 60_000 });
    assert.ok(readFileSync(screenshot).length > 50_000);
    if (process.env.CGER_KEEP_DEMO) copyFileSync(demo.report, join(tmpdir(), 'cger-demo-report.html'));
  } finally {
    await browser.close();
  }
});

test('the report is the same file when built again from the same outputs', async () => {
  const { runReport, readTruth } = await import('../../src/report/index.ts');
  const before = readFileSync(demo.report);
  const mapBefore = readFileSync(join(output, 'maps', 'cee_2014.svg'));
  await runReport({ outDir: output, truth: readTruth(join(output, 'demo', 'truth.json')), auditTolerance: 1e-9 });
  assert.ok(readFileSync(demo.report).equals(before));
  assert.ok(readFileSync(join(output, 'maps', 'cee_2014.svg')).equals(mapBefore));
});

after(() => {
  rmSync(workdir, { recursive: true, force: true });
});
