import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { defaultPanelConfig, readPanelConfig, synthYearbook } from '../panel/index.ts';
import { wholeNumber } from './options.ts';

interface SynthYearbookOptions {
  seed: string;
  out: string;
  co2Out?: string;
  config: string;
  json?: boolean;
}

export function register(program: Command): void {
  const synth = program.command('synth').description('synthetic inputs with known properties, for tests and the demo');
  synth
    .command('yearbook')
    .description(
      'a synthetic statistical yearbook (30 provinces, 2011-2022, investment from 2000) with a planted effect of DCP on CEE and CIWB, plus the implied provincial CO2',
    )
    .option('--seed <n>', 'random seed (same seed, same files)', '1')
    .option('--out <csv>', 'yearbook CSV; the true effects go to <out>.truth.json', 'output/synth_yearbook.csv')
    .option('--co2-out <csv>', 'implied provincial CO2 per year, in the province_year.csv format read by `cger panel --co2`')
    .option('--config <json>', 'sample, indicators and coefficients to generate for (built-in defaults when the default file is absent)', 'panel.config.json')
    .option('--json', 'print the output paths and the true effects as JSON')
    .addHelpText(
      'after',
      `
Example:
  npx cger synth yearbook --seed 7 --out /tmp/yb.csv --co2-out /tmp/co2.csv
  npx cger panel --yearbook /tmp/yb.csv --co2 /tmp/co2.csv

Every row has source = "synthetic (...)". The data-generating process is documented in
docs/yearbook.md; /tmp/yb.csv.truth.json holds theta for CEE and CIWB.`,
    )
    .action((opts: SynthYearbookOptions, cmd: Command) => {
      const seed = wholeNumber(opts.seed, '--seed', 0);
      const config = cmd.getOptionValueSource('config') === 'default' && !existsSync(opts.config) ? defaultPanelConfig() : readPanelConfig(opts.config);
      const out = synthYearbook(seed, config);
      const truthPath = `${opts.out}.truth.json`;
      writeFileAtomic(opts.out, out.yearbookCsv);
      writeFileAtomic(truthPath, JSON.stringify(out.truth, null, 2) + '\n');
      if (opts.co2Out) writeFileAtomic(opts.co2Out, out.co2Csv);
      const summary = { yearbook: opts.out, truth: truthPath, co2: opts.co2Out ?? null, theta: out.truth.theta };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(`synthetic yearbook -> ${opts.out} (truth: ${truthPath})${opts.co2Out ? `, CO2 -> ${opts.co2Out}` : ''}\n`);
    });
}
