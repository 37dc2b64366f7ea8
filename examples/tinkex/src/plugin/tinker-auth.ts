import {
  fingerprint,
  type AuthRefusal,
  type AuthRequestInfo,
  type AuthScheme,
  type Secret,
} from 'pristine-kernel';
import type { TinkerHolders } from '../protocol/holders.js';
import type { TinkerProtocol } from '../protocol/tinker-protocol.js';

/**
 * `X-API-Key` on every request, for both credentials (never `Authorization`): the API key or the
 * credential command's output on the handshake, the exchanged JWT everywhere else when the server
 * enabled JWT exchange (tinker-wire-0.25.md §9), each holder its own JWT.
 */
export class TinkerAuth implements AuthScheme {
  readonly name = 'tinker';
  readonly secretHeaders = ['x-api-key'] as const;
  private fingerprint?: string;

  constructor(
    private readonly holders: TinkerHolders,
    private readonly apiKey: Secret | undefined,
    /** The holder whose credential this scheme applies; by default the holder of the call's endpoint. */
    private readonly holder?: TinkerProtocol,
  ) {}

  /** The holder a call with this scheme belongs to: the named one, else the endpoint's. */
  holderFor(endpointId: string): TinkerProtocol {
    return this.holder ?? this.holders.of(endpointId);
  }

  /**
   * Synchronous when the credential is at hand (the key, or a JWT not yet due for refresh): the kernel's
   * auth stage then awaits nothing, which is two promises and a microtask hop fewer per request.
   */
  apply(headers: Record<string, string>, info: AuthRequestInfo): void | Promise<void> {
    const holder = this.holderFor(info.endpointId);
    const now = holder.credentialNow(info.endpointId);
    if (now !== undefined) {
      headers['x-api-key'] = now;
      return;
    }
    return holder.credentialFor(info.endpointId).then((credential) => {
      headers['x-api-key'] = credential;
    });
  }

  /** A 401: renew a lapsed JWT or a command's credential (`TinkerProtocol.renewCredential`). */
  renew(refused: AuthRefusal): Promise<boolean> {
    return this.holderFor(refused.endpointId).renewCredential(
      refused.endpointId,
      refused.headers['x-api-key'],
    );
  }

  /**
   * Keyed by the configured credential, not the rotating JWT, so rate-limit buckets stay put. Hashed
   * once: the rate-limit and semaphore stages ask on every call.
   */
  identity(): string {
    this.fingerprint ??= this.apiKey ? fingerprint(this.apiKey.reveal()) : 'credential-cmd';
    return this.fingerprint;
  }

  secretValues(): readonly string[] {
    return this.apiKey ? [this.apiKey.reveal()] : [];
  }
}
