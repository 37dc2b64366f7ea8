import { describe, expect, it } from '@jest/globals';
import { extract } from 'tar';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, openModel, openSampler, textDatum, withEmulator } from './helpers.js';

describe('emulator protocol (plain HTTP)', () => {
  it('requires an X-API-Key starting with tml-, except for healthz', async () => {
    await withEmulator({}, async (emu) => {
      expect((await client(emu, 'sk-wrong').call('GET', '/api/v1/get_server_capabilities')).status).toBe(401);
      expect((await client(emu, 'sk-wrong').call('GET', '/api/v1/healthz')).body).toEqual({ status: 'ok' });
      const caps = await client(emu).call('GET', '/api/v1/get_server_capabilities');
      expect(caps.body.supported_models.map((m: any) => m.model_name)).toEqual(
        expect.arrayContaining(['meta-llama/Llama-3.2-1B', 'Qwen/Qwen3-8B']),
      );
    });
  });

  it('rejects unknown or mistyped fields with a 400 naming the field, and accepts what every SDK version sends', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const unknown = await api.post('create_session', {
        tags: [],
        user_metadata: {},
        sdk_version: '0.7.0',
        colour: 'red',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.field).toBe('colour');
      const mistyped = await api.post('create_session', { tags: 'a', sdk_version: '0.7.0' });
      expect(mistyped.body).toMatchObject({ field: 'tags' });
      // 0.7.0: no type fields, explicit nulls; newer: type fields present.
      const session = (
        await api.post('create_session', { tags: [], user_metadata: {}, sdk_version: '0.7.0' })
      ).body.session_id;
      const typed = await api.post('create_session', {
        tags: [],
        user_metadata: {},
        sdk_version: '0.25.0',
        type: 'create_session',
        project_id: null,
      });
      expect(typed.status).toBe(200);
      const model = await api.post('create_model', {
        session_id: session,
        model_seq_id: 0,
        base_model: 'meta-llama/Llama-3.2-1B',
        user_metadata: null,
        lora_config: { rank: 8, seed: null, train_unembed: true, train_mlp: true, train_attn: true },
        type: 'create_model',
      });
      expect(model.status).toBe(200);
      const nested = await api.post('optim_step', {
        adam_params: { learning_rate: 1e-4, betas: [0.9] },
        model_id: `${session}:train:0`,
        seq_id: 1,
      });
      expect(nested.body.field).toBe('adam_params.betas');
    });
  });

  it('orders work by seq_id: an early request waits, a repeated seq_id is applied once', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const step = (seq: number) => ({
        forward_backward_input: { data: [textDatum('hello there')], loss_fn: 'cross_entropy' },
        model_id: modelId,
        seq_id: seq,
      });
      const second = await api.post('forward_backward', step(2));
      expect((await api.post('retrieve_future', { request_id: second.body.request_id })).body).toMatchObject({
        type: 'try_again',
      });
      expect(emu.state.appliedSteps(modelId)).toEqual([]);
      const first = await api.post('forward_backward', step(1));
      const again = await api.post('forward_backward', step(1));
      expect(again.body.request_id).toBe(first.body.request_id);
      await api.result(second.body.request_id);
      expect(emu.state.appliedSteps(modelId)).toEqual([1, 2]);
    });
  });

  it('runs the future lifecycle: failure with category, metadata-only for large results, 410 after the TTL', async () => {
    let now = 1_000_000;
    await withEmulator({ now: () => now, futureTtlMs: 1000, metadataThresholdBytes: 100 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const bad = await api.post('load_weights', {
        model_id: modelId,
        path: 'tinker://nope/weights/x',
        optimizer: false,
        seq_id: 1,
      });
      expect((await api.result(bad.body.request_id)).body).toEqual({
        error: expect.stringContaining('not found'),
        category: 'user',
      });
      const fwd = await api.post('forward', {
        forward_input: { data: [textDatum('a long enough text to exceed')], loss_fn: 'cross_entropy' },
        model_id: modelId,
        seq_id: 2,
      });
      const meta = await api.post('retrieve_future', {
        request_id: fwd.body.request_id,
        allow_metadata_only: true,
      });
      expect(meta.body).toEqual({ status: 'complete_metadata', response_payload_size: expect.any(Number) });
      const full = await api.post('retrieve_future', {
        request_id: fwd.body.request_id,
        allow_metadata_only: false,
      });
      expect(full.body.loss_fn_outputs).toHaveLength(1);
      now += 500;
      expect((await api.post('retrieve_future', { request_id: fwd.body.request_id })).status).toBe(200);
      now += 1000;
      expect((await api.post('retrieve_future', { request_id: fwd.body.request_id })).status).toBe(410);
    });
  });

  it('saves and loads weights bit-exactly, lists and manages checkpoints, and serves a real tar archive', async () => {
    await withEmulator({ seed: 5 }, async (emu) => {
      const api = client(emu);
      const { modelId, session } = await openModel(api);
      let seq = 1;
      const train = async () => {
        await api.submit('forward_backward', {
          forward_backward_input: { data: [textDatum('abcabcabc')], loss_fn: 'cross_entropy' },
          model_id: modelId,
          seq_id: seq++,
        });
        await api.submit('optim_step', {
          adam_params: { learning_rate: 1e-4 },
          model_id: modelId,
          seq_id: seq++,
        });
      };
      const probe = async () =>
        (
          await api.submit('forward', {
            forward_input: { data: [textDatum('abcabc')], loss_fn: 'cross_entropy' },
            model_id: modelId,
            seq_id: seq++,
          })
        ).loss_fn_outputs[0].logprobs.data;
      await train();
      const saved = await api.submit('save_weights', { model_id: modelId, path: 'ckpt-1', seq_id: seq++ });
      expect(saved.path).toBe(`tinker://${modelId}/weights/ckpt-1`);
      const atSave = await probe();
      await train();
      await train();
      expect(await probe()).not.toEqual(atSave);
      await api.submit('load_weights', {
        model_id: modelId,
        path: saved.path,
        optimizer: true,
        seq_id: seq++,
      });
      expect(await probe()).toEqual(atSave);
      // After loading with optimizer state, the next step equals the step taken right after saving.
      const info = await api.post('weights_info', { tinker_path: saved.path });
      expect(info.body).toMatchObject({ base_model: 'meta-llama/Llama-3.2-1B', is_lora: true, lora_rank: 8 });

      const run = encodeURIComponent(modelId).replace(/%3A/g, ':');
      const list = await api.call('GET', `/api/v1/training_runs/${run}/checkpoints`);
      expect(list.body.checkpoints.map((c: any) => c.checkpoint_id)).toEqual(['weights/ckpt-1']);
      expect((await api.call('GET', '/api/v1/training_runs?limit=20&offset=0')).body.cursor.total_count).toBe(
        1,
      );
      expect((await api.call('GET', `/api/v1/sessions/${session}`)).body.training_run_ids).toEqual([modelId]);
      const base = `/api/v1/training_runs/${run}/checkpoints/weights/ckpt-1`;
      expect((await api.call('POST', `${base}/publish`)).status).toBe(204);
      expect((await api.call('POST', `${base}/publish`)).status).toBe(409);
      expect((await api.call('PUT', `${base}/ttl`, { ttl_seconds: null })).status).toBe(204);
      expect((await api.call('PUT', `${base}/ttl`, { ttl_seconds: 3600 })).status).toBe(204);

      const archive = await api.call('GET', `${base}/archive`);
      expect(archive.status).toBe(302);
      expect(archive.headers.get('expires')).toMatch(/GMT$/);
      const tarBytes = Buffer.from(await (await fetch(archive.headers.get('location')!)).arrayBuffer());
      const dir = await mkdtemp(join(tmpdir(), 'emu-tar-'));
      try {
        await writeFile(join(dir, 'a.tar'), tarBytes);
        await extract({ file: join(dir, 'a.tar'), cwd: dir });
        const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
        const weights = await readFile(join(dir, 'adapter_model.safetensors'));
        const headerLength = Number(weights.readBigUInt64LE(0));
        const header = JSON.parse(weights.subarray(8, 8 + headerLength).toString());
        expect(config).toMatchObject({ r: 8, base_model_name_or_path: 'meta-llama/Llama-3.2-1B' });
        expect(header.u).toEqual({ dtype: 'F32', shape: [4096, 8], data_offsets: [0, 4096 * 8 * 4] });
        expect(header.v.shape).toEqual([8, 256]);
        expect(weights.length).toBe(8 + headerLength + (4096 * 8 + 8 * 256) * 4);
        expect(await readFile(join(dir, 'checkpoint_complete'))).toEqual(Buffer.alloc(0));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      expect((await api.call('DELETE', base)).status).toBe(204);
      expect((await api.call('GET', `/api/v1/training_runs/${run}/checkpoints`)).body.checkpoints).toEqual(
        [],
      );
    });
  });

  it('injects chaos faults at the configured rates for a fixed seed', async () => {
    await withEmulator({ seed: 42, chaos: '5xx=0.2,429=0.1;scope=rest' }, async (emu) => {
      const api = client(emu);
      const statuses: number[] = [];
      for (let i = 0; i < 400; i++)
        statuses.push((await api.call('GET', '/api/v1/get_server_capabilities')).status);
      const rate = (s: number) => statuses.filter((x) => x === s).length / statuses.length;
      expect(rate(503)).toBeGreaterThan(0.12);
      expect(rate(503)).toBeLessThan(0.26);
      expect(rate(429)).toBeGreaterThan(0.05);
      expect(rate(429)).toBeLessThan(0.15);
      // Other classes are untouched.
      expect((await api.post('create_session', { tags: [], sdk_version: '0' })).status).toBe(200);
    });
  });

  it('completes 2,000 concurrent asample requests with their futures', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      const results = await Promise.all(
        Array.from({ length: 2000 }, (_, i) =>
          api.submit('asample', {
            prompt: { chunks: [{ tokens: [72, 105] }] },
            sampling_params: { max_tokens: 8 },
            sampling_session_id: sampler,
            seq_id: i,
          }),
        ),
      );
      expect(results.every((r) => r.sequences[0].tokens.length === 8)).toBe(true);
    });
  }, 120_000);
});
