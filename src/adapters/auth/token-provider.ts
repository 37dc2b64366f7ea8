import type { AuthRequestInfo, AuthScheme } from '../../ports/auth.js';
import { fingerprint } from './api-key-header.js';

/** Recent tokens kept for `secretValues`; the kernel registers each token as it is fetched anyway. */
const RECENT_TOKENS = 8;

/**
 * Bearer auth whose token comes from an async provider, asked on every attempt so a retry after a 401
 * or an expiry uses the refreshed token. Caching is the provider's business. Every token lands in the
 * `Authorization` header, which the kernel's auth stage registers as a secret before sending.
 */
export class TokenProviderAuth implements AuthScheme {
  readonly name = 'token-provider';
  readonly secretHeaders = ['authorization'] as const;
  private lastIdentity = 'anonymous';
  /** A `#` field: `util.inspect` and `JSON.stringify` of the scheme (or a plugin holding it) never see it. */
  readonly #recent: string[] = [];

  constructor(
    private readonly provider: (info: AuthRequestInfo) => Promise<string> | string,
    private readonly identityHint?: string,
  ) {}

  async apply(headers: Record<string, string>, info: AuthRequestInfo): Promise<void> {
    const token = await this.provider(info);
    this.lastIdentity = fingerprint(token);
    if (!this.#recent.includes(token)) {
      this.#recent.push(token);
      if (this.#recent.length > RECENT_TOKENS) this.#recent.shift();
    }
    headers.authorization = `Bearer ${token}`;
  }

  /** The tokens handed out most recently (a bounded list, newest last). */
  secretValues(): readonly string[] {
    return [...this.#recent];
  }

  identity(): string {
    return this.identityHint ?? this.lastIdentity;
  }
}
