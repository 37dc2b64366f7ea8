import { describe, expect, it } from '@jest/globals';
import { startEmulator } from '../src/index.js';
import { client, openModel, withEmulator } from './helpers.js';
import { ManualClock } from './support/manual-clock.js';

const SESSION = { tags: [], user_metadata: {}, sdk_version: '0.25.0' };
const optim = (modelId: string, seq_id: number) => ({
  adam_params: { learning_rate: 1e-4 },
  model_id: modelId,
  seq_id,
});

/**
 * Every wait of the emulator is on its `clock` (a test drives it with fake time) and ends with `close()`:
 * chaos latency and seq-id gaps used real timers, and a delayed request ran its route after `close()`.
 */
describe('emulator timers on the injected clock', () => {
  it('chaos latency waits on the clock: the request is answered when the clock reaches it', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock, chaos: 'latency=3600000ms@1;scope=sessions' }, async (emu) => {
      const answer = client(emu).post('create_session', SESSION);
      await clock.untilTimer();
      clock.advance(3_599_999);
      expect(emu.requestLog()).toHaveLength(0); // still delayed
      clock.advance(1);
      expect((await answer).status).toBe(200);
    });
  });

  it('a seq_id gap is passed over after sequenceGapMs on the clock', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock, sequenceGapMs: 60_000, longPollMs: 0 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const held = await api.post('optim_step', optim(modelId, 2)); // seq_id 1 never comes
      expect(clock.pendingTimers).toBe(1);
      clock.advance(59_999);
      expect(emu.state.appliedSteps(modelId)).toEqual([]);
      clock.advance(1);
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
      expect((await api.result(held.body.request_id)).body.type).toBe('optim_step');
    });
  });

  it('close() cancels a delayed request: its route never runs, no timer is left', async () => {
    const clock = new ManualClock();
    const emu = await startEmulator({ clock, chaos: 'latency=3600000ms@1;scope=sessions' });
    const answer = client(emu)
      .post('create_session', SESSION)
      .then(
        (res) => res.status,
        () => 'connection closed',
      );
    await clock.untilTimer();
    await emu.close();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(3_600_000); // had the timer survived, the session would be created now
    expect(await answer).toBe('connection closed');
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(emu.state.sessions.size).toBe(0);
  });

  it('close() cancels the seq-id gap timer of a held request', async () => {
    const clock = new ManualClock();
    const emu = await startEmulator({ clock, sequenceGapMs: 60_000 });
    try {
      const api = client(emu);
      const { modelId } = await openModel(api);
      await api.post('optim_step', optim(modelId, 2));
      expect(clock.pendingTimers).toBe(1);
    } finally {
      await emu.close();
    }
    expect(clock.pendingTimers).toBe(0);
  });
});
