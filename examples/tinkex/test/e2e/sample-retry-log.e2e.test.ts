import { afterEach, expect, it } from '@jest/globals';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { ModelInput } from '../../src/index.js';
import { callsTo, setup } from './harness.js';

/**
 * A sample's own retry loop says its retries through the kernel's RetryLog, as the kernel's retries do:
 * in an outage many samples' "retry 1" lines share one info line (the rest at debug, counted). Found by
 * hand in round 34: 12 samples of two clients against a killed emulator logged 48 info lines in 4 s, one
 * per sample per retry, as the kernel's calls did before RetryLog.
 */
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

it('the retries of many samples after one cause share an info line; the others are counted', async () => {
  const logger = new CaptureLogger({ level: 'debug' });
  const env = await setup(
    {},
    { log_level: 'debug', configureKernel: (kernel) => kernel.register(Ports.Logger, logger) },
  );
  cleanup = env.close;
  const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
  env.emulator.setChaos('5xx=1;scope=sampling');
  const n = 5;
  const samples = Array.from({ length: n }, (_, i) =>
    sampler.sample({
      prompt: ModelInput.fromInts([70 + i, 111, 120]),
      sampling_params: { max_tokens: 2, seed: 1 },
    }),
  );
  // Every sample's first submission refused: each waits (≥ 0.5 s) before its retry 1.
  while (callsTo(env, 'asample').filter((e) => e.status >= 500).length < n) await turn();
  env.emulator.setChaos('');
  expect(await Promise.all(samples)).toHaveLength(n);
  const retries = (level: string) =>
    logger.records.filter((r) => r.level === level && r.message.startsWith('retrying sample'));
  expect(retries('debug')).toHaveLength(n - 1);
  expect(retries('info')).toHaveLength(1);
  // Not lost: the others' count is said when the window ends or, here, the client closes.
  await env.service.close();
  const counted = logger.records.filter(
    (r) => r.level === 'info' && /other retries of sample/.test(r.message),
  );
  expect(counted.map((r) => r.fields?.more_retries)).toEqual([n - 1]);
});
