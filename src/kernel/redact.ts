import { inspect } from 'node:util';

export const REDACTED = '[REDACTED]';

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$|token|secret|password|api-?key/i;
const SECRET_PARAM =
  /^(api_?key|key|token|access_token|refresh_token|secret|client_secret|password|sig|signature|code)$/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** A secret string that never shows itself in logs, JSON or `util.inspect`. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADER.test(lower) || extra.some((e) => e.toLowerCase() === lower);
}

/** A copy of `headers` with secret values replaced. */
export function redactHeaders(
  headers: Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = isSecretHeader(name, extra) ? REDACTED : value;
  return out;
}

/** Mask userinfo and secret query params of a URL. Unparseable input is returned scrubbed of bearer tokens. */
export function redactUrl(url: string, extraParams: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(BEARER, `$1 ${REDACTED}`);
  }
  if (parsed.username || parsed.password) {
    parsed.username = '***';
    parsed.password = parsed.password ? '***' : '';
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(key) || extraParams.includes(key)) parsed.searchParams.set(key, REDACTED);
  }
  return parsed.toString().replace(/%5BREDACTED%5D/g, REDACTED);
}

/** Deep copy of plain data with secret-looking keys and bearer tokens redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === 'string') return value.replace(BEARER, `$1 ${REDACTED}`);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return { name: value.name, message: redactValue(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      isSecretHeader(key) && (typeof v === 'string' || v instanceof Secret)
        ? REDACTED
        : redactValue(v, depth + 1);
  }
  return out;
}

/**
 * The secret values one kernel knows (API keys, tokens, proxy passwords): `scrub` removes every
 * occurrence from arbitrary text in one pass.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(secret: string | Secret | undefined): void {
    const value = secret instanceof Secret ? secret.reveal() : secret;
    if (!value || value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
    this.pattern = undefined;
  }

  /** Register the password (and user) of a URL such as a proxy URL. */
  addUrlCredentials(url: string): void {
    try {
      const parsed = new URL(url);
      if (parsed.password) this.add(decodeURIComponent(parsed.password));
    } catch {
      /* not a URL: nothing to register */
    }
  }

  scrub(text: string): string {
    if (this.values.size === 0) return text.replace(BEARER, `$1 ${REDACTED}`);
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, REDACTED).replace(BEARER, `$1 ${REDACTED}`);
  }

  [inspect.custom](): string {
    return `SecretRegistry(${this.values.size} secrets)`;
  }

  toJSON(): string {
    return `SecretRegistry(${this.values.size} secrets)`;
  }
}
