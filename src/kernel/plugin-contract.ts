import type { AuthScheme } from '../ports/auth.js';
import type { TelemetrySpan } from '../ports/telemetry.js';
import type { TransportRequest, TransportResponse } from '../ports/transport.js';
import type { CompiledEndpoint } from './manifest/compile.js';
import type { CompressSpec, ManifestSpec } from './manifest/types.js';
import type { PollProtocols } from './manifest/poll-protocols.js';
import type { SessionProtocols } from './manifest/session-protocols.js';
import type { KernelServices } from './services.js';
import type { DependencyContainer } from 'tsyringe';
import type { BreakerSettings } from '../ports/circuit-breaker.js';
import type { TokenBucketSettings } from '../ports/rate-limiter.js';
import type { RetryDelayOptions } from '../ports/retry.js';
import type { PristineError } from './errors/pristine-error.js';
import type { Secret } from './secret.js';

// The types a plugin and the call pipeline share: a plugin's spec, and the call context its stages,
// weight functions and dynamic headers receive (which in turn carries the registered plugin). They refer
// to each other, so they live in one module that imports neither `plugin.ts` nor `pipeline/context.ts`;
// both re-export from here.
/** Per-call options a caller may pass; they win over plugin and kernel defaults. */
// Every member also takes `undefined` (the kernel reads it as absent): a wrapper that passes its own
// optional parameters on (`{ signal }`) compiles under `exactOptionalPropertyTypes`.
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  idempotencyKey?: string | undefined;
  maxRetries?: number | undefined;
  baseUrl?: string | undefined;
  /** Response bodies for this call (media type → codec schema), in place of the endpoint's. */
  responseBodies?: Readonly<Record<string, unknown>> | undefined;
  /** Request-body compression for this call, in place of the endpoint's `compress`. */
  compress?: boolean | CompressSpec | undefined;
  /**
   * One of the plugin's auth schemes, by name, in place of the endpoint's: a client that holds two
   * credentials for the same endpoints (e.g. one per connection holder) says which one a call uses. Or a
   * scheme object, for a credential that serves a few calls only (a token the caller passed for one
   * operation): it is applied like a named one, and never sent to another origin.
   */
  auth?: string | AuthScheme | undefined;
  /**
   * The span this call's span nests under (one `kernel.telemetry.startCall` made, e.g. a span around an
   * operation of several calls), or `null` for a trace of its own: background work (heartbeats, a
   * telemetry flush) would otherwise join the trace of whatever call happened to start its timer.
   * Default: the caller's active OpenTelemetry context.
   */
  parentSpan?: TelemetrySpan | null | undefined;
  /**
   * Told how much of the request body the transport has taken, for a progress bar (axios's and
   * openai-node's name; got calls it `uploadProgress`). Each send of the body counts from 0 again with
   * `attempt` one higher: a retry, or the resend after a renewed credential, rebuilds the body. Within a
   * send `loaded` never goes down and reaches its end exactly once: `total` when it is known (the
   * `Content-Length`: a JSON or bytes body, a multipart body, compressed bytes when compressed), else
   * the bytes of the stream once it ends. A streamed body (a multipart file, a `Readable`) is reported
   * at 0 when the transport starts reading it, then at most once per 256 KiB
   * (`UPLOAD_PROGRESS_STEP_BYTES`), then at its end; a string or bytes body is handed over whole, so it
   * is reported once, at its length. Nothing is reported once the call is aborted. A callback that
   * throws is logged once at warn and not called again for this call: the upload goes on. Unset, the
   * body is sent as it is, with no wrapping.
   */
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
}

/** What `CallOptions.onUploadProgress` is told (a fresh object each time: keep it if you like). */
export interface UploadProgress {
  /** Bytes of this send's body the transport has taken so far. */
  loaded: number;
  /** The body's length in bytes when it is known before sending (`Content-Length`); else undefined. */
  total: number | undefined;
  /** Which send of the body this is: 1, then 2 after a retry or a renewed credential, and so on. */
  attempt: number;
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
  parentSpan?: TelemetrySpan | null | undefined;
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
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
  /** The auth scheme renewed a refused credential for this call (`AuthScheme.renew`: once per call). */
  authRenewed: boolean;
  /**
   * Headers stages added to this call's requests with `setHeader`, over the call's own; undefined
   * while none was added (most calls add none, and are not given an object for it).
   */
  readonly addedHeaders: Readonly<Record<string, string>> | undefined;
  /** Add a header to this call's requests (e.g. `Last-Event-ID`), over the call's own headers. */
  setHeader(name: string, value: string): void;
  request?: TransportRequest;
  /**
   * The transport's answer to this attempt until `classify` takes it: when a stage between them fails
   * instead, classify lets it go (its socket and deadline would be held until the deadline).
   */
  transportResponse?: TransportResponse;
  callSpan?: TelemetrySpan;
  attemptSpan?: TelemetrySpan;
  /** `Clock.monotonic()` when the call started: for its duration, not a date (use `Clock.now()`). */
  startedAt: number;
  /** The rate-limit bucket this attempt was admitted on (set by the `ratelimit` stage). */
  rateLimitBucket?: string;
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
  /** With `response`: the attempt's timeout, which bounded the wait for the headers (streams reuse it). */
  timeoutMs?: number;
}

export type Next = () => Promise<CallResult>;

/**
 * One named pipeline stage: smithy-style middleware around `next`. `next()` always returns a promise
 * (a synchronous throw further down arrives as a rejection).
 */
export interface Stage {
  readonly name: string;
  run(context: CallContext, next: Next): Promise<CallResult>;
  /**
   * Optional: true when `run` would do nothing for this call but return `next()` (no telemetry
   * recording, no limit configured for the endpoint, no debug log). The pipeline then goes straight on
   * to the next stage, so a stage with nothing to do costs a call per call, not the `next` function
   * (a closure and its context) and the frame it would get. Asked when the stage's turn comes, after
   * the stages before it ran, so it may depend on what they did; it must not change anything.
   */
  passes?(context: CallContext): boolean;
  /**
   * Optional form of `run` for a stage whose work after the next stage is synchronous: the pipeline
   * then attaches that work for several adjacent stages in one `then`, instead of a promise, a job and
   * a `next` closure per stage on every call. It does the call's work up to the next stage and returns
   * `true` when its `hooks` apply to this call's outcome, `false` when nothing is left to do after it
   * (with either it must not call `next`), or, when it needs what only a promise can do (a wait, a loop
   * over attempts), the call's result as `run` would give it, having called `next` itself. A stage with
   * `enter` keeps a `run` that does the same (`runEntered`), for callers of `run` itself.
   */
  enter?(context: CallContext, next: Next): boolean | Promise<CallResult>;
  /** What `enter` returning `true` leaves to do with the outcome. */
  readonly hooks?: StageHooks;
}

/**
 * A stage's synchronous work on its call's outcome, innermost stage first. Static: what a call needs
 * of it lives on the context.
 */
export interface StageHooks {
  /** The result on its way out, returned (or another one); a throw fails the call for the stages outside. */
  fulfilled?(context: CallContext, result: CallResult): CallResult;
  /** The failure on its way out: returns (or throws) the error the stages outside see; it cannot recover. */
  rejected?(context: CallContext, error: unknown): unknown;
}

/** Where a plugin stage goes, relative to a named stage. */
export type StagePlacement = { before: string } | { after: string };

/** A named retry policy an endpoint can reference with `retry: 'name'`. */
export interface RetryPolicySpec extends Partial<RetryDelayOptions> {
  maxRetries?: number;
  /** Statuses that are final for this policy even though they are normally retried (e.g. 409). */
  fatalStatuses?: readonly number[];
  /**
   * Level of the line each retry logs. Default `info`: a person waiting on a call sees why within the
   * first backoff. `debug` for background traffic (telemetry), whose retries are nobody's wait.
   */
  logLevel?: 'info' | 'debug';
}

/** Concurrency limits for one resource: a counting and/or a weighted semaphore. */
export interface ConcurrencySpec {
  maxConcurrent?: number;
  /** Budget for the endpoint's weight function (e.g. body bytes). */
  maxWeight?: number;
  /** A tighter limit while a rate-limit bucket is backed off and for a while after (see ThrottledSpec). */
  throttled?: ThrottledSpec;
}

/**
 * After a 429 a client should not fire its whole queue the moment the window reopens. While the
 * call's bucket is closed, or reopened less than `windowMs` ago, each call of the resource also takes a
 * permit of a second counting semaphore of `maxConcurrent` and is charged `weightFactor` times its weight
 * (the Python SDK's sampling dispatch: 10 permits and 20× the bytes for 10 s).
 */
export interface ThrottledSpec {
  windowMs: number;
  maxConcurrent?: number;
  weightFactor?: number;
  /** The rate-limit bucket whose backoffs count; default the call's own (base URL and credential). */
  bucket?(context: CallContext): string;
}

/** Header conventions: names are the plugin's, the kernel fills them in. */
export interface HeaderScheme {
  /** Extra static headers on every request. */
  static?: Record<string, string>;
  /** Platform headers: name → value kind. */
  platform?: Partial<
    Record<'os' | 'arch' | 'runtime' | 'runtimeVersion' | 'packageVersion' | 'language', string>
  >;
  /** Header carrying the attempt number (0 first). `false` disables it. */
  retryCount?: string | false;
  /**
   * Idempotency key header for non-GET requests, and its value: the kernel's key (a random version-4
   * UUID) after `prefix` (printable ASCII, e.g. the Stainless SDKs' `stainless-node-retry-`), or what
   * `generate` returns.
   */
  idempotency?: { header: string; prefix?: string; generate?: () => string } | false;
  /** Override the User-Agent. Default: `<plugin>/<version> pristine/<version> node/<version>`. */
  userAgent?: string;
  /** Per-endpoint dynamic headers (e.g. a request-type header). */
  dynamic?(context: CallContext): Record<string, string> | undefined;
}

/** Turns an error answer into a richer plugin error, or returns undefined to keep the kernel's. */
export type ErrorMapper = (error: PristineError, endpoint: CompiledEndpoint) => PristineError | undefined;

export interface PluginDefaults {
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  breaker?: BreakerSettings | false | undefined;
  tokenBucket?: TokenBucketSettings | undefined;
  requestIdHeader?: string | undefined;
  /** Name of an env var holding the log level (e.g. `MYSDK_LOG`). */
  logLevelEnv?: string | undefined;
  /**
   * Query parameters merged into every request to the plugin's own origin (never a signed URL on another
   * host). An endpoint's query params and a call's `query` win over them for the same name.
   */
  query?: Readonly<Record<string, string>> | undefined;
}

/**
 * `Polls` names each poll protocol's poll endpoint, `Creates` and `Beats` each session protocol's create
 * and heartbeat endpoints; `definePlugin` infers them, so a protocol written in `pollProtocols` or
 * `sessionProtocols` reads typed bodies (see `PollProtocols`, `SessionProtocols`).
 */
export interface PluginSpec<
  M extends ManifestSpec = ManifestSpec,
  Polls extends Record<string, string> = Record<string, string>,
  Creates extends Record<string, string> = Record<string, string>,
  Beats extends Record<string, string> = Record<string, string>,
> {
  name: string;
  version: string;
  manifest: M;
  defaults?: PluginDefaults;
  headers?: HeaderScheme;
  retryPolicies?: Record<string, RetryPolicySpec>;
  /** Auth schemes by name; `default` is used by endpoints that name none. */
  auth?: Record<string, AuthScheme>;
  pollProtocols?: PollProtocols<M, Polls>;
  sessionProtocols?: SessionProtocols<M, Creates, Beats>;
  /** Weight functions for weighted semaphores, by name. */
  weights?: Record<string, (context: CallContext) => number>;
  /** Concurrency limits per endpoint `resource`. */
  concurrency?: Record<string, ConcurrencySpec>;
  /** Breaker settings per endpoint `resource`. */
  breakers?: Record<string, BreakerSettings | false>;
  errorMapper?: ErrorMapper;
  /**
   * More values to scrub from errors and logs, such as credentials the plugin puts in static headers
   * (an access-proxy client id and secret). Auth schemes' values and static headers whose names look
   * secret are registered without being listed here.
   */
  secrets?: ReadonlyArray<string | Secret>;
  stages?: ReadonlyArray<{ stage: Stage; placement: StagePlacement }>;
  /** Register or override adapters in the kernel's container. Runs at `kernel.use`. */
  register?(container: DependencyContainer): void;
}

export type Plugin<M extends ManifestSpec = ManifestSpec> = Readonly<PluginSpec<M>> & {
  readonly __plugin: true;
};

/** A plugin after registration: its endpoints compiled. */
export interface RegisteredPlugin {
  readonly spec: PluginSpec;
  readonly endpoints: ReadonlyMap<string, CompiledEndpoint>;
  /** User-Agent, platform and static headers, computed once. */
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** The static headers that passed the header checks: `check-headers` skips them when unchanged. */
  readonly checkedHeaders?: Readonly<Record<string, string>>;
  /** What a request to another origin starts from: User-Agent and Accept only. */
  readonly crossOriginHeaders: Readonly<Record<string, string>>;
  /** The plugin's static header names (lower-case): dropped when a redirect leaves its origin. */
  readonly originBound: readonly string[];
  /** The kernel's idempotency keys with the plugin's `headers.idempotency.prefix` (made once). */
  readonly newIdempotencyKey: () => string;
}
