import {
  NotFoundError,
  OptionChecks,
  ValidationError,
  retryMessage,
  retryReason,
  type RetryContext,
} from 'pristine-kernel';
import { chunkLength, ModelInput } from '../types/model-input.js';
import { copySamplingParams } from '../types/sampling-params.js';
import type { ModelInputWire, SampleResponse, SamplingParams } from '../types/schemas.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { getTokenizer } from '../tokenizer/get-tokenizer.js';
import type { HubOptions } from '../hub/hub-settings.js';
import { checkHubOptions } from '../hub/check-hub-options.js';
// The ServiceClient as seen from here (client-host.ts), not the class: importing service-client.ts,
// which constructs this client, would make the two modules import each other.
import type { ClientHost as ServiceClient } from './client-host.js';
import { captureCalls } from '../telemetry/capture.js';
import { hubOptionsOf, protocolOf } from './tinker-kernel.js';
import { CallScope, type RequestOptions } from './request-options.js';
import { baseOf, defaultsOf, optionsView, underDefaults } from './options-view.js';
import { promiseOrRejected } from './rejected-future.js';
import { sampleDispatchGate } from './sample-dispatch-gate.js';
import { samplingBucket } from '../plugin/sampling-bucket.js';
import { ProgressWatch, type Stall } from './sampling-progress.js';
import { TokenizerCache, type DecodeOptions, type EncodeOptions } from './tokenizer-cache.js';
import { SampleAttempts, type AttemptsState, type RunAttempts } from './sample-attempts.js';
import { SampleSubmitter } from './sample-submit.js';
import { checkSampleRequestKeys } from './sample-request-keys.js';
import { ownSampleBody, v025SampleBody } from '../protocol/sample-body.js';
import { fallbackStream, type SampleStreamChunk } from './sample-stream.js';
import {
  DEFAULT_SAMPLING_RETRY,
  checkSamplingRetryConfig,
  type SamplingRetryConfig,
} from './sampling-retry-config.js';

export { DEFAULT_SAMPLING_RETRY, type SamplingRetryConfig };

export interface SampleRequest {
  /** The prompt: a ModelInput, its wire form, or plain token ids. */
  prompt: ModelInput | ModelInputWire | readonly number[];
  /** Completions to draw for this prompt (default 1). */
  num_samples?: number;
  /** `max_tokens`, `temperature`, `top_p`, `top_k`, `stop`, `seed` of each completion. */
  sampling_params: SamplingParams;
  /** Also return the log probability of each prompt token (`prompt_logprobs`). */
  include_prompt_logprobs?: boolean;
  /** Also return the `k` likeliest tokens at each prompt position with their log probabilities. */
  topk_prompt_logprobs?: number;
}

export type { SampleStreamChunk } from './sample-stream.js';

/**
 * Samples from one sampler. `sample` retries whole requests (unlimited attempts on retryable errors, a 410
 * resubmits; 0.25 re-submits with the sample's seq_id, the JSON protocol gives each attempt a new one),
 * waits out 429 back-pressure per sampler, and respects the kernel's sampling concurrency and dispatch-bytes
 * limits.
 */
export class SamplingClient {
  private seq = 0;
  private readonly retryConfig: SamplingRetryConfig;
  /** Shared by every sample's retry loop (the loop only reads it). */
  private readonly retryContext: RetryContext;
  private readonly bucket: string;
  /** The in-flight semaphore's name (built once, not per sample). */
  private readonly inFlightKey: string;
  /** `run` for SampleAttempts, made once per client (`run` itself stays private). */
  private readonly runAttempts: RunAttempts<ReturnType<SamplingClient['body']>> = (...args) =>
    this.run(...args);
  private readonly onQueueState;
  /** Each attempt of every sample (the `asample` submission and its result). */
  private readonly submitter: SampleSubmitter;
  private readonly progress: ProgressWatch;
  /** `retryContext` with stuck detection's signal: shared by the samples with no signal of their own. */
  private watchedRetryContext: RetryContext | undefined;
  private readonly tokenizers = new TokenizerCache(
    (signal) => this.getTokenizer({ signal }),
    (o, method, defaults) => new CallScope(o, method, this.service.kernel.getServices().clock, defaults),
  );

  constructor(
    private readonly service: ServiceClient,
    /** The server's id of this sampler (`GET /samplers/{id}` takes it). */ readonly sampling_session_id: string,
    retry_config: Partial<SamplingRetryConfig> = {},
  ) {
    const cfg = (this.retryConfig = OptionChecks.withDefaults(
      DEFAULT_SAMPLING_RETRY,
      checkSamplingRetryConfig(retry_config),
    ));
    const { clock, logger, retryLog } = service.kernel.getServices();
    const maxRetries = cfg.enable_retry_logic ? cfg.max_retries : 0;
    this.retryContext = {
      maxRetries,
      delays: {
        initialDelayMs: cfg.retry_delay_base_ms,
        maxDelayMs: cfg.retry_delay_max_ms,
        jitter: cfg.jitter_factor,
      },
      // Through the kernel's RetryLog, as its retries of any other request: a person waiting on a server
      // that died sees why at info (the CLI shows info; the library's default level, warn, does not), and
      // an outage's 200 samples say one line per retry number, not one per sample (the rest at debug).
      onRetry: (info) =>
        retryLog.retried(
          'sample',
          retryReason(info.error),
          info.attempt,
          retryMessage('sample', info, maxRetries),
          {
            samplingSessionId: sampling_session_id,
            attempt: info.attempt,
            delay_ms: Math.round(info.delayMs),
          },
        ),
    };
    this.bucket = samplingBucket(service.config, sampling_session_id);
    this.inFlightKey = `tinker:sample-requests:${sampling_session_id}`;
    this.onQueueState = service.queueWarnings('Sampling', sampling_session_id);
    this.submitter = new SampleSubmitter({
      kernel: service.kernel,
      bucket: this.bucket,
      retryEnabled: cfg.enable_retry_logic,
      onQueueState: this.onQueueState,
      nextSeqId: () => this.seq++,
    });
    this.progress = new ProgressWatch(
      clock,
      cfg.progress_timeout_ms,
      new URL(service.config.base_url).origin,
      {
        afterMs: 60_000,
        everyMs: 300_000,
        notice: (stall) =>
          logger.warn(stallMessage(sampling_session_id, stall), { samplingSessionId: sampling_session_id }),
        retried: () => service.latestRetry,
      },
    );
  }

  static {
    // Internal helpers are not wrapped: every public way into them is (`sample`, `sampleStream`,
    // `computeLogprobs`), and a wrapped `sampleWithin` was a second report layer (a promise and a closure)
    // on every sample for an error that is reported once anyway.
    captureCalls(SamplingClient.prototype, (self) => self.service.activeTelemetry(), [
      'body',
      'run',
      'sampleWithin',
      'scope',
    ]);
  }

  /** The `asample` body, in its 0.25 shape when that is the protocol already (`v025SampleBody`). */
  private body(given: SampleRequest, v025 = false) {
    // One check of the request as an object and of its keys (it was two walks of the same object).
    const request = checkSampleRequestKeys(given, false);
    if (request.prompt == null)
      throw ValidationError.field('sample request', '/prompt', 'required', 'prompt is required');
    const prompt = ModelInput.from(request.prompt);
    // Nothing to condition on: servers refuse it (vLLM: "The decoder prompt cannot be empty"); say so
    // before sending, naming the field. An image or audio chunk of unknown length counts as content.
    if (prompt.chunks.every((chunk) => chunkLength(chunk) === 0))
      throw ValidationError.field(
        'sample request',
        '/prompt',
        'minLength',
        'prompt must hold at least one token',
      );
    if (v025)
      return v025SampleBody({
        num_samples: request.num_samples ?? 1,
        chunks: prompt.chunks,
        sampling_params: request.sampling_params,
        sampling_session_id: this.sampling_session_id,
        prompt_logprobs: request.include_prompt_logprobs ?? false,
        topk_prompt_logprobs: request.topk_prompt_logprobs ?? 0,
      });
    return {
      num_samples: request.num_samples ?? 1,
      prompt: prompt.toJSON(),
      sampling_params: copySamplingParams(request.sampling_params),
      sampling_session_id: this.sampling_session_id,
      prompt_logprobs: request.include_prompt_logprobs ?? false,
      topk_prompt_logprobs: request.topk_prompt_logprobs ?? 0,
      // Set per sample (0.25) or per attempt (JSON); last, as it always went on the wire.
      seq_id: 0,
    };
  }

  /**
   * Sample (`POST /asample`, then its future); resolves with the whole response. JSON protocol: each
   * retry is a new request with the next seq_id. 0.25: a re-submission keeps its seq_id, and the server's
   * flags set the in-flight limit (`sample_max_concurrent_requests`), retries (`sample_no_retries`) and
   * stuck detection. A bad request is a ValidationError before anything is sent; once retries (see
   * `retry_config`) are spent, rejects with the last APIStatusError, APIConnectionError or the future's
   * FutureFailedError; stuck detection ends a sample with APIConnectionError.
   */
  sample(request: SampleRequest, options?: RequestOptions): Promise<SampleResponse> {
    // Without options (nor a view's) there is no deadline to end nor signal to join: no scope and no
    // closure per sample.
    if (options === undefined && !defaultsOf(this)) return this.sampleWithin(request, undefined);
    return promiseOrRejected(() => {
      const scope = this.scope(options, 'sample');
      return scope.run(() => this.sampleWithin(request, scope.signal));
    });
  }

  /** One call's signal and deadline (see RequestOptions), under the defaults of the view it came through. */
  private scope(options: RequestOptions | undefined, method: string): CallScope {
    return new CallScope(options, method, this.service.kernel.getServices().clock, defaultsOf(this));
  }

  /**
   * This client under default request options (see `ServiceClient.withOptions`): the same sampler,
   * seq_ids, in-flight limits and retry state; every call through the view takes `defaults`.
   */
  withOptions(defaults: RequestOptions): this {
    return optionsView(this, defaults);
  }

  /** Never throws: a bad request rejects, as from an async function. */
  private sampleWithin(
    request: SampleRequest,
    signal: AbortSignal | undefined,
    serverMayTurnOffRetries = true,
  ): Promise<SampleResponse> {
    try {
      const kernel = this.service.kernel;
      const { mode, flags } = protocolOf(kernel);
      const v025 = mode === 'v025';
      // One input for every attempt (each with the next seq_id), ours (copied from the request); built
      // in its 0.25 shape once the protocol is known (before that, the negotiate stage shapes it).
      const input = this.body(request, v025);
      // Checked once, before anything is sent: bad input never waits out a 429 backoff first.
      kernel.validateInput('asample', input, { sending: true });
      // Valid, and its prompt and params are copies only it holds: its 0.25 shape need not copy them again.
      ownSampleBody(input);
      const cfg = this.retryConfig;
      if (v025) input.seq_id = this.seq++;
      const inFlight = kernel
        .getServices()
        .semaphore(this.inFlightKey, v025 ? flags.sample_max_concurrent_requests : cfg.max_connections);
      const context =
        v025 && flags.sample_no_retries && serverMayTurnOffRetries
          ? { ...this.retryContext, maxRetries: 0 }
          : this.retryContext;
      const watched = cfg.enable_stuck_detection && (!v025 || flags.sample_enable_stuck_detection);
      const attempt = new SampleAttempts(
        this.runAttempts,
        input,
        context,
        !v025,
        signal,
        watched ? this.progress : undefined,
        sampleDispatchGate(kernel, this.service.config.sample_dispatch_concurrency),
      );
      // A free slot is taken at once (as `acquire` would grant it), without an async frame per sample.
      const now = signal?.aborted ? undefined : inFlight.tryAcquire?.(1);
      // Counted for `idle()` as one operation: between attempts (a retry's backoff) nothing is in flight.
      if (now) return kernel.trackInFlight(attempt.holding(now));
      return kernel.trackInFlight(inFlight.acquire(1, signal).then((release) => attempt.holding(release)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private run(
    input: ReturnType<SamplingClient['body']>,
    retryContext: RetryContext,
    newSeqIdPerAttempt: boolean,
    signal: AbortSignal | undefined,
    seen: AttemptsState,
  ): Promise<SampleResponse> {
    const kernel = this.service.kernel;
    const gate = sampleDispatchGate(kernel, this.service.config.sample_dispatch_concurrency);
    return kernel
      .getServices()
      .retry.run<SampleResponse>(
        () => this.submitter.attempt(input, newSeqIdPerAttempt, signal, seen, gate),
        this.withSignal(retryContext, signal),
      );
  }

  /**
   * `{ ...base, signal }`. Under stuck detection's signal alone (one for every sample of the sampler),
   * every sample gets the same object, made again once that signal is replaced, rather than a copy each
   * held for its whole network wait; the loop only reads it. A sample with a signal of its own (or no
   * retries) gets a copy, never remembered: the sampler keeps no sample's signal alive.
   */
  private withSignal(base: RetryContext, signal: AbortSignal | undefined): RetryContext {
    if (signal === undefined || signal !== this.progress.signal || base !== this.retryContext) {
      return { ...base, signal };
    }
    if (this.watchedRetryContext?.signal !== signal) this.watchedRetryContext = { ...base, signal };
    return this.watchedRetryContext;
  }

  /**
   * Stream tokens as they are sampled (the `stream_sample` SSE extension). Against a server without the
   * extension (404), falls back to one non-streamed sample and yields its tokens, then the response.
   */
  async *sampleStream(
    request: Omit<SampleRequest, 'num_samples'>,
    options?: RequestOptions,
  ): AsyncGenerator<SampleStreamChunk> {
    // The deadline runs from the first read (a generator's body starts there) to the last event.
    checkSampleRequestKeys(OptionChecks.optionsObject('sample request', request), true);
    const scope = this.scope(OptionChecks.optionsObject('sampleStream options', options), 'sampleStream');
    const signal = scope.signal;
    const body = { ...this.body({ ...request, num_samples: 1 }), num_samples: 1 as const };
    body.seq_id = this.seq++;
    // Retried before its first event as any call (the endpoint's policy), unless the server turns sample
    // retries off: a stream is a sample.
    const { mode, flags } = protocolOf(this.service.kernel);
    const streamOptions =
      mode === 'v025' && flags.sample_no_retries ? { ...scope.options, maxRetries: 0 } : scope.options;
    try {
      try {
        for await (const event of this.service.kernel.stream('stream_sample', body, streamOptions)) {
          yield event as SampleStreamChunk;
        }
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        const response = await this.sampleWithin({ ...request, num_samples: 1 }, signal);
        const stopping = this.service.kernel.getServices().stopping('stream_sample');
        yield* fallbackStream(response, signal, stopping);
      }
    } catch (error) {
      throw scope.failed(error);
    } finally {
      scope.end();
    }
  }

  /** Log probability of every prompt token given its prefix (the first is null): a 1-token `asample`. */
  async computeLogprobs(
    prompt: ModelInput | ModelInputWire | readonly number[],
    options?: RequestOptions,
  ): Promise<(number | null)[]> {
    const request = {
      prompt,
      num_samples: 1,
      sampling_params: { max_tokens: 1 },
      include_prompt_logprobs: true,
    };
    // As in the Python SDK, the server's sample_no_retries does not apply here: only sample() bypasses
    // the retries.
    const scope = this.scope(options, 'computeLogprobs');
    const response = await scope.run(() => this.sampleWithin(request, scope.signal, false));
    return response.prompt_logprobs ?? [];
  }

  /** The base model this sampler runs (`GET /samplers/{id}`), e.g. to pick the tokenizer. */
  async getBaseModel(options?: RequestOptions): Promise<string> {
    const scope = this.scope(options, 'getBaseModel');
    const input = { sampler_id: this.sampling_session_id };
    return scope.run(
      async () => (await this.service.kernel.call('get_sampler', input, scope.options)).base_model,
    );
  }

  /**
   * The base model's tokenizer, from the local caches or the Hugging Face Hub (as `getTokenizer`).
   * `signal` ends the whole call; `timeoutMs` bounds each Hub request (see HubOptions).
   */
  async getTokenizer(options: HubOptions = {}): Promise<Tokenizer> {
    checkHubOptions(options, 'getTokenizer options');
    return underDefaults(this, options, async (o) => {
      const model = await baseOf(this).getBaseModel({ signal: o.signal });
      return getTokenizer(model, hubOptionsOf(this.service.kernel, this.service.config, o));
    });
  }

  /** Token ids of `text` with the sampled model's tokenizer (loaded once per client). */
  async encode(text: string, options?: EncodeOptions): Promise<number[]> {
    return this.tokenizers.encode(text, options, defaultsOf(this));
  }

  /** The text of `tokens` with the sampled model's tokenizer (`skip_special_tokens` as in transformers). */
  async decode(tokens: readonly number[], options?: DecodeOptions): Promise<string> {
    return this.tokenizers.decode(tokens, options, defaultsOf(this));
  }
}

function stallMessage(samplingSessionId: string, stall: Stall): string {
  const cause = stall.lastError instanceof Error ? ` Last error: ${stall.lastError.message}.` : '';
  return (
    `Sampling (${samplingSessionId}) has made no progress for ${Math.round(stall.stalledMs / 1000)} s: ` +
    `${stall.inProgress} request(s) in progress.${cause} They keep retrying and fail in ` +
    `${Math.round(stall.failsInMs / 1000)} s unless one completes (retry_config.progress_timeout_ms); ` +
    `pass a signal or timeoutMs to stop sooner.`
  );
}
