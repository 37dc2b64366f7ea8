import { describe, expect, it } from '@jest/globals';
import { client, openModel, textDatum, withEmulator } from './helpers.js';
import { ManualClock } from './support/manual-clock.js';

const fb = (modelId: string, seq: number) => ({
  forward_backward_input: { data: [textDatum('abcabc')], loss_fn: 'cross_entropy' },
  model_id: modelId,
  seq_id: seq,
});

describe('retrieve_future long poll', () => {
  it('holds a poll on a pending future and answers it with the result as soon as the work runs', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      // seq_id 2 arrives before 1: its future waits for the predecessor.
      const early = (await api.post('forward_backward', fb(modelId, 2))).body.request_id;
      const logged = emu.requestLog().length;
      const polled = api.post('retrieve_future', { request_id: early });
      await clock.untilTimer(2); // the poll is held on the emulator's clock (with the seq_id gap's timer)
      expect(emu.requestLog()).toHaveLength(logged); // not answered yet
      await api.post('forward_backward', fb(modelId, 1)); // the predecessor: both run now
      const answer = await polled;
      expect(answer.status).toBe(200);
      expect(answer.body.metrics['loss:sum']).toBeGreaterThan(0);
      expect(clock.pendingTimers).toBe(0); // the long-poll timer was cancelled
      expect(emu.state.appliedSteps(modelId)).toEqual([1, 2]);
    });
  });

  it('answers try_again (queue_state active) when the hold time passes first', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock, longPollMs: 2_000 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const early = (await api.post('forward_backward', fb(modelId, 5))).body.request_id;
      expect(clock.pendingTimers).toBe(1); // seq_ids 1 to 4 are waited for (sequenceGapMs, 10 s)
      const polled = api.post('retrieve_future', { request_id: early });
      await clock.untilTimer(2); // and the poll is held
      clock.advance(1_999);
      expect(clock.pendingTimers).toBe(2);
      clock.advance(1);
      expect((await polled).body).toEqual({ type: 'try_again', request_id: early, queue_state: 'active' });
    });
  });

  it('with longPollMs 0 answers try_again at once', async () => {
    await withEmulator({ longPollMs: 0 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const early = (await api.post('forward_backward', fb(modelId, 3))).body.request_id;
      expect((await api.post('retrieve_future', { request_id: early })).body.type).toBe('try_again');
    });
  });

  it('releases held polls when the server closes (no timer or socket outlives close)', async () => {
    let timers = 0;
    const clock = {
      now: () => Date.now(),
      after: (ms: number, fn: () => void) => {
        timers++;
        const timer = setTimeout(fn, ms);
        return () => {
          timers--;
          clearTimeout(timer);
        };
      },
    };
    await withEmulator({ clock, longPollMs: 600_000 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const early = (await api.post('forward_backward', fb(modelId, 9))).body.request_id;
      const polled = api.post('retrieve_future', { request_id: early }).then(
        (res) => res.body.type as string,
        () => 'connection closed',
      );
      for (let i = 0; i < 100_000 && timers === 0; i++) await new Promise((r) => setImmediate(r));
      expect(timers).toBe(1);
      await emu.close();
      expect(timers).toBe(0);
      const outcome = await polled; // answered try_again, or cut off with the connection: never left hanging
      expect(['try_again', 'connection closed']).toContain(outcome);
    });
  });

  it('a result held for resultHoldMs is let go when the server closes (no timer outlives close)', async () => {
    // With a real clock that timer kept a test runner alive for up to resultHoldMs after close().
    const clock = new ManualClock();
    await withEmulator({ clock, resultHoldMs: 60_000, metadataThresholdBytes: 1 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const id = (await api.post('forward_backward', fb(modelId, 1))).body.request_id;
      const metadata = await api.post('retrieve_future', { request_id: id, allow_metadata_only: true });
      expect(metadata.body.status).toBe('complete_metadata');
      const full = api.post('retrieve_future', { request_id: id, allow_metadata_only: false }).then(
        (r) => r.status,
        () => 'connection closed',
      );
      await clock.untilTimer(); // the result is held on the emulator's clock
      await emu.close();
      expect(clock.pendingTimers).toBe(0);
      expect([200, 'connection closed']).toContain(await full);
      expect(emu.state.resultBytesInFlight).toBe(0);
    });
  });
});
