import { types } from 'node:util';
import { redactValue, scrubText } from '../redact.js';

/** Anything that can scrub known secrets from text; in practice a kernel's `SecretRegistry`. */
export interface Scrubber {
  scrub(text: string): string;
}

const SHAPES_ONLY: Scrubber = { scrub: scrubText };

/*
 * Which kernel's secrets an error must hide. A WeakMap rather than a field: a field would show up in
 * `Object.keys`, `util.inspect` and structured clones of the error, and it must not keep the error alive.
 */
const bound = new WeakMap<Error, Scrubber>();

/** The scrubber bound to `error`, else one that knows only credential shapes (bearer, URL userinfo…). */
export function scrubberOf(error: Error): Scrubber {
  return bound.get(error) ?? SHAPES_ONLY;
}

/**
 * Scrub an error that is leaving a kernel, in place: message, stack (V8 froze the original message
 * into it), response headers and body lose every known secret, and the kernel's registry is bound to
 * the error so `toJSON`/`util.inspect` also hide secrets registered later (a refreshed token).
 */
export function scrubError<E extends Error>(error: E, secrets: Scrubber): E {
  bound.set(error, secrets);
  try {
    error.message = secrets.scrub(error.message);
    if (typeof error.stack === 'string') error.stack = secrets.scrub(error.stack);
    const fields = error as unknown as { headers?: unknown; body?: unknown };
    if (fields.headers && typeof fields.headers === 'object') {
      fields.headers = redactValue(fields.headers, { secrets });
    }
    if (fields.body !== undefined) fields.body = redactValue(fields.body, { secrets });
  } catch {
    // A frozen or exotic error keeps its fields; toJSON/inspect still redact through the binding.
  }
  return error;
}

const MAX_CAUSE_DEPTH = 5;

function isErrorLike(value: unknown): value is Error {
  const candidate = value as { name?: unknown; message?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.message === 'string';
}

/**
 * A copy of a library error that is safe to keep as a `cause`: name, code, message and stack only,
 * scrubbed of credential shapes, with its own cause copied the same way. got's errors carry the whole
 * request (options, headers, agents with proxy URLs) and `util.inspect` prints them; the copy cannot.
 */
export function sanitizedCause(error: unknown, depth = 0): Error | undefined {
  if (error === undefined || error === null) return undefined;
  // isNativeError too: an error from another realm (a vm context, Jest) fails `instanceof Error`.
  if (!(error instanceof Error || types.isNativeError(error))) {
    // An error-like object (got's ReadError keeps its cause as `{ name, message, code }`): its fields,
    // not `String(object)`, which printed '[object Object]' in place of what broke.
    if (!isErrorLike(error)) return new Error(scrubText(String(error)));
  }
  const copy = new Error(scrubText(error.message));
  if (typeof error.name === 'string') copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') {
    Object.defineProperty(copy, 'code', {
      value: code,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  copy.stack = scrubText(typeof error.stack === 'string' ? error.stack : `${copy.name}: ${error.message}`);
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    copy.cause = sanitizedCause(error.cause, depth + 1);
  }
  return copy;
}

/**
 * The JSON/inspect view of an error: its own enumerable fields passed through `redactValue` with the
 * bound scrubber (secret-named keys, credential shapes and known secret values all masked), the cause
 * reduced to `{ name, message, code, cause }`. Undefined fields are left out.
 */
export function redactedView(error: Error): Record<string, unknown> {
  const secrets = scrubberOf(error);
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) own[key] = value;
  }
  const view = redactValue(own, { secrets }) as Record<string, unknown>;
  const out: Record<string, unknown> = { name: error.name, message: secrets.scrub(error.message), ...view };
  if (error.cause !== undefined) out.cause = redactValue(error.cause, { secrets });
  return out;
}
