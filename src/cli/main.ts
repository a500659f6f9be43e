import { Command, CommanderError } from 'commander';
import { CgerError, errorMessage } from '../common/errors.ts';
import { version } from '../common/version.ts';

/**
 * Each stage's command lives in its own module exporting `register(program)`.
 * Commands signal failure by throwing CgerError (message + exit code) or by returning an exit code.
 */
const commandModules: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import('./panel.ts'),
  () => import('./synth.ts'),
  () => import('./dml.ts'),
  () => import('./aggregate.ts'),
  () => import('./ingest.ts'),
  () => import('./report.ts'),
  () => import('./demo.ts'),
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('cger')
    .description('CGER/ODIAC 1 km CO2 grids -> provincial panels -> double machine learning estimates')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage and an example)');
  for (const load of commandModules) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`cger: ${errorMessage(err)}\n`);
    if (!(err instanceof CgerError) && process.env.CGER_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return err instanceof CgerError ? err.exitCode : 1;
  }
}
