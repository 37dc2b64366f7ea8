import { APIFuture, type QueueStateEvent } from 'pristine';
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
import { protocolOf } from './tinker-kernel.js';
import { forwardBackwardRequest } from '../proto/forward-backward-request.js';
import { protoDatumBytes } from '../proto/proto-size.js';
import type { SamplingRetryConfig } from './sampling-client.js';
import type { ServiceClient } from './service-client.js';
import type { SessionContext } from './session-context.js';

/**
 * Trains one LoRA model. Every submitting method returns an APIFuture at once; requests are submitted
 * strictly in call order (each waits only for its predecessor's submission, not its result), so
 * `forwardBackward` and `optimStep` can be pipelined without awaiting in between.
 */
export class TrainingClient {
  private seq = 0;
  /** Resolves when the latest submission was accepted (or failed): the next one's turn. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly onQueueState: (event: QueueStateEvent) => void;

  constructor(
    private readonly service: ServiceClient,
    private readonly ctx: SessionContext,
    readonly model_id: string,
  ) {
    this.onQueueState = service.queueWarnings('Training', model_id);
  }

  /** Submit one sequenced request after the previous one, with a seq_id reserved now. */
  private enqueue<T>(endpoint: string, body: (seq_id: number) => Record<string, unknown>): APIFuture<T> {
    const seq_id = ++this.seq;
    const future = this.service.kernel.submit<T>(
      endpoint,
      { ...body(seq_id), model_id: this.model_id, seq_id },
      {
        after: this.turn,
        onQueueState: this.onQueueState,
      },
    );
    this.turn = future.accepted.catch(() => undefined);
    return future;
  }

  private lossPass(
    kind: 'forward' | 'forward_backward',
    data: readonly Datum[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
  ) {
    checkData(data, loss_fn);
    if (protocolOf(this.service.kernel).mode === 'v025')
      return this.protoLossPass(kind, data, loss_fn, loss_fn_config);
    const key = kind === 'forward' ? 'forward_input' : 'forward_backward_input';
    const futures = chunkData(data).map((chunk) =>
      this.enqueue<ForwardBackwardOutput>(kind, () => ({
        [key]: { data: chunk, loss_fn, loss_fn_config: loss_fn_config ?? null },
      })),
    );
    return futures.length === 1
      ? futures[0]
      : APIFuture.combine(futures, mergeOutputs, this.service.kernel.getServices().clock);
  }

  /**
   * 0.25: one protobuf request per chunk (limits and the proto-size estimate from /client/config),
   * zstd-compressed when the server asks. With `parallel_fwdbwd_chunks` every chunk waits only for the
   * previous call's submission and the first chunk goes last, so the server sees the batch together.
   */
  private protoLossPass(
    kind: 'forward' | 'forward_backward',
    data: readonly Datum[],
    loss_fn: LossFnType,
    loss_fn_config?: Record<string, number> | null,
  ): APIFuture<ForwardBackwardOutput> {
    const { flags } = protocolOf(this.service.kernel);
    const chunks = chunkData(data, {
      maxLen: flags.fwdbwd_max_chunk_len,
      maxBytes: flags.fwdbwd_max_chunk_bytes_count,
      estimate: protoDatumBytes,
    });
    const endpoint = kind === 'forward' ? 'forward_proto' : 'forward_backward_proto';
    const compress = flags.proto_compress_fwdbwd ? { encoding: 'zstd', minBytes: 0 } : false;
    const submit = (chunk: Datum[], seq_id: number, after: Promise<unknown>) =>
      this.service.kernel.submit<ForwardBackwardOutput>(
        endpoint,
        forwardBackwardRequest({
          model_id: this.model_id,
          seq_id,
          data: chunk,
          loss_fn,
          loss_fn_config,
          forward_only: kind === 'forward',
        }),
        { after, onQueueState: this.onQueueState, compress },
      );
    const seqIds = chunks.map(() => ++this.seq);
    let futures: APIFuture<ForwardBackwardOutput>[];
    if (flags.parallel_fwdbwd_chunks && chunks.length > 1) {
      const previous = this.turn;
      const rest = chunks.slice(1).map((chunk, i) => submit(chunk, seqIds[i + 1], previous));
      const restAccepted = Promise.allSettled(rest.map((f) => f.accepted));
      futures = [submit(chunks[0], seqIds[0], restAccepted), ...rest];
    } else {
      futures = [];
      for (const [i, chunk] of chunks.entries()) {
        const future = submit(
          chunk,
          seqIds[i],
          i === 0 ? this.turn : futures[i - 1].accepted.catch(() => undefined),
        );
        futures.push(future);
      }
    }
    this.turn = Promise.allSettled(futures.map((f) => f.accepted));
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
    return this.enqueue('optim_step', () => ({ adam_params }));
  }

  /** Save weights and optimizer state under a name; the result holds the `tinker://` path. */
  saveState(
    name: string,
    opts: { ttl_seconds?: number; overwrite?: boolean } = {},
  ): APIFuture<{ path: string }> {
    return this.enqueue('save_weights', () => ({
      path: name,
      // 0 is sent too, so the schema refuses it by name (minimum 1) instead of dropping it.
      ...(opts.ttl_seconds !== undefined ? { ttl_seconds: opts.ttl_seconds } : {}),
      ...(opts.overwrite !== undefined ? { overwrite: opts.overwrite } : {}),
    }));
  }

  /** Load weights (fresh optimizer state); `weights_access_token` reads another user's checkpoint. */
  loadState(path: string, opts: { weights_access_token?: string } = {}): APIFuture<{ path?: string }> {
    parseTinkerPath(path);
    return this.enqueue('load_weights', () => ({ path, optimizer: false, ...this.accessToken(opts) }));
  }

  loadStateWithOptimizer(
    path: string,
    opts: { weights_access_token?: string } = {},
  ): APIFuture<{ path?: string }> {
    parseTinkerPath(path);
    return this.enqueue('load_weights', () => ({ path, optimizer: true, ...this.accessToken(opts) }));
  }

  /** The token goes on the wire only in the body, and is scrubbed from logs and errors. */
  private accessToken(opts: { weights_access_token?: string }): { weights_access_token?: string } {
    if (!opts.weights_access_token) return {};
    this.service.kernel.getServices().secrets.add(opts.weights_access_token);
    return { weights_access_token: opts.weights_access_token };
  }

  /** Save sampler weights under a name (for `createSamplingClient(model_path)`). */
  saveWeightsForSampler(name: string, opts: { ttl_seconds?: number } = {}): APIFuture<{ path: string }> {
    return this.enqueue('save_weights_for_sampler', () => ({
      path: name,
      // 0 is sent too, so the schema refuses it by name (minimum 1) instead of dropping it.
      ...(opts.ttl_seconds !== undefined ? { ttl_seconds: opts.ttl_seconds } : {}),
    }));
  }

  /** Snapshot the current weights into an ephemeral sampler and return its client. */
  async saveWeightsAndGetSamplingClient(retry_config?: Partial<SamplingRetryConfig>) {
    const sampling_session_seq_id = this.ctx.nextSamplingSeqId();
    const result = await this.enqueue<{ sampling_session_id: string }>('save_weights_for_sampler', () => ({
      sampling_session_seq_id,
    }));
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
}
