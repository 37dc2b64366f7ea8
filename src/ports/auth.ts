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
}

export const AuthToken = Symbol.for('pristine.port.Auth');
