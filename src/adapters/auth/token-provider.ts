import type { AuthRequestInfo, AuthScheme } from '../../ports/auth.js';
import { fingerprint } from './api-key-header.js';

/**
 * Bearer auth whose token comes from an async provider, asked on every attempt so a retry after a 401
 * or an expiry uses the refreshed token. Caching is the provider's business.
 */
export class TokenProviderAuth implements AuthScheme {
  readonly name = 'token-provider';
  readonly secretHeaders = ['authorization'] as const;
  private lastIdentity = 'anonymous';

  constructor(
    private readonly provider: (info: AuthRequestInfo) => Promise<string> | string,
    private readonly identityHint?: string,
  ) {}

  async apply(headers: Record<string, string>, info: AuthRequestInfo): Promise<void> {
    const token = await this.provider(info);
    this.lastIdentity = fingerprint(token);
    headers.authorization = `Bearer ${token}`;
  }

  identity(): string {
    return this.identityHint ?? this.lastIdentity;
  }
}
