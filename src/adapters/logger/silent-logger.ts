import type { Logger } from '../../ports/logger.js';

/** A logger that writes nothing, for SDKs and tests that want no output at all. */
export class SilentLogger implements Logger {
  readonly level = 'off' as const;
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
}
