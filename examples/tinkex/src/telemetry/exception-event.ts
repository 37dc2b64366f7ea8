import { redactValue, type SecretRegistry } from 'pristine-kernel';

/**
 * The user error in an exception's cause chain, as the Python SDK finds it (`_get_user_error`): an
 * error of category `user` (RequestFailedError, ValidationError), or one with an HTTP status 4xx other
 * than 408, checked depth first through `cause` (and Python's `__cause__`/`__context__` names), safe
 * against cycles. Elixir tinkex also excludes 429; the Python SDK, whose backend this is, does not.
 */
export function findUserError(
  error: unknown,
  seen = new Set<unknown>(),
): Record<string, unknown> | undefined {
  if (error === null || typeof error !== 'object' || seen.has(error)) return undefined;
  seen.add(error);
  const e = error as Record<string, unknown>;
  if (e.category === 'user') return e;
  const status = typeof e.status === 'number' ? e.status : e.status_code;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408) return e;
  for (const key of ['cause', '__cause__', '__context__']) {
    const found = findUserError(e[key], seen);
    if (found) return found;
  }
  return undefined;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The fields of a `user_error` generic event (`{error_type, message?, status_code?, body?}`) or of an
 * UNHANDLED_EXCEPTION (`{error_type, error_message, traceback}`, the stack with its causes), every
 * string scrubbed of the kernel's known secrets and every secret-named field masked.
 */
export function describeException(
  error: unknown,
  secrets: SecretRegistry,
): { user: true; data: Record<string, unknown> } | { user: false; fields: Record<string, unknown> } {
  const scrub = (text: string) => secrets.scrub(text);
  const userError = findUserError(error);
  if (userError) {
    const data: Record<string, unknown> = { error_type: errorName(error) };
    const message = errorMessage(error);
    if (message) data.message = scrub(message);
    const status = typeof userError.status === 'number' ? userError.status : userError.status_code;
    if (typeof status === 'number') data.status_code = status;
    if (userError.body !== undefined && userError.body !== null && userError.body !== '')
      data.body = redactValue(userError.body, { secrets });
    return { user: true, data };
  }
  return {
    user: false,
    fields: {
      error_type: errorName(error),
      error_message: scrub(errorMessage(error)),
      traceback: error instanceof Error ? scrub(traceback(error)) : null,
    },
  };
}

/** The stack, then each cause's (at most 5 deep), as Java prints them. */
function traceback(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(current.stack ?? `${current.name}: ${current.message}`);
    current = current.cause;
  }
  return parts.join('\nCaused by: ');
}
