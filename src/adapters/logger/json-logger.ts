import type { Logger, LogLevel } from '../../ports/logger.js';
import { isLevelEnabled, parseLogLevel, type RecordLevel } from './log-levels.js';
import { buildRecord, type RecordOptions } from './log-record.js';

/** One redacted record, as a `format` function receives it. */
export interface LogLine {
  time: string;
  level: RecordLevel;
  message: string;
  fields: Record<string, unknown>;
}

export interface JsonLoggerOptions extends RecordOptions {
  /** Threshold when the env var is unset or invalid. Default `warn`. */
  level?: LogLevel;
  /**
   * NAME of an env var (e.g. `MYSDK_LOG`) whose value (debug/info/warn/error/off) wins over `level`,
   * so logging can be turned up on a deployed program without a code change.
   */
  envVar?: string;
  /** Where `envVar` is read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Destination of the JSON lines. Default `process.stderr`. */
  stream?: { write(chunk: string): unknown };
  /** Alternative to `stream`: receives each line without its trailing newline. */
  write?: (line: string) => void;
  /** Timestamp source, for deterministic tests. Default `Date.now`. */
  now?: () => number;
  /**
   * How a redacted record becomes a line. Default: one JSON object (`{"time","level","message",...}`);
   * `textLine(program)` gives lines for people (a CLI's stderr).
   */
  format?: (line: LogLine) => string;
}

/**
 * `NAME=value` pairs already reported: a program with several clients (a logger each) says it once.
 * Only a logger that writes warnings takes the report (one at `off` would swallow it for the others).
 */
const reportedEnvValues = new Set<string>();

function firstReport(name: string | undefined, raw: string): boolean {
  const key = `${name}=${raw.trim()}`;
  if (reportedEnvValues.has(key)) return false;
  reportedEnvValues.add(key);
  return true;
}

/**
 * Structured logs as JSON lines (`{"time","level","message",...fields}`). Every record is redacted
 * and scrubbed of the kernel's known secrets before it is serialised, and writing never throws: a
 * broken log destination must not fail a request.
 */
export class JsonLogger implements Logger {
  readonly level: LogLevel;
  readonly #write: (line: string) => void;
  readonly #now: () => number;

  constructor(private readonly options: JsonLoggerOptions = {}) {
    const configured = options.level ?? 'warn';
    const raw = options.envVar ? (options.env ?? process.env)[options.envVar] : undefined;
    const fromEnv = parseLogLevel(raw);
    this.level = fromEnv ?? configured;
    const stream = options.stream ?? process.stderr;
    this.#write = options.write ?? ((line) => stream.write(`${line}\n`));
    this.#now = options.now ?? Date.now;
    if (
      raw !== undefined &&
      raw.trim() !== '' &&
      fromEnv === undefined &&
      isLevelEnabled('warn', this.level) &&
      firstReport(options.envVar, raw)
    ) {
      // Worded as Tinkex words each variable it cannot read: the name, the value, what it accepts and uses.
      this.warn(
        `${options.envVar}=${JSON.stringify(raw.trim())} is not understood ` +
          `(accepted: debug, info, warn, error, off); using ${configured}`,
      );
    }
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

  #log(level: RecordLevel, message: string, fields?: Record<string, unknown>): void {
    if (!isLevelEnabled(level, this.level)) return;
    try {
      const record = buildRecord(level, message, fields, this.options);
      const time = new Date(this.#now()).toISOString();
      const format = this.options.format;
      if (format) return this.#write(format({ time, level, message: record.message, fields: record.fields }));
      const core = { time, level, message: record.message };
      // Core keys first and unshadowable: a field named `level` must not fake a record's level.
      this.#write(JSON.stringify(Object.assign({ ...core }, record.fields, core)));
    } catch {
      // A closed stream or a failing writer: dropping one log line beats failing the call.
    }
  }
}
