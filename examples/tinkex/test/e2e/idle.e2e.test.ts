import { afterEach, describe, expect, it } from '@jest/globals';
import type { EmulatorOptions } from 'tinker-emulator';
import { IdleWaitError, ModelInput } from '../../src/index.js';
import { setup } from './harness.js';

/**
 * `service.idle()` against the emulator: a web service draining on SIGTERM waits for the samples it
 * already took before close() (which would cancel them). The emulator holds every sampling request
 * (chaos latency on an injected clock) until the test lets them go, so "in flight" is certain.
 */
const HOLD_MS = 600_000;

/** Real timers, except the chaos latency, which waits until `release()`. */
class HoldingClock implements NonNullable<EmulatorOptions['clock']> {
  private held: Array<() => void> = [];
  now = () => Date.now();
  after(ms: number, fn: () => void): () => void {
    if (ms !== HOLD_MS || this.releasing) {
      const timer = setTimeout(fn, ms === HOLD_MS ? 0 : ms);
      return () => clearTimeout(timer);
    }
    this.held.push(fn);
    return () => (this.held = this.held.filter((f) => f !== fn));
  }
  get count() {
    return this.held.length;
  }
  private releasing = false;
  /** Let every held request go on, and those that come later at once. */
  release() {
    const held = this.held;
    this.held = [];
    this.releasing = true;
    for (const fn of held) fn();
  }
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const turn = () => new Promise((resolve) => setImmediate(resolve));
async function until(condition: () => boolean) {
  while (!condition()) await turn();
}

async function heldSamples(n: number, clientOptions: Parameters<typeof setup>[1] = {}) {
  const clock = new HoldingClock();
  const env = await setup({ clock }, clientOptions);
  cleanup.push(env.close);
  const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
  env.emulator.setChaos(`latency=${HOLD_MS}ms@1;scope=sampling`);
  const settled: number[] = [];
  const samples = Array.from({ length: n }, (_, i) =>
    sampler
      .sample({
        prompt: ModelInput.fromInts([70 + i, 111, 120]),
        sampling_params: { max_tokens: 2, seed: 1 },
      })
      .then((response) => {
        settled.push(i);
        return response;
      }),
  );
  await until(() => clock.count > 0);
  return { env, clock, samples, settled };
}

describe('ServiceClient.idle()', () => {
  it('resolves only after every sample in flight settled', async () => {
    const { env, clock, samples, settled } = await heldSamples(4);
    let settledWhenIdle = -1;
    const idle = env.service.idle().then(() => (settledWhenIdle = settled.length));
    // Through a view too: it is the same client.
    const viewIdle = env.service.withOptions({ timeoutMs: 60_000 }).idle();
    await turn();
    expect(settledWhenIdle).toBe(-1);
    expect(env.service.kernel.inFlightCount).toBeGreaterThanOrEqual(4);
    clock.release();
    await idle;
    await viewIdle;
    expect(settledWhenIdle).toBe(4);
    for (const response of await Promise.all(samples)) expect(response.sequences).toHaveLength(1);
    await expect(env.service.idle()).resolves.toBeUndefined();
  });

  it('rejects with IdleWaitError naming timeoutMs while samples are held, and cancels none', async () => {
    const { env, clock, samples, settled } = await heldSamples(3, { telemetry: true });
    const error = await env.service.idle({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleWaitError);
    expect(error).toMatchObject({ bound: 'timeoutMs' });
    // Round 34: per kind; 3 held samples read as 3 operations (one count over all kinds read 9).
    expect((error as IdleWaitError).inFlight.operations).toBe(3);
    expect(settled).toHaveLength(0);
    // The caller's own bound, not a failure of the API: nothing reported to telemetry, and no SESSION_END
    // (before, `idle` was wrapped as a public operation: its rejection waited for the fatal flush).
    const sent = JSON.stringify(env.emulator.state.telemetry);
    expect(sent).not.toContain('IdleWaitError');
    expect(sent).not.toContain('SESSION_END');
    clock.release();
    // Not cancelled: each still completes, and the client then is idle.
    expect(await Promise.all(samples)).toHaveLength(3);
    await env.service.idle();
  });

  it('waits for a sample stream until it ended, not only until its answer began', async () => {
    const env = await setup();
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const stream = sampler.sampleStream({
      prompt: ModelInput.fromInts([70, 111, 120]),
      sampling_params: { max_tokens: 4, seed: 1 },
    });
    const first = await stream.next();
    expect(first.done).toBe(false);
    let idle = false;
    const idled = env.service.idle().then(() => (idle = true));
    // The stream waits at its first event until read on: it cannot have ended, so neither can idle().
    await turn();
    expect(idle).toBe(false);
    const rest: unknown[] = [];
    for await (const chunk of { [Symbol.asyncIterator]: () => stream }) rest.push(chunk);
    await idled;
    expect(rest.length).toBeGreaterThan(0);
  });

  it('waits for a sample between its attempts (a retry backoff), when nothing of it is on the wire', async () => {
    const env = await setup();
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    env.emulator.setChaos('5xx=1;scope=sampling');
    const order: string[] = [];
    const sample = sampler
      .sample({ prompt: ModelInput.fromInts([70, 111, 120]), sampling_params: { max_tokens: 2, seed: 1 } })
      .then(() => order.push('sample'));
    // The first submission was refused with a 5xx: the sample waits (≥ 0.5 s) before its next attempt.
    await until(() => env.emulator.requestLog().some((e) => e.path === '/api/v1/asample' && e.status >= 500));
    env.emulator.setChaos('');
    await env.service.idle().then(() => order.push('idle'));
    await sample;
    expect(order).toEqual(['sample', 'idle']);
  });
});
