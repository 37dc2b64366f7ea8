import { afterEach, describe, expect, it } from '@jest/globals';
import {
  APIConnectionError,
  FutureTimeoutError,
  TrainingSequenceAbortedError,
  type ResolvedConfig,
} from '../../src/index.js';
import { setup, TEXT, textDatum, bytes } from './harness.js';

/**
 * The server goes away for longer than the retry budget. Every outstanding future (training and
 * sampling, polling or still waiting to be submitted) must reject with a typed error within a bound
 * that follows from the configuration:
 *
 * - a future being polled fails on the (max_retries + 1)-th poll in a row that cannot reach the server,
 *   after backing off Σ min(1 s · 2^i, 30 s) for i < max_retries (plus each poll's own connect time);
 * - a training request not yet accepted fails after its transport retries, Σ min(0.5 s · 2^i, 10 s)
 *   for i < max_retries; the requests queued behind it are then not sent and reject at once with a
 *   TrainingSequenceAbortedError naming it;
 * - a sample stops retrying once it has not succeeded for `progress_timeout_ms`, after at most one more
 *   backoff (≤ `retry_delay_max_ms`) and attempt.
 */
function outageBoundMs(
  config: Pick<ResolvedConfig, 'max_retries'>,
  sampling: {
    progress_timeout_ms: number;
    retry_delay_max_ms: number;
  },
) {
  const sum = (n: number, base: number, cap: number) =>
    Array.from({ length: n }, (_, i) => Math.min(base * 2 ** i, cap)).reduce((a, b) => a + b, 0);
  const polling = sum(config.max_retries, 1_000, 30_000);
  const submitting = sum(config.max_retries, 500, 10_000);
  const sampleBound = sampling.progress_timeout_ms + sampling.retry_delay_max_ms + polling;
  return Math.max(polling, submitting, sampleBound);
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('an outage longer than the retry budget', () => {
  it('rejects every outstanding training and sampling future with a typed error, within the bound', async () => {
    const retry = { progress_timeout_ms: 2_000, retry_delay_max_ms: 500 };
    const env = await setup({}, { max_retries: 1 });
    cleanup = env.close;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'tinkex/byte-tiny',
      rank: 8,
    });
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const sampler = await training.saveWeightsAndGetSamplingClient(retry);

    // Work the server has accepted but not finished: every poll answers try_again.
    env.emulator.setChaos('pause=1;scope=futures');
    const accepted = [
      training.forwardBackward([textDatum(TEXT)], 'cross_entropy'),
      training.optimStep({ learning_rate: 1e-4 }),
    ];
    const samples = Array.from({ length: 4 }, (_, i) =>
      sampler.sample({ prompt: bytes(`${i} fox`), sampling_params: { max_tokens: 3 } }),
    );
    await Promise.all(accepted.map((f) => f.accepted));
    const asample = () => env.emulator.state.requests.filter((r) => r.path === '/api/v1/asample').length;
    while (asample() < samples.length) await turn();

    // The server stops; two more training requests queue up behind the outstanding ones.
    await env.emulator.close();
    const queued = [training.optimStep({ learning_rate: 1e-4 }), training.saveState('during-outage')];

    const bound = outageBoundMs(env.service.config, retry);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<'hung'>((resolve) => {
      // Hang guard only: generous on a loaded machine; the bound itself is what the docs state.
      timer = setTimeout(() => resolve('hung'), 3 * bound + 10_000);
    });
    const outcome = await Promise.race([
      Promise.allSettled([...accepted, ...queued, ...samples] as Promise<unknown>[]),
      guard,
    ]);
    clearTimeout(timer);
    expect(outcome).not.toBe('hung');
    const results = outcome as PromiseSettledResult<unknown>[];
    expect(results.map((r) => r.status)).toEqual(Array(results.length).fill('rejected'));
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason);
    // Polled futures and the first queued request: the connection errors themselves.
    for (const reason of reasons.slice(0, 3)) expect(reason).toBeInstanceOf(APIConnectionError);
    // The request queued behind the failed one was not sent, and says which step failed.
    expect(reasons[3]).toBeInstanceOf(TrainingSequenceAbortedError);
    expect((reasons[3] as TrainingSequenceAbortedError).failed.endpoint).toBe('optim_step');
    for (const reason of reasons.slice(4)) {
      expect(reason instanceof APIConnectionError || reason instanceof FutureTimeoutError).toBe(true);
    }
  }, 60_000);
});
