import { createHash } from 'node:crypto';
import type { AuthScheme } from '../../ports/auth.js';
import { Secret } from '../../kernel/redact.js';
import { assertSendableHeader } from '../../kernel/request/header-checks.js';
import { requiredCredential } from './required-credential.js';

/** Sends an API key in a header (name configurable, e.g. `X-API-Key`). */
export class ApiKeyHeaderAuth implements AuthScheme {
  readonly name = 'api-key';
  readonly secretHeaders: readonly string[];
  private readonly key: Secret;
  private cachedIdentity: string | undefined;

  constructor(
    key: string | Secret,
    private readonly header = 'x-api-key',
  ) {
    this.key = requiredCredential('API key', key);
    assertSendableHeader('API key', header, this.key.reveal());
    this.secretHeaders = [header.toLowerCase()];
  }

  apply(headers: Record<string, string>): void {
    // Lower-cased once, in the constructor: this runs on every attempt.
    headers[this.secretHeaders[0]] = this.key.reveal();
  }

  secretValues(): readonly string[] {
    return [this.key.reveal()];
  }

  identity(): string {
    // Computed once: the credential never changes, and this runs on every attempt (rate-limit bucket).
    this.cachedIdentity ??= fingerprint(this.key.reveal());
    return this.cachedIdentity;
  }
}

/** A short, non-reversible identity for keying per-credential state (never the key itself). */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
