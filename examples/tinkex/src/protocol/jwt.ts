/** JWT claims Tinkex reads. The signature is never checked: the server does that (as the Python SDK). */
export interface JwtClaims {
  exp?: number;
  iat?: number;
  sub?: string;
  email?: string;
  iss?: string;
}

/** `eyJ…`: a credential that is a JWT (base64url of `{"`), accepted as is, like the Python SDK. */
export function looksLikeJwt(token: string): boolean {
  return token.startsWith('eyJ') && token.split('.').length === 3;
}

/** The payload of a JWT, or undefined when it is not one. */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** Expiry in ms since the epoch, when the token has a numeric `exp`. */
export function expiryMs(token: string): number | undefined {
  const exp = decodeJwtClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** Refresh this long before expiry (Python SDK: 300 s); a token with less left is refreshed half-way. */
export const REFRESH_LEAD_MS = 300_000;
/** However short the lifetime, never refresh more often than this (the SDK loops every 2 ms there). */
export const MIN_REFRESH_GAP_MS = 10_000;
/** After a failed refresh, try again this much later (Python SDK: 60 s). */
export const REFRESH_RETRY_MS = 60_000;
/** A token without `exp`, or one we cannot read, is refreshed on this cadence. */
export const UNKNOWN_LIFETIME_REFRESH_MS = 300_000;

/**
 * When to refresh a token issued at `now`: `lead` before `exp` for long-lived tokens, half-way for
 * short ones, never sooner than `MIN_REFRESH_GAP_MS`, so even a token that is already expired on arrival
 * costs one exchange per gap, not a tight loop.
 */
export function refreshDelayMs(expiresAtMs: number | undefined, now: number): number {
  if (expiresAtMs === undefined) return UNKNOWN_LIFETIME_REFRESH_MS;
  const remaining = expiresAtMs - now;
  const delay = remaining > REFRESH_LEAD_MS ? remaining - REFRESH_LEAD_MS : remaining / 2;
  return Math.max(MIN_REFRESH_GAP_MS, delay);
}
