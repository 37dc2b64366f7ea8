import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { APIUserAbortError, type TrainingClient } from '../../src/index.js';
import { DEFAULT_MODE, describeInModes, setup } from './harness.js';

/**
 * Found by hand (round 37): `encode`/`decode` load the client's tokenizer once and every concurrent call
 * waits on that one load, but the load ran under the signal of the call that started it. When that
 * caller aborted, every other caller, given no signal at all, rejected with its APIUserAbortError (and
 * its reason), though the docs say a load another call shares goes on. Client-side only: one mode.
 */
describeInModes([DEFAULT_MODE], 'a tokenizer load shared by concurrent calls', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;
  beforeAll(async () => {
    env = await setup({}, {}, DEFAULT_MODE);
    training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
  });
  afterAll(() => env.close());

  it('is not ended for the other callers by the abort of the call that started it', async () => {
    // `get_info` (the first step of the load) is held, so both calls wait on the same load.
    env.emulator.setChaos('latency=5000ms@1;scope=training');
    const asked = new Promise<void>((resolve) => {
      const off = env.service.kernel.events.on('request:start', (event) => {
        if (event.endpointId !== 'get_info') return;
        off();
        resolve();
      });
    });
    const first = new AbortController();
    const starter = training.encode('fox', { signal: first.signal }).catch((error: unknown) => error);
    const other = training.encode('fox').catch((error: unknown) => error);
    await asked;
    first.abort(new Error('the first caller left'));
    expect(await starter).toBeInstanceOf(APIUserAbortError);
    env.emulator.setChaos(undefined);
    expect(await other).toEqual([...Buffer.from('fox')]);
  });
});
