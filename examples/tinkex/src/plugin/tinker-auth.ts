import { fingerprint, type AuthRequestInfo, type AuthScheme, type Secret } from 'pristine-kernel';
import type { TinkerProtocol } from '../protocol/tinker-protocol.js';

/**
 * `X-API-Key` on every request, for both credentials (never `Authorization`): the API key or the
 * credential command's output on the handshake, the exchanged JWT everywhere else when the server
 * enabled JWT exchange (tinker-wire-0.25.md §9).
 */
export class TinkerAuth implements AuthScheme {
  readonly name = 'tinker';
  readonly secretHeaders = ['x-api-key'] as const;

  constructor(
    private readonly protocol: TinkerProtocol,
    private readonly apiKey: Secret | undefined,
  ) {}

  async apply(headers: Record<string, string>, info: AuthRequestInfo): Promise<void> {
    headers['x-api-key'] = await this.protocol.credentialFor(info.endpointId);
  }

  /** Keyed by the configured credential, not the rotating JWT, so rate-limit buckets stay put. */
  identity(): string {
    return this.apiKey ? fingerprint(this.apiKey.reveal()) : 'credential-cmd';
  }

  secretValues(): readonly string[] {
    return this.apiKey ? [this.apiKey.reveal()] : [];
  }
}
