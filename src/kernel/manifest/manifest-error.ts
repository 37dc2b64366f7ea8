import { PristineError } from '../errors/pristine-error.js';

/** A plugin or manifest is malformed. Raised at registration, never during a call. */
export class ManifestError extends PristineError {
  constructor(
    readonly subject: string,
    readonly field: string,
    problem: string,
    /** What failed underneath (a file that could not be read). */
    cause?: unknown,
  ) {
    super(`${subject}: ${field} ${problem}`, { category: 'user', cause });
  }
}
