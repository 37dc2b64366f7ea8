import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/** Who every credential belongs to: the emulator has one user. */
export const USER = { sub: 'urn:tinker:user:emulator-user', email: 'emulator-user@localhost' };
const ISSUER = 'tinker-emulator';

/**
 * Issues and checks the short-lived JWTs of `POST /api/v1/auth/token` (HS256 with a random per-process
 * secret, through `jose`). Times come from the emulator's clock, so tests can expire a token without
 * waiting. Claims: `sub` (user URN), `email`, `iss`, `iat`, `exp` (numeric seconds, as the official client
 * needs for its refresh timer).
 */
export class JwtIssuer {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly now: () => number,
    /** Default lifetime; the official client refreshes 300 s before `exp`, so keep it well above that. */
    readonly ttlSeconds: number,
  ) {}

  /** A signed JWT; `ttlSeconds: null` leaves out `exp` (such tokens are then refused, for tests). */
  issue(ttlSeconds: number | null = this.ttlSeconds): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const jwt = new SignJWT({ email: USER.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(USER.sub)
      .setIssuer(ISSUER)
      .setIssuedAt(iat);
    if (ttlSeconds !== null) jwt.setExpirationTime(iat + ttlSeconds);
    return jwt.sign(this.secret);
  }

  /** Undefined when the token is ours, unexpired and has `exp`; else why it is refused (never the token). */
  async problem(token: string): Promise<string | undefined> {
    try {
      await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
      });
      return undefined;
    } catch (error) {
      if (error instanceof errors.JWTExpired) return 'JWT expired';
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp')
        return 'JWT has no exp claim';
      return 'JWT is not valid for this server';
    }
  }
}

/** The credential check of every authenticated endpoint: an API key (`tml-…`) or one of our JWTs. */
export async function credentialProblem(
  key: string | string[] | undefined,
  jwt: JwtIssuer,
): Promise<string | undefined> {
  if (typeof key !== 'string') return 'missing X-API-Key';
  if (key.startsWith('tml-')) return undefined;
  if (key.startsWith('eyJ')) return jwt.problem(key);
  return 'X-API-Key must be an API key (tml-…) or a JWT (eyJ…)';
}
