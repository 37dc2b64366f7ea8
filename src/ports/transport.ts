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
  /** Per-attempt timeout; always set. */
  timeoutMs: number;
  signal?: AbortSignal;
  redirect: 'manual' | 'follow';
  /** The body is read as a stream (SSE, downloads): the timeout bounds the wait for headers only. */
  streaming?: boolean;
  /** Proxy URL for this request, already resolved from options and env. */
  proxy?: string;
  /**
   * Lower-case names of headers meant only for this request's origin (a plugin's default headers):
   * like credential headers, they are dropped when a redirect leads to another origin.
   */
  originBound?: readonly string[];
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
 * Transport port: one HTTP exchange, no retries, no redirects unless asked.
 * Adapters throw `APIConnectionError`, `APITimeoutError` or `APIUserAbortError` for failures that
 * have no HTTP status; every status (including 4xx/5xx) is returned, not thrown.
 */
export interface Transport {
  readonly name: string;
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Release pooled sockets. */
  close?(): Promise<void>;
}

export const TransportToken = Symbol.for('pristine.port.Transport');
