import { APIFuture, OptionChecks } from 'pristine-kernel';
import type { IdleOptions, SessionHandle } from 'pristine-kernel';
import { resolveConfig, type ResolvedConfig } from '../config.js';
import type { ServiceClientOptions } from '../service-client-options.js';
import { parseTinkerPath } from '../types/tinker-path.js';
import { weightsInfo } from './access-token-holder.js';
import { checkWeightsAccessToken } from './weights-access-token.js';
import { RestClient } from './rest-client.js';
import { SamplingClient } from './sampling-client.js';
import {
  FROM_STATE_OPTIONS,
  type FromStateOptions,
  type LoraTrainingOptions,
  type SamplingClientOptions,
} from './create-client-options.js';
import { loraModelBody, samplingSessionBody } from './create-request-bodies.js';
import { SessionContext } from './session-context.js';
import { createTinkerKernel, holdersOf, loggerOf, type TinkerKernel } from './tinker-kernel.js';
import { queueStateLogger } from './queue-state-logger.js';
import type { TinkerProtocol } from '../protocol/tinker-protocol.js';
import { TrainingClient } from './training-client.js';
import { CallScope, type RequestOptions } from './request-options.js';
import { baseOf, defaultsOf, inheritOptions, optionsView } from './options-view.js';
import { TelemetryReporter } from '../telemetry/reporter.js';
import { forwardKernelEvents } from '../telemetry/forward-events.js';
import { captureCalls } from '../telemetry/capture.js';

export type { FromStateOptions, LoraTrainingOptions, SamplingClientOptions };

export interface ServiceClientInit extends ServiceClientOptions {
  /** Swap adapters before any request (e.g. a custom transport in tests). */
  configureKernel?: (kernel: TinkerKernel) => void;
}

/**
 * The entry point. The constructor does no I/O: the session is created on first training or sampling
 * use. `close()` (or `await using`) stops heartbeats and flushes telemetry.
 */
export class ServiceClient {
  /** The Pristine kernel every call goes through (its adapters, events, sessions). */
  readonly kernel: TinkerKernel;
  /** The settings in force: each option as given, else its `TINKER_*` variable, else its default. */
  readonly config: ResolvedConfig;
  private sessionPromise?: Promise<SessionContext>;
  /** The session once open (its telemetry receives the kernel's events). */
  private openSession?: SessionContext;
  private sessionlessTelemetry?: TelemetryReporter;
  private stopForwarding?: () => void;
  private readonly stopTrackingRetries: () => void;
  private closed = false;
  /**
   * The latest failure the kernel retried, and when (`clock.monotonic()`, compared with a sampler's last
   * progress). A stalled sampler names it: its own attempt's error comes only once the attempt's
   * transport retries are spent (after a minute on a dead server).
   */
  latestRetry: { error: unknown; at: number } | undefined;

  /**
   * Reads `options`, then the environment (`TINKER_API_KEY`, `TINKER_BASE_URL` …); makes no request. A bad
   * option, or neither an API key nor a credential command, is a ValidationError naming the field.
   */
  constructor(options: ServiceClientInit = {}) {
    // What the environment held that could not be read is said through the client's own logger (warn).
    const envNotes: string[] = [];
    this.config = resolveConfig(options, (message) => envNotes.push(message));
    this.kernel = createTinkerKernel(this.config, options.configureKernel);
    for (const message of envNotes) loggerOf(this.kernel).warn(message);
    this.stopTrackingRetries = this.kernel.events.on('request:retry', ({ error }) => {
      this.latestRetry = { error, at: this.kernel.getServices().clock.monotonic() };
    });
    if (this.config.telemetry) {
      this.stopForwarding = forwardKernelEvents(this.kernel.events, () => this.activeTelemetry());
    }
  }

  static {
    captureCalls(ServiceClient.prototype, (self) => self.activeTelemetry(), [
      'session',
      'openedSession',
      'queueWarnings',
      'reportException',
      'resolvedFuture',
      'activeTelemetry',
      'restTelemetry',
      'weightsInfo',
      'close',
      // A wait on the caller's own work, bounded by the caller: its IdleWaitError is no failure of the
      // API to report, and a fatal report would end the session and hold the rejection for the flush.
      'idle',
    ]);
  }

  /**
   * Where telemetry goes now: the session's reporter once the session is open, else the session-less
   * one if REST use created it; undefined with telemetry off or after `close()`.
   */
  activeTelemetry(): TelemetryReporter | undefined {
    if (this.closed) return undefined;
    return this.openSession?.telemetry ?? this.sessionlessTelemetry;
  }

  /**
   * The session-less reporter of REST-only use (Python 0.23.2): batches under `sessionless-<uuid>`,
   * no SESSION_START/END. Created on first use; undefined with telemetry off or after `close()`.
   */
  restTelemetry(): TelemetryReporter | undefined {
    if (this.closed || !this.config.telemetry) return undefined;
    const { clock } = this.kernel.getServices();
    this.sessionlessTelemetry ??= new TelemetryReporter(
      this.kernel,
      undefined,
      this.config.sdk_version,
      clock,
      loggerOf(this.kernel),
      // Before the (REST holder's) handshake succeeded a send would only repeat its retries (a dead server).
      { canSend: () => this.restProtocol.mode !== undefined },
    );
    return this.sessionlessTelemetry;
  }

  /**
   * The negotiated wire protocol of the sessionful holder (training, sampling): mode (`v025` /
   * `legacy`, after its first call) and the server's flags.
   */
  get protocol(): TinkerProtocol {
    return holdersOf(this.kernel).session;
  }

  /** The same for the session-less holder (REST calls, capabilities, weights_info), negotiated apart. */
  get restProtocol(): TinkerProtocol {
    return holdersOf(this.kernel).rest;
  }

  /** The session, created once on first use. */
  async session(options?: RequestOptions): Promise<SessionContext> {
    if (options === undefined && !defaultsOf(this)) return this.openedSession();
    // Shared by every client of this ServiceClient: an abort or a deadline ends this wait, not the opening.
    const scope = this.scope(options, 'session');
    const opening = this.openedSession();
    return scope.run(() => scope.wait(opening));
  }

  /** The session, opened on the first call (by whichever call comes first; a failure lets the next retry). */
  private openedSession(): Promise<SessionContext> {
    return (this.sessionPromise ??= SessionContext.open(this.kernel, this.config).then(
      (ctx) => (this.openSession = ctx),
      (error) => {
        this.sessionPromise = undefined;
        throw error;
      },
    ));
  }

  /** One call's signal and deadline (see RequestOptions). */
  private scope(options: RequestOptions | undefined, method: string): CallScope {
    return new CallScope(options, method, this.kernel.getServices().clock, defaultsOf(this));
  }

  /**
   * This client under default request options: every call made through the returned view (and through
   * the clients it creates: training, sampling, REST) takes `defaults`, joined with the call's own
   * options: either signal aborts the call, and the call's own `timeoutMs` wins over the default's. The
   * view is this same client (one session, kernel, connection pools; `close()` on it closes this
   * client), so it costs nothing to make; calls through the client itself are unaffected. `defaults` is
   * checked here (`ValidationError` naming the field), before any call uses it.
   */
  withOptions(defaults: RequestOptions): this {
    return optionsView(this, defaults);
  }

  /**
   * Resolves once nothing this client, its views or the clients it made started is in flight: no call,
   * future, stream, nor sample waiting for a slot or a retry (at once when nothing is). For a graceful
   * shutdown: stop taking work, `await idle({ timeoutMs })`, then `close()`. New calls are not blocked.
   * On `timeoutMs` or `signal` rejects with IdleWaitError (`bound`, `inFlight` per kind: a sample is one
   * of its `operations`), cancelling nothing. Resolves whenever nothing is in flight, as between pages of
   * a listing or before a stream's first read: to wait for a loop of yours, await the loop first.
   */
  idle(options?: IdleOptions): Promise<void> {
    return this.kernel.idle(options);
  }

  /**
   * `GET /get_server_capabilities`: the base models this server trains and samples (`supported_models`,
   * each with `model_name` and `max_context_length`). No session is created.
   */
  async getServerCapabilities(options?: RequestOptions) {
    const scope = this.scope(options, 'getServerCapabilities');
    return scope.run(() => this.kernel.call('get_server_capabilities', {}, scope.options));
  }

  /** `GET /api/v1/healthz`: `{ status: 'ok' }` while the service is up; no session is created. */
  async healthCheck(options?: RequestOptions): Promise<{ status: string }> {
    const scope = this.scope(options, 'healthCheck');
    return scope.run(() => this.kernel.call('healthz', {}, scope.options));
  }

  /**
   * Create a LoRA model on `base_model` and its training client (`POST /create_model`, opening the session
   * first if need be); resolves once the model exists. Bad options are a ValidationError before anything
   * is sent; a model the server refuses rejects with the future's FutureFailedError or an APIStatusError.
   */
  async createLoraTrainingClient(
    options: LoraTrainingOptions,
    requestOptions?: RequestOptions,
  ): Promise<TrainingClient> {
    const scope = this.scope(requestOptions, 'createLoraTrainingClient');
    return scope.run(async () => inheritOptions(this, await this.createLora(options, scope)));
  }

  private async createLora(options: LoraTrainingOptions, scope: CallScope): Promise<TrainingClient> {
    const body = loraModelBody(options);
    this.checkBeforeSession('create_model', { ...body, model_seq_id: 0 });
    const ctx = await scope.wait(this.openedSession());
    const future = this.kernel.submit<{ model_id: string }>(
      'create_model',
      { session_id: ctx.sessionId, model_seq_id: ctx.nextModelSeqId(), ...body },
      { ...scope.options, onQueueState: this.queueWarnings('Model creation', body.base_model) },
    );
    const { model_id } = await future;
    return new TrainingClient(baseOf(this), ctx, model_id);
  }

  /** The queue-state observer that warns for `identifier`, shared by every client of this kernel. */
  queueWarnings(prefix: 'Training' | 'Sampling' | 'Model creation', identifier: string) {
    return queueStateLogger({
      logger: loggerOf(this.kernel),
      clock: this.kernel.getServices().clock,
      scope: this.kernel,
      prefix,
      identifier,
    });
  }

  /**
   * A training client whose weights come from a saved checkpoint (`tinker://…/weights/…`), with a fresh
   * optimizer state: `weights_info`, `create_model`, then `load_weights` (or one create-via-load request
   * when the server offers it). A malformed path is a ValidationError; an unknown one NotFoundError.
   */
  async createTrainingClientFromState(path: string, opts: FromStateOptions = {}, options?: RequestOptions) {
    const scope = this.scope(options, 'createTrainingClientFromState');
    return scope.run(async () => inheritOptions(this, await this.fromState(path, false, opts, scope)));
  }

  /** As `createTrainingClientFromState`, also restoring the optimizer state saved with the weights. */
  async createTrainingClientFromStateWithOptimizer(
    path: string,
    opts: FromStateOptions = {},
    options?: RequestOptions,
  ) {
    const scope = this.scope(options, 'createTrainingClientFromStateWithOptimizer');
    return scope.run(async () => inheritOptions(this, await this.fromState(path, true, opts, scope)));
  }

  /**
   * As the Python SDK: one create-via-load request when the (sessionful holder's) flag
   * `create_model_via_load_weights` is set, the model id built from the session and `model_seq_id`;
   * else `weights_info` (authenticated with `weights_access_token` when given, so another account's
   * checkpoint is readable), `create_model` with the checkpoint's settings, and `load_weights`.
   */
  private async fromState(path: string, optimizer: boolean, opts: FromStateOptions, scope: CallScope) {
    opts = OptionChecks.optionsObject('training client options', opts, FROM_STATE_OPTIONS);
    parseTinkerPath(path);
    const token = checkWeightsAccessToken(opts.weights_access_token, 'training client options');
    if (token) this.kernel.getServices().secrets.add(token);
    const checked = { path, optimizer, base_model: opts.base_model, user_metadata: opts.user_metadata };
    this.checkBeforeSession('load_weights', { ...checked, model_seq_id: 0 });
    // Without create-via-load, base_model goes to create_model, which also refuses an empty one.
    if (opts.base_model !== undefined)
      this.checkBeforeSession('create_model', { base_model: opts.base_model, model_seq_id: 0 });
    const ctx = await scope.wait(this.openedSession());
    if (this.protocol.mode === 'v025' && this.protocol.flags.create_model_via_load_weights) {
      const model_seq_id = ctx.nextModelSeqId();
      await this.kernel.submit(
        'load_weights',
        {
          session_id: ctx.sessionId,
          model_seq_id,
          ...(opts.base_model ? { base_model: opts.base_model } : {}),
          ...(opts.user_metadata ? { user_metadata: opts.user_metadata } : {}),
          path,
          optimizer,
          ...(opts.weights_access_token ? { weights_access_token: opts.weights_access_token } : {}),
        },
        scope.options,
      );
      return new TrainingClient(baseOf(this), ctx, `${ctx.sessionId}:train:${model_seq_id}`);
    }
    const info = await weightsInfo(this.kernel, this.config, path, token, scope.options);
    const client = await this.createLora(
      {
        base_model: opts.base_model ?? info.base_model,
        rank: info.lora_rank ?? 32,
        train_mlp: info.train_mlp ?? true,
        train_attn: info.train_attn ?? true,
        train_unembed: info.train_unembed ?? true,
        user_metadata: opts.user_metadata,
      },
      scope,
    );
    const access = { weights_access_token: opts.weights_access_token };
    const within = { signal: scope.signal };
    await (optimizer
      ? client.loadStateWithOptimizer(path, access, within)
      : client.loadState(path, access, within));
    return client;
  }

  /**
   * Throws the ValidationError a session-scoped create request would fail with, before the session
   * (client/config, create_session, heartbeats) is started for a request that can never be sent. The
   * session's own fields are not known yet; a stand-in id takes their place.
   */
  private checkBeforeSession(endpoint: string, body: Record<string, unknown>): void {
    this.kernel.validateInput(endpoint, { session_id: 'session-not-started', ...body });
  }

  /**
   * A sampling client for saved sampler weights (`model_path`, a `tinker://…/sampler_weights/…` path) or
   * a `base_model` (`POST /create_sampling_session`). `retry_config` tunes how its samples are retried.
   */
  async createSamplingClient(
    options: SamplingClientOptions,
    requestOptions?: RequestOptions,
  ): Promise<SamplingClient> {
    const scope = this.scope(requestOptions, 'createSamplingClient');
    return scope.run(() => this.newSamplingClient(options, scope));
  }

  private async newSamplingClient(options: SamplingClientOptions, scope: CallScope): Promise<SamplingClient> {
    const { body, options: checked } = samplingSessionBody(options);
    this.checkBeforeSession('create_sampling_session', { ...body, sampling_session_seq_id: 0 });
    const ctx = await scope.wait(this.openedSession());
    const { sampling_session_id } = await this.kernel.call(
      'create_sampling_session',
      { session_id: ctx.sessionId, sampling_session_seq_id: ctx.nextSamplingSeqId(), ...body },
      scope.options,
    );
    return inheritOptions(this, new SamplingClient(baseOf(this), sampling_session_id, checked.retry_config));
  }

  /** A RestClient sharing this client's kernel, credentials and defaults; it needs no session (no I/O). */
  createRestClient(): RestClient {
    this.restTelemetry();
    return inheritOptions(this, new RestClient(baseOf(this)));
  }

  /** Report an exception to backend telemetry (a no-op while no reporter exists). */
  async reportException(error: unknown): Promise<void> {
    this.activeTelemetry()?.exception(error);
  }

  /** The sessions this client's kernel holds open (heartbeats running). */
  get activeSessions(): readonly SessionHandle[] {
    return this.kernel.sessions.sessions;
  }

  /**
   * Stop (through a view too: it is this client): no new request (calls reject with ClientClosedError), outstanding futures cancelled, then
   * heartbeats stopped, telemetry flushed, sockets released. Stopping comes first so that the session's
   * last report does not queue behind work the caller asked to stop (during a burst of 1,800 samples
   * close() took 15 s, and 1,400 samples were still submitted); calls still on the wire or in a retry
   * backoff end with ClientClosedError at once (`closeExcept` closes every pool but telemetry's), so
   * nothing the caller awaits waits for the last report.
   */
  async close(): Promise<void> {
    this.stopForwarding?.();
    this.stopTrackingRetries();
    this.kernel.closeExcept(['telemetry']);
    const ctx = await this.sessionPromise?.catch(() => undefined);
    await ctx?.close();
    this.closed = true;
    await this.sessionlessTelemetry?.close();
    holdersOf(this.kernel).close();
    await this.kernel.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A completed future, for results computed client-side. */
  resolvedFuture<T>(value: T, requestId: string): APIFuture<T> {
    return APIFuture.resolved(value, requestId, this.kernel.getServices().clock);
  }
}
