import type { DependencyContainer } from 'tsyringe';
import type { AuthScheme } from '../ports/auth.js';
import type { BreakerSettings } from '../ports/circuit-breaker.js';
import type { PollProtocol } from '../ports/futures.js';
import type { TokenBucketSettings } from '../ports/rate-limiter.js';
import type { RetryDelayOptions } from '../ports/retry.js';
import type { SessionProtocol } from '../ports/sessions.js';
import type { CompiledEndpoint } from './manifest/compile.js';
import type { ManifestSpec } from './manifest/types.js';
import type { CallContext, Stage, StagePlacement } from './pipeline/context.js';
import type { PristineError } from './errors/pristine-error.js';
import type { Secret } from './secret.js';

/** A named retry policy an endpoint can reference with `retry: 'name'`. */
export interface RetryPolicySpec extends Partial<RetryDelayOptions> {
  maxRetries?: number;
  /** Statuses that are final for this policy even though they are normally retried (e.g. 409). */
  fatalStatuses?: readonly number[];
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
  /** Idempotency key header for non-GET requests, and its value format. */
  idempotency?: { header: string; generate?: () => string } | false;
  /** Override the User-Agent. Default: `<plugin>/<version> pristine/<version> node/<version>`. */
  userAgent?: string;
  /** Per-endpoint dynamic headers (e.g. a request-type header). */
  dynamic?(context: CallContext): Record<string, string> | undefined;
}

/** Turns an error answer into a richer plugin error, or returns undefined to keep the kernel's. */
export type ErrorMapper = (error: PristineError, endpoint: CompiledEndpoint) => PristineError | undefined;

export interface PluginDefaults {
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  breaker?: BreakerSettings | false;
  tokenBucket?: TokenBucketSettings;
  requestIdHeader?: string;
  /** Name of an env var holding the log level (e.g. `MYSDK_LOG`). */
  logLevelEnv?: string;
  /**
   * Query parameters merged into every request to the plugin's own origin (never a signed URL on another
   * host). An endpoint's query params and a call's `query` win over them for the same name.
   */
  query?: Readonly<Record<string, string>>;
}

export interface PluginSpec<M extends ManifestSpec = ManifestSpec> {
  name: string;
  version: string;
  manifest: M;
  defaults?: PluginDefaults;
  headers?: HeaderScheme;
  retryPolicies?: Record<string, RetryPolicySpec>;
  /** Auth schemes by name; `default` is used by endpoints that name none. */
  auth?: Record<string, AuthScheme>;
  pollProtocols?: Record<string, PollProtocol<any>>;
  sessionProtocols?: Record<string, SessionProtocol<any>>;
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

/** Declare a plugin. The kernel validates it strictly when it is used. */
export function definePlugin<const M extends ManifestSpec>(spec: PluginSpec<M>): Plugin<M> {
  return Object.freeze({ ...spec, __plugin: true as const });
}

/** A plugin after registration: its endpoints compiled. */
export interface RegisteredPlugin {
  readonly spec: PluginSpec;
  readonly endpoints: ReadonlyMap<string, CompiledEndpoint>;
  /** User-Agent, platform and static headers, computed once. */
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** What a request to another origin starts from: User-Agent and Accept only. */
  readonly crossOriginHeaders: Readonly<Record<string, string>>;
  /** The plugin's static header names (lower-case): dropped when a redirect leaves its origin. */
  readonly originBound: readonly string[];
}
