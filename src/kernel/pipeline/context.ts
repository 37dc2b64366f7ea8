import type { AuthScheme } from '../../ports/auth.js';
import type { TelemetrySpan } from '../../ports/telemetry.js';
import type { TransportRequest, TransportResponse } from '../../ports/transport.js';
import type { CompiledEndpoint } from '../manifest/compile.js';
import type { CompressSpec } from '../manifest/types.js';
import type { KernelServices } from '../services.js';
import type { RegisteredPlugin } from '../plugin.js';

/** Per-call options a caller may pass; they win over plugin and kernel defaults. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  idempotencyKey?: string;
  maxRetries?: number;
  baseUrl?: string;
  /** Response bodies for this call (media type → codec schema), in place of the endpoint's. */
  responseBodies?: Readonly<Record<string, unknown>>;
  /** Request-body compression for this call, in place of the endpoint's `compress`. */
  compress?: boolean | CompressSpec;
  /**
   * One of the plugin's auth schemes, by name, in place of the endpoint's: a client that holds two
   * credentials for the same endpoints (e.g. one per connection holder) says which one a call uses.
   */
  auth?: string;
}

/** Options after layering kernel defaults < plugin/manifest < per-call. */
export interface ResolvedOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  headers: Record<string, string>;
  query: Record<string, string | number | boolean | undefined>;
  maxRetries: number;
  baseUrl: string;
  responseBodies?: Readonly<Record<string, unknown>>;
  compress?: boolean | CompressSpec;
}

/** Everything one call carries through the stages. Attempt fields are reset by the retry stage. */
export interface CallContext {
  readonly services: KernelServices;
  readonly plugin: RegisteredPlugin;
  readonly endpoint: CompiledEndpoint;
  /**
   * The call's input. A plugin stage placed after `validate` may replace it (never mutate it: it is the
   * caller's object) with the body its protocol version sends, e.g. with defaults filled in.
   */
  input: Record<string, unknown>;
  readonly options: ResolvedOptions;
  readonly auth: AuthScheme | undefined;
  /**
   * The call goes to another origin than the plugin's base URL and the endpoint did not opt in: no
   * auth, and none of the plugin's static, platform or dynamic headers.
   */
  readonly crossOrigin: boolean;
  /** Stable across every attempt of this call. */
  idempotencyKey: string | undefined;
  /** 0 on the first attempt. */
  attempt: number;
  /** False once a one-shot body (a stream) was built: such a request is never retried. */
  replayable: boolean;
  /** Extra headers a stage wants on this call's requests (e.g. `Last-Event-ID`). */
  readonly extraHeaders: Record<string, string>;
  request?: TransportRequest;
  callSpan?: TelemetrySpan;
  attemptSpan?: TelemetrySpan;
  startedAt: number;
  /** Free-form slot for plugin stages. */
  readonly bag: Map<string | symbol, unknown>;
}

/** The result a successful call produces. */
export interface CallResult<B = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Decoded body (JSON value, text or bytes); undefined for stream responses. */
  body: B;
  /** The media type whose registered codec decoded `body` (absent for JSON, text and bytes). */
  decodedAs?: string;
  /** The live response, for stream endpoints; its body is not yet consumed. */
  response?: TransportResponse;
  requestId?: string;
}

export type Next = () => Promise<CallResult>;

/**
 * One named pipeline stage: smithy-style middleware around `next`. `next()` always returns a promise
 * (a synchronous throw further down arrives as a rejection).
 */
export interface Stage {
  readonly name: string;
  run(context: CallContext, next: Next): Promise<CallResult>;
}

/** Where a plugin stage goes, relative to a named stage. */
export type StagePlacement = { before: string } | { after: string };
