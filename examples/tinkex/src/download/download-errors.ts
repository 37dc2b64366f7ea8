import { APIConnectionError, PristineError, ValidationError } from 'pristine-kernel';

/**
 * The checkpoint archive cannot be used. Thrown before anything reaches the output directory: the
 * archive is checked and extracted in a private staging folder that is removed on every outcome.
 */
export class CheckpointArchiveError extends PristineError {}

/**
 * The server is still preparing the checkpoint's archive (503), and the caller asked for no retries
 * (`max_retries: 0`, a call's `maxRetries: 0`, the CLI's `--max-retries 0`, "fails at once"): said at
 * once instead of waiting up to 2.5 minutes. Retryable: the archive is usually ready minutes later. The 503 is the `cause`.
 */
export class ArchiveNotReadyError extends CheckpointArchiveError {
  constructor(
    readonly training_run_id: string,
    readonly checkpoint_id: string,
    cause: unknown,
  ) {
    super(
      `The archive of ${training_run_id}/${checkpoint_id} is being prepared by the server; try again later, ` +
        "or allow retries (max_retries, and the call's maxRetries, above 0; the CLI: drop --max-retries 0) " +
        'to wait for it, up to 2.5 minutes.',
      { category: 'server', retryable: true, status: 503, cause },
    );
  }
}

/** An entry would land outside the output directory, or is a link or device (checkpoints hold neither). */
export class UnsafeArchiveError extends CheckpointArchiveError {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`Refusing archive entry "${entry}": ${reason}`, { category: 'server' });
  }
}

/**
 * The archive is not a readable tar (truncated, bad header, empty, or a body that is not a tar at all).
 * `code` is node-tar's code (`TAR_BAD_ARCHIVE`, …) or `EMPTY`; the original error is the `cause`.
 * Retryable: a fresh download usually succeeds.
 */
export class CorruptArchiveError extends CheckpointArchiveError {
  constructor(
    readonly code: string,
    detail: string,
    cause?: unknown,
  ) {
    super(`The checkpoint archive is unreadable (${code}): ${detail}`, {
      category: 'server',
      retryable: true,
      cause,
    });
  }
}

/**
 * The output directory or the checkpoint's folder in it cannot be used as asked: the folder exists and
 * `force` was not given, or a path is a file or a link where a directory belongs. Nothing was changed.
 */
export class DownloadTargetError extends ValidationError {
  constructor(
    readonly path: string,
    rule: 'absent-or-force' | 'directory',
    message: string,
  ) {
    super('checkpoint download target', [{ pointer: '/output_dir', rule, message }]);
  }
}

/**
 * The connection broke (or stalled past its timeout) during the archive's transfer. A connection error,
 * retryable: a new download usually succeeds. Says how far it got, so nobody takes it for a server that
 * could not be reached. Nothing reached the output directory.
 */
export class DownloadInterruptedError extends APIConnectionError {
  constructor(
    readonly downloadedBytes: number,
    /** NaN when the server sent no Content-Length. */
    readonly totalBytes: number,
    cause: unknown,
  ) {
    const of = Number.isFinite(totalBytes) ? ` of ${totalBytes}` : '';
    const origin = (cause as { origin?: string } | null)?.origin;
    super(
      `The checkpoint download was cut after ${downloadedBytes} bytes${of}: ${(cause as Error)?.message ?? String(cause)}`,
      { cause, ...(origin ? { origin } : {}) },
    );
  }
}
