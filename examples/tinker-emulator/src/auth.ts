import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/** The account of every API key not named in the emulator's `accounts` option. */
export const DEFAULT_ACCOUNT = 'emulator-user';
const SUB_PREFIX = 'urn:tinker:user:';
/** Who a credential belongs to unless `accounts` says otherwise. */
export const USER = { sub: `${SUB_PREFIX}${DEFAULT_ACCOUNT}`, email: `${DEFAULT_ACCOUNT}@localhost` };
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

  /**
   * A signed JWT of `account`; `ttlSeconds: null` leaves out `exp` (such tokens are then refused, for
   * tests).
   */
  issue(ttlSeconds: number | null = this.ttlSeconds, account = DEFAULT_ACCOUNT): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const jwt = new SignJWT({ email: `${account}@localhost` })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(`${SUB_PREFIX}${account}`)
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

/**
 * The account a credential belongs to: an API key's from the `accounts` option (any other key is the
 * default account's), a JWT's from its `sub` (read without checking: `credentialProblem` checked it).
 */
export function accountOf(key: string | string[] | undefined, accounts: ReadonlyMap<string, string>): string {
  if (typeof key !== 'string') return DEFAULT_ACCOUNT;
  if (key.startsWith('eyJ')) {
    const payload = key.split('.')[1] ?? '';
    try {
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string' && sub.startsWith(SUB_PREFIX)) return sub.slice(SUB_PREFIX.length);
    } catch {
      // Not ours: credentialProblem refuses it before any route reads its account.
    }
    return DEFAULT_ACCOUNT;
  }
  return accounts.get(key) ?? DEFAULT_ACCOUNT;
}
