import { Command, CommanderError, type HelpContext } from 'commander';

/**
 * A commander command that answers a mistake as the `tinker` CLI (Click) does, which our users know:
 *
 *     Usage: tinkex session [options] [command]
 *     Try 'tinkex session -h' for help.
 *
 *     Error: unknown command 'list'
 *
 * on stderr, exit 2 (runCli maps every rejected parse to 2), instead of commander's error followed by
 * the whole help text. A group given no command prints its help on stderr, a usage error (exit 2), as
 * `tinker` 0.25 does with the Click pip installs today (8.2+; 8.1 printed it on stdout, exit 0). A
 * command's help lists its own options and ends with `Global options: see tinkex --help`.
 */
export class TinkexCommand extends Command {
  override createCommand(name?: string): Command {
    // Every command below the program: its help ends with where the global options are described.
    return new TinkexCommand(name).addHelpText('after', '\nGlobal options: see tinkex --help');
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    // Commander's default (stderr) unless configured otherwise, as its own error() writes.
    const writeErr = this.configureOutput().writeErr ?? ((text: string) => process.stderr.write(text));
    const path = [...ancestry(this)].map((c) => c.name()).join(' ');
    // Commander's messages start with "error: " (and a UsageError's is given the same prefix).
    const text = message.replace(/^error: /, '');
    writeErr(
      `Usage: ${this.createHelp().commandUsage(this)}\nTry '${path} -h' for help.\n\nError: ${text}\n`,
    );
    // What commander's own error() ends with under exitOverride(): the parse rejects with this.
    throw new CommanderError(errorOptions?.exitCode ?? 1, errorOptions?.code ?? 'commander.error', message);
  }

  override help(context?: HelpContext): never;
  override help(cb: (str: string) => string): never;
  override help(context?: HelpContext | ((str: string) => string)): never {
    if (typeof context === 'function') return super.help(context);
    // Commander asks for help "as an error" in two cases only: a group given no command (Click 8.2+
    // prints the group's help on stderr, exit 2: commander's own, below) and `help <name>` naming no
    // command (a usage error, as Click's).
    if (context?.error && this.commands.length > 0 && this.args.length > 0)
      this.error(`unknown command '${this.args.at(-1)}'`, { code: 'commander.unknownCommand' });
    return super.help(context);
  }
}

function* ancestry(command: Command): Generator<Command> {
  if (command.parent) yield* ancestry(command.parent);
  yield command;
}
