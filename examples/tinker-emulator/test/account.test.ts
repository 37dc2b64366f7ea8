import { describe, expect, it } from '@jest/globals';
import { client, openModel, openSampler, textDatum, withEmulator } from './helpers.js';
import { ManualClock } from './support/manual-clock.js';

describe('the newer REST endpoints (0.13–0.24)', () => {
  it('assigns a session project and filters training runs by it', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { session, modelId } = await openModel(api);
      const other = await openModel(api);
      const put = await api.call('PUT', `/api/v1/sessions/${session}/project`, { project_id: 'proj-1' });
      expect(put.status).toBe(204);
      const runs = await api.call(
        'GET',
        '/api/v1/training_runs?limit=20&offset=0&access_scope=owned&project_id=proj-1',
      );
      expect(runs.body.training_runs.map((r: any) => r.training_run_id)).toEqual([modelId]);
      expect(other.modelId).not.toBe(modelId);
      expect((await api.call('PUT', `/api/v1/sessions/${session}/project`, { project_id: '' })).status).toBe(
        400,
      );
      expect((await api.call('PUT', '/api/v1/sessions/nope/project', { project_id: 'p' })).status).toBe(404);
    });
  });

  it('trace export answers pending, then ready with a URL that downloads the session trace', async () => {
    await withEmulator({ traceExportPendingPolls: 2 }, async (emu) => {
      const api = client(emu);
      const { session, modelId } = await openModel(api);
      const poll = () => api.call('GET', `/api/v1/sessions/${session}/trace_export`);
      expect((await poll()).body).toEqual({ status: 'pending' });
      expect((await poll()).body).toEqual({ status: 'pending' });
      const ready = (await poll()).body;
      expect(ready.status).toBe('ready');
      const trace = await (await fetch(ready.url)).json();
      expect(trace).toMatchObject({ session_id: session, training_run_ids: [modelId] });
      expect((await api.call('GET', '/api/v1/sessions/nope/trace_export')).status).toBe(404);
    });
  });

  it('keeps an audit log of model and checkpoint events, filterable by type and day', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const saved = await api.submit('save_weights', { model_id: modelId, path: 'a', seq_id: 1 });
      await api.call('POST', `/api/v1/training_runs/${modelId}/checkpoints/weights/a/publish`);
      const all = (await api.call('GET', '/api/v1/audit?event_type=all')).body.entries;
      expect(all.map((e: any) => e.event)).toEqual(['create_model', 'save_weights', 'publish_checkpoint']);
      const checkpoints = (await api.call('GET', '/api/v1/audit?event_type=checkpoints')).body.entries;
      expect(checkpoints.map((e: any) => e.tinker_path)).toEqual([saved.path, saved.path]);
      const today = new Date(clock.now()).toISOString().slice(0, 10);
      expect((await api.call('GET', `/api/v1/audit?day=${today}`)).body.entries).toHaveLength(3);
      expect((await api.call('GET', '/api/v1/audit?day=2020-01-01')).body.entries).toEqual([]);
      expect((await api.call('GET', '/api/v1/audit?event_type=models')).body.field).toBe('event_type');
    });
  });

  it('reports billing usage per hour, session and kind, and validates the range', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock }, async (emu) => {
      const api = client(emu);
      const { session, modelId } = await openModel(api);
      await api.submit('forward_backward', {
        forward_backward_input: { data: [textDatum('abcdef')], loss_fn: 'cross_entropy' },
        model_id: modelId,
        seq_id: 1,
      });
      clock.advance(3_600_000);
      await api.submit('forward_backward', {
        forward_backward_input: { data: [textDatum('abc'), textDatum('xyz')], loss_fn: 'cross_entropy' },
        model_id: modelId,
        seq_id: 2,
      });
      await api.submit('save_weights', { model_id: modelId, path: 'b', seq_id: 3 });
      const start = new Date(clock.now() - 3_600_000).toISOString();
      const end = new Date(clock.now() + 3_600_000).toISOString();
      const usage = await api.call(
        'GET',
        `/api/v1/billing/usage/events?starting_on=${start}&ending_before=${end}`,
      );
      expect(usage.status).toBe(200);
      expect(usage.body.data.map((e: any) => [e.bucket_start, e.event_info])).toEqual([
        [start.replace('.000Z', 'Z'), { type: 'training', token_count: 5 }],
        [new Date(clock.now()).toISOString().replace('.000Z', 'Z'), { type: 'training', token_count: 4 }],
        [new Date(clock.now()).toISOString().replace('.000Z', 'Z'), { type: 'checkpoint', count: 1 }],
      ]);
      expect(usage.body.data[0]).toMatchObject({
        session_id: session,
        base_model: 'meta-llama/Llama-3.2-1B',
      });
      expect(usage.body.sessions).toEqual({ [session]: { user_metadata: {} } });
      const bad = (q: string) => api.call('GET', `/api/v1/billing/usage/events?${q}`);
      expect((await bad(`starting_on=${start}`)).body.field).toBe('ending_before');
      expect((await bad(`starting_on=2026-01-01T00:30:00Z&ending_before=${end}`)).body.field).toBe(
        'starting_on',
      );
      expect(
        (await bad(`starting_on=2025-01-01T00:00:00Z&ending_before=2025-02-01T00:00:00Z`)).body.detail,
      ).toMatch(/14 days/);
    });
  });

  // The 0.25 SDK's `BillingUsageEvent`: `user_name` is a field (null when unknown), `cached` a bool, and
  // a pydantic server writes a whole-second UTC datetime as `…T17:00:00Z`. The official CLI prints the rows
  // through that model, so an emulator row of another shape made Tinkex's table and CSV differ from it.
  it("serves billing rows in the SDK model's shape: every envelope field, whole-second hours, cached a bool", async () => {
    const clock = new ManualClock();
    await withEmulator({ clock }, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      const session = sampler.slice(0, sampler.indexOf(':sample:'));
      await api.submit('asample', {
        prompt: { chunks: [{ tokens: [...Buffer.from('ab')] }] },
        sampling_params: { max_tokens: 2 },
        sampling_session_id: sampler,
        seq_id: 0,
      });
      const hour = Math.floor(clock.now() / 3_600_000) * 3_600_000;
      const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
      const usage = await api.call(
        'GET',
        `/api/v1/billing/usage/events?starting_on=${at(hour)}&ending_before=${at(hour + 3_600_000)}`,
      );
      const prefill = usage.body.data.find((e: any) => e.event_info.type === 'sampling_prefill');
      expect(prefill).toEqual({
        bucket_start: at(hour),
        bucket_end: at(hour + 3_600_000),
        base_model: 'meta-llama/Llama-3.2-1B',
        user_id: 'emulator-user',
        user_name: null,
        session_id: session,
        project_id: null,
        event_info: { type: 'sampling_prefill', cached: false, token_count: 2 },
      });
    });
  });
});
