import { types } from 'node:util';
import { REDACTED, isSecret } from './secret.js';
import { scrubText } from './secret-registry.js';

export { REDACTED, Secret, isSecret } from './secret.js';
export { SecretRegistry, scrubText } from './secret-registry.js';

/*
 * Name rules shared by headers, object keys and query parameters. Deny-list: everything that does not
 * look secret survives, so debug output stays readable (content-type, user-agent, x-request-id, …).
 */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
]);

/*
 * Fragments that make any name secret: x-auth-token, accessToken, client_secret, db_password, apiKey.
 * `tokens` and `tokenizer` are excluded on purpose: max_tokens, x-ratelimit-remaining-tokens and
 * tokenizer_id are counts and model names, and redacting them makes logs useless. Likewise a name ending
 * in `_source` after `credential` (credential_source, credential_default_source): it says where a
 * credential comes from (`api_key`, `env`), not what it is.
 */
const SECRET_FRAGMENT =
  /token(?!s|iz)|secret|passw(?:or)?d|api[-_]?key|credential(?!\w*_source$)|private[-_]?key/i;

const SECRET_PARAMS = new Set([
  'api_key',
  'apikey',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'secret',
  'client_secret',
  'password',
  'sig',
  'signature',
  'code',
]);

function lowerSet(names: Iterable<string> | undefined): ReadonlySet<string> {
  const set = new Set<string>();
  for (const name of names ?? []) set.add(name.toLowerCase());
  return set;
}

function looksSecret(lowerName: string, extra: ReadonlySet<string>): boolean {
  return SECRET_HEADERS.has(lowerName) || SECRET_FRAGMENT.test(lowerName) || extra.has(lowerName);
}

/**
 * A header value that starts with an HTTP authorization scheme and its credential (`Bearer …`,
 * `Basic …`): a credential whatever the header is called (a gateway's `X-Custom-Auth`).
 */
const CREDENTIAL_VALUE = /^(?:bearer|basic|digest|token|negotiate|apikey)\s+\S/i;

/** Whether a header value is `<authorization scheme> <credential>`. */
export function carriesCredential(value: unknown): boolean {
  return typeof value === 'string' && CREDENTIAL_VALUE.test(value);
}

/** Whether a header (or field) name holds a credential. Case-insensitive. */
export function isSecretHeader(name: string, extraSecretNames?: Iterable<string>): boolean {
  return looksSecret(name.toLowerCase(), lowerSet(extraSecretNames));
}

/**
 * A copy of `headers` with the values of secret headers, and of values that carry an authorization
 * scheme, replaced by `[REDACTED]`.
 */
export function redactHeaders<V>(
  headers: Readonly<Record<string, V>>,
  extraSecretNames?: Iterable<string>,
): Record<string, V | string> {
  const extra = lowerSet(extraSecretNames);
  const out: Record<string, V | string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const secret = looksSecret(name.toLowerCase(), extra) || carriesCredential(value);
    out[name] = value != null && secret ? REDACTED : value;
  }
  return out;
}

function isSecretParam(name: string, extra: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  // `endsWith('signature')` catches presigned-URL parameters such as X-Amz-Signature.
  return SECRET_PARAMS.has(lower) || looksSecret(lower, extra) || lower.endsWith('signature');
}

function decodeParamName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Mask the values of secret `name=value` pairs, leaving everything else byte for byte. */
function redactParams(params: string, extra: ReadonlySet<string>): string {
  return params
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) return pair;
      const rawName = pair.slice(0, eq);
      return isSecretParam(decodeParamName(rawName), extra) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
}

const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

/**
 * Mask the userinfo (`user:pass@` → `***:***@`) and secret query parameters of a URL, also in the
 * fragment (OAuth puts `access_token` there). Works on relative and malformed URLs too, never throws,
 * and does not re-serialise the URL, so what is logged is what was sent. Idempotent.
 */
export function redactUrl(url: string, extraSecretParams?: Iterable<string>): string {
  const extra = lowerSet(extraSecretParams);
  const masked = url.replace(
    URL_USERINFO,
    (_match, scheme: string, userinfo: string) => `${scheme}${userinfo.includes(':') ? '***:***' : '***'}@`,
  );
  const hashAt = masked.indexOf('#');
  const beforeHash = hashAt === -1 ? masked : masked.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : masked.slice(hashAt + 1);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt === -1 ? undefined : redactParams(beforeHash.slice(queryAt + 1), extra);
  return (
    base +
    (query === undefined ? '' : `?${query}`) +
    (hashAt === -1 ? '' : `#${fragment.includes('=') ? redactParams(fragment, extra) : fragment}`)
  );
}

export interface RedactValueOptions {
  /** A scrubber for every string, typically the kernel's `SecretRegistry`. Default: `scrubText`. */
  secrets?: { scrub(text: string): string };
  /** More key names to treat as secret. */
  extraSecretNames?: Iterable<string>;
  /** Nesting deeper than this is replaced by `[Object]`/`[Array]`. Default 10. */
  maxDepth?: number;
}

interface Walk {
  scrub(text: string): string;
  extra: ReadonlySet<string>;
  maxDepth: number;
  /** Objects on the current path, to cut cycles (a shared, non-cyclic object is copied twice). */
  path: Set<object>;
}

const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

function redactString(text: string, walk: Walk): string {
  return walk.scrub(LOOKS_LIKE_URL.test(text) ? redactUrl(text) : text);
}

/** What a secret-named key keeps: absence and flags are not secret, and help debugging. */
function keepsValue(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'boolean';
}

function redactError(error: Error, depth: number, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: redactString(error.message, walk) };
  const extra = error as Error & { code?: unknown; status?: unknown; requestId?: unknown };
  if (extra.code !== undefined) out.code = walkValue(extra.code, depth + 1, walk);
  if (typeof extra.status === 'number') out.status = extra.status;
  if (typeof extra.requestId === 'string') out.requestId = extra.requestId;
  if (error.cause !== undefined) out.cause = walkValue(error.cause, depth + 1, walk);
  return out;
}

function walkObject(value: object, depth: number, walk: Walk): unknown {
  // isNativeError: an error from another realm (a vm context) fails `instanceof Error`.
  if (value instanceof Error || types.isNativeError(value)) return redactError(value, depth, walk);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof URL) return redactString(value.href, walk);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[${value.constructor.name} ${value.byteLength} bytes]`;
  }
  if (Array.isArray(value)) return value.map((item) => walkValue(item, depth + 1, walk));
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [k, walkEntry(String(k), v, depth, walk)]));
  }
  if (value instanceof Set) return new Set([...value].map((item) => walkValue(item, depth + 1, walk)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch {
      out[key] = '[Unreadable]'; // a throwing getter costs one field, not the whole record
      continue;
    }
    out[key] = walkEntry(key, item, depth, walk);
  }
  return out;
}

function walkEntry(key: string, value: unknown, depth: number, walk: Walk): unknown {
  if (!keepsValue(value) && looksSecret(key.toLowerCase(), walk.extra)) return REDACTED;
  return walkValue(value, depth + 1, walk);
}

function walkValue(value: unknown, depth: number, walk: Walk): unknown {
  if (typeof value === 'string') return redactString(value, walk);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (isSecret(value)) return REDACTED;
  if (walk.path.has(value)) return '[Circular]';
  if (depth > walk.maxDepth) return Array.isArray(value) ? '[Array]' : '[Object]';
  walk.path.add(value);
  try {
    return walkObject(value, depth, walk);
  } catch {
    return '[Unreadable]'; // a hostile proxy must not break logging
  } finally {
    walk.path.delete(value);
  }
}

/**
 * A deep copy of `value` that is safe to log: keys that look secret (same rules as headers) lose
 * their values, `Secret`s print `[REDACTED]`, strings are scrubbed of bearer/basic credentials, URL
 * userinfo and secret query parameters, and of the registry's known secrets. Errors become
 * `{ name, message, code?, status?, requestId?, cause? }`; cycles become `[Circular]`; bigints become
 * strings, so the result always survives `JSON.stringify`.
 */
export function redactValue(value: unknown, options: RedactValueOptions = {}): unknown {
  const secrets = options.secrets;
  return walkValue(value, 0, {
    scrub: secrets ? (text) => secrets.scrub(text) : scrubText,
    extra: lowerSet(options.extraSecretNames),
    maxDepth: options.maxDepth ?? 10,
    path: new Set(),
  });
}
