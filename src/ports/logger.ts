import type { PortToken } from './port-token.js';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Logger port: structured logs. Adapters must pass every record through the redactor. */
export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const LoggerToken = Symbol.for('pristine.port.Logger') as PortToken<Logger>;
