import { Command, CommanderError } from 'commander';
import { CgerError, errorMessage } from '../common/errors.ts';
import { isSqliteLoadError, sqliteMissingMessage } from '../common/sqlite.ts';
import { version } from '../common/version.ts';

/**
 * Each stage's command lives in its own module exporting `register(program)`, keyed by the
 * command's name. Only the module of the command being run is loaded (stages pull in heavy
 * dependencies: WASM solvers, SQLite, browsers), so start-up stays short; help loads them all.
 * Commands signal failure by throwing CgerError (message + exit code) or by setting process.exitCode.
 */
const commandModules: Record<string, () => Promise<{ register(program: Command): void }>> = {
  aggregate: () => import('./aggregate.ts'),
  ingest: () => import('./ingest.ts'),
  worker: () => import('./worker.ts'),
  panel: () => import('./panel.ts'),
  yearbook: () => import('./yearbook.ts'),
  synth: () => import('./synth.ts'),
  dml: () => import('./dml.ts'),
  report: () => import('./report.ts'),
  demo: () => import('./demo.ts'),
};

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('cger')
    .description('CGER/ODIAC 1 km CO2 grids -> provincial panels -> double machine learning estimates')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage and an example)');
  const named = commandModules[argv[2]];
  for (const load of named ? [named] : Object.values(commandModules)) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`cger: ${isSqliteLoadError(err) ? sqliteMissingMessage(err) : errorMessage(err)}\n`);
    if (!(err instanceof CgerError) && process.env.CGER_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return err instanceof CgerError ? err.exitCode : 1;
  }
}
