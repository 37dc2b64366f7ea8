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

/** Refresh this long before expiry (Python SDK: 300 s) a token with over twice this left; else half-way. */
export const REFRESH_LEAD_MS = 300_000;
/** The longest the refresh gap gets: a token that lives ≥ 20 s is refreshed at most once per 10 s. */
export const MIN_REFRESH_GAP_MS = 10_000;
/** However short the lifetime, never refresh more often than this (the SDK loops every 2 ms there). */
export const MIN_REFRESH_FLOOR_MS = 1_000;
/** After a failed refresh, try again this much later (Python SDK: 60 s). */
export const REFRESH_RETRY_MS = 60_000;
/** A token without `exp`, or one we cannot read, is refreshed on this cadence. */
export const UNKNOWN_LIFETIME_REFRESH_MS = 300_000;

/**
 * The least time between two exchanges for a token that lives `lifetimeMs`: half its life, between 1 s
 * and 10 s, so a short-lived token is renewed before it lapses (a 5 s token every 2.5 s) and still
 * nothing loops. A token that was expired on arrival (clock skew, a misconfigured server) gets the
 * 10 s gap: exchanging faster would only fetch more expired tokens.
 */
export function refreshGapMs(lifetimeMs: number): number {
  if (!(lifetimeMs > 0)) return MIN_REFRESH_GAP_MS;
  return Math.min(MIN_REFRESH_GAP_MS, Math.max(MIN_REFRESH_FLOOR_MS, lifetimeMs / 2));
}

/**
 * When to refresh a token issued at `now`: `lead` before `exp` when over twice the lead is left, else
 * half-way (the two agree at 600 s, so the delay never jumps), never sooner than `refreshGapMs` allows.
 * Lead-only (the Python SDK's `exp − now − 300`) would renew a 305 s token 5 s after each issue, all
 * its life long: a storm of exchanges for a server issuing 5–10 minute tokens.
 */
export function refreshDelayMs(expiresAtMs: number | undefined, now: number): number {
  if (expiresAtMs === undefined) return UNKNOWN_LIFETIME_REFRESH_MS;
  const remaining = expiresAtMs - now;
  const delay = remaining > 2 * REFRESH_LEAD_MS ? remaining - REFRESH_LEAD_MS : remaining / 2;
  return Math.max(refreshGapMs(remaining), delay);
}
