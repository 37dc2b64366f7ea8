import type { Release, Semaphore, SemaphoreFactory } from '../../../ports/semaphore.js';
import type { Transport } from '../../../ports/transport.js';
import { ClientClosedError } from '../../errors/api-errors.js';
import type { CallContext, CallResult, Next } from '../context.js';

/** Base URLs whose gate each transport remembers; emptied when full (a gate in use keeps working). */
const MAX_ORIGINS = 256;

const GATES = new WeakMap<Transport, Map<string, Semaphore>>();

/**
 * The transport's connection limit as a queue in front of the request. A transport that declares
 * `connectionsPerOrigin` (undici's pool: 256 by default) can only exchange that many requests per origin
 * at once; every attempt beyond it used to wait in the library's queue, built: its request and headers,
 * the attempt deadline and its timer, the library's request and handler, and the pipeline's frames around
 * it. A sampling fan-out kept some 550 of them waiting there at once, each long enough to be promoted to
 * the old generation by the scavenges: about 8–10 MB of a burst's 33 MB of promotion. Here the attempt
 * waits before its request is built (one waiter entry), in the same FIFO order, and no more requests
 * are on the wire at once than before.
 *
 * The attempt's timeout starts when it leaves this queue, as it would start once the library had a
 * connection for it; the caller's signal still ends the wait (the call then fails as aborted). Waiting
 * attempts are admitted in order as exchanges end; each of those ends by its own deadline at the latest.
 * In-process on purpose, like the pool it mirrors.
 */
export function throughConnectionGate(context: CallContext, next: Next): Promise<CallResult> {
  const { transport, refuses } = context.services;
  // Closing began after the call started (it waited for a slot, a connection or a backoff): an attempt
  // not yet built is never sent.
  if (refuses(context.endpoint.id)) return Promise.reject(ClientClosedError.forCall(context.endpoint));
  const limit = transport.connectionsPerOrigin;
  const signal = context.options.signal;
  // An aborted call goes on at once: the stages after this fail it as they always did.
  if (limit === undefined || signal?.aborted) return next();
  const gate = gateFor(
    context.services.localSemaphores,
    transport,
    context.options.baseUrl,
    context.endpoint.spec.pool,
    limit,
  );
  const now = gate.tryAcquire?.(1);
  if (now) return holding(context, next(), now);
  return gate.acquire(1, signal).then((release) => {
    if (!refuses(context.endpoint.id)) return holding(context, next(), release);
    release();
    throw ClientClosedError.forCall(context.endpoint);
  });
}

/**
 * `call`, with the connection freed once it settles, or, when the attempt gave up on an exchange the
 * library still holds (`TransportRequest.heldUntil`), once the library lets go of it: undici tears down
 * an aborted exchange's socket and keeps a request it had queued until a connection is free, and with the
 * connection freed at once, thousands of cancelled samples piled up there and later calls waited
 * behind them.
 */
function holding(context: CallContext, call: Promise<CallResult>, release: Release): Promise<CallResult> {
  return call.then(
    (result) => {
      free(context, release);
      return result;
    },
    (error: unknown) => {
      free(context, release);
      throw error;
    },
  );
}

function free(context: CallContext, release: Release): void {
  const request = context.request;
  const held = request?.heldUntil;
  if (request === undefined || held === undefined) return release();
  // Bounded by the attempt's own timeout: a library that never lets go must not keep the connection.
  let freed = false;
  const once = () => {
    if (freed) return;
    freed = true;
    clearTimeout(timer);
    release();
  };
  const timer = setTimeout(once, request.timeoutMs);
  timer.unref();
  void held.then(once);
}

function gateFor(
  semaphores: SemaphoreFactory,
  transport: Transport,
  baseUrl: string,
  pool: string | undefined,
  limit: number,
): Semaphore {
  let gates = GATES.get(transport);
  if (!gates) GATES.set(transport, (gates = new Map()));
  // Each pool has its own connections (`TransportRequest.pool`), so its own queue.
  const key = pool === undefined ? baseUrl : `${baseUrl}\n${pool}`;
  let gate = gates.get(key);
  if (!gate) {
    if (gates.size >= MAX_ORIGINS) gates.clear();
    gate = semaphores.create(limit);
    gates.set(key, gate);
  }
  return gate;
}
