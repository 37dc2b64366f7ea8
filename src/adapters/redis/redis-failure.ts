import { loadedIoredis } from './redis-connection.js';
import { databaseReason, failedSelect, missingDatabase } from './redis-database.js';
import {
  type Misconfiguration,
  refusal,
  refusalKind,
  refusalReason,
  type RefusalKind,
} from './redis-refusal.js';

/**
 * Replies that say Redis cannot answer now (loading, busy, a replica, a failover, a slot moving) or
 * that the keys' node is elsewhere (MOVED or ASK through every redirection ioredis follows, or a
 * cluster node asked without `cluster`): Redis unavailable, not a script bug.
 */
const UNAVAILABLE = /^(LOADING|BUSY|READONLY|MASTERDOWN|NOSCRIPT|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|CROSSSLOT)/;

/** ioredis's (or our) failure of a command sent while the connection is down: see `failureReason`. */
const LOST = /enableOfflineQueue|maxRetriesPerRequest|Connection is closed|Redis connection is/;

/** What a link knows besides the error: the socket's last error, and whether it was set up for a cluster. */
export interface FailureContext {
  /** The connection's own last 'error' (ECONNREFUSED, a refused password on connect), if any. */
  socketError: Error | undefined;
  cluster: boolean | undefined;
}

/** A failed command read as an outage (or a setting to fix) rather than a script bug. */
export interface Failure {
  /** Why, in Redis's terms: never ioredis's option names, never the URL. */
  reason: string;
  /** Redis answered that a setting is wrong: it refused us access, or has no such database. */
  misconfigured: Misconfiguration | undefined;
  /** A cluster node answered a link not set up for one: every command will fail the same way. */
  notCluster: boolean;
  /** ioredis's `commandTimeout` fired: Redis may be hung rather than gone. */
  timedOut: boolean;
  /** The command went out and no answer came: Redis may have run it. */
  unanswered: boolean;
}

/** How a command failed, or undefined when Redis replied with an error that is ours (a script bug). */
export function readFailure(error: unknown, context: FailureContext): Failure | undefined {
  const reply = replyError(error);
  const refused = refusalOf(error, context.socketError);
  const database = failedSelect(error);
  if (reply !== undefined && !UNAVAILABLE.test(reply) && !refused && database === undefined) return undefined;
  const timeout = timedOut(error);
  return {
    reason: database === undefined ? failureReason(error, context) : databaseReason(database, reply ?? ''),
    misconfigured: database === undefined ? refused && refusal(refused) : missingDatabase(database),
    notCluster: clusterOnly(reply ?? '', context.cluster),
    timedOut: timeout,
    unanswered: timeout || droppedUnder(error),
  };
}

/**
 * Why a command failed, in Redis's terms. With no offline queue, ioredis fails a command sent while
 * the connection is down by naming its own options ("…enableOfflineQueue options is false",
 * "…maxRetriesPerRequest…"), which a user cannot act on: say the connection is lost, and why.
 */
function failureReason(error: unknown, { socketError, cluster }: FailureContext): string {
  const message = error instanceof Error ? error.message : String(error);
  // A setting to fix: the node answers for its own slots only, and the link does not follow MOVED.
  if (clusterOnly(message, cluster)) {
    return `Redis is a Redis Cluster node (${message}): set shared.cluster to true`;
  }
  if (refusalKind(replyError(error))) return refusalReason(message);
  if (!LOST.test(message)) return message;
  if (!socketError) return 'connection lost';
  // A reply on connect (WRONGPASS, NOAUTH) is a setting to fix, not an outage to wait out.
  const onConnect = replyError(socketError);
  if (refusalKind(onConnect)) return refusalReason(socketError.message);
  if (onConnect !== undefined) return `Redis refused the connection: ${socketError.message}`;
  return `connection lost (${socketError.message})`;
}

/** Redis refused us access, on this command (NOPERM) or on connecting (NOAUTH, WRONGPASS). */
function refusalOf(error: unknown, socketError: Error | undefined): RefusalKind | undefined {
  const reply = replyError(error);
  if (reply !== undefined) return refusalKind(reply);
  const lost = error instanceof Error && LOST.test(error.message);
  return lost && socketError ? refusalKind(replyError(socketError)) : undefined;
}

/** A reply only a Redis Cluster node gives, to a link not set up for one (`cluster` unset). */
function clusterOnly(reply: string, cluster: boolean | undefined): boolean {
  return !cluster && /^(MOVED|ASK|CROSSSLOT)/.test(reply);
}

/** ioredis's `commandTimeout` rejection. */
function timedOut(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/** ioredis's rejection of the commands in flight when the connection closed. */
function droppedUnder(error: unknown): boolean {
  return error instanceof Error && error.message === 'Connection is closed.';
}

/** The message of an error Redis replied with (as opposed to a connection failure or timeout). */
export function replyError(error: unknown): string | undefined {
  const ioredis = loadedIoredis();
  return ioredis && error instanceof ioredis.ReplyError ? (error as Error).message : undefined;
}
