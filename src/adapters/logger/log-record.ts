import { redactValue, type RedactValueOptions } from '../../kernel/redact.js';
import type { RecordLevel } from './log-levels.js';

/** Fields that carry whole header maps; they are logged only when header logging is on. */
const HEADER_FIELDS = new Set(['headers', 'requestHeaders', 'responseHeaders']);

export interface RecordOptions {
  secrets?: RedactValueOptions['secrets'];
  /** Header or field names to redact beyond the built-in rules (e.g. an auth scheme's headers). */
  secretHeaders?: readonly string[];
  /** Keep `headers`/`requestHeaders`/`responseHeaders` fields (redacted). Default false. */
  logHeaders?: boolean;
}

/**
 * The redacted, JSON-safe body of one log record: message and fields pass through `redactValue`
 * with the kernel's secret registry, so a secret is caught by its key name, by its shape (bearer
 * tokens, URL userinfo, query parameters) or by its value (registered keys inside any text).
 */
export function buildRecord(
  level: RecordLevel,
  message: string,
  fields: Record<string, unknown> | undefined,
  options: RecordOptions,
): { level: RecordLevel; message: string; fields: Record<string, unknown> } {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (!options.logHeaders && HEADER_FIELDS.has(key)) continue;
    kept[key] = value;
  }
  const redact: RedactValueOptions = { secrets: options.secrets, extraSecretNames: options.secretHeaders };
  return {
    level,
    message: String(redactValue(String(message), redact)),
    fields: redactValue(kept, redact) as Record<string, unknown>,
  };
}
