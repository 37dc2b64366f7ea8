/** A failure the CLI explains itself: `Error: <message>`, then the details, and the exit code (1). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Arguments that do not fit together: printed with the command's usage, exit 2 (like a bad flag). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command was interrupted (Ctrl-C or SIGTERM): exit 130, as a shell expects. */
export class InterruptedError extends CliError {
  constructor(what = 'interrupted') {
    super(what, undefined, 130);
  }
}
