import { type Command, CommanderError, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { SystemClock, visibleControls } from 'pristine-kernel';
import { VERSION } from '../version.js';
import { registerBilling } from './commands/billing.js';
import { registerCheckpoint } from './commands/checkpoint.js';
import { registerEmulator } from './commands/emulator.js';
import { registerQuickstart } from './commands/quickstart.js';
import { registerRun } from './commands/run.js';
import { registerSample } from './commands/sample.js';
import { registerSession } from './commands/session.js';
import { registerVersion } from './commands/version.js';
import type { Action } from './action.js';
import { CliContext, type CliIo, type GlobalOptions } from './context.js';
import { CliError, InterruptedError, STOP_EXIT_CODES, UsageError, type StopSignal } from './errors.js';
import { nonNegativeInt } from './options.js';
import { TinkexCommand } from './tinkex-command.js';

/**
 * The configuration guide the package ships (`dist/docs/`, copied there by the build in the repository
 * too), by its absolute path: `docs/configuration.md` named a file of the repository, absent from an install.
 */
const CONFIGURATION_GUIDE = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

/** Exit codes: 0 ok, 1 failed (API or runtime error), 2 usage error, 130 interrupted (SIGTERM: 143). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Build the `tinkex` command tree. Every command gets the same settings (output, errors, help). */
export function buildProgram(io: CliIo, action: Action): Command {
  const program = new TinkexCommand('tinkex')
    .description('Tinker from the command line: training runs, checkpoints, sessions, billing, sampling.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--api-key <key>', 'API key (default: TINKER_API_KEY)')
    .option('--base-url <url>', 'API base URL (default: TINKER_BASE_URL)')
    .option(
      '--max-retries <n>',
      'retries per request after a connection error, timeout, 429 or 5xx (default: 10; 0 fails at once)',
      nonNegativeInt,
    )
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    // Global options are listed in `tinkex --help` only, as tinker's Click CLI does; a command's help
    // lists its own and points there (TinkexCommand), instead of repeating the block under every command.
    .configureHelp({ sortSubcommands: false })
    .exitOverride()
    .addHelpText(
      'after',
      `\nEnvironment: TINKER_API_KEY, TINKER_BASE_URL, TINKER_LOG (see ${CONFIGURATION_GUIDE}).\n` +
        'Exit codes: 0 ok, 1 failed, 2 usage error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).',
    );
  registerVersion(program, action);
  registerRun(program, action);
  registerCheckpoint(program, action);
  registerSession(program, action);
  registerBilling(program, action);
  registerSample(program, action);
  registerEmulator(program, action);
  registerQuickstart(program, action);
  return program;
}

/** How long clean-up after Ctrl-C may run before the CLI says it is cleaning up. */
const CLEAN_UP_HINT_MS = 1_000;

/**
 * Run `tinkex <argv>` and return the exit code. The first Ctrl-C (SIGINT) or SIGTERM aborts the
 * running command, which cleans up (a download removes its staging folder) and exits 130 (SIGTERM: 143).
 * A second one while that clean-up runs ends the process at once (the usual convention): clean-up that
 * waits on a slow or hung server (the client's last telemetry report) must not hold the terminal.
 */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  let ctx: CliContext | undefined;
  // runCli's own writes (errors, commander's usage text) go through the command's context once there is
  // one, whose streams say the retry log's pending counts first (CliContext.io).
  const io: CliIo = {
    stdin: given.stdin,
    env: given.env,
    get stdout() {
      return (ctx?.io ?? given).stdout;
    },
    get stderr() {
      return (ctx?.io ?? given).stderr;
    },
  };
  const controller = new AbortController();
  let stoppedBy: StopSignal = 'SIGINT';
  let cancelCleaningUpHint = (): void => {};
  const interrupt = (signal: StopSignal) => {
    const what = signal === 'SIGTERM' ? 'terminated' : 'interrupted';
    if (controller.signal.aborted) {
      ctx?.term.endProgress();
      io.stderr.write(`Error: ${what} again; exiting without finishing clean-up\n`);
      process.exit(STOP_EXIT_CODES[signal]);
    }
    stoppedBy = signal;
    controller.abort(new Error(what));
    // Clean-up is usually over in milliseconds. One that waits on a slow server (the last telemetry
    // report, up to 30 s) would leave the user looking at a silent "^C": say what is happening, and how
    // to skip it.
    if (signal === 'SIGINT')
      cancelCleaningUpHint = new SystemClock().after(CLEAN_UP_HINT_MS, () => {
        ctx?.term.endProgress();
        io.stderr.write('Cleaning up; press Ctrl-C again to exit at once.\n');
      });
  };
  let code: number = EXIT.ok;
  const interrupted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(InterruptedError.by(stoppedBy)), {
      once: true,
    }),
  );
  interrupted.catch(() => {});
  const action: Action =
    (body, how = {}) =>
    async (...args) => {
      const command = args.at(-1) as Command;
      const positional = args.slice(0, -2);
      ctx = new CliContext(given, command.optsWithGlobals<GlobalOptions>(), controller.signal);
      const work = body(ctx, command.opts(), ...positional).catch((error: unknown) => {
        if (error instanceof UsageError) command.error(`error: ${error.message}`, { exitCode: EXIT.usage });
        throw error;
      });
      // A command that cleans up after an abort (download) is awaited; any other stops at once.
      code = (await (how.cleansUp ? work : Promise.race([work, interrupted]))) ?? EXIT.ok;
    };
  const program = buildProgram(io, action);
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError)
      // Help and --version exit 0; anything commander rejects (unknown command or flag, bad value,
      // missing argument) is a usage error: TinkexCommand already printed the usage and the message.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { describeError } = await import('./describe-error.js');
    const described =
      controller.signal.aborted && !(error instanceof CliError)
        ? InterruptedError.by(stoppedBy)
        : describeError(error, ctx?.apiSetup());
    // A command's own InterruptedError ("download interrupted; …") exits as the signal that stopped it.
    const failure =
      described instanceof InterruptedError ? InterruptedError.by(stoppedBy, described) : described;
    // A command stopped mid-bar (Ctrl-C races the body) leaves the bar's line open: end it first.
    ctx?.term.endProgress();
    // The message and details quote the server (its error text, the ids it echoes): shown, not obeyed.
    const details = failure.details ? `${failure.details}\n` : '';
    io.stderr.write(visibleControls(`Error: ${failure.message}\n${details}`));
    return failure.exitCode;
  } finally {
    cancelCleaningUpHint();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    // After Ctrl-C the process exits at once: close() would still send the final telemetry report,
    // which may take up to its 30 s bound when the server is slow or gone.
    if (!controller.signal.aborted) await ctx?.close().catch(() => {});
  }
}
