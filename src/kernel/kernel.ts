import { inspect, type InspectOptions } from 'node:util';
import type { DependencyContainer } from 'tsyringe';
import { Ports, type PortToken } from '../ports/index.js';
import { bind, type AdapterRegistration } from './bind-adapter.js';
import { checkClock } from './check-clock.js';
import { rootContainer } from './di-container.js';
import type { CompositionRoot } from './composition-root.js';
import { PristineError } from './errors/pristine-error.js';
import { ClientClosedError } from './errors/api-errors.js';
import { ValidationError } from './errors/validation-error.js';
import { KernelEvents } from './events.js';
import { extensionHost, type ExtensionHost } from './extension-host.js';
import { settingsWithDefaults, type KernelOptions } from './kernel-options.js';
import { kernelSummary, type KernelSummary } from './kernel-summary.js';
import * as optionChecks from './options/check-kernel-options.js';
import type { CompiledEndpoint } from './manifest/compile.js';
import { addPluginSecrets, preparePlugin } from './plugin-registration.js';
import { PluginRegistry } from './plugin-registry.js';
import type { Plugin, PluginSpec } from './plugin.js';
import { SecretRegistry } from './redact.js';
import type { EndpointSpec, KindedEndpointId, ManifestSpec } from './manifest/types.js';
import type { CallOptions, CallResult } from './pipeline/context.js';
import { builtInStages } from './pipeline/built-in-stages.js';
import { Pipeline } from './pipeline/pipeline.js';
import { type ResultMapping, runCall, startCall } from './pipeline/start-call.js';
import { passedValidation } from './pipeline/stages/validate-input.js';
import { ProxyResolver } from './request/proxy-for.js';
import { resolveServices } from './resolve-services.js';
import type { KernelServices, KernelSettings } from './services.js';
import type { EventOf, InputArgs, ItemOf, ManifestOf, OutputOf, ResultOf } from './manifest/types.js';
import type { CheckedId, CheckedInput, DecodingArgs, ExecuteResultOf } from './manifest/entry-types.js';
import type { SessionManager } from '../ports/sessions.js';
import { APIFuture } from './futures/api-future.js';
import { LiveFutures } from './futures/live-futures.js';
import { PipelinePoller } from './futures/pipeline-poller.js';
import { submitFuture, type SubmitOptions } from './futures/submit.js';
import { PipelineSessionManager } from './sessions/pipeline-session-manager.js';
import { EventStream, type StreamOptions } from './streams/event-stream.js';
import { paginate, type PageIterable } from './pagination/paginate.js';
import { ClosingState } from './closing-state.js';
import { closeWhenCollected } from './close-when-collected.js';
import { InFlight, type IdleOptions } from './idle/in-flight.js';
import { checkStageAnchors } from './options/check-plugin-stages.js';

export type { AdapterRegistration } from './bind-adapter.js';
export type { SubmitOptions } from './futures/submit.js';

const KNOWN_TOKENS: ReadonlySet<symbol> = new Set(Object.values(Ports));
/** How a future that `close()` cancelled says why. */
const CLOSED = 'the client was closed';
const ignore = (): void => {};

/**
 * The kernel: a private DI container of adapters, the registered plugins and the stage pipeline.
 * Two kernels never share registrations or state.
 */
export class Kernel<E extends EndpointSpec = never> {
  readonly container: DependencyContainer;
  readonly pipeline = new Pipeline(builtInStages);
  readonly events = new KernelEvents({
    onListenerError: (error, event) =>
      this.getServices().logger.warn('a kernel event listener threw', {
        event,
        error: (error as Error)?.message,
      }),
  });
  readonly secrets = new SecretRegistry();
  readonly settings: KernelSettings;
  private readonly registry = new PluginRegistry();
  private readonly overrides = new Map<symbol, AdapterRegistration<unknown>>();
  private services?: KernelServices;
  private readonly proxies: ProxyResolver;
  private hostView?: ExtensionHost;
  /** Open, closing but for the final endpoints (`closeExcept`), or closed. */
  private readonly closing = new ClosingState();
  /** Whether a call to `endpointId` may no longer be sent (`services.refuses`). */
  private readonly refuses = this.closing.refuses;
  /** The calls, futures and tracked operations in flight, for `idle()`. */
  private readonly inFlight = new InFlight();
  /** Futures still polling; `close()` cancels them so nothing polls a closed kernel. */
  private readonly liveFutures = new LiveFutures(this.inFlight.futures);
  /** @internal Told by each submitted future once it settled. */
  readonly futureSettled = this.liveFutures.settled;
  /** Stops lease renewals and closes the Redis connections of `shared` state. */
  private readonly closeShared?: () => Promise<void>;
  /** Cancels the closing of the `shared` state once this kernel is collected (close() does it). */
  private readonly sharedUnwatched: () => void = ignore;

  /** `root`: the adapters the kernel starts with (the package entry's `Kernel` passes the defaults). */
  constructor(
    private readonly root: CompositionRoot,
    options: KernelOptions = {},
  ) {
    optionChecks.checkKernelOptions(options);
    const { logLevel, shared, ...settings } = options;
    this.settings = settingsWithDefaults(settings);
    this.secrets.addProxyCredentials(this.settings.proxy, process.env);
    this.proxies = new ProxyResolver(this.settings, process.env, (proxy) =>
      this.secrets.addUrlCredentials(proxy),
    );
    this.container = rootContainer.createChildContainer();
    root.bindDefaults(this.container, {
      settings: this.settings,
      events: this.events,
      secrets: this.secrets,
      logLevel,
      logLevelEnv: () => this.registry.logLevelEnv(),
    });
    if (shared) {
      const closers = root.bindShared(this.container, shared, {
        events: this.events,
        secrets: this.secrets,
      });
      this.closeShared = closers.close;
      // A kernel made per request and never closed: its link must not outlive it on the Redis server.
      this.sharedUnwatched = closeWhenCollected(this, closers.closeForgotten);
    }
    // Futures and sessions run through this kernel's own pipeline.
    bind(this.container, Ports.Futures, () => new PipelinePoller(this.host()));
    bind(this.container, Ports.Sessions, () => new PipelineSessionManager(this.host()));
  }

  /**
   * Override the adapter bound to a port. Precedence, last wins: kernel defaults, then each plugin's
   * `register`, then `kernel.register` (whenever it was called).
   */
  register<T>(token: PortToken<T>, adapter: AdapterRegistration<T>): this {
    if (!KNOWN_TOKENS.has(token)) {
      throw new PristineError(
        `Unknown port token ${String(token)}; use one of Ports.${Object.keys(Ports).join(', Ports.')}`,
      );
    }
    if (token === Ports.Clock && typeof adapter !== 'function') checkClock(adapter);
    this.overrides.set(token, adapter);
    bind(this.container, token, adapter);
    this.services = undefined;
    return this;
  }

  /** The adapter currently bound to a port. */
  resolve<T>(token: PortToken<T>): T {
    if (!KNOWN_TOKENS.has(token)) throw new PristineError(`Unknown port token ${String(token)}`);
    return this.container.resolve(token);
  }

  /** Register a plugin: validates and compiles its manifest, then lets it register adapters. */
  use<M extends ManifestSpec>(plugin: Plugin<M>): Kernel<E | M['endpoints'][number]> {
    const { registry } = this;
    const registered = preparePlugin(plugin, this.container, registry.plugins, registry.endpoints);
    const { spec } = registered;
    if (spec.stages) {
      checkStageAnchors(spec.name, spec.stages, this.pipeline.order());
      this.pipeline.insertAll(spec.stages, spec.name);
    }
    registry.add(registered);
    addPluginSecrets(spec, this.secrets);
    if (spec.register) {
      spec.register(this.container);
      for (const [token, adapter] of this.overrides) bind(this.container, token, adapter);
      this.services = undefined;
    }
    return this as unknown as Kernel<E | M['endpoints'][number]>;
  }

  call<Id extends E['id']>(endpointId: Id, ...args: DecodingArgs<ManifestOf<E>, Id>): Promise<unknown>;
  /** Call an endpoint, return its decoded, validated body. An input with nothing required may be left out. */
  call<Id extends E['id']>(
    endpointId: Id,
    ...args: InputArgs<ManifestOf<E>, Id, CallOptions>
  ): Promise<OutputOf<ManifestOf<E>, Id>>;
  // One signature and its body, not a rest parameter: the call's hot path builds no arguments array.
  call(endpointId: string, input?: unknown, options?: CallOptions): Promise<unknown> {
    return this.run(endpointId, input, options ?? {}, false, bodyOf);
  }

  execute<Id extends E['id']>(id: Id, ...args: DecodingArgs<ManifestOf<E>, Id>): Promise<CallResult>;
  /** Like `call`, with the status, headers and request id of the final attempt. */
  execute<Id extends E['id']>(
    endpointId: Id,
    ...args: InputArgs<ManifestOf<E>, Id, CallOptions>
  ): Promise<ExecuteResultOf<ManifestOf<E>, Id>>;
  execute(endpointId: string, input?: unknown, options?: CallOptions): Promise<CallResult> {
    return this.executeById(endpointId, input, options);
  }

  /** `execute` by a computed id, for kernel extensions (streams, futures, pages); `map`: see runCall. */
  executeById<T = CallResult>(id: string, input: unknown, options: CallOptions = {}, map?: ResultMapping<T>) {
    return this.run(id, input, options, false, map);
  }

  /**
   * `built`: the kernel built `options` itself from values checked before (a poll's: the
   * protocol's timeout, checked at registration, and its headers, which the check-headers stage checks
   * before they leave), so the per-call option check is skipped. Never for a caller's options.
   */
  private run<T = CallResult>(
    id: string,
    input: unknown,
    options: CallOptions,
    built: boolean,
    map?: ResultMapping<T>,
  ): Promise<T> {
    try {
      const entry = this.registry.entry(id);
      if (this.refuses(id)) return Promise.reject(ClientClosedError.forCall(entry.endpoint));
      const context = startCall(this.getServices(), entry.plugin, entry.endpoint, input, options, built);
      return runCall(this.pipeline, this.inFlight.calls, context, map);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Open a server-sent-event stream: an async iterable of typed events. Retries happen only before the
   * first event; `break` or an abort closes the socket.
   */
  stream<Id extends KindedEndpointId<E, 'stream'>>(
    endpointId: Id,
    ...args: InputArgs<ManifestOf<E>, Id, StreamOptions>
  ): EventStream<EventOf<ManifestOf<E>, Id>>;
  stream(endpointId: string, input?: unknown, options?: StreamOptions): EventStream<unknown> {
    optionChecks.checkExtraOptions('stream', endpointId, options);
    const { stream, spec } = this.endpoint(endpointId); // a JSON body is read by the pipeline
    if (!stream && spec.responseType !== 'stream')
      throw new PristineError(`Endpoint "${endpointId}" declares no stream`);
    return new EventStream(this.host(), endpointId, input, options);
  }

  /**
   * Start a long-running operation. Returns its future at once; `future.accepted` resolves when the server
   * accepted the request, `await future` gives the result. The endpoint names the plugin's poll protocol
   * (`future: 'name'`); every poll goes through the pipeline.
   */
  submit<Id extends KindedEndpointId<E, 'future'>>(
    endpointId: Id,
    ...args: InputArgs<ManifestOf<E>, Id, SubmitOptions>
  ): APIFuture<ResultOf<ManifestOf<E>, Id>>;
  /** With an explicit result type (`submit<{ url: string }>(...)`): the input unchecked, never left out. */
  submit<T, Id extends KindedEndpointId<E, 'future'> = KindedEndpointId<E, 'future'>>(
    id: Id,
    input: unknown,
    o?: SubmitOptions,
  ): APIFuture<T>;
  submit<T>(endpointId: string, input?: unknown, options: SubmitOptions = {}): APIFuture<T> {
    optionChecks.checkExtraOptions('submit', endpointId, options);
    const future = submitFuture<T>(this, endpointId, input, options);
    this.liveFutures.add(future as APIFuture<unknown>);
    return future;
  }

  /**
   * Check an input against the endpoint's schema without sending anything; throws the ValidationError
   * the call would fail with. For clients that must not reserve anything (a sequence number, a slot)
   * for a request that can never be sent. With `sending`, `input` is the very object about to be sent
   * (the caller's own, that nothing changes until then): its first call does not check it again.
   */
  validateInput<Id extends string>(
    endpointId: CheckedId<ManifestOf<E>, Id>,
    input: CheckedInput<ManifestOf<E>, Id>,
    options?: { sending?: boolean },
  ): void {
    const endpoint = this.endpoint(endpointId);
    const issues = endpoint.validateInput?.(input) ?? [];
    if (issues.length > 0) throw new ValidationError(`input for "${endpointId}"`, issues);
    if (options?.sending) passedValidation(endpoint, input);
  }

  /** Iterate every item of a paginated endpoint. */
  paginate<Id extends KindedEndpointId<E, 'paginated'>>(
    endpointId: Id,
    ...args: InputArgs<ManifestOf<E>, Id, CallOptions & { pageSize?: number | undefined }>
  ): PageIterable<ItemOf<ManifestOf<E>, Id>>;
  /** With an explicit item type (`paginate<Todo>(...)`): the input is not checked, so never left out. */
  paginate<T, Id extends KindedEndpointId<E, 'paginated'> = KindedEndpointId<E, 'paginated'>>(
    endpointId: Id,
    input: Record<string, unknown>,
    options?: CallOptions & { pageSize?: number | undefined },
  ): PageIterable<T>;
  paginate<T>(
    endpointId: string,
    input?: unknown,
    options?: CallOptions & { pageSize?: number | undefined },
  ): PageIterable<T> {
    optionChecks.checkExtraOptions('paginate', endpointId, options);
    return paginate<T>(
      {
        execute: (id, i, o) => this.executeById(id, i, o),
        paginationOf: (id) => this.endpoint(id).spec.pagination,
      },
      endpointId,
      (input ?? {}) as Record<string, unknown>,
      options,
    );
  }

  /** The Sessions port bound to this kernel. */
  get sessions(): SessionManager {
    return this.container.resolve<SessionManager>(Ports.Sessions);
  }

  /** The compiled endpoint for an id (for kernel extensions such as streams and futures). */
  endpoint(endpointId: string): CompiledEndpoint {
    return this.registry.entry(endpointId).endpoint;
  }

  /** The plugin that owns an endpoint. */
  pluginOf(endpointId: string): PluginSpec {
    return this.registry.entry(endpointId).plugin.spec;
  }

  /** The adapters and registries calls use, resolved once after the last registration. */
  getServices(): KernelServices {
    if (this.services) return this.services;
    const { container, settings, events, secrets, proxies, closing, root } = this;
    return (this.services = resolveServices(container, settings, events, secrets, proxies, closing, root));
  }

  /** The controller `callerSignalOnly` futures of `signal` poll with: aborted by it, or by `close()`. */
  sharedPollController(signal: AbortSignal): AbortController {
    return this.liveFutures.sharedPollController(signal);
  }

  /**
   * Start closing: every call but those to `finalEndpoints` (a client's last reports) rejects with
   * ClientClosedError and sends nothing, futures still polling are cancelled, and calls of other
   * endpoints still in flight end with ClientClosedError now rather than at `close()`: their retry
   * backoffs and waits end, and the transport cuts the exchanges of every connection pool no final
   * endpoint uses (`Transport.closePoolsExcept`; a final endpoint's pool is left alone, with whatever
   * else is on it). `close()` finishes. The last reports then do not queue behind work the caller asked
   * to stop, and the caller is not kept waiting on it while they go out.
   */
  closeExcept(finalEndpoints: Iterable<string>): void {
    // Every future is marked cancelled before any wait hears its signal abort.
    this.liveFutures.cancelAll(CLOSED);
    const kept = this.registry.poolsOf(this.closing.closeExcept(finalEndpoints));
    // Nothing is in flight before the services exist; a failure to cut is close()'s to report.
    void this.services?.transport.closePoolsExcept?.(kept).catch(ignore);
  }

  /**
   * Resolves once no call, future or tracked operation is in flight (at once when none is): to drain,
   * stop taking work, `await idle({ timeoutMs })`, then `close()`. Background calls (`parentSpan: null`:
   * heartbeats, telemetry flushes) are close()'s. Never blocks new work, and waits for it too. Rejects
   * with IdleWaitError naming the bound (`timeoutMs`, `signal`), cancelling nothing. Resolves whenever
   * nothing is in flight, as between pages of a listing or before a stream's first read: await loops first.
   */
  idle(options?: IdleOptions): Promise<void> {
    return this.inFlight.idle(this.getServices().clock, options);
  }

  /** Count `work` for `idle()` until it settles: a plugin's operation with waits between its calls. */
  trackInFlight<T>(work: Promise<T>): Promise<T> {
    return this.inFlight.operations.track(work);
  }

  /** How many calls, futures and tracked operations `idle()` waits for. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Cancel outstanding futures, stop sessions and release transport sockets. */
  async close(): Promise<void> {
    this.liveFutures.cancelAll(CLOSED);
    this.closing.close();
    // Heartbeat timers stop now; a beat still on the wire ends with the transport, not on its own.
    const sessionsStopped = this.sessions.stopAll();
    await this.getServices().transport.close?.();
    await sessionsStopped;
    this.sharedUnwatched();
    await this.closeShared?.();
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return `Kernel ${inspect(this.toJSON(), options)}`;
  }

  toJSON(): KernelSummary {
    return kernelSummary(this.registry.plugins.values(), this.closing.closed);
  }

  /** The narrow view kernel extensions (futures, sessions, streams) work through. */
  private host() {
    // Built once: an object literal with getters is slow to create, and streams ask for it per call.
    const built = (id: string, input: unknown, options: CallOptions) => this.run(id, input, options, true);
    return (this.hostView ??= extensionHost(this, built, this.inFlight.streams));
  }
}

const bodyOf = (result: CallResult): unknown => result.body;
