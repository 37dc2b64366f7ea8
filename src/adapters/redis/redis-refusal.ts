/**
 * Redis refusing us access: no password where one is required (NOAUTH), a wrong user or password
 * (WRONGPASS), a user without the rights to our commands or keys (NOPERM, an ACL). Redis is up and
 * answering: waiting will not help, only new credentials (or rights) will, so it is a configuration error
 * to say as such, not an outage "until it returns". Redis's own text names neither password nor URL.
 */
export type RefusalKind = 'NOAUTH' | 'WRONGPASS' | 'NOPERM';

const REFUSAL = /^(NOAUTH|WRONGPASS|NOPERM)\b/;

/** The kind of refusal a Redis reply is, or undefined for any other reply (or none). */
export function refusalKind(reply: string | undefined): RefusalKind | undefined {
  return REFUSAL.exec(reply ?? '')?.[1] as RefusalKind | undefined;
}

/** What the fix is, said wherever the refusal is (the log line, the error of a `'reject'` adapter). */
export const REFUSAL_FIX = 'check the Redis credentials';

/**
 * Redis answers, and says the settings are wrong (a refusal; a database it does not have): logged once
 * at `error` as a configuration error, `problem` and `fix` in the line.
 */
export interface Misconfiguration {
  problem: string;
  fix: string;
}

/** A refusal as a setting to fix. */
export function refusal(kind: RefusalKind): Misconfiguration {
  return { problem: `Redis refused access (${kind})`, fix: REFUSAL_FIX };
}

/** A refusal as the reason of a failed command: Redis's reply and the fix. */
export function refusalReason(reply: string): string {
  return `Redis refused access (${reply}): ${REFUSAL_FIX} (the user and password of shared.redis, and the user's ACL rights)`;
}
