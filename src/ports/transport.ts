import type { PortToken } from './port-token.js';
import type { Readable } from 'node:stream';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** A body the transport can send. Strings and bytes are replayable; streams are not. */
export type RequestBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  /** Lower-case header names. The transport never adds `Connection` itself. */
  headers: Record<string, string>;
  body?: RequestBody;
  /**
   * The attempt's deadline, always set: it bounds the whole exchange (connect, proxy tunnel, redirects,
   * headers and every byte of the body), not each read. Past it, `send`, `readAll` and body iteration
   * reject with `APITimeoutError` within a few tens of ms, whatever the library or proxy is doing.
   */
  timeoutMs: number;
  /** The caller's abort: it always wins, at any phase, with `APIUserAbortError`. */
  signal?: AbortSignal;
  redirect: 'manual' | 'follow';
  /**
   * The body is read as a stream (SSE, downloads): the deadline bounds the wait for headers only; the
   * signal still ends the body.
   */
  streaming?: boolean;
  /** Proxy URL for this request, already resolved from options and env. */
  proxy?: string;
  /**
   * Lower-case names of headers meant only for this request's origin (a plugin's default headers):
   * like credential headers, they are dropped when a redirect leads to another origin.
   */
  originBound?: readonly string[];
  /**
   * The connection pool of the exchange (the endpoint's `pool`; undefined: the default one). Exchanges of
   * different pools never share a connection nor wait for one another's, as the Python SDK's pool types
   * (session, sample, retrieve_promise, telemetry, …): a heartbeat or a telemetry POST does not queue
   * behind a burst of samples. Each pool has the adapter's connection limit per origin. An adapter given
   * one dispatcher or agent from outside sends every pool through it.
   */
  pool?: string;
  /**
   * Set by the adapter, not the caller: when the attempt settled early (the caller aborted, the deadline
   * passed) while the library still holds the exchange, this resolves once the library lets go of it
   * (its connection free or closed). An adapter that declares `connectionsPerOrigin` sets it, and the
   * kernel counts the connection as taken until then, so given-up exchanges cannot pile up inside the
   * library while new ones are sent.
   */
  heldUntil?: Promise<void>;
}

export interface TransportResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /**
   * The raw (still encoded) body. It must be consumed or cancelled; iterating it to the end or
   * calling `cancel()` releases the socket.
   */
  body: AsyncIterable<Uint8Array>;
  /**
   * Optional: the whole (still encoded) body at once, for adapters with a faster path than iterating
   * `body` chunk by chunk. It consumes the body and fails with the same typed errors.
   */
  readAll?(): Promise<Uint8Array>;
  /** Abort the response body and release the socket early. */
  cancel(): void;
}

/**
 * Transport port: one HTTP exchange, no retries, no redirects unless asked. Every status (4xx/5xx
 * included) is returned, not thrown; failures without a status are thrown typed:
 * - `APITimeoutError` when `timeoutMs` passes, at any phase (the deadline covers the whole attempt);
 * - `APIUserAbortError` when `signal` aborts, at any phase; an aborted signal sends nothing;
 * - `ProxyError` (a connection error) when the proxy refuses or breaks the tunnel, with its status;
 * - `APIConnectionError` otherwise (refused, reset, cut short), its message naming the method and
 *   origin (`Connection error: POST http://host:port ECONNREFUSED`), never credentials or the path; a
 *   body that breaks off after the headers says so, with the bytes received and those its Content-Length
 *   announced (`Connection error: GET http://host:port: the response body was cut short after 10 of the
 *   100 bytes its Content-Length announced (ECONNRESET)`).
 * An attempt opens at most one connection (or tunnel) of its own: no reconnect loops inside adapters.
 * The adapters' shared contract suite is `test/adapters/transport/contract.test.ts`.
 */
export interface Transport {
  readonly name: string;
  /**
   * `send` settles by itself at the request's deadline and when its signal aborts (the built-in
   * adapters race every step against an `AttemptDeadline`). The kernel then skips its own backstop
   * timer for the attempt; adapters without this flag keep the backstop.
   */
  readonly settlesAtDeadline?: boolean;
  /**
   * At most this many exchanges with one origin at once (the adapter's connection pool). The kernel then
   * holds further attempts to that base URL before their request is built, in FIFO order, instead of
   * leaving them queued, built, inside the library; an attempt's timeout starts when it leaves that queue.
   * Absent: no such queue (the adapter queues as it likes).
   */
  readonly connectionsPerOrigin?: number | undefined;
  send(request: TransportRequest): Promise<TransportResponse>;
  /**
   * Optional, for the kernel's `closeExcept`: close every connection pool but those in `keep` (pool
   * names; `undefined` is the default pool). Their exchanges on the wire end with ClientClosedError, and
   * so does any later request to them; the kept pools work on until `close()`. An adapter given one
   * dispatcher or agent from outside has no pools of its own to close and leaves it alone.
   */
  closePoolsExcept?(keep: ReadonlySet<string | undefined>): Promise<void>;
  /** Release pooled sockets. */
  close?(): Promise<void>;
}

export const TransportToken = Symbol.for('pristine.port.Transport') as PortToken<Transport>;
