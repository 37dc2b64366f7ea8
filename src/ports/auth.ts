import type { PortToken } from './port-token.js';
export interface AuthRequestInfo {
  url: string;
  method: string;
  endpointId: string;
  attempt: number;
}

/**
 * Auth port: adds credentials to one attempt. Called on every attempt so a retry picks up refreshed
 * tokens. `identity` is a non-secret fingerprint (a hash) used to key rate-limit buckets.
 */
export interface AuthScheme {
  readonly name: string;
  apply(headers: Record<string, string>, info: AuthRequestInfo): void | Promise<void>;
  identity(): string;
  /** Header names this scheme writes, so loggers know to redact them. */
  readonly secretHeaders: readonly string[];
  /** Secret values the kernel must scrub from messages and logs. */
  secretValues?(): readonly string[];
  /**
   * The server refused the credential this attempt carried (HTTP 401). Resolve true when a different
   * credential is now at hand (a short-lived token renewed, or renewed by another call meanwhile): the
   * kernel then applies it and sends the request once more, at most once per call. Resolve false when
   * another attempt cannot succeed (a static key): the 401 is the caller's answer, as without this.
   */
  renew?(refused: AuthRefusal): Promise<boolean>;
}

export interface AuthRefusal {
  endpointId: string;
  /** The headers the refused request carried, the credential among them (lower-case names). */
  headers: Readonly<Record<string, string>>;
}

export const AuthToken = Symbol.for('pristine.port.Auth') as PortToken<AuthScheme>;
