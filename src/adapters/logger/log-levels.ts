import type { LogLevel } from '../../ports/logger.js';

export type RecordLevel = Exclude<LogLevel, 'off'>;

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

/** A level name from config or an env var (any case, surrounding blanks ignored), or undefined. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const level = value?.trim().toLowerCase();
  return level !== undefined && Object.hasOwn(SEVERITY, level) ? (level as LogLevel) : undefined;
}

/** Whether a record at `level` is written by a logger whose threshold is `threshold`. */
export function isLevelEnabled(level: RecordLevel, threshold: LogLevel): boolean {
  return SEVERITY[level] >= SEVERITY[threshold];
}
