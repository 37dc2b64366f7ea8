import type { Static, TSchema } from '@sinclair/typebox';
import type { HttpMethod } from '../../ports/transport.js';
import type { CallInput } from './call-input.js';

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
      /**
       * Response key holding a boolean: `false` ends the listing without asking for an empty page
       * (OpenAI-style `has_more`, with `nextCursor: 'last_id'`).
       */
      hasMore?: string;
    };

/** A non-JSON body: its media type and what the codec needs to read or write it. */
export interface BodySpec {
  contentType: string;
  schema: unknown;
}

/** Request-body compression with a named `Content-Encoding`. */
export interface CompressSpec {
  encoding: string;
  /** Compress only bodies of at least this many bytes (default: the kernel's threshold). */
  minBytes?: number;
}

/** What a plugin author writes for one endpoint. */
export interface EndpointSpec {
  id: string;
  /**
   * The call this endpoint serves as its users name it, in what people read (retry lines, a closed
   * client's error); default: the id. For endpoints that are one call sent another way (a protobuf
   * body of a JSON call) and need ids of their own. Structured fields keep the id.
   */
  callName?: string;
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
  /** Group: keys breakers, semaphores and rate limits. */
  resource?: string;
  /**
   * Connection pool (`TransportRequest.pool`): calls of different pools never share a connection nor
   * wait for one another's. Default: the plugin's one pool.
   */
  pool?: string;
  /** Server-sent events. */
  stream?: boolean | StreamSpec;
  /** Name of the plugin's poll protocol: the response is a long-running operation. */
  future?: string;
  /**
   * Schema of a future's final value (what `await kernel.submit(...)` resolves to): types `submit`
   * and is checked like a response (unknown fields kept). Only on `future` endpoints.
   */
  result?: TSchema;
  redirect?: 'manual' | 'follow';
  bodyType?: 'json' | 'multipart' | 'raw';
  /** How to read a successful body. Default `json`. */
  responseType?: 'json' | 'text' | 'bytes' | 'stream';
  /**
   * `false`: hand the body over as it came, whatever its `Content-Encoding` (a file download: a
   * `.tar.gz` stored with `Content-Encoding: gzip` stays the `.tar.gz`, and its `Content-Length` still
   * counts its bytes). Default: decode gzip, deflate, br and zstd.
   */
  decompress?: false;
  /**
   * Compress the request body: `true` = gzip above the kernel's threshold; an object names the
   * `Content-Encoding` (e.g. `zstd`) and the size from which to compress (default: the threshold).
   */
  compress?: boolean | CompressSpec;
  /**
   * A request body in a media type other than JSON: the kernel encodes the input (or its body fields)
   * with the codec registered for `contentType`, giving it `schema` (e.g. a protobuf message descriptor).
   */
  requestBody?: BodySpec;
  /**
   * Response bodies in media types other than JSON: media type → the codec's schema. A response is
   * decoded by its `Content-Type`; JSON (and any type not listed) goes to the Serializer as before.
   */
  responseBodies?: Readonly<Record<string, unknown>>;
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

export type EndpointOf<M extends ManifestSpec, Id extends string> = Extract<
  M['endpoints'][number],
  { id: Id }
>;

/** The manifest of a kernel's endpoints `E` (what its typed entry points read types from). */
export type ManifestOf<E extends EndpointSpec> = { name: string; version: string; endpoints: readonly E[] };

/** Endpoint ids of a manifest. */
export type EndpointId<M extends ManifestSpec> = M['endpoints'][number]['id'];

/** What makes an endpoint one of the kinds the kernel's extensions take. */
export interface EndpointKinds {
  stream: { stream: true | StreamSpec } | { responseType: 'stream' };
  paginated: { pagination: PaginationSpec };
  future: { future: string };
}

/**
 * The ids of the endpoints of one kind, so a call on any other is a compile error, not only the runtime
 * refusal: `kernel.stream` takes stream endpoints, `paginate` paginated ones, `submit` future ones. Any
 * id when the ids are not literal (a manifest typed as plain `EndpointSpec[]`).
 */
export type KindedEndpointId<E extends EndpointSpec, K extends keyof EndpointKinds> = string extends E['id']
  ? E['id']
  : Extract<E, EndpointKinds[K]>['id'];

/** The ids `kernel.stream` takes: endpoints with a `stream` (or a `stream` response type). */
export type StreamEndpointId<E extends EndpointSpec> = KindedEndpointId<E, 'stream'>;
/** The ids `kernel.paginate` takes: endpoints with `pagination`. */
export type PaginatedEndpointId<E extends EndpointSpec> = KindedEndpointId<E, 'paginated'>;
/** The ids `kernel.submit` takes: endpoints with a `future` (a poll protocol's name). */
export type FutureEndpointId<E extends EndpointSpec> = KindedEndpointId<E, 'future'>;

/**
 * The input type inferred from an endpoint's input schema, its optional members also taking `undefined`
 * (read as absent: `CallInput`).
 */
export type InputOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends { input: infer S extends TSchema }
    ? CallInput<Static<S>>
    : void | Record<string, never>;

/**
 * The arguments of `call`, `execute`, `submit`, `stream` and `paginate` after the endpoint id: the
 * input, then the options. The input may be left out exactly when the endpoint's input type has no
 * required property (an all-optional or empty schema, or none): it is then `{}`, validated as such.
 */
export type InputArgs<M extends ManifestSpec, Id extends string, O> =
  Record<string, never> extends InputOf<M, Id>
    ? [input?: InputOf<M, Id> | undefined, options?: O]
    : [input: InputOf<M, Id>, options?: O];

/**
 * What `kernel.call` resolves with for an endpoint, as the kernel reads the body at run time: nothing
 * (`undefined`) for a stream (its body is `execute(...).response`), the text for `responseType: 'text'`,
 * the raw bytes (a Buffer) for `'bytes'`, and `unknown` when a codec may decode it (`responseBodies`:
 * the codec's value, not the response schema's); else the response schema's type (`unknown` without).
 */
export type OutputOf<M extends ManifestSpec, Id extends string> = ResponseBodyOf<EndpointOf<M, Id>>;

/**
 * The body the kernel hands over for endpoint `E` (see `OutputOf`), each one's for a union of endpoints;
 * `unknown` when nothing is known of `E`.
 */
export type ResponseBodyOf<E> = [E] extends [never]
  ? unknown
  : E extends EndpointKinds['stream']
    ? undefined
    : E extends { responseType: 'text' }
      ? string
      : E extends { responseType: 'bytes' }
        ? Buffer
        : E extends { responseBodies: object }
          ? unknown
          : E extends { response: infer S extends TSchema }
            ? Static<S>
            : unknown;

/** The event type inferred from an endpoint's stream event schema. */
export type EventOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends { stream: { event: infer S extends TSchema } } ? Static<S> : unknown;

/** The item type of a paginated endpoint: the element type of the response at the `items` key. */
export type ItemOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends {
    response: infer S extends TSchema;
    pagination: { items: infer K extends string };
  }
    ? ElementAt<Static<S>, K>
    : unknown;

/** The element type of the array at a dotted path such as `data` or `page.items`. */
export type ElementAt<T, K extends string> = K extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? ElementAt<NonNullable<T[Head]>, Rest>
    : unknown
  : K extends keyof T
    ? NonNullable<T[K]> extends readonly (infer I)[]
      ? I
      : unknown
    : unknown;

/** The final value of a future endpoint, inferred from its `result` schema. */
export type ResultOf<M extends ManifestSpec, Id extends string> =
  EndpointOf<M, Id> extends { result: infer S extends TSchema } ? Static<S> : unknown;

/** Identity helper that keeps literal types so `kernel.call` can infer inputs and outputs. */
export function defineManifest<const M extends ManifestSpec>(manifest: M): M {
  return manifest;
}
