import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  FutureFailedError,
  RequestFailedError,
  ValidationError,
  type TrainingClient,
} from '../../src/index.js';
import { setup } from './harness.js';

describe('typed errors a user meets on the training client', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;
  const requests: string[] = [];

  beforeAll(async () => {
    env = await setup();
    training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
    env.service.kernel.events.on('request:start', (e) => requests.push(e.endpointId));
  }, 30_000);
  afterAll(() => env.close());

  it('a failure the server reports is a RequestFailedError (as in the Python SDK), still a FutureFailedError', async () => {
    const error = await training.loadState('tinker://nope/weights/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toBeInstanceOf(FutureFailedError);
    const failed = error as RequestFailedError;
    expect(failed.category).toBe('user');
    expect(failed.request_id).toEqual(expect.any(String));
    expect(failed.requestId).toBe(failed.request_id);
    expect(failed.message).toContain('not found');
    expect(failed.retryable).toBe(false);
  });

  it.each(['saveState', 'saveWeightsForSampler'] as const)(
    '%s with ttl_seconds: 0 is refused by name and rule before anything is sent, not silently dropped',
    async (method) => {
      // Its own client: on main a refused request still reserves a seq_id the server then waits for
      // (the training-wedge branch validates before reserving one), which must not stall other tests.
      const own = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      requests.length = 0;
      // Refused synchronously or as a rejected future: either way typed, and nothing sent.
      const error = await (async () => own[method]('ttl-zero', { ttl_seconds: 0 }))().catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer: '/ttl_seconds', rule: 'minimum' })]),
      );
      expect(requests).toEqual([]);
    },
  );

  // In protocol 0.25 these went out: 1.5 truncated to 1 in the packed int32 tokens (training on other
  // data, no error), -1 and 2^31 wrapped into the int32 range and came back as a server 400.
  it.each([
    ['forwardBackward', 1.5, 'type'],
    ['forwardBackward', -1, 'minimum'],
    ['forwardBackward', 2 ** 31, 'maximum'],
    ['forward', 1.5, 'type'],
  ] as const)(
    '%s with a token id %p is refused by name and rule before anything is sent, in every protocol',
    async (method, token, rule) => {
      const own = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      requests.length = 0;
      const datum = {
        model_input: { chunks: [{ tokens: [token, 2, 3] }] },
        loss_fn_inputs: {
          target_tokens: { data: [2, 3, 4], dtype: 'int64' as const },
          weights: { data: [1, 1, 1], dtype: 'float32' as const },
        },
      };
      const error = await (async () => own[method]([datum], 'cross_entropy'))().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      const input = method === 'forward' ? 'forward_input' : 'forward_backward_input';
      expect((error as ValidationError).issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: `/${input}/data/0/model_input/chunks/0/tokens/0`, rule }),
        ]),
      );
      expect(requests).toEqual([]);
      // The client is not wedged: the next (good) step goes through.
      await expect(
        own.forwardBackward(
          [{ ...datum, model_input: { chunks: [{ tokens: [1, 2, 3] }] } }],
          'cross_entropy',
        ),
      ).resolves.toHaveProperty('metrics');
    },
  );

  it('a bad datum in the second chunk of a batch refuses the whole batch before any chunk is sent', async () => {
    const own = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    requests.length = 0;
    const datum = (token: number) => ({
      model_input: { chunks: [{ tokens: [token, 2] }] },
      loss_fn_inputs: { target_tokens: { data: [2, 3], dtype: 'int64' as const } },
    });
    // 1,024 datums fill the first request; the 1,025th, with a fractional token id, opens the second.
    const data = [...Array.from({ length: 1024 }, () => datum(1)), datum(1.5)];
    const error = await (async () => own.forwardBackward(data, 'cross_entropy'))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pointer: '/forward_backward_input/data/0/model_input/chunks/0/tokens/0',
          rule: 'type',
        }),
      ]),
    );
    expect(requests).toEqual([]);
    // Nothing reserved: the next step goes through.
    await expect(own.forwardBackward([datum(1)], 'cross_entropy')).resolves.toHaveProperty('metrics');
  });

  it('a positive ttl_seconds reaches the checkpoint', async () => {
    const { path } = await training.saveState('ttl-one-hour', { ttl_seconds: 3600 });
    const listed = await env.service.createRestClient().listCheckpoints(training.model_id);
    expect(listed.checkpoints.find((c) => c.tinker_path === path)?.expires_at).toBeTruthy();
  });
});
