import type { AuthScheme } from '../../ports/auth.js';
import { Secret } from '../../kernel/redact.js';
import { assertSendableHeader } from '../../kernel/request/header-checks.js';
import { requiredCredential } from './required-credential.js';
import { fingerprint } from './api-key-header.js';

/** `Authorization: Bearer <token>` with a fixed token. */
export class BearerTokenAuth implements AuthScheme {
  readonly name = 'bearer';
  readonly secretHeaders = ['authorization'] as const;
  private readonly token: Secret;
  private cachedIdentity: string | undefined;

  constructor(token: string | Secret) {
    this.token = requiredCredential('BearerTokenAuth token', token);
    assertSendableHeader('BearerTokenAuth token', 'authorization', this.token.reveal());
  }

  apply(headers: Record<string, string>): void {
    headers.authorization = `Bearer ${this.token.reveal()}`;
  }

  secretValues(): readonly string[] {
    return [this.token.reveal()];
  }

  identity(): string {
    // Computed once: the credential never changes, and this runs on every attempt (rate-limit bucket).
    this.cachedIdentity ??= fingerprint(this.token.reveal());
    return this.cachedIdentity;
  }
}
