import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';
import { loadEmulator } from '../load-emulator.js';
import type { Action } from '../action.js';

/**
 * `tinkex emulator …` runs the tinker-emulator package's own CLI with the arguments as they are (its
 * flags and `--help` are its own), so the two bins cannot drift apart. It stops on Ctrl-C/SIGTERM.
 */
export function registerEmulator(program: Command, action: Action): void {
  program
    .command('emulator')
    .description('Run a local Tinker-compatible emulator (flags: `tinkex emulator --help`)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(
      action(
        async (ctx, _opts, args: string[] = []) => {
          const { runEmulatorCli } = await loadEmulator();
          try {
            return await runEmulatorCli(args, ctx.io.stdout);
          } catch (error) {
            // The emulator's bad arguments (and node:util parseArgs's, from older emulators) are usage
            // errors, like ours; its failures (a port in use) are one line, without a class name.
            const code = String((error as NodeJS.ErrnoException).code);
            if (code === 'ERR_EMULATOR_USAGE' || code.startsWith('ERR_PARSE_ARGS'))
              throw new UsageError((error as Error).message); // after `Try 'tinkex emulator -h' for help.`
            throw new CliError((error as Error).message);
          }
        },
        { cleansUp: true },
      ),
    );
}
