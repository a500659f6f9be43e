import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { parseCsv } from '../common/csv.ts';
import { CgerError } from '../common/errors.ts';
import { createProgress } from '../common/progress.ts';
import { type BatteryEstimate, loadBatterySpec, runBattery, withTrees } from '../dml/index.ts';
import { MASS_AUDIT_TOLERANCE, runIngest } from '../ingest/index.ts';
import { buildPanel, defaultPanelConfig, synthYearbook, writePanel } from '../panel/index.ts';
import { runReport } from '../report/index.ts';
import { openZones } from '../zonal/index.ts';
import { chinaWindowGrid, type SyntheticRelease, writeSyntheticRelease } from './rasters.ts';

export { chinaWindowGrid, float32Spread, type SyntheticMonth, type SyntheticRelease, writeSyntheticRelease } from './rasters.ts';

/**
 * `cger demo`: the whole chain on synthetic data with a planted effect. A seeded yearbook and
 * its implied provincial CO2 come from `synth yearbook`; that CO2 is written into a release
 * laid out as ODIAC ships it (per-year zips of monthly 1 km .tif.gz, md5 lists); then ingest,
 * panel, the DML battery and the report run on it exactly as on real data, and the baseline
 * estimates are set against the planted effects.
 */
export interface DemoOptions {
  /** Root for rasters/demo/ and output/ (default: the current directory). */
  workdir: string;
  seed: number;
  /** Sample years, contiguous (default 2011-2022). */
  yearFrom: number;
  yearTo: number;
  /** Fewer trees (a fast look; `npm test`). */
  quick: boolean;
  /** Trees of the random forests and boosting stages; default: the shipped battery's, or 60 with `quick`. */
  trees?: number;
  threads?: number;
  quiet: boolean;
}

export interface DemoResult {
  report: string;
  release: SyntheticRelease;
  truth: Record<string, number>;
  baseline: BatteryEstimate[];
  /** Largest relative difference between ingested and planted province-year CO2. */
  co2MaxRelError: number;
  seconds: Record<string, number>;
  paths: { rasters: string; output: string; yearbook: string; trueCo2: string };
}

export const DEMO_RELEASE = '2099';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_BOUNDARIES = join(REPO_ROOT, 'boundaries', 'cn-provinces-ctamap2023.geojson');

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  if (opts.yearTo < opts.yearFrom) throw new CgerError(`--years: ${opts.yearFrom}-${opts.yearTo} is empty`);
  if (opts.yearTo - opts.yearFrom < 2) throw new CgerError('--years: the demo needs at least 3 years (the panel lags DCP and the DML uses year effects)');
  const say = (m: string) => {
    if (!opts.quiet) process.stderr.write(`${m}\n`);
  };
  const workdir = resolve(opts.workdir);
  const output = join(workdir, 'output');
  const rastersRoot = join(workdir, 'rasters', 'demo');
  const demoDir = join(output, 'demo');
  mkdirSync(demoDir, { recursive: true });
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      seconds[name] = (performance.now() - t0) / 1000;
    }
  };
  const years: number[] = [];
  for (let y = opts.yearFrom; y <= opts.yearTo; y++) years.push(y);

  // 1. Synthetic yearbook and its implied provincial CO2.
  say(`demo 1/6: synthetic yearbook (seed ${opts.seed}, ${opts.yearFrom}-${opts.yearTo})`);
  const config = defaultPanelConfig();
  config.sample.yearFrom = opts.yearFrom;
  config.sample.yearTo = opts.yearTo;
  const synth = synthYearbook(opts.seed, config);
  const yearbookPath = join(demoDir, 'yearbook.csv');
  const trueCo2Path = join(demoDir, 'true_co2.csv');
  writeFileAtomic(yearbookPath, synth.yearbookCsv);
  writeFileAtomic(trueCo2Path, synth.co2Csv);
  writeFileAtomic(join(demoDir, 'truth.json'), JSON.stringify(synth.truth, null, 2) + '\n');
  const truth = synth.truth.theta as Record<string, number>;
  const plantedCo2 = new Map<string, Map<number, number>>();
  for (const { values } of parseCsv(synth.co2Csv).records) {
    if (!plantedCo2.has(values.zone_id)) plantedCo2.set(values.zone_id, new Map());
    plantedCo2.get(values.zone_id)!.set(Number(values.year), Number(values.co2_t));
  }

  // 2. A release in ODIAC's shipped layout whose exact province sums are that CO2.
  const months = Array.from({ length: 12 }, (_, i) => i + 1);
  const cacheDir = join(output, 'cache');
  const release = await timed('rasters', async () => {
    say(`demo 2/6: ${years.length * 12} monthly 1 km GeoTIFFs (China window) in ${years.length} ODIAC-style year zips -> ${rastersRoot}`);
    const engine = await openZones(DEMO_BOUNDARIES, { cacheDir });
    const grid = chinaWindowGrid();
    const coverage = await engine.coverage(grid);
    const progress = createProgress({ label: 'demo rasters', total: years.length * months.length, unit: 'files', quiet: opts.quiet });
    try {
      return await writeSyntheticRelease({
        root: rastersRoot,
        release: DEMO_RELEASE,
        grid,
        coverage,
        co2: plantedCo2,
        years,
        months,
        seed: opts.seed,
        level: 1,
        onFile: (f) => progress.tick(1, `${f.name} ${(f.bytes / 1e6).toFixed(1)} MB`),
      });
    } finally {
      progress.stop();
    }
  });

  // 3. Ingest the tree exactly as a real release.
  say('demo 3/6: cger ingest');
  const ingest = await timed('ingest', () =>
    runIngest(
      {
        source: rastersRoot,
        releases: [DEMO_RELEASE],
        years,
        zones: { path: DEMO_BOUNDARIES, idField: 'id', nameField: 'name', method: 'exact' },
        dbPath: join(output, 'cger.sqlite'),
        outDir: output,
        downloadDir: join(workdir, 'rasters'),
        concurrency: 2,
        threads: opts.threads,
        wait: false,
        allowPartialYear: false,
        quiet: opts.quiet,
      },
      openZones,
    ),
  );
  if (ingest.exitCode !== 0)
    throw new CgerError(`demo: ingest failed for ${ingest.failed.length} month(s): ${ingest.failed.map((f) => `${f.year}-${f.month}: ${f.error}`).join('; ')}`);
  const provinceYearPath = join(output, 'province_year.csv');
  const co2MaxRelError = compareCo2(provinceYearPath, plantedCo2, years);

  // 4. The panel from the yearbook and the ingested CO2.
  say('demo 4/6: cger panel');
  const panelPath = join(output, 'panel.csv');
  await timed('panel', async () => {
    const result = await buildPanel({
      yearbookText: synth.yearbookCsv,
      yearbookPath,
      co2Text: readFileSync(provinceYearPath, 'utf8'),
      co2Path: provinceYearPath,
      release: DEMO_RELEASE,
      config,
      configSource: { path: null, sha256: null },
      extrapolate: false,
    });
    writePanel(result, panelPath);
  });

  // 5. The DML battery (Tables 4-11).
  const trees = opts.trees ?? (opts.quick ? 60 : undefined);
  say(`demo 5/6: cger dml --battery${trees ? ` (forests of ${trees} trees)` : ''}`);
  const battery = await timed('dml', () =>
    runBattery({
      data: panelPath,
      spec: trees ? withTrees(loadBatterySpec(), trees) : undefined,
      outDir: join(output, 'tables'),
      quiet: opts.quiet,
      threads: opts.threads,
    }),
  );

  // 6. The report.
  say('demo 6/6: cger report');
  const report = await timed('report', () => runReport({ outDir: output, truth, auditTolerance: MASS_AUDIT_TOLERANCE }));
  const baseline = battery.estimates.filter((e) => e.table === 'table4_baseline');
  return {
    report: report.report,
    release,
    truth,
    baseline,
    co2MaxRelError,
    seconds,
    paths: { rasters: rastersRoot, output, yearbook: yearbookPath, trueCo2: trueCo2Path },
  };
}

/** Largest relative difference between ingested (province_year.csv) and planted CO2. */
function compareCo2(path: string, planted: Map<string, Map<number, number>>, years: number[]): number {
  const ingested = new Map<string, number>();
  for (const { values } of parseCsv(readFileSync(path, 'utf8')).records) ingested.set(`${values.zone_id}/${values.year}`, Number(values.co2_t));
  let worst = 0;
  for (const [zone, byYear] of planted) {
    for (const year of years) {
      const want = byYear.get(year);
      if (want === undefined) continue;
      const got = ingested.get(`${zone}/${year}`);
      if (got === undefined) throw new CgerError(`demo: ${path} has no CO2 for zone ${zone} in ${year}`);
      worst = Math.max(worst, Math.abs(got - want) / want);
    }
  }
  return worst;
}
