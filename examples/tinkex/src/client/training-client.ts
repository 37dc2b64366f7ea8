import { APIFuture, type QueueStateEvent } from 'pristine-kernel';
import type {
  AdamParams,
  Datum,
  ForwardBackwardOutput,
  LossFnType,
  OptimStepResponse,
} from '../types/schemas.js';
import { checkData } from '../types/datum.js';
import { parseTinkerPath } from '../types/tinker-path.js';
import { chunkData } from '../training/chunking.js';
import { mergeOutputs } from '../training/metrics.js';
import {
  backwardData,
  customLossGradients,
  forwardDataForCustomLoss,
  type CustomLoss,
} from '../training/custom-loss.js';
import { loadTokenizer, resolveTokenizerId, type Tokenizer } from '../tokenizer/tokenizer.js';
import { SubmissionOrder } from '../training/submission-order.js';
import { TokenizerCache } from './tokenizer-cache.js';
import { loggerOf, protocolOf } from './tinker-kernel.js';
import { protoLossPass } from '../training/proto-loss-pass.js';
import type { SamplingRetryConfig } from './sampling-client.js';
import type { ServiceClient } from './service-client.js';
import type { SessionContext } from './session-context.js';

/**
 * Trains one LoRA model. Every submitting method returns an APIFuture at once; requests are submitted
 * strictly in call order (each waits only for its predecessor's submission, not its result), so
 * `forwardBackward` and `optimStep` can be pipelined without awaiting in between.
 */
export class TrainingClient {
  /** seq_ids and the submission turn (see SubmissionOrder for what a failed submission does). */
  private readonly order: SubmissionOrder;
  private readonly onQueueState: (event: QueueStateEvent) => void;
  private readonly tokenizers = new TokenizerCache(() => this.getTokenizer());

  constructor(
    private readonly service: ServiceClient,
    private readonly ctx: SessionContext,
    readonly model_id: string,
  ) {
    const logger = loggerOf(service.kernel);
    this.order = new SubmissionOrder((message) => logger.warn(`${model_id}: ${message}`));
    this.onQueueState = service.queueWarnings('Training', model_id);
  }

  /**
   * Submit one sequenced request after the previous one. The input is validated first, so a request
   * that can never be sent reserves no seq_id (a hole the server would wait on).
   */
  private enqueue<T>(endpoint: string, body: Record<string, unknown>): APIFuture<T> {
    this.check(endpoint, body);
    return this.reserve<T>(endpoint, body);
  }

  /** Throws the ValidationError the request would fail with; reserves nothing. */
  private check(endpoint: string, body: Record<string, unknown>): void {
    this.service.kernel.validateInput(endpoint, {
      ...body,
      model_id: this.model_id,
      seq_id: this.order.nextSeqId,
    });
  }

  private reserve<T>(endpoint: string, body: Record<string, unknown>): APIFuture<T> {
    const { seq_id, gate, track } = this.order.reserve(endpoint);
    const future = this.service.kernel.submit<T>(
      endpoint,
      { ...body, model_id: this.model_id, seq_id },
      { after: gate, onQueueState: this.onQueueState },
    );
    track(future.accepted);
    return future;
  }

  private lossPass(
    kind: 'forward' | 'forward_backward',
    data: readonly Datum[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
  ) {
    checkData(data, loss_fn);
    const { mode, flags } = protocolOf(this.service.kernel);
    if (mode === 'v025') {
      const { kernel } = this.service;
      const { order, model_id, onQueueState } = this;
      return protoLossPass({
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
    }
    const key = kind === 'forward' ? 'forward_input' : 'forward_backward_input';
    const chunks = chunkData(data).map((chunk) => ({
      [key]: { data: chunk, loss_fn, loss_fn_config: loss_fn_config ?? null },
    }));
    // Every chunk is checked before the first one reserves a seq_id: all or nothing.
    for (const chunk of chunks) this.check(kind, chunk);
    const futures = chunks.map((chunk) => this.reserve<ForwardBackwardOutput>(kind, chunk));
    return futures.length === 1
      ? futures[0]
      : APIFuture.combine(futures, mergeOutputs, this.service.kernel.getServices().clock);
  }

  /** Forward only: logprobs and loss, no gradients. */
  forward(
    data: readonly Datum[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
  ): APIFuture<ForwardBackwardOutput> {
    return this.lossPass('forward', data, loss_fn, loss_fn_config);
  }

  /** Forward and backward: accumulates gradients for the next optimStep. */
  forwardBackward(
    data: readonly Datum[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
  ): APIFuture<ForwardBackwardOutput> {
    return this.lossPass('forward_backward', data, loss_fn, loss_fn_config);
  }

  /**
   * Any differentiable loss of the per-token logprobs: a forward pass, the loss and its exact gradient
   * client-side, then a cross_entropy forward_backward with weights = −grad. Costs two round trips.
   */
  async forwardBackwardCustom(data: readonly Datum[], loss: CustomLoss): Promise<ForwardBackwardOutput> {
    const forwardData = forwardDataForCustomLoss(data);
    const forward = await this.forward(forwardData, 'cross_entropy');
    const logprobs = forward.loss_fn_outputs.map((o) => o.logprobs.data);
    const { grads, metrics, loss: value } = await customLossGradients(data, logprobs, loss);
    const backward = await this.forwardBackward(backwardData(forwardData, grads), 'cross_entropy');
    return { ...backward, metrics: { ...backward.metrics, ...metrics, 'custom_loss:sum': value } };
  }

  optimStep(adam_params: AdamParams): APIFuture<OptimStepResponse> {
    return this.enqueue('optim_step', { adam_params });
  }

  /** Save weights and optimizer state under a name; the result holds the `tinker://` path. */
  saveState(
    name: string,
    opts: { ttl_seconds?: number; overwrite?: boolean } = {},
  ): APIFuture<{ path: string }> {
    return this.enqueue('save_weights', {
      path: name,
      // 0 is checked too, so the schema refuses it by name (minimum 1) instead of dropping it.
      ...(opts.ttl_seconds !== undefined ? { ttl_seconds: opts.ttl_seconds } : {}),
      ...(opts.overwrite !== undefined ? { overwrite: opts.overwrite } : {}),
    });
  }

  /** Load weights (fresh optimizer state); `weights_access_token` reads another account's checkpoint. */
  loadState(path: string, opts: { weights_access_token?: string } = {}): APIFuture<{ path?: string }> {
    parseTinkerPath(path);
    return this.enqueue('load_weights', { path, optimizer: false, ...this.accessToken(opts) });
  }

  loadStateWithOptimizer(
    path: string,
    opts: { weights_access_token?: string } = {},
  ): APIFuture<{ path?: string }> {
    parseTinkerPath(path);
    return this.enqueue('load_weights', { path, optimizer: true, ...this.accessToken(opts) });
  }

  /** The token goes on the wire only in the body, and is scrubbed from logs and errors. */
  private accessToken(opts: { weights_access_token?: string }): { weights_access_token?: string } {
    if (!opts.weights_access_token) return {};
    this.service.kernel.getServices().secrets.add(opts.weights_access_token);
    return { weights_access_token: opts.weights_access_token };
  }

  /** Save sampler weights under a name (for `createSamplingClient(model_path)`). */
  saveWeightsForSampler(name: string, opts: { ttl_seconds?: number } = {}): APIFuture<{ path: string }> {
    return this.enqueue('save_weights_for_sampler', {
      path: name,
      // 0 is checked too, so the schema refuses it by name (minimum 1) instead of dropping it.
      ...(opts.ttl_seconds !== undefined ? { ttl_seconds: opts.ttl_seconds } : {}),
    });
  }

  /** Snapshot the current weights into an ephemeral sampler and return its client. */
  async saveWeightsAndGetSamplingClient(retry_config?: Partial<SamplingRetryConfig>) {
    const sampling_session_seq_id = this.ctx.nextSamplingSeqId();
    const result = await this.enqueue<{ sampling_session_id: string }>('save_weights_for_sampler', {
      sampling_session_seq_id,
    });
    const { SamplingClient } = await import('./sampling-client.js');
    return new SamplingClient(this.service, result.sampling_session_id, retry_config);
  }

  createSamplingClient(model_path: string, retry_config?: Partial<SamplingRetryConfig>) {
    return this.service.createSamplingClient({ model_path, retry_config });
  }

  getInfo() {
    return this.service.kernel.call('get_info', { model_id: this.model_id });
  }

  async getTokenizer(): Promise<Tokenizer> {
    const info = await this.getInfo();
    return loadTokenizer(
      resolveTokenizerId(info.model_data.model_name ?? info.model_name ?? '', info.model_data.tokenizer_id),
    );
  }

  /** Token ids of `text` with this model's tokenizer (loaded once per client). */
  encode(text: string, options?: { add_special_tokens?: boolean }): Promise<number[]> {
    return this.tokenizers.encode(text, options);
  }

  /** The text of `tokens` with this model's tokenizer. */
  decode(tokens: readonly number[]): Promise<string> {
    return this.tokenizers.decode(tokens);
  }

  /**
   * Unload the model from the server (`unload_model`), freeing its capacity; later requests for it fail
   * with a 404. Not ordered after queued requests: await their futures first.
   */
  unloadModel(): APIFuture<{ model_id: string }> {
    return this.service.kernel.submit<{ model_id: string }>('unload_model', { model_id: this.model_id });
  }
}
