import type { ValidationIssue } from '../../ports/serializer.js';
import { ValidationError } from '../errors/validation-error.js';

/** RFC 9110 `token`: the characters a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Tab and printable ASCII: anything else is either refused by Node's HTTP stack or mangled on the way. */
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;

/** Names seen valid before: the same few dozen names come by on every attempt. */
const goodNames = new Set<string>();
const MAX_REMEMBERED_NAMES = 512;

/** Why a header name cannot be sent, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (goodNames.has(name)) return undefined;
  if (!TOKEN.test(name)) return 'is not a valid header name (RFC 9110 token characters only)';
  if (goodNames.size < MAX_REMEMBERED_NAMES) goodNames.add(name);
  return undefined;
}

/**
 * Why a header value cannot be sent, or undefined when it can. Never quotes the value (it may be a
 * key): it names the kind of character and its index. A CR/LF or a non-ASCII character (a key pasted
 * with `…`) can never be sent, so retrying such a request is pointless.
 */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${typeof value}`;
  if (SAFE_VALUE.test(value)) return undefined;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 13 || code === 10) return `contains a line break (CR or LF) at index ${i}`;
    if (code < 0x20 || code === 0x7f) return `contains a control character at index ${i}`;
    if (code > 0x7e) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      return `contains a non-ASCII character (U+${hex}) at index ${i}; header values are printable ASCII`;
    }
  }
  return undefined;
}

/**
 * The headers of `headers` that can be sent, in a prototype-less map: what {@link headerIssues} may
 * skip when a request carries the very same value (a plugin's static headers, on every attempt).
 */
export function sendableHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const sendable: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name in headers) {
    if (headerNameProblem(name) === undefined && headerValueProblem(headers[name]) === undefined)
      sendable[name] = headers[name];
  }
  return Object.freeze(sendable);
}

/**
 * Every problem of a header map, as issues under `pointer` (e.g. `/headers`). A header whose value
 * equals its entry in `known` (checked before, see `sendableHeaders`) is not checked again.
 */
export function headerIssues(
  headers: unknown,
  pointer: string,
  known?: Readonly<Record<string, string>>,
): ValidationIssue[] {
  if (headers === undefined) return [];
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return [{ pointer, rule: 'type', message: 'must be an object of header names to string values' }];
  }
  // Runs on every attempt over 15-20 good headers: build no pointer strings until a header has a
  // problem.
  let issues: ValidationIssue[] | undefined;
  for (const name in headers) {
    const value = (headers as Record<string, unknown>)[name];
    if (known !== undefined && typeof value === 'string' && known[name] === value) continue;
    const nameProblem = headerNameProblem(name);
    const valueProblem = headerValueProblem(value);
    if (nameProblem === undefined && valueProblem === undefined) continue;
    const at = `${pointer}/${escapePointer(name)}`;
    issues ??= [];
    if (nameProblem) issues.push({ pointer: at, rule: 'header-name', message: nameProblem });
    if (valueProblem) issues.push({ pointer: at, rule: 'header-value', message: valueProblem });
  }
  return issues ?? [];
}

/** JSON-pointer escaping of one reference token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Throw a ValidationError when a credential (or a header name) could never be sent, so a bad key fails
 * when the auth scheme is built and not as a retried "connection error" on every call.
 */
export function assertSendableHeader(where: string, name: string, value: string): void {
  const nameProblem = headerNameProblem(name);
  const valueProblem = headerValueProblem(value);
  const issues: ValidationIssue[] = [];
  if (nameProblem) issues.push({ pointer: '/header', rule: 'header-name', message: nameProblem });
  if (valueProblem) issues.push({ pointer: '/value', rule: 'header-value', message: valueProblem });
  if (issues.length > 0) throw new ValidationError(where, issues);
}
