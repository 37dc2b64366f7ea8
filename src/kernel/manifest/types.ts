import type { Static, TSchema } from '@sinclair/typebox';
import type { HttpMethod } from '../../ports/transport.js';

/** Server-sent-event options for a streaming endpoint. */
export interface StreamSpec {
  /** A `data` payload that ends the stream, e.g. `[DONE]`. */
  terminator?: string;
  /** An event name that ends the stream (its data is not yielded). */
  doneEvent?: string;
  /** An event name whose data is thrown as an error. */
  errorEvent?: string;
  /** Reconnect with `Last-Event-ID` after a dropped connection. */
  resume?: boolean;
  /** Maximum silence between chunks before the stream fails with `StreamIdleTimeoutError`. */
  idleTimeoutMs?: number;
  /** Schema of each event's parsed `data`. */
  event?: TSchema;
}

/** Pagination metadata: how to ask for the next page and where the items are. */
export type PaginationSpec =
  | {
      style: 'offset';
      /** Input keys for offset and limit. */
      offsetParam: string;
      limitParam: string;
      /** Response key holding the items. */
      items: string;
      /** Optional response key holding the total count. */
      total?: string;
    }
  | {
      style: 'cursor';
      cursorParam: string;
      /** Response key holding the next cursor; a missing/null cursor ends the listing. */
      nextCursor: string;
      items: string;
      limitParam?: string;
    };

/** What a plugin author writes for one endpoint. */
export interface EndpointSpec {
  id: string;
  method: HttpMethod;
  /** Path template with `{param}` placeholders, relative to the base URL. */
  path: string;
  description?: string;
  /** JSON schema of the whole input object (path, query, header params and body fields). */
  input?: TSchema;
  /** JSON schema of the decoded response. */
  response?: TSchema;
  /** Input keys sent as query parameters. */
  query?: readonly string[];
  /** Input keys sent as headers: input key → header name. */
  headers?: Readonly<Record<string, string>>;
  /** Path params allowed to contain `/` (multi-segment). */
  multiSegment?: readonly string[];
  /** Safe to retry even when the method is not idempotent. */
  idempotent?: boolean;
  /** Name of a retry policy declared by the plugin. */
  retry?: string;
  timeoutMs?: number;
  /** Name of an auth scheme, or `false` for none. */
  auth?: string | false;
  /** Group or pool: keys breakers, semaphores and rate limits. */
  resource?: string;
  /** Server-sent events. */
  stream?: boolean | StreamSpec;
  /** Name of the plugin's poll protocol: the response is a long-running operation. */
  future?: string;
  redirect?: 'manual' | 'follow';
  bodyType?: 'json' | 'multipart' | 'raw';
  /** How to read a successful body. Default `json`. */
  responseType?: 'json' | 'text' | 'bytes' | 'stream';
  /** Gzip the request body above the kernel's threshold. */
  compress?: boolean;
  pagination?: PaginationSpec;
  /** Name of a weight function declared by the plugin, for the weighted semaphore. */
  weight?: string;
  /**
   * Send the plugin's auth, static, platform and dynamic headers even when a call's `baseUrl` is
   * another origin than the plugin's own. Default false: another origin (a signed download URL, a
   * CDN) gets only User-Agent, Accept, the endpoint's header params and the call's own headers.
   */
  crossOriginCredentials?: boolean;
}

export interface ManifestSpec {
  name: string;
  version: string;
  endpoints: readonly EndpointSpec[];
}

type EndpointOf<M extends ManifestSpec, Id extends string> = Extract<M['endpoints'][number], { id: Id }>;

/** Endpoint ids of a manifest. */
export type EndpointId<M extends ManifestSpec> = M['endpoints'][number]['id'];

/** The input type inferred from an endpoint's input schema. */
export type InputOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends { input: infer S extends TSchema } ? Static<S> : void | Record<string, never>;

/** The output type inferred from an endpoint's response schema. */
export type OutputOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends { response: infer S extends TSchema } ? Static<S> : unknown;

/** The event type inferred from an endpoint's stream event schema. */
export type EventOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends { stream: { event: infer S extends TSchema } } ? Static<S> : unknown;

/** Identity helper that keeps literal types so `kernel.call` can infer inputs and outputs. */
export function defineManifest<const M extends ManifestSpec>(manifest: M): M {
  return manifest;
}
