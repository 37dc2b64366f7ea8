import type { Logger, LogLevel } from '../../ports/logger.js';
import { redactValue, type SecretRegistry } from '../../kernel/redact.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 99 };

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Env var whose value sets the level (e.g. `MYSDK_LOG`); wins over `level`. */
  envVar?: string;
  secrets?: SecretRegistry;
  write?: (line: string) => void;
}

/** Structured JSON lines; every record is redacted and scrubbed of known secrets before it is written. */
export class JsonLogger implements Logger {
  readonly level: LogLevel;
  private readonly write: (line: string) => void;

  constructor(private readonly options: JsonLoggerOptions = {}) {
    const fromEnv = options.envVar ? process.env[options.envVar]?.toLowerCase() : undefined;
    this.level = fromEnv && fromEnv in ORDER ? (fromEnv as LogLevel) : (options.level ?? 'warn');
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  private log(level: Exclude<LogLevel, 'off'>, message: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const record = {
      time: new Date().toISOString(),
      level,
      message,
      ...(redactValue(fields ?? {}) as object),
    };
    let line = JSON.stringify(record);
    if (this.options.secrets) line = this.options.secrets.scrub(line);
    this.write(line);
  }
}
