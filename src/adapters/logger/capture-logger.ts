import type { Logger, LogLevel } from '../../ports/logger.js';
import { isLevelEnabled, type RecordLevel } from './log-levels.js';
import { buildRecord, type RecordOptions } from './log-record.js';

export interface CapturedRecord {
  level: RecordLevel;
  message: string;
  /** Already redacted, exactly as a JsonLogger would write them. */
  fields: Record<string, unknown>;
}

export interface CaptureLoggerOptions extends RecordOptions {
  /** Default `debug`: capture everything. */
  level?: LogLevel;
}

/**
 * Keeps records in memory, for tests (the kernel's and SDK authors'). Records are redacted like the
 * JsonLogger's, so a test that finds no secret here proves none would reach a real log.
 */
export class CaptureLogger implements Logger {
  readonly level: LogLevel;
  readonly records: CapturedRecord[] = [];

  constructor(private readonly options: CaptureLoggerOptions = {}) {
    this.level = options.level ?? 'debug';
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#log('error', message, fields);
  }

  /** The records at one level. */
  at(level: RecordLevel): CapturedRecord[] {
    return this.records.filter((record) => record.level === level);
  }

  /** Every record as a JSON line, handy for "does this secret appear anywhere" assertions. */
  text(): string {
    return this.records.map((record) => JSON.stringify(record)).join('\n');
  }

  clear(): void {
    this.records.length = 0;
  }

  #log(level: RecordLevel, message: string, fields?: Record<string, unknown>): void {
    if (!isLevelEnabled(level, this.level)) return;
    this.records.push(buildRecord(level, message, fields, this.options));
  }
}
