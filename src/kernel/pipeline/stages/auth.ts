import { lowerCased } from '../../request/lower-case.js';
import { PristineError } from '../../errors/pristine-error.js';
import { AuthSchemeError } from '../../errors/plugin-errors.js';
import { sanitizedCause } from '../../errors/error-secrets.js';
import type { AuthScheme } from '../../../ports/auth.js';
import type { TransportRequest } from '../../../ports/transport.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';
import { buildRequest } from '../../request/build-request.js';
import { noteWrittenHeader, writtenHeaders } from './auth-headers.js';

const NO_NAMES: readonly string[] = [];

/**
 * Add credentials on every attempt, so retries see refreshed tokens. Whatever the scheme wrote into
 * its secret headers is registered as a secret before the request leaves: a token fetched from a
 * provider (or refreshed) is then scrubbed from errors and logs like a static key, even when a server
 * echoes it back.
 */
export const authStage: Stage = enteringStage({
  name: 'auth',
  passes: (context) => !context.auth || !context.request,
  enter(context, next) {
    const { auth, request } = context;
    if (!auth || !request) return false;
    const applied = applyCredentials(context, auth, request);
    // Static keys apply synchronously; only token providers need to be awaited. A scheme that renews
    // waits for the outcome (a 401 sends once more); one that does not leaves nothing for later.
    const renews = Boolean(auth.renew);
    if (applied instanceof Promise)
      return applied.then(renews ? () => sendRenewing(context, auth, request, next) : next);
    return renews ? sendRenewing(context, auth, request, next) : false;
  },
});

function sendRenewing(
  context: CallContext,
  auth: AuthScheme,
  request: TransportRequest,
  next: Next,
): Promise<CallResult> {
  return next().catch((error: unknown) => renewed(context, auth, request, error, next));
}

function applyCredentials(
  context: CallContext,
  auth: AuthScheme,
  request: TransportRequest,
): void | Promise<void> {
  const before = keyCount(request.headers);
  let applied: void | Promise<void>;
  try {
    applied = auth.apply(request.headers, {
      url: request.url,
      method: request.method,
      endpointId: context.endpoint.id,
      attempt: context.attempt,
    });
  } catch (error) {
    throw authFailed(context, auth, error);
  }
  if (applied instanceof Promise)
    return applied.then(
      () => registerCredentials(context, auth, request, before),
      (error: unknown) => {
        throw authFailed(context, auth, error);
      },
    );
  registerCredentials(context, auth, request, before);
}

/**
 * What the scheme threw, typed: a PristineError passes as it is (a provider that honours the signal, or
 * fetches its token through a kernel call and keeps that call's verdict); anything else is the scheme
 * failing, which no retry can mend, so it must not pass for a connection error (those are retried by
 * pollers, resumed by streams and counted by breakers).
 */
function authFailed(context: CallContext, auth: AuthScheme, error: unknown): PristineError {
  if (error instanceof PristineError) return error;
  const { endpoint } = context;
  const what = endpoint.spec.callName ?? endpoint.id;
  const reason = (error as Error)?.message ?? String(error);
  return new AuthSchemeError(
    `Authentication failed before "${what}" was sent: auth scheme "${auth.name}" threw: ${reason}`,
    { cause: sanitizedCause(error), endpointId: endpoint.id },
  );
}

/**
 * A 401 for a credential the scheme can renew (a short-lived token that lapsed in flight, or a clock
 * behind the server's): renew it and send once more, inside this attempt, so a poll sent without
 * retries is covered too. Anything else, or a second 401, is the call's answer.
 */
async function renewed(
  context: CallContext,
  auth: AuthScheme,
  request: TransportRequest,
  error: unknown,
  next: Next,
): Promise<CallResult> {
  const refused = error instanceof PristineError && error.status === 401;
  if (!refused || context.authRenewed || !context.replayable || context.options.signal?.aborted) throw error;
  context.authRenewed = true;
  const endpointId = context.endpoint.id;
  // Only a scheme with `renew` sends through here (see `enter`).
  if (!(await auth.renew?.({ endpointId, headers: request.headers }))) throw error;
  context.services.logger.info(
    `the server refused the credential of ${endpointId}; sending it again with a renewed one`,
    {
      endpoint: endpointId,
    },
  );
  // A body that is a stream (a file read from disk, in multipart) was consumed by the refused send:
  // sending it again would announce its length and send nothing. Build it again, as a retry would.
  const resent = isResendable(request.body)
    ? request
    : (context.request = await buildRequest(context, context.plugin.staticHeaders));
  await applyCredentials(context, auth, resent);
  return next();
}

function isResendable(body: TransportRequest['body']): boolean {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * Register what the scheme wrote as secrets: its declared headers, and any header it added beyond
 * them (`before` is how many headers the request had before `apply`), which a custom scheme need not
 * list. New names come last in a plain object's key order, so only the tail is read: counting keys
 * allocates nothing, and a scheme that writes only what it declares costs two short loops.
 */
function registerCredentials(
  context: CallContext,
  auth: AuthScheme,
  request: TransportRequest,
  before: number,
): void {
  const { services } = context;
  const headers = request.headers;
  for (const name of auth.secretHeaders) {
    const value = headers[lowerCased(name)];
    // `add` ignores known values, so registering on every attempt costs a lookup.
    if (value) services.secrets.addHeaderValue(value);
  }
  // A renewed credential overwrites a header the scheme added on an earlier send: no new key this time.
  for (const name of writtenHeaders(auth) ?? NO_NAMES) {
    const value = headers[name];
    if (value) services.secrets.addHeaderValue(value);
  }
  let index = 0;
  for (const name in headers) {
    if (index++ < before) continue;
    const value = headers[name];
    if (value) services.secrets.addHeaderValue(value);
    noteWrittenHeader(auth, name);
  }
}

function keyCount(headers: Record<string, string>): number {
  let count = 0;
  for (const _ in headers) count++;
  return count;
}
