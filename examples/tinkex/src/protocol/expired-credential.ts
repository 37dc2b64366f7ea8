import { PristineError } from 'pristine-kernel';
import { expiryMs, looksLikeJwt } from './jwt.js';

/** Where a credential came from, as the user set it: an option, a variable, or the command's output. */
export type CredentialSourceName = 'api_key' | 'TINKER_API_KEY' | CommandOrigin | 'weights_access_token';

/** Where a credential command was set: the ServiceClient option or the variable. */
export type CommandOrigin = 'credential_cmd' | 'TINKER_CREDENTIAL_CMD';

/** Whether the credential is what a command printed (rather than a key the user set). */
export const isCommandOrigin = (source: CredentialSourceName): source is CommandOrigin =>
  source === 'credential_cmd' || source === 'TINKER_CREDENTIAL_CMD';

/**
 * The credential is a JWT whose `exp` has passed: every request would be refused with a 401, so none is
 * sent. Names where the key came from and when it expired, never the key. A PristineError that is not
 * retryable, so the pipeline passes it on as it is (a new key is needed; no retry can help).
 */
export class ExpiredCredentialError extends PristineError {
  constructor(
    /** The option or variable that held the JWT (or the command's setting, for what it printed). */
    readonly source: CredentialSourceName,
    /** The JWT's `exp`, as an ISO time. */
    readonly expiredAt: string,
  ) {
    const what = isCommandOrigin(source) ? `${source} printed a JWT that` : `${source} is a JWT that`;
    const fix = isCommandOrigin(source)
      ? 'it printed an expired one twice: renew the login it uses, then run again'
      : `get a new key and set ${source} to it`;
    super(`${what} expired at ${expiredAt}; nothing was sent: ${fix}`, {
      category: 'user',
      retryable: false,
    });
  }
}

/** The ISO time `token` expired at when it is a JWT whose `exp` is at or before `now`, else undefined. */
export function expiredAt(token: string, now: number): string | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const expires = expiryMs(token);
  return expires !== undefined && expires <= now ? new Date(expires).toISOString() : undefined;
}
