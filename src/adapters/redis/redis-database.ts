import type { Misconfiguration } from './redis-refusal.js';

/**
 * A database the server does not have (`/99` where Redis keeps its default 16): ioredis's SELECT on
 * connecting fails, ioredis only emits the reply as an 'error' event and goes on, and every command
 * then ran on database 0, shared with whatever else uses it, with nothing logged. Like a refused
 * password it is a setting to fix, not an outage: waiting will not help.
 */

/** What to do about it, said wherever it is (the log line, the error of a `'reject'` adapter). */
const DATABASE_FIX = 'name a database the server has in shared.redis';

/** The database a failed SELECT asked for, if `error` is one (ioredis names the command it replied to). */
export function failedSelect(error: unknown): string | undefined {
  const command = (error as { command?: { name?: unknown; args?: unknown[] } } | undefined)?.command;
  return command?.name === 'select' ? String(command.args?.[0]) : undefined;
}

/** A failed SELECT of `database` as a setting to fix. */
export function missingDatabase(database: string): Misconfiguration {
  return { problem: `Redis has no database ${database}`, fix: DATABASE_FIX };
}

/** The reason of every command while the connection is on no database: Redis's reply and the fix. */
export function databaseReason(database: string, reply: string): string {
  return `Redis has no database ${database} (${reply}): ${DATABASE_FIX}`;
}
