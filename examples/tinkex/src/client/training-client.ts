import { APIFuture, type CallOptions, type QueueStateEvent } from 'pristine-kernel';
import type {
  AdamParams,
  Datum,
  DatumInput,
  ForwardBackwardOutput,
  LossFnType,
  OptimStepResponse,
} from '../types/schemas.js';
import { checkData } from '../types/datum.js';
import { chunkData } from '../training/chunking.js';
import { mergeOutputs } from '../training/metrics.js';
import {
  backwardData,
  customLossGradients,
  checkCustomLoss,
  forwardDataForCustomLoss,
  type CustomLoss,
  type ForwardBackwardCustomOutput,
  type LossMetrics,
} from '../training/custom-loss.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { getTokenizer } from '../tokenizer/get-tokenizer.js';
import { withBareTokenizerId } from '../tokenizer/resolve.js';
import type { HubOptions } from '../hub/hub-settings.js';
import { checkHubOptions } from '../hub/check-hub-options.js';
import { SubmissionOrder } from '../training/submission-order.js';
import { TokenizerCache, type DecodeOptions, type EncodeOptions } from './tokenizer-cache.js';
import {
  loadStateBody,
  samplerSaveBody,
  saveStateBody,
  type LoadStateOptions,
  type SamplerSaveOptions,
  type SaveStateOptions,
} from './checkpoint-requests.js';
import { hubOptionsOf, loggerOf, protocolOf, type TinkerFutureId } from './tinker-kernel.js';
import { protoLossPass } from '../training/proto-loss-pass.js';
import { WholeBatch } from '../training/whole-batch.js';
import type { SamplingClient, SamplingRetryConfig } from './sampling-client.js';
import { checkSnapshotRetryConfig } from './sampling-retry-config.js';
import type { ClientHost } from './client-host.js';
import type { SessionContext } from './session-context.js';
import { CallScope, type RequestOptions } from './request-options.js';
import { baseOf, defaultsOf, inheritOptions, optionsView, underDefaults } from './options-view.js';
import { futureOrRejected } from './rejected-future.js';
import { captureCalls } from '../telemetry/capture.js';

/** The ServiceClient as seen from here: importing service-client.ts, which builds this client, is a cycle. */
type ServiceClient = ClientHost & {
  createSamplingClient(
    options: { model_path: string; retry_config?: Partial<SamplingRetryConfig> },
    requestOptions?: RequestOptions,
  ): Promise<SamplingClient>;
};

/**
 * Trains one LoRA model. Every submitting method returns an APIFuture at once; requests are submitted
 * strictly in call order (each waits only for its predecessor's submission, not its result), so
 * `forwardBackward` and `optimStep` can be pipelined without awaiting in between.
 */
export class TrainingClient {
  /** seq_ids and the submission turn (see SubmissionOrder for what a failed submission does). */
  private readonly order: SubmissionOrder;
  private readonly onQueueState: (event: QueueStateEvent) => void;
  private readonly tokenizers = new TokenizerCache(
    (signal) => this.getTokenizer({ signal }),
    (o, method, defaults) => new CallScope(o, method, this.clock, defaults),
  );

  constructor(
    private readonly service: ServiceClient,
    private readonly ctx: SessionContext,
    /** The server's id of the trained model (`get_info`, `unload_model` take it). */ readonly model_id: string,
  ) {
    const logger = loggerOf(service.kernel);
    this.order = new SubmissionOrder((level, message) => logger[level](`${model_id}: ${message}`));
    this.onQueueState = service.queueWarnings('Training', model_id);
  }

  static {
    captureCalls(TrainingClient.prototype, (self) => self.service.activeTelemetry(), [
      'enqueue',
      'check',
      'reserve',
      'lossPass',
    ]);
  }

  /**
   * Submit one sequenced request after the previous one. The input is validated first, so a request
   * that can never be sent reserves no seq_id (a hole the server would wait on).
   */
  private enqueue<T>(
    endpoint: TinkerFutureId,
    body: Record<string, unknown>,
    options: RequestOptions | undefined,
    method: string,
  ): APIFuture<T> {
    this.check(endpoint, body);
    const scope = this.scope(options, method);
    return scope.future(this.reserve<T>(endpoint, body, scope.options));
  }

  /** The kernel's clock (a rejected future is made on it). */
  private get clock() {
    return this.service.kernel.getServices().clock;
  }

  /** One call's signal and deadline (see RequestOptions), under the defaults of the view it came through. */
  private scope(options: RequestOptions | undefined, method: string): CallScope {
    return new CallScope(options, method, this.clock, defaultsOf(this));
  }

  /**
   * This client under default request options (see `ServiceClient.withOptions`): the same model, seq_id
   * order and futures, so calls through the view and through this client interleave in call order.
   */
  withOptions(defaults: RequestOptions): this {
    return optionsView(this, defaults);
  }

  /** Throws the ValidationError the request would fail with; reserves nothing. */
  private check(endpoint: string, body: Record<string, unknown>): void {
    this.service.kernel.validateInput(endpoint, {
      ...body,
      model_id: this.model_id,
      seq_id: this.order.nextSeqId,
    });
  }

  /**
   * Queue one request; its seq_id is set when its turn comes. An abort while it waits sends nothing
   * and takes no seq_id (no gap the server would wait on); later requests go on.
   */
  private reserve<T>(
    endpoint: TinkerFutureId,
    body: Record<string, unknown>,
    call: CallOptions,
    onGate?: (gate: Promise<number>) => void,
  ): APIFuture<T> {
    const { gate, track } = this.order.reserve(endpoint, call.signal);
    onGate?.(gate);
    const input: Record<string, unknown> = { ...body, model_id: this.model_id, seq_id: 0 };
    const future = this.service.kernel.submit<T>(endpoint, input, {
      ...call,
      after: gate.then((seq_id) => (input.seq_id = seq_id)),
      onQueueState: this.onQueueState,
    });
    track(future.accepted);
    return future;
  }

  private lossPass(
    kind: 'forward' | 'forward_backward',
    input: readonly DatumInput[],
    loss_fn: LossFnType,
    loss_fn_config: Record<string, number> | null | undefined,
    options: RequestOptions | undefined,
  ) {
    checkData(input, loss_fn, loss_fn_config);
    // Read-only from here on: a ModelInput is read through its chunks and serialized by its toJSON().
    const data = input as readonly Datum[];
    const scope = this.scope(options, kind === 'forward' ? 'forward' : 'forwardBackward');
    const { mode, flags } = protocolOf(this.service.kernel);
    const key = kind === 'forward' ? 'forward_input' : 'forward_backward_input';
    // Every chunk is checked against the JSON request's schema before the first one reserves a seq_id:
    // all or nothing, and the same typed errors in both protocols (protobuf would truncate a 1.5 token).
    // Built by a loop, not `map`: once lossPass runs optimized, TurboFan's inlined `map` returns a holey
    // array where the builtin returned a packed one, and the loop over it deoptimized ("wrong map") and
    // was compiled again (docs/performance-notes.md, round 22 notes).
    const chunks: Record<string, unknown>[] = [];
    for (const chunk of chunkData(data)) {
      const body = { [key]: { data: chunk, loss_fn, loss_fn_config: loss_fn_config ?? null } };
      this.check(kind, body);
      chunks.push(body);
    }
    if (mode === 'v025') {
      const { kernel } = this.service;
      const { order, model_id, onQueueState } = this;
      const pass = protoLossPass({
        call: scope.options,
        kernel,
        order,
        flags,
        model_id,
        onQueueState,
        kind,
        data,
        loss_fn,
        loss_fn_config,
      });
      return scope.future(pass);
    }
    if (chunks.length === 1)
      return scope.future(this.reserve<ForwardBackwardOutput>(kind, chunks[0], scope.options));
    // Several chunks are applied all or none (WholeBatch).
    const batch = new WholeBatch(scope.options);
    const call = batch.options;
    const futures = chunks.map((chunk, i) =>
      this.reserve<ForwardBackwardOutput>(
        kind,
        chunk,
        call,
        i === 0 ? (gate) => batch.commit(gate) : undefined,
      ),
    );
    const { clock } = this;
    return scope.future(batch.result(futures, APIFuture.combine(futures, mergeOutputs, clock), clock));
  }

  /** Forward only: logprobs and loss, no gradients. */
  forward(
    data: readonly DatumInput[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
    options?: RequestOptions,
  ): APIFuture<ForwardBackwardOutput> {
    return futureOrRejected(this.clock, () =>
      this.lossPass('forward', data, loss_fn, loss_fn_config, options),
    );
  }

  /** Forward and backward: accumulates gradients for the next optimStep. */
  forwardBackward(
    data: readonly DatumInput[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
    options?: RequestOptions,
  ): APIFuture<ForwardBackwardOutput> {
    return futureOrRejected(this.clock, () =>
      this.lossPass('forward_backward', data, loss_fn, loss_fn_config, options),
    );
  }

  /**
   * Any differentiable loss of the per-token logprobs: a forward pass, the loss and its exact gradient
   * client-side, then a cross_entropy forward_backward with weights = −grad. Costs two round trips.
   */
  async forwardBackwardCustom<L extends CustomLoss>(
    data: readonly DatumInput[],
    loss: L,
    options?: RequestOptions,
  ): Promise<ForwardBackwardCustomOutput<LossMetrics<L>>> {
    const scope = this.scope(options, 'forwardBackwardCustom');
    // Both passes run under this call's signal and deadline (a view's defaults are in it already).
    const within = { signal: scope.signal };
    const self = baseOf(this);
    return scope.run(async () => {
      // Read-only from here on: a ModelInput is read through its chunks and serialized by its toJSON().
      const wire = data as readonly Datum[];
      const forwardData = forwardDataForCustomLoss(wire);
      await checkCustomLoss(loss);
      const forward = await self.forward(forwardData, 'cross_entropy', null, within);
      const logprobs = forward.loss_fn_outputs.map((o) => o.logprobs.data);
      const { grads, metrics, loss: value } = await customLossGradients(wire, logprobs, loss);
      const backward = await self.forwardBackward(
        backwardData(forwardData, grads),
        'cross_entropy',
        null,
        within,
      );
      // The loss's own metrics are copied whole (customLossGradients), so LossMetrics<L> holds.
      const all = { ...backward.metrics, ...metrics, 'custom_loss:sum': value } as LossMetrics<L> & {
        'custom_loss:sum': number;
      };
      return { ...backward, metrics: all };
    });
  }

  /** `POST /optim_step`: one Adam step on the gradients accumulated so far; resolves with its metrics. */
  optimStep(adam_params: AdamParams, options?: RequestOptions): APIFuture<OptimStepResponse> {
    return futureOrRejected(this.clock, () =>
      this.enqueue('optim_step', { adam_params }, options, 'optimStep'),
    );
  }

  /** Save weights and optimizer state under a name; the result holds the `tinker://` path. */
  saveState(
    name: string,
    opts: SaveStateOptions = {},
    options?: RequestOptions,
  ): APIFuture<{ path: string }> {
    return futureOrRejected(this.clock, () => {
      return this.enqueue('save_weights', saveStateBody(name, opts), options, 'saveState');
    });
  }

  /** Load weights (fresh optimizer state); `weights_access_token` reads another account's checkpoint. */
  loadState(
    path: string,
    opts: LoadStateOptions = {},
    options?: RequestOptions,
  ): APIFuture<{ path?: string }> {
    return futureOrRejected(this.clock, () => {
      const body = loadStateBody(path, false, opts, this.service.kernel);
      return this.enqueue('load_weights', body, options, 'loadState');
    });
  }

  /** As `loadState`, also restoring the optimizer state a `saveState` checkpoint holds. */
  loadStateWithOptimizer(
    path: string,
    opts: LoadStateOptions = {},
    options?: RequestOptions,
  ): APIFuture<{ path?: string }> {
    return futureOrRejected(this.clock, () => {
      const body = loadStateBody(path, true, opts, this.service.kernel);
      return this.enqueue('load_weights', body, options, 'loadStateWithOptimizer');
    });
  }

  /** Save sampler weights under a name (for `createSamplingClient(model_path)`). */
  saveWeightsForSampler(
    name: string,
    opts: SamplerSaveOptions = {},
    options?: RequestOptions,
  ): APIFuture<{ path: string }> {
    return futureOrRejected(this.clock, () => {
      const body = samplerSaveBody(name, opts);
      return this.enqueue('save_weights_for_sampler', body, options, 'saveWeightsForSampler');
    });
  }

  /** Snapshot the current weights into an ephemeral sampler and return its client. */
  async saveWeightsAndGetSamplingClient(
    retry_config?: Partial<SamplingRetryConfig>,
    options?: RequestOptions,
  ) {
    checkSnapshotRetryConfig(retry_config);
    const sampling_session_seq_id = this.ctx.nextSamplingSeqId();
    const result = await this.enqueue<{ sampling_session_id: string }>(
      'save_weights_for_sampler',
      { sampling_session_seq_id },
      options,
      'saveWeightsAndGetSamplingClient',
    );
    const { SamplingClient } = await import('./sampling-client.js');
    return inheritOptions(this, new SamplingClient(this.service, result.sampling_session_id, retry_config));
  }

  /** A sampling client for saved sampler weights, as `ServiceClient.createSamplingClient({ model_path })`. */
  async createSamplingClient(
    model_path: string,
    retry_config?: Partial<SamplingRetryConfig>,
    options?: RequestOptions,
  ) {
    return inheritOptions(this, this.service).createSamplingClient({ model_path, retry_config }, options);
  }

  /** `POST /get_info`: the model's id, name, LoRA rank and `model_data` (tokenizer id, architecture). */
  async getInfo(options?: RequestOptions) {
    const scope = this.scope(options, 'getInfo');
    const call = () => this.service.kernel.call('get_info', { model_id: this.model_id }, scope.options);
    return withBareTokenizerId(await scope.run(call));
  }

  /**
   * The model's tokenizer: `get_info`'s `tokenizer_id` (else the Python SDK's rules on the model name),
   * from the local caches or downloaded from the Hugging Face Hub (see `getTokenizer` in tokenizer/).
   * `signal` ends the whole call; `timeoutMs` bounds each Hub request (see HubOptions).
   */
  async getTokenizer(options: HubOptions = {}): Promise<Tokenizer> {
    checkHubOptions(options, 'getTokenizer options');
    return underDefaults(this, options, async (o) => {
      const info = await baseOf(this).getInfo({ signal: o.signal });
      return getTokenizer(info.model_data.model_name ?? info.model_name ?? '', {
        ...hubOptionsOf(this.service.kernel, this.service.config, o),
        tokenizer_id: info.model_data.tokenizer_id,
      });
    });
  }

  /** Token ids of `text` with this model's tokenizer (loaded once per client). */
  async encode(text: string, options?: EncodeOptions): Promise<number[]> {
    return this.tokenizers.encode(text, options, defaultsOf(this));
  }

  /** The text of `tokens` with this model's tokenizer (`skip_special_tokens` as in transformers). */
  async decode(tokens: readonly number[], options?: DecodeOptions): Promise<string> {
    return this.tokenizers.decode(tokens, options, defaultsOf(this));
  }

  /**
   * Unload the model from the server (`unload_model`), freeing its capacity; later requests for it fail
   * with a 404. Not ordered after queued requests: await their futures first.
   */
  unloadModel(options?: RequestOptions): APIFuture<{ model_id: string }> {
    return futureOrRejected(this.clock, () => {
      const scope = this.scope(options, 'unloadModel');
      return scope.future(
        this.service.kernel.submit<{ model_id: string }>(
          'unload_model',
          { model_id: this.model_id },
          scope.options,
        ),
      );
    });
  }
}
