import { afterEach, expect, it } from '@jest/globals';
import { describeInModes, setup, textDatum, bytes, API_KEY } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

type Entry = ReturnType<Awaited<ReturnType<typeof setup>>['emulator']['requestLog']>[number];
const route = (e: Entry) => e.path.replace(/\?.*$/, '').replace('/api/v1/', '');

/**
 * A Tinkex run in 0.25 mode, read back from the emulator's request log and compared with what the
 * official 0.25.0 client sends (tinker-wire-0.25.md §2 start-up, §3 headers, §5 bodies, §6–§7 protobuf).
 */
// About the 0.25 wire only: each variant pins its mode and runs in that mode's whole-suite run.
const variants = [
  ['default flags', 'v025'],
  ['JWT exchange and zstd bodies', 'v025-jwt-zstd'],
] as const;
for (const [name, mode] of variants) {
  describeInModes([mode], `the 0.25 request log (${name}) matches the reference client`, () => {
    const jwtAndZstd = mode === 'v025-jwt-zstd';
    it('same call sequence, headers that matter and decoded bodies', async () => {
      // The mode's emulator flags: pjwt_auth_enabled and proto_compress_fwdbwd in JWT+zstd mode.
      const env = await setup({}, {}, mode);
      cleanup = env.close;
      const training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 8,
      });
      const M0 = training.model_id;
      const S = M0.replace(/:train:0$/, '');
      await training.forwardBackward([textDatum('hello')], 'cross_entropy');
      await training.optimStep({ learning_rate: 1e-4 });
      await training.forward([textDatum('hello')], 'cross_entropy');
      await training.saveState('my-ckpt');
      const sampler = await training.saveWeightsAndGetSamplingClient();
      await sampler.sample({
        prompt: bytes('he'),
        num_samples: 2,
        sampling_params: { max_tokens: 2, seed: 1234, temperature: 0.7 },
      });
      const log = env.emulator.requestLog();

      // §2: client/config, [auth/token], client/dynamic_config, create_session, then the work.
      const calls = log.map(route).filter((r) => r !== 'retrieve_future');
      expect(calls).toEqual([
        'client/config',
        ...(jwtAndZstd ? ['auth/token'] : []),
        'client/dynamic_config',
        'create_session',
        'create_model',
        'forward_backward',
        'optim_step',
        'forward_backward',
        'save_weights',
        'save_weights_for_sampler',
        'asample',
      ]);
      const at = (name: string, n = 0) => log.filter((e) => route(e) === name)[n];

      // §5 bodies, verbatim where the reference gives them.
      expect(at('client/config').body).toEqual({ sdk_version: '0.25.0' });
      expect(at('client/dynamic_config').body).toEqual({ sdk_version: '0.25.0' });
      if (jwtAndZstd) expect(at('auth/token').body).toEqual({});
      expect(at('create_session').body).toEqual({
        tags: [],
        user_metadata: {},
        sdk_version: '0.25.0',
        type: 'create_session',
      });
      expect(at('create_model').body).toEqual({
        session_id: S,
        model_seq_id: 0,
        base_model: 'meta-llama/Llama-3.2-1B',
        lora_config: { rank: 8, train_unembed: true, train_mlp: true, train_attn: true },
        type: 'create_model',
      });
      expect(at('optim_step').body).toEqual({
        adam_params: {
          learning_rate: 0.0001,
          beta1: 0.9,
          beta2: 0.95,
          eps: 1e-12,
          weight_decay: 0.0,
          grad_clip_norm: 0.0,
        },
        model_id: M0,
        seq_id: 2,
        type: 'optim_step',
      });
      expect(at('save_weights').body).toEqual({
        model_id: M0,
        path: 'my-ckpt',
        seq_id: 4,
        overwrite: false,
        type: 'save_weights',
      });
      expect(at('save_weights_for_sampler').body).toEqual({
        model_id: M0,
        sampling_session_seq_id: 0,
        seq_id: 5,
        type: 'save_weights_for_sampler',
      });
      expect(at('asample').body).toEqual({
        num_samples: 2,
        prompt: { chunks: [{ tokens: [104, 101], type: 'encoded_text' }] },
        sampling_params: { max_tokens: 2, seed: 1234, temperature: 0.7, top_k: -1, top_p: 1.0 },
        sampling_session_id: `${S}:sample:0`,
        seq_id: 0,
        prompt_logprobs: false,
        topk_prompt_logprobs: 0,
        type: 'sample',
      });
      // The key order 0.25 bodies have always had: the rule's defaults first, then the other fields, `type` last.
      const sent = at('asample').body as { sampling_params: object };
      expect(Object.keys(sent)).toEqual([
        'num_samples',
        'sampling_params',
        'topk_prompt_logprobs',
        'prompt',
        'sampling_session_id',
        'prompt_logprobs',
        'seq_id',
        'type',
      ]);
      expect(Object.keys(sent.sampling_params)).toEqual([
        'temperature',
        'top_k',
        'top_p',
        'max_tokens',
        'seed',
      ]);

      // §6: forward_backward and forward are protobuf (zstd when the flag is on); forward_only only on forward.
      for (const [n, seq, forwardOnly] of [
        [0, 1, false],
        [1, 3, true],
      ] as const) {
        const fb = at('forward_backward', n);
        expect(fb.content_type).toBe('application/x-protobuf');
        expect(fb.content_encoding).toBe(jwtAndZstd ? 'zstd' : undefined);
        expect(fb.body).toMatchObject({
          model_id: M0,
          seq_id: seq,
          loss_fn: 'cross_entropy',
          data: [expect.any(Object)],
        });
        expect((fb.body as { forward_only?: boolean }).forward_only).toBe(forwardOnly ? true : undefined);
        const datum = (fb.body as { data: { loss_fn_inputs: Record<string, { dtype: string }> }[] }).data[0];
        expect(datum.loss_fn_inputs.target_tokens.dtype).toBe('DTYPE_INT64');
        expect(datum.loss_fn_inputs.weights.dtype).toBe('DTYPE_FLOAT32');
      }

      // §3 headers: X-API-Key carries the API key on the handshake, the JWT everywhere else in JWT mode.
      for (const entry of log) {
        const key = entry.headers['x-api-key'];
        const handshake = ['client/config', 'auth/token'].includes(route(entry));
        if (handshake || !jwtAndZstd) expect(key).toBe(API_KEY);
        else expect(key).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(entry.headers.authorization).toBeUndefined();
        expect(entry.headers['x-stainless-package-version']).toBe('0.25.0');
        expect(entry.headers['user-agent']).toMatch(/^Tinkex\/TypeScript /);
      }
      // §7 polls: allow_metadata_only, protobuf Accept for Sample / ForwardBackward / Forward only.
      const polls = log.filter((e) => route(e) === 'retrieve_future');
      expect(new Set(polls.map((p) => p.headers['x-tinker-request-type']))).toEqual(
        new Set([
          'CreateModel',
          'ForwardBackward',
          'OptimStep',
          'Forward',
          'SaveWeights',
          'SaveWeightsForSampler',
          'Sample',
        ]),
      );
      for (const poll of polls) {
        const type = poll.headers['x-tinker-request-type'] as string;
        expect(poll.headers.accept).toBe(
          ['Sample', 'ForwardBackward', 'Forward'].includes(type)
            ? 'application/x-protobuf'
            : 'application/json',
        );
        expect(poll.body).toEqual({ request_id: expect.any(String), allow_metadata_only: true });
        if (['Sample', 'ForwardBackward', 'Forward'].includes(type) && poll.status === 200)
          expect(['application/x-protobuf', 'application/json']).toContain(poll.response_content_type);
      }
      expect(polls.some((p) => p.response_content_type === 'application/x-protobuf')).toBe(true);
    });
  });
}
