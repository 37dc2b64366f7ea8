import { APIConnectionError, APITimeoutError, APIUserAbortError } from '../../kernel/errors/api-errors.js';
import { sanitizedCause } from '../../kernel/errors/error-secrets.js';
import { PristineError } from '../../kernel/errors/pristine-error.js';

/**
 * Map a low-level failure (no HTTP status) to the kernel's connection errors. The library error is
 * never kept as it is: got's errors hold the request options (headers with the API key, agents with
 * the proxy URL), which `util.inspect` prints. The cause is a copy with name, code, message and stack.
 */
export function toTransportError(error: Error, signal?: AbortSignal): PristineError {
  if (error instanceof PristineError) return error;
  const code = (error as { code?: string }).code;
  const cause = sanitizedCause(error);
  if (signal?.aborted || error.name === 'AbortError' || code === 'ABORT_ERR') {
    return new APIUserAbortError(undefined, { cause });
  }
  if (
    error.name === 'TimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new APITimeoutError(undefined, { cause });
  }
  return new APIConnectionError(`Connection error: ${code ?? error.message}`, { cause });
}
