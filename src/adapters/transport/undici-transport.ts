import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import { APIConnectionError, ClientClosedError } from '../../kernel/errors/api-errors.js';
import type { Transport, TransportRequest, TransportResponse } from '../../ports/transport.js';
import { redirectTarget } from './follow-redirect.js';
import { AttemptDeadline } from './attempt-deadline.js';
import { guardedBody } from './guarded-body.js';
import { toTransportError } from './transport-errors.js';
import { UndiciDispatchers } from './undici-dispatchers.js';
import { bodyBytesRead, request } from './undici-parts.js';

/** A path undici can send as is: printable ASCII, no fragment. */
const PRINTABLE_PATH = /^\/[!-"$-~]*$/;

const SLASH = 47;

/** URLs whose origin and path `split` remembers (see `targets`). */
const MAX_TARGETS = 256;

/** Where `dispatcher.request` sends a request; shared by every request to the same URL, never changed. */
interface Target {
  readonly origin: string;
  readonly path: string;
}

/** Like fetch and got: a chain longer than this is a loop. */
const MAX_REDIRECTS = 10;

export interface UndiciTransportOptions {
  /**
   * Connections per origin (default 256). With a `dispatcher` passed in, say how many it has to have the
   * kernel queue attempts in front of it (see `Transport.connectionsPerOrigin`); unknown otherwise.
   */
  connections?: number;
  /** Route every request through this proxy (credentials in the URL are sent as Proxy-Authorization). */
  proxy?: string;
  /**
   * Send through this undici dispatcher instead of a pooled `Agent` of our own, e.g. undici's
   * `MockAgent` in tests (nock cannot see undici). The caller owns it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher;
}

/**
 * The pools of a transport collected without `close()` (a client made per request and forgotten): closed
 * gracefully then, rather than holding idle sockets until the server's keep-alive ends (a minute).
 */
const forgotten = new FinalizationRegistry<UndiciDispatchers>((dispatchers) => dispatchers.release());

/**
 * The fetch-family transport, on undici's `request` (the engine under Node's fetch, without the WHATWG
 * stream wrapping). Same contract as the got adapter: no retries, a timeout always set, streamed bodies,
 * redirects per endpoint, never a hand-set `Connection` header. Redirects are followed here rather than
 * by undici's interceptor: the interceptor wraps every request in a handler, while this loop costs
 * nothing until a 3xx arrives, and it drops API-key headers (not only `authorization`) across origins.
 */
export class UndiciTransport implements Transport {
  readonly name = 'undici';
  /** Every step races an `AttemptDeadline`: the kernel's backstop timer is not needed. */
  readonly settlesAtDeadline = true;
  /** The pool's connections per origin; for a dispatcher passed in, as given (else unknown). */
  readonly connectionsPerOrigin: number | undefined;
  /** The agents of the pools and proxies. */
  private readonly dispatchers: UndiciDispatchers;
  /** The plain origin `split` saw last. */
  private lastOrigin: string | undefined = undefined;
  /** URL prefix → whether it is already a normalized origin (see `split`). */
  private readonly plainOrigins = new Map<string, boolean>();
  /**
   * URL → its origin and path (null: not a plain one), for URLs seen before: the kernel builds the URL
   * of a parameterless endpoint once, so the same few URLs come by on every call. Emptied when full.
   */
  private readonly targets = new Map<string, Target | null>();

  constructor(options: UndiciTransportOptions = {}) {
    this.connectionsPerOrigin = options.dispatcher ? options.connections : (options.connections ?? 256);
    this.dispatchers = new UndiciDispatchers(options);
    forgotten.register(this, this.dispatchers);
  }

  /**
   * A `then` chain for the common exchange (no redirect), not an async function: one promise less per
   * attempt. A redirect hands over to the loop in `follow`.
   */
  send(req: TransportRequest): Promise<TransportResponse> {
    // undici's "destroyed" error would read as a retryable connection error.
    if (this.closing || this.dispatchers.isClosed(req.pool)) return Promise.reject(new ClientClosedError());
    const deadline = new AttemptDeadline(req);
    // Never hand undici a call already aborted: it cancels one by tearing down a kept-alive socket,
    // and later calls then queued behind the reconnects (thousands of cancelled samples: seconds).
    if (deadline.reason) return Promise.reject(deadline.reason);
    let exchanging: Promise<Dispatcher.ResponseData>;
    try {
      exchanging = this.exchange(req, deadline);
    } catch (error) {
      return Promise.reject(failed(error, req, deadline));
    }
    return deadline.raceThen(exchanging, this.exchanged, this.exchangeFailed, discardBody, this);
  }

  /** The exchange's response: its redirect followed, or the port's response over it. */
  private exchanged(
    response: Dispatcher.ResponseData,
    deadline: AttemptDeadline,
  ): TransportResponse | Promise<TransportResponse> {
    const req = deadline.request;
    try {
      const next = this.redirectOf(req, response);
      return next ? this.follow(req, next, deadline) : respond(response, req, deadline);
    } catch (error) {
      throw failed(error, req, deadline);
    }
  }

  private exchangeFailed(error: unknown, deadline: AttemptDeadline): never {
    // Ended by close() (or closePoolsExcept): the caller closed the client, nothing to retry.
    const closed = this.closing !== undefined || this.dispatchers.isClosed(deadline.request.pool);
    throw closed ? closedDuring(deadline) : failed(error, deadline.request, deadline);
  }

  /** The rest of a redirect chain: `next` is the request the first response redirected to. */
  private async follow(
    req: TransportRequest,
    next: TransportRequest,
    deadline: AttemptDeadline,
  ): Promise<TransportResponse> {
    try {
      let current = next;
      for (let redirects = 1; ; redirects++) {
        if (deadline.reason) throw deadline.reason;
        const response = await deadline.race(this.exchange(current, deadline), discardBody);
        const target = this.redirectOf(current, response);
        if (!target) return respond(response, req, deadline);
        if (redirects === MAX_REDIRECTS) {
          throw new APIConnectionError(`Too many redirects: more than ${MAX_REDIRECTS}`);
        }
        current = target;
      }
    } catch (error) {
      throw failed(error, req, deadline);
    }
  }

  /**
   * The request a redirect response leads to, when it is to be followed (its body is then discarded);
   * throws past `MAX_REDIRECTS`.
   */
  private redirectOf(
    current: TransportRequest,
    response: Dispatcher.ResponseData,
  ): TransportRequest | undefined {
    const next =
      current.redirect === 'follow'
        ? redirectTarget(current, response.statusCode, header(response.headers.location))
        : undefined;
    if (!next) return undefined;
    discardBody(response);
    return next;
  }

  /** One request/response, redirects not followed. */
  private exchange(req: TransportRequest, signal: AttemptDeadline): Promise<Dispatcher.ResponseData> {
    const dispatcher = this.dispatchers.for(req.pool, req.proxy);
    const target = this.split(req.url);
    const options = {
      origin: target?.origin,
      path: target?.path,
      method: req.method,
      headers: req.headers,
      body: req.body as never,
      signal,
      // Backstops only: the deadline ends the attempt, undici's timers are coarse and per chunk.
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.streaming ? 0 : req.timeoutMs,
    };
    return (
      target
        ? dispatcher.request(options as Dispatcher.RequestOptions)
        : request(req.url, { ...options, dispatcher } as Parameters<typeof request>[1])
    ) as Promise<Dispatcher.ResponseData>;
  }

  /** The exchanges of the pools not kept end with ClientClosedError (see `UndiciDispatchers`). */
  closePoolsExcept(keep: ReadonlySet<string | undefined>): Promise<void> {
    return this.dispatchers.closeExcept(keep);
  }

  /**
   * Idempotent: a second close (a kernel closed twice) waits for the first instead of throwing. Destroys
   * rather than closes the pools, as the got adapter destroys its agents; exchanges still on the wire
   * end with ClientClosedError.
   */
  close(): Promise<void> {
    this.closing ??= this.dispatchers.close();
    return this.closing;
  }
  private closing?: Promise<void>;

  /** Printed as its name and state only: its agents and proxy map hold proxy URLs, passwords included. */
  toJSON(): { name: string; closed: boolean } {
    return { name: this.name, closed: this.closing !== undefined };
  }

  [inspect.custom](): string {
    return `UndiciTransport ${inspect(this.toJSON())}`;
  }

  /**
   * Origin and path for `dispatcher.request`, skipping the URL parse `request(url)` does per call. Only
   * for plain origins (lower-case, no credentials, no default port) and printable-ASCII paths, which is
   * what the kernel builds; anything else goes through `request(url)` and its full parse.
   */
  private split(url: string): Target | undefined {
    const known = this.targets.get(url);
    if (known !== undefined) return known ?? undefined;
    const target = this.splitOnce(url);
    if (this.targets.size >= MAX_TARGETS) this.targets.clear();
    this.targets.set(url, target ?? null);
    return target;
  }

  private splitOnce(url: string): Target | undefined {
    // Nearly every call goes to the origin of the call before: reuse that string (no slice, no hashing).
    const last = this.lastOrigin;
    if (last !== undefined && url.startsWith(last) && url.charCodeAt(last.length) === SLASH) {
      const path = url.slice(last.length);
      return PRINTABLE_PATH.test(path) ? { origin: last, path } : undefined;
    }
    const slash = url.indexOf('/', url.indexOf('//') + 2);
    const prefix = slash < 0 ? url : url.slice(0, slash);
    let plain = this.plainOrigins.get(prefix);
    if (plain === undefined) {
      try {
        plain = new URL(prefix).origin === prefix;
      } catch {
        plain = false;
      }
      if (this.plainOrigins.size < 1024) this.plainOrigins.set(prefix, plain);
    }
    const path = slash < 0 ? '/' : url.slice(slash);
    if (plain && slash >= 0) this.lastOrigin = prefix;
    return plain && PRINTABLE_PATH.test(path) ? { origin: prefix, path } : undefined;
  }
}

/** An exchange the transport's close() ended. */
function closedDuring(deadline: AttemptDeadline): Error {
  deadline.release();
  return ClientClosedError.underWay();
}

/** An attempt that failed: its deadline is released, and the error typed for the port. */
function failed(error: unknown, req: TransportRequest, deadline: AttemptDeadline): Error {
  deadline.release();
  return toTransportError(error as Error, req, deadline);
}

/**
 * undici already lower-cases header names and makes a new object per response, so that object is kept
 * as it is unless a header came more than once (an array value, which is joined into a copy).
 */
function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const name in raw) if (typeof raw[name] !== 'string') return joinedHeaders(raw);
  return raw as Record<string, string>;
}

function joinedHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Drop a body nobody will read; destroying it reports an abort nobody awaits, hence the listener. */
function discardBody(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => {}).destroy();
}

/**
 * The port's response over undici's. The deadline runs on through the body (its clock stops at the
 * headers when the request streams) and is released once the body is read, cancelled or failed.
 */
function respond(
  response: Dispatcher.ResponseData,
  req: TransportRequest,
  deadline: AttemptDeadline,
): TransportResponse {
  // The deadline may destroy a body before anyone reads it; that must not be an unhandled 'error'.
  // undici (7.30.2, pinned) adds a no-op 'error' listener itself before it destroys a body on the
  // signal's abort or a failed exchange, so none is added here (an `on` per response); `cancel`,
  // the one place this adapter destroys a body, adds its own.
  if (req.streaming) deadline.stopClock();
  return new UndiciResponse(response, req, deadline);
}

const noop = () => {};

/**
 * A class rather than an object literal of closures: one allocation per response, and the body's
 * async iterator is made only when someone iterates (a JSON body is read whole through `readAll`).
 */
class UndiciResponse implements TransportResponse {
  // Set in the constructor, not as class-body fields or parameter properties: their initializer is a
  // function of its own that V8 may compile on its own in a burst (see APIFuture).
  declare private readonly raw: Dispatcher.ResponseData;
  declare private readonly req: TransportRequest;
  declare private readonly deadline: AttemptDeadline;
  declare readonly status: number;
  declare readonly headers: Record<string, string>;
  declare private iterable: AsyncIterable<Uint8Array> | undefined;

  constructor(raw: Dispatcher.ResponseData, req: TransportRequest, deadline: AttemptDeadline) {
    this.raw = raw;
    this.req = req;
    this.deadline = deadline;
    this.status = raw.statusCode;
    this.headers = flatHeaders(raw.headers);
    this.iterable = undefined;
  }

  get body(): AsyncIterable<Uint8Array> {
    return (this.iterable ??= guardedBody(this.raw.body, this.req, this.deadline, this.headers));
  }

  /**
   * undici collects a whole body without an async iterator: several µs less per JSON call. Not raced
   * against the deadline (a promise, an executor, a closure and a listener per call): undici keeps the
   * deadline as the request's signal until the body closes, and when the deadline ends it destroys the
   * body with the deadline's reason, which rejects this read with that reason. The connection is then
   * counted until that rejection, when undici has let go of the body.
   */
  readAll(): Promise<Uint8Array> {
    const { deadline, req } = this;
    const reading = this.raw.body.arrayBuffer();
    const read = (bytes: ArrayBuffer) => {
      deadline.release();
      return Buffer.from(bytes);
    };
    const failed = (error: unknown): never => {
      deadline.release();
      throw toTransportError(error as Error, req, deadline, {
        headers: this.headers,
        received: bodyBytesRead(this.raw.body),
      });
    };
    // Cut short before the read began: the race answers with the typed reason at once and records
    // how long undici still holds the body (`TransportRequest.heldUntil`).
    if (deadline.reason) return deadline.raceThen(reading, read, failed);
    return reading.then(read, failed);
  }

  cancel(): void {
    this.deadline.release();
    // undici destroys an unfinished body with an abort error: nobody waits for it here.
    this.raw.body.on('error', noop).destroy();
  }
}
