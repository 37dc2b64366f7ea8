import { describe, expect, it } from '@jest/globals';
import { withEmulator } from './helpers.js';
import {
  decodeFwdBwdOutput,
  decodeSampleResponse,
  float32s,
  fwdBwdRequest,
  int32s,
  int64s,
  zstd,
} from './support/proto.js';

// The official 0.25.0 client's calls, in order, with its bodies verbatim (tinker-wire-0.25.md §2, §5, §6),
// replayed over loopback HTTP with JWT exchange, zstd bodies and create-via-load switched on: every one
// must be answered as the client needs.
const KEY = 'tml-official-sdk-key';
const PROTOBUF = 'application/x-protobuf';
type Answer = { status: number; type: string; json?: any; data: Buffer; headers: Headers };

describe('the official 0.25.0 call sequence', () => {
  it('is answered call by call, with the JWT accepted everywhere but config and token', async () => {
    const flags = {
      pjwt_auth_enabled: true,
      proto_compress_fwdbwd: true,
      create_model_via_load_weights: true,
    };
    await withEmulator({ clientConfig: flags, seed: 2 }, async (emu) => {
      let credential = KEY;
      const send = async (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) => {
        const raw = body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body);
        const res = await fetch(`${emu.url}/api/v1/${path}`, {
          method,
          redirect: 'manual',
          headers: {
            'accept-encoding': 'gzip, deflate, zstd',
            accept: 'application/json',
            ...(raw === undefined ? {} : { 'content-type': 'application/json' }),
            'user-agent': 'AsyncTinker/Python 0.25.0',
            'x-stainless-package-version': '0.25.0',
            'x-api-key': credential,
            ...headers,
          },
          body: raw === undefined ? undefined : typeof raw === 'string' ? raw : new Uint8Array(raw),
        });
        const data = Buffer.from(await res.arrayBuffer());
        const type = res.headers.get('content-type') ?? '';
        const answer: Answer = { status: res.status, type, data, headers: res.headers };
        if (type.includes('json') && data.length) answer.json = JSON.parse(data.toString());
        return answer;
      };
      const post = (path: string, body: unknown, headers?: Record<string, string>) =>
        send('POST', path, body, headers);
      const result = async (submit: Answer, requestType: string, proto = false) => {
        expect(submit.status).toBe(200);
        for (let iteration = 0; ; iteration++) {
          const poll = await post(
            'retrieve_future',
            { request_id: submit.json.request_id, allow_metadata_only: true },
            {
              accept: proto ? PROTOBUF : 'application/json',
              'x-tinker-request-iteration': String(iteration),
              'x-tinker-request-type': requestType,
              'x-stainless-read-timeout': '45',
            },
          );
          expect(poll.status).toBe(200);
          if (poll.json?.type === 'try_again') continue;
          expect(poll.type).toBe(proto ? PROTOBUF : 'application/json');
          return poll;
        }
      };

      // Start-up (§2): config and token with the API key, then everything with the JWT.
      const config = await post('client/config', { sdk_version: '0.25.0' });
      expect(config.json).toMatchObject({ ...flags, use_pyqwest_transport: false });
      credential = (await post('auth/token', {})).json.jwt;
      expect((await post('client/dynamic_config', { sdk_version: '0.25.0' })).json).toEqual({
        refresh_interval_sec: 300,
      });
      const S = (
        await post('create_session', {
          tags: [],
          user_metadata: {},
          sdk_version: '0.25.0',
          type: 'create_session',
        })
      ).json.session_id as string;
      expect((await send('GET', 'get_server_capabilities')).status).toBe(200);
      const M0 = `${S}:train:0`;
      const created = await post('create_model', {
        session_id: S,
        model_seq_id: 0,
        base_model: 'meta-llama/Llama-3.2-1B',
        lora_config: { rank: 8, train_unembed: true, train_mlp: true, train_attn: true },
        type: 'create_model',
      });
      expect((await result(created, 'CreateModel')).json.model_id).toBe(M0);
      expect((await post('get_info', { model_id: M0, type: 'get_info' })).json.model_id).toBe(M0);

      // forward_backward and forward: protobuf, zstd (§6).
      const datums = [
        {
          model_input: [{ encoded_text: { tokens: int32s([101, 2023, 2003, 1037, 3231]) } }],
          loss_fn_inputs: {
            target_tokens: { dense: int64s([2023, 2003, 1037, 3231, 102]), dtype: 2, shape: [5] },
            weights: { dense: float32s([0, 1, 1, 1, 1]), dtype: 1, shape: [5] },
          },
        },
      ];
      const fwdbwd = async (seq: number, forwardOnly: boolean) => {
        const body = await zstd(
          fwdBwdRequest({
            model_id: M0,
            seq_id: seq,
            data: datums,
            loss_fn: 'cross_entropy',
            forward_only: forwardOnly,
          }),
        );
        const submit = await post('forward_backward', body, {
          'content-type': PROTOBUF,
          'content-encoding': 'zstd',
        });
        return decodeFwdBwdOutput(
          (await result(submit, forwardOnly ? 'Forward' : 'ForwardBackward', true)).data,
        );
      };
      expect((await fwdbwd(1, false)).loss_fn_outputs[0].num_datums).toBe(1);
      const adam = {
        learning_rate: 0.0001,
        beta1: 0.9,
        beta2: 0.95,
        eps: 1e-12,
        weight_decay: 0.0,
        grad_clip_norm: 0.0,
      };
      await result(
        await post('optim_step', { adam_params: adam, model_id: M0, seq_id: 2, type: 'optim_step' }),
        'OptimStep',
      );
      expect(Object.keys((await fwdbwd(3, true)).metrics)).toEqual(expect.arrayContaining(['loss:sum']));
      const saved = await result(
        await post('save_weights', {
          model_id: M0,
          path: 'my-ckpt',
          seq_id: 4,
          overwrite: false,
          type: 'save_weights',
        }),
        'SaveWeights',
      );
      const ckpt = `tinker://${M0}/weights/my-ckpt`;
      expect(saved.json.path).toBe(ckpt);
      const loadBody = { model_id: M0, seq_id: 5, path: ckpt, optimizer: false, type: 'load_weights' };
      await result(await post('load_weights', loadBody), 'LoadWeights');
      const named = await post('save_weights_for_sampler', {
        model_id: M0,
        path: 'my-sampler',
        seq_id: 6,
        type: 'save_weights_for_sampler',
      });
      expect((await result(named, 'SaveWeightsForSampler')).json.path).toBe(
        `tinker://${M0}/sampler_weights/my-sampler`,
      );
      const unnamed = await post('save_weights_for_sampler', {
        model_id: M0,
        sampling_session_seq_id: 0,
        seq_id: 7,
        type: 'save_weights_for_sampler',
      });
      expect((await result(unnamed, 'SaveWeightsForSampler')).json).toMatchObject({
        sampling_session_id: `${S}:sample:0`,
      });

      // Sampling: JSON requests, protobuf results (§5 #15–#20).
      const prompt = { chunks: [{ tokens: [101, 1996, 3007, 1997, 2605, 2003], type: 'encoded_text' }] };
      const sample = async (body: Record<string, unknown>) =>
        decodeSampleResponse(
          (
            await result(
              await post('asample', body, { 'x-tinker-sampling-backpressure': '1' }),
              'Sample',
              true,
            )
          ).data,
        );
      const first = await sample({
        num_samples: 2,
        prompt,
        sampling_params: { max_tokens: 8, seed: 1234, temperature: 0.7, top_k: -1, top_p: 1.0 },
        sampling_session_id: `${S}:sample:0`,
        seq_id: 0,
        prompt_logprobs: true,
        topk_prompt_logprobs: 0,
        type: 'sample',
      });
      expect(first.sequences.map((s: any) => s.stop_reason)).toEqual([
        'STOP_REASON_LENGTH',
        'STOP_REASON_LENGTH',
      ]);
      expect(first.topk_prompt_logprobs).toBeUndefined();
      const sampler1 = await post('create_sampling_session', {
        session_id: S,
        sampling_session_seq_id: 1,
        model_path: `tinker://${M0}/sampler_weights/my-sampler`,
        type: 'create_sampling_session',
      });
      const topk = await sample({
        num_samples: 1,
        prompt,
        sampling_params: { max_tokens: 4, temperature: 1.0, top_k: -1, top_p: 1.0 },
        sampling_session_id: sampler1.json.sampling_session_id,
        seq_id: 0,
        prompt_logprobs: true,
        topk_prompt_logprobs: 2,
        type: 'sample',
      });
      expect(topk.topk_prompt_logprobs).toMatchObject({ k: 2, prompt_length: 6 });
      const sampler2 = await post('create_sampling_session', {
        session_id: S,
        sampling_session_seq_id: 2,
        base_model: 'meta-llama/Llama-3.2-1B',
        type: 'create_sampling_session',
      });
      const stopped = await sample({
        num_samples: 1,
        prompt,
        sampling_params: { max_tokens: 3, stop: ['\n'], temperature: 1.0, top_k: -1, top_p: 1.0 },
        sampling_session_id: sampler2.json.sampling_session_id,
        seq_id: 0,
        prompt_logprobs: false,
        topk_prompt_logprobs: 0,
        type: 'sample',
      });
      expect(stopped.prompt_logprobs).toBeUndefined();

      // From state, with create_model_via_load_weights (§5 #21, #22b).
      expect((await post('weights_info', { tinker_path: ckpt })).json).toMatchObject({
        is_lora: true,
        lora_rank: 8,
      });
      const viaLoad = await post('load_weights', {
        session_id: S,
        model_seq_id: 1,
        path: ckpt,
        optimizer: true,
        type: 'load_weights',
      });
      expect((await result(viaLoad, 'LoadWeights')).json.model_id).toBe(`${S}:train:1`);

      // REST (§5 #23–#28) and background calls.
      for (const path of [
        'training_runs?limit=20&offset=0&access_scope=owned',
        `training_runs/${M0}?access_scope=owned`,
        `training_runs/${M0}/checkpoints`,
        'checkpoints?limit=100&offset=0',
        `sessions?limit=20&offset=0&access_scope=owned`,
        `sessions/${S}?access_scope=owned`,
        `samplers/${S}:sample:1`,
      ])
        expect([path, (await send('GET', path)).status]).toEqual([path, 200]);
      const archive = await send('GET', `training_runs/${M0}/checkpoints/weights/my-ckpt/archive`);
      expect(archive.status).toBe(302);
      expect(archive.headers.get('location')).toMatch(/\/downloads\//);
      expect((await send('POST', `training_runs/${M0}/checkpoints/weights/my-ckpt/publish`)).status).toBe(
        204,
      );
      expect((await send('DELETE', `training_runs/${M0}/checkpoints/weights/my-ckpt/publish`)).status).toBe(
        204,
      );
      expect(
        (await send('DELETE', `training_runs/${M0}/checkpoints/sampler_weights/my-sampler`)).status,
      ).toBe(204);
      expect((await post('session_heartbeat', { session_id: S, type: 'session_heartbeat' })).status).toBe(
        200,
      );
      const event = {
        event: 'SESSION_START',
        event_id: 'e1',
        event_session_index: 0,
        severity: 'INFO',
        timestamp: '2026-08-08T00:00:00Z',
      };
      const telemetry = {
        events: [event],
        platform: 'Linux',
        sdk_version: '0.25.0',
        session_id: S,
        process_uuid: 'p1',
      };
      expect((await post('telemetry', telemetry)).json).toEqual({ status: 'accepted' });

      const log = emu.requestLog();
      expect(log.every((r) => r.status < 400)).toBe(true);
      const withKey = log.filter((r) => r.headers['x-api-key'] === KEY).map((r) => r.path);
      expect(withKey).toEqual(['/api/v1/client/config', '/api/v1/auth/token']);
      expect(log.filter((r) => r.content_encoding === 'zstd').map((r) => r.body)).toEqual([
        expect.objectContaining({ seq_id: 1, loss_fn: 'cross_entropy' }),
        expect.objectContaining({ seq_id: 3, forward_only: true }),
      ]);
      expect(emu.state.appliedSteps(M0)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });
  }, 60_000);
});
