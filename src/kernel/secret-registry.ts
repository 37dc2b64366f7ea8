import { inspect } from 'node:util';
import { envProxyUrl } from './request/proxy-for.js';
import { REDACTED, isSecret, type Secret } from './secret.js';

/*
 * Shapes that are secret whatever the registry holds:
 * - an HTTP credential scheme followed by its credentials (`Bearer eyJ…`, `Basic dXNlcjpwYXNz`);
 * - the userinfo of a URL written into text (`https://user:pass@proxy:8080`), up to the last `@`
 *   before the host, as WHATWG URL parsing reads it.
 */
const BEARER = String.raw`\b(Bearer|Basic)\s+([A-Za-z0-9._~+/-]+=*)`;
const USERINFO = String.raw`\b([a-z][a-z0-9+.-]*://)([^\s/?#"'<>]*)@`;
/** A credential query parameter inside text, e.g. a URL quoted in a transport error message. */
const QUERY_PARAM = String.raw`([?&#](?:api[_-]?key|key|token|access_token|refresh_token|id_token|secret|client_secret|password|sig|signature|code)=)[^&\s#"'<>]+`;

/** `Bearer <token>`, `Basic <user:pass>`, `Token <key>`: the credential after the scheme word. */
const SCHEME_PREFIX = /^[A-Za-z][\w-]*\s+(\S+)$/;

/** Secrets shorter than this are not scrubbed from text: they would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;
/** How many recurring texts `scrubRecurring` remembers (a client calls a few dozen endpoints). */
const RECURRING_LIMIT = 64;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `Basic <base64>` is a credential only if it decodes to `user:password`; "Basic usage" is prose. */
function isBasicCredential(encoded: string): boolean {
  return encoded.length >= 4 && Buffer.from(encoded, 'base64').toString('latin1').includes(':');
}

function replace(
  match: string,
  scheme?: string,
  credential?: string,
  urlScheme?: string,
  userinfo?: string,
  param?: string,
): string {
  if (scheme !== undefined) {
    if (scheme.toLowerCase() === 'basic' && !isBasicCredential(credential ?? '')) return match;
    return `${scheme} ${REDACTED}`;
  }
  if (urlScheme !== undefined) return `${urlScheme}${userinfo?.includes(':') ? '***:***' : '***'}@`;
  if (param !== undefined) return `${param}${REDACTED}`;
  return REDACTED;
}

/**
 * The secret values one kernel knows (API keys, tokens, proxy passwords). `scrub` replaces every
 * occurrence in arbitrary text (error messages, log lines), and also bearer/basic credentials, URL
 * userinfo and credential query parameters, in a single pass of one combined RegExp that is rebuilt only when the set changes.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;
  /** `scrubRecurring`'s results, for the current set of secrets (emptied when it changes). */
  readonly #recurring = new Map<string, string>();

  /** Register a secret; empty and very short values are ignored. Returns whether it was added. */
  add(secret: string | Secret | undefined | null): boolean {
    const value = isSecret(secret) ? secret.reveal() : secret;
    if (!value || value.length < MIN_SECRET_LENGTH || this.#values.has(value)) return false;
    this.#values.add(value);
    this.#changed();
    return true;
  }

  /**
   * Register a credential header's value: the whole value and, for `<scheme> <credential>` (`Bearer
   * eyJ…`, `Token k`), the bare credential too, since servers echo either.
   */
  addHeaderValue(value: string): void {
    this.add(value);
    const credential = SCHEME_PREFIX.exec(value)?.[1];
    if (credential) this.add(credential);
  }

  /** Forget a secret, e.g. a rotated token, so the set does not grow without bound. */
  delete(secret: string | Secret): boolean {
    const deleted = this.#values.delete(isSecret(secret) ? secret.reveal() : secret);
    if (deleted) this.#changed();
    return deleted;
  }

  #changed(): void {
    this.#pattern = undefined;
    this.#recurring.clear();
  }

  /** Register the password of a URL such as a proxy URL, both as written and percent-decoded. */
  addUrlCredentials(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return; // not a URL: nothing to register
    }
    if (!parsed.password) return;
    this.add(parsed.password);
    try {
      this.add(decodeURIComponent(parsed.password));
    } catch {
      /* malformed escapes: the raw form is registered */
    }
  }

  /** Proxy credentials, explicit or from the environment, are secrets like API keys. */
  addProxyCredentials(explicit: string | undefined, env: NodeJS.ProcessEnv): void {
    if (explicit) this.addUrlCredentials(explicit);
    for (const proxy of [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy]) {
      if (proxy) this.addUrlCredentials(envProxyUrl(proxy));
    }
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (!text) return text;
    this.#pattern ??= this.#compile();
    this.#pattern.lastIndex = 0;
    return text.replace(this.#pattern, replace);
  }

  /**
   * `scrub` for a text that recurs, such as an endpoint's URL in every call's telemetry event: the
   * result is remembered (for a few dozen texts, until the set of secrets changes), so a sampling burst
   * neither runs the RegExp nor makes a new string per event.
   */
  scrubRecurring(text: string): string {
    let scrubbed = this.#recurring.get(text);
    if (scrubbed === undefined) {
      scrubbed = this.scrub(text);
      if (this.#recurring.size < RECURRING_LIMIT) this.#recurring.set(text, scrubbed);
    }
    return scrubbed;
  }

  #compile(): RegExp {
    // Longest first, so a secret that contains another is replaced whole.
    const literals = [...this.#values].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const known = literals.length > 0 ? `(?:${literals.join('|')})|` : '';
    return new RegExp(`${known}${BEARER}|${USERINFO}|${QUERY_PARAM}`, 'gi');
  }

  [inspect.custom](): string {
    return `SecretRegistry(${this.#values.size} secrets)`;
  }

  toJSON(): string {
    return `SecretRegistry(${this.#values.size} secrets)`;
  }
}

const NO_SECRETS = new SecretRegistry();

/** Scrub credentials that are recognisable by shape (bearer/basic, URL userinfo) from text. */
export function scrubText(text: string): string {
  return NO_SECRETS.scrub(text);
}
