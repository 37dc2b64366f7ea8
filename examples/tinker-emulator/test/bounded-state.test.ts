import { describe, expect, it } from '@jest/globals';
import { client, openSampler, withEmulator } from './helpers.js';

/**
 * An emulator left running (`tinkex emulator` during development, a long benchmark) keeps what it must
 * answer about, not a record per request: a client sends a telemetry batch per 25 samples and every
 * sample is metered twice, so per-request records grew by about 1.4 KB a sample without end.
 */
describe('what a long-running emulator keeps', () => {
  it('meters usage per hour, session, model and kind: one record each, the totals exact', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      for (let i = 0; i < 60; i++)
        await api.submit('asample', {
          prompt: { chunks: [{ tokens: [72, 105, 33] }] },
          sampling_params: { max_tokens: 2 },
          sampling_session_id: sampler,
          seq_id: i,
        });
      expect(emu.state.usage.size).toBe(2); // prefill and sample, this hour
      const hour = 3_600_000;
      const start = new Date(Math.floor(Date.now() / hour) * hour).toISOString();
      const end = new Date(Math.floor(Date.now() / hour) * hour + hour).toISOString();
      const usage = await api.call(
        'GET',
        `/api/v1/billing/usage/events?starting_on=${start}&ending_before=${end}`,
      );
      expect(usage.body.data.map((e: any) => e.event_info)).toEqual([
        { type: 'sampling_prefill', cached: false, token_count: 180 },
        { type: 'sampling_sample', token_count: 120 },
      ]);
    });
  });

  it('keeps the newest telemetry batches only, and counts every one received', async () => {
    await withEmulator({}, async (emu) => {
      emu.state.maxTelemetryBatches = 5;
      const api = client(emu);
      for (let i = 0; i < 23; i++) {
        const batch = { events: [], platform: 'Linux', sdk_version: '0', session_id: `s-${i}` };
        expect((await api.post('telemetry', batch)).status).toBe(200);
      }
      const kept = emu.state.telemetry.map((b) => (b as { session_id: string }).session_id);
      expect(kept).toEqual(['s-18', 's-19', 's-20', 's-21', 's-22']);
      expect(emu.state.telemetryBatchesReceived).toBe(23);
    });
  });

  // Found serving samples from a web service (round 32): after an emulator restart every asample of the
  // old client was a 404, yet each took a request id and left a pending future under it. The client's
  // futures of the old emulator, re-polled under those same ids (`req-N` restarts from 1), then read
  // `try_again` for ever and hung, as a poll of any refused request's id did.
  it('a refused asample (unknown sampler, bad prompt) leaves no pending future behind', async () => {
    await withEmulator({ longPollMs: 0 }, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      const sample = (sampling_session_id: string, tokens: number[]) =>
        api.post('asample', {
          prompt: { chunks: [{ tokens }] },
          sampling_params: { max_tokens: 2 },
          sampling_session_id,
          seq_id: 0,
        });
      expect((await sample('no-such-sampler', [72, 105])).status).toBe(404);
      expect((await sample(sampler, [])).status).toBe(400);
      const accepted = await sample(sampler, [72, 105]);
      // The refused ones took no id: the ids just before the accepted one were never given.
      const n = Number(/^req-(\d+)$/.exec(accepted.body.request_id)![1]);
      for (const before of [n - 1, n - 2])
        expect((await api.post('retrieve_future', { request_id: `req-${before}` })).status).toBe(404);
    });
  });

  // Round 32: a client polling a future of an emulator that was restarted (same port, same seed) read
  // the future of whichever request the new one had numbered the same (ids restarted at req-1): another
  // client's result, or a pending one of its own. A real server's ids are never reused.
  it('an emulator started again gives ids the previous one never gave: an old id is a 404', async () => {
    const acceptedId = async () =>
      withEmulator({ seed: 7, longPollMs: 0 }, async (emu) => {
        const api = client(emu);
        const sampler = await openSampler(api);
        const r = await api.post('asample', {
          prompt: { chunks: [{ tokens: [72, 105] }] },
          sampling_params: { max_tokens: 2 },
          sampling_session_id: sampler,
          seq_id: 0,
        });
        return r.body.request_id as string;
      });
    const first = await acceptedId();
    const again = await acceptedId();
    expect(again).toMatch(/^req-\d+$/);
    expect(again).not.toBe(first);
  });

  // Round 38 (a training service run against an emulator restarted on the same port): session ids
  // restarted at `…-0001-…`, so a client from before the restart, on the first session the new
  // emulator opened (another client's), had its optim_step applied to that client's model and
  // succeed, where a real server's 404 says the session is gone.
  it('an emulator started again gives session ids the previous one never gave', async () => {
    const sessionId = async () =>
      withEmulator({ seed: 7 }, async (emu) => {
        const api = client(emu);
        return (await api.post('create_session', { tags: [], sdk_version: '0' })).body.session_id as string;
      });
    const first = await sessionId();
    const again = await sessionId();
    expect(again).toMatch(/emulator$/);
    expect(again).not.toBe(first);
  });
});
