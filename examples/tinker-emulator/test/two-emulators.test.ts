import { client, openSampler, withEmulator } from './helpers.js';
import type { RunningEmulator } from '../src/index.js';

/** Three unseeded samples (no `sampling_params.seed`): drawn from the emulator's own seeded stream. */
async function unseededSamples(emulator: RunningEmulator): Promise<number[][]> {
  const api = client(emulator);
  const sampler = await openSampler(api);
  const out: number[][] = [];
  for (let i = 0; i < 3; i++) {
    const sample = await api.submit('asample', {
      sampling_session_id: sampler,
      prompt: { chunks: [{ type: 'encoded_text', tokens: [104, 105] }] },
      sampling_params: { max_tokens: 4, temperature: 1 },
      num_samples: 1,
    });
    out.push(sample.sequences[0].tokens);
  }
  return out;
}

describe('two emulators in one process', () => {
  it('an emulator started meanwhile does not change the unseeded samples of another', async () => {
    // A test suite may run a second emulator (another seed) next to the first: each one's samples must
    // depend only on its own seed and requests, as in a process of its own.
    const alone = await withEmulator({ seed: 7 }, unseededSamples);
    const beside = await withEmulator({ seed: 7 }, async (first) => {
      await withEmulator({ seed: 8 }, unseededSamples);
      return unseededSamples(first);
    });
    expect(beside).toEqual(alone);
  });

  it('samples interleaved across two emulators are each as if alone', async () => {
    const alone = await withEmulator({ seed: 7 }, unseededSamples);
    const [a, b] = await withEmulator({ seed: 7 }, (first) =>
      withEmulator({ seed: 7 }, (second) => Promise.all([unseededSamples(first), unseededSamples(second)])),
    );
    expect(a).toEqual(alone);
    expect(b).toEqual(alone);
  });
});
