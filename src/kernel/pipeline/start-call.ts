import type { AuthScheme } from '../../ports/auth.js';
import { PristineError } from '../errors/pristine-error.js';
import type { CompiledEndpoint } from '../manifest/compile.js';
import * as optionChecks from '../options/check-kernel-options.js';
import type { PluginSpec, RegisteredPlugin } from '../plugin.js';
import { leavesOrigin } from '../request/cross-origin.js';
import type { KernelServices } from '../services.js';
import type { InFlightCounter } from '../idle/in-flight.js';
import { PipelineCallContext } from './call-context.js';
import type { CallContext, CallOptions, CallResult, ResolvedOptions } from './context.js';
import type { Pipeline } from './pipeline.js';

/** What a kernel extension makes of a call's result (`Kernel.executeById`'s `map`). */
export type ResultMapping<T> = (result: CallResult) => T;

/**
 * `context`'s call through `pipeline`, counted by `calls` for `idle()` until it settles (unless it is
 * background work, `parentSpan: null`: a heartbeat, a telemetry flush, which are close()'s), with `map`
 * making the value it settles with. Both are done in the pipeline's last step (`CallFinish`), not in
 * `then`s of their own: each was a promise, a reaction and a closure held for the call's network wait.
 */
export function runCall<T>(
  pipeline: Pipeline,
  calls: InFlightCounter,
  context: CallContext,
  map?: ResultMapping<T>,
): Promise<T> {
  const counted = context.options.parentSpan !== null;
  if (counted) calls.begin();
  return pipeline.execute(context, {
    settled: counted ? calls.end : undefined,
    map: map as ResultMapping<T>,
  });
}

/**
 * What one call starts from, before any stage runs: its options resolved by precedence (call, then
 * endpoint or retry policy, then plugin defaults, then kernel settings), its auth scheme, whether it
 * leaves the plugin's origin, and its idempotency key. Throws (synchronously) on bad call options.
 */
export function startCall(
  services: KernelServices,
  plugin: RegisteredPlugin,
  endpoint: CompiledEndpoint,
  input: unknown,
  options: CallOptions,
  /** The kernel built `options` from checked values (a poll's): they are not checked again. */
  optionsBuilt = false,
): CallContext {
  if (!optionsBuilt) optionChecks.checkCallOptions(options, endpoint.id);
  const resolved = resolveOptions(services, plugin.spec, endpoint, options);
  // Another origin (a signed download URL) gets no credentials and no plugin headers, unless opted in.
  const home = plugin.spec.defaults?.baseUrl ?? services.settings.baseUrl;
  const crossOrigin = !endpoint.spec.crossOriginCredentials && leavesOrigin(home, options.baseUrl);
  const idem = plugin.spec.headers?.idempotency;
  const wantsKey = idem !== false && endpoint.method !== 'GET' && endpoint.method !== 'HEAD';
  return new PipelineCallContext({
    services,
    plugin,
    endpoint,
    input: (input ?? {}) as Record<string, unknown>,
    options: resolved,
    auth: crossOrigin ? undefined : authFor(plugin.spec, endpoint, services, options.auth),
    crossOrigin,
    idempotencyKey: wantsKey
      ? (options.idempotencyKey ?? idem?.generate?.() ?? plugin.newIdempotencyKey())
      : undefined,
    startedAt: services.clock.monotonic(),
  });
}

/**
 * What a call without headers or query resolves to: one frozen object each, shared by every call, not
 * two empty objects per call held for the call's whole network wait (stages and the request builder
 * only read them; a stage adds a per-call header with `setHeader`).
 */
const NO_HEADERS: Record<string, string> = Object.freeze({});
const NO_QUERY: ResolvedOptions['query'] = Object.freeze({});

function resolveOptions(
  services: KernelServices,
  plugin: PluginSpec,
  endpoint: CompiledEndpoint,
  call: CallOptions,
): ResolvedOptions {
  const { settings } = services;
  const policy = plugin.retryPolicies?.[endpoint.spec.retry ?? 'default'];
  const baseUrl = call.baseUrl ?? plugin.defaults?.baseUrl ?? settings.baseUrl;
  if (!baseUrl)
    throw new PristineError(`No base URL for "${endpoint.id}": set it on the kernel, the plugin or the call`);
  return {
    signal: call.signal,
    timeoutMs: call.timeoutMs ?? endpoint.spec.timeoutMs ?? plugin.defaults?.timeoutMs ?? settings.timeoutMs,
    maxRetries: call.maxRetries ?? policy?.maxRetries ?? plugin.defaults?.maxRetries ?? settings.maxRetries,
    headers: call.headers ?? NO_HEADERS,
    query: call.query ?? NO_QUERY,
    baseUrl,
    responseBodies: call.responseBodies ?? endpoint.spec.responseBodies,
    compress: call.compress ?? endpoint.spec.compress,
    parentSpan: call.parentSpan,
    onUploadProgress: call.onUploadProgress,
  };
}

/** The call's scheme (an object, or by name), else the endpoint's, else the plugin's default, else the kernel's. */
function authFor(
  plugin: PluginSpec,
  endpoint: CompiledEndpoint,
  services: KernelServices,
  callScheme?: string | AuthScheme,
): AuthScheme | undefined {
  if (endpoint.spec.auth === false) return undefined;
  if (typeof callScheme === 'object') return callScheme;
  if (callScheme !== undefined) {
    const scheme = plugin.auth?.[callScheme];
    if (!scheme) throw new PristineError(`Unknown auth scheme "${callScheme}" for "${endpoint.id}"`);
    return scheme;
  }
  return plugin.auth?.[endpoint.spec.auth ?? 'default'] ?? services.auth;
}
