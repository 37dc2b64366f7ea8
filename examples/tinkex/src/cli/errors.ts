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

/** The signals that stop a command, and the exit code of each: 128 plus its number, as a shell reports. */
export const STOP_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_EXIT_CODES;

/** The command was stopped: Ctrl-C (SIGINT) exits 130, SIGTERM 143. */
export class InterruptedError extends CliError {
  constructor(what = 'interrupted', signal: StopSignal = 'SIGINT') {
    super(what, undefined, STOP_EXIT_CODES[signal]);
  }

  /** The same error (its message), with the exit code of the signal that actually stopped the command. */
  static by(signal: StopSignal, error?: InterruptedError): InterruptedError {
    return new InterruptedError(
      error?.message ?? (signal === 'SIGTERM' ? 'terminated' : 'interrupted'),
      signal,
    );
  }
}
