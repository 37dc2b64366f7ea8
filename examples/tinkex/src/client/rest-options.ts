import { ValidationError, optionNames } from 'pristine-kernel';
import type { TraceExportProgress } from './rest-account.js';
import type { RequestOptions } from './request-options.js';

/** The default bound of a trace export's wait (the server builds it; long sessions take minutes). */
export const TRACE_EXPORT_TIMEOUT_MS = 10 * 60_000;

/** The archive URL's retries when neither the call nor the client names any (fewer than the client's 10). */
export const ARCHIVE_URL_RETRIES = 2;

/** Options of `RestClient.exportSessionTrace`. */
export interface TraceExportOptions extends RequestOptions {
  /** The pause between two polls of the export's status, in ms (default 5,000). */
  pollIntervalMs?: number;
  /** Called with each status the server reports while the export is being built. */
  onProgress?: (progress: TraceExportProgress) => void;
}

export const TRACE_EXPORT_OPTIONS = {
  names: optionNames<TraceExportOptions>({
    pollIntervalMs: true,
    onProgress: true,
    signal: true,
    timeoutMs: true,
  }),
  what: 'an exportSessionTrace option',
};

export const PAGE_SIZE_ONLY = {
  names: optionNames<{ page_size?: number }>({ page_size: true }),
  what: 'an iterateUserCheckpoints option',
};

/** An iteration's `page_size`: a whole number of at least 1 (it is each page's `limit`), else `fallback`. */
export function pageSize(value: unknown, fallback: number, method: string): number {
  if (value === undefined) return fallback;
  const where = `${method} options`;
  if (!Number.isInteger(value))
    throw ValidationError.field(where, '/page_size', 'type', 'must be an integer');
  if ((value as number) < 1) throw ValidationError.field(where, '/page_size', 'minimum', 'must be ≥ 1');
  return value as number;
}
