import { describe, expect, it } from '@jest/globals';
import { Ports } from 'pristine-kernel';
import { InstantClock } from './instant-clock.js';
import { setup, TEXT, textDatum, bytes } from './harness.js';

/**
 * Fault kinds × seeds against the emulator: every run must train to the same losses as a calm run,
 * with each seq_id applied exactly once and in order. Backoff sleeps are instant (InstantClock), so the
 * matrix costs only loopback round trips.
 */
const STEPS = 3;

const FAULTS: Record<string, string> = {
  '5xx before acceptance': '5xx=0.3;scope=training|sessions',
  // Scopes are honoured now (they used to be ignored, so every fault hit every class): 429 on polls too
  // and a higher truncation rate, so the few training calls of a campaign draw some for each seed.
  '429 with Retry-After': '429=0.3;scope=training|sessions|futures',
  'connection resets': 'reset=0.2;scope=training|sessions',
  'responses lost after acceptance': 'lost=0.3;scope=training',
  'truncated bodies': 'truncate=0.4;scope=training',
  'queue pauses and expired futures': 'pause=0.4,expire=0.1;scope=futures',
  '5xx and resets on polls': '5xx=0.3,reset=0.1;scope=futures',
};
const SEEDS = [11, 12];

/**
 * One emulator per campaign (calm, or stormy with a chaos seed): a fresh model per fault kind, trained
 * under that kind only. Every campaign creates the same models in the same order from the same model
 * seed, so model k starts from the same weights in each.
 */
async function campaign(chaosSeed: number | undefined) {
  const stormy = chaosSeed !== undefined;
  const clock = new InstantClock();
  let pauses = 0;
  const env = await setup(
    { seed: 7, chaosSeed },
    {
      configureKernel: (kernel) => {
        kernel.register(Ports.Clock, clock);
        kernel.events.on('queue:state', (e) => void (e.queueState !== 'active' && pauses++));
      },
    },
  );
  const log = env.emulator.state.requests;
  const runs: Record<string, { losses: number[]; applied: number[]; faults: number }> = {};
  try {
    for (const [kind, spec] of Object.entries(FAULTS)) {
      const from = log.length;
      const pausesBefore = pauses;
      env.emulator.setChaos(stormy ? spec : undefined);
      const training = await env.service.createLoraTrainingClient({
        base_model: 'tinkex/byte-tiny',
        rank: 8,
      });
      const losses: Promise<number>[] = [];
      for (let i = 0; i < STEPS; i++) {
        losses.push(
          training.forwardBackward([textDatum(TEXT)], 'cross_entropy').then((r) => r.metrics['loss:sum']),
        );
        training.optimStep({ learning_rate: 1e-4 });
      }
      const final = (await training.forward([textDatum(TEXT)], 'cross_entropy')).metrics['loss:sum'];
      runs[kind] = {
        losses: [...(await Promise.all(losses)), final],
        applied: env.emulator.state.appliedSteps(training.model_id),
        faults: faultsIn(log.slice(from)) + pauses - pausesBefore,
      };
      env.emulator.setChaos(undefined);
    }
    return runs;
  } finally {
    await env.close();
  }
}

/**
 * Error answers and dropped connections, plus re-sent submissions (a truncated 200 is re-sent too);
 * queue pauses (200 try_again) are counted from the client's queue-state events.
 */
function faultsIn(requests: readonly { path: string; status: number; body?: unknown }[]) {
  const errors = requests.filter((r) => r.status === 0 || r.status >= 400).length;
  const submits = requests.filter((r) => (r.body as { seq_id?: number } | undefined)?.seq_id !== undefined);
  const distinct = new Set(submits.map((r) => `${r.path} ${(r.body as { seq_id: number }).seq_id}`));
  return errors + submits.length - distinct.size;
}

describe('chaos matrix: fault kinds × seeds', () => {
  // One calm campaign serves every seed: the seeds vary the chaos dice only, never the model.
  let calmRuns: ReturnType<typeof campaign> | undefined;

  it.each(SEEDS)(
    'seed %i: under every fault kind, identical losses and each seq_id applied once',
    async (seed) => {
      const calm = await (calmRuns ??= campaign(undefined));
      const stormy = await campaign(seed);
      // STEPS × (forward_backward + optim_step) + the final forward, in order, no repeats, no holes.
      const once = Array.from({ length: 2 * STEPS + 1 }, (_, i) => i + 1);
      for (const kind of Object.keys(FAULTS)) {
        expect({ kind, faulted: stormy[kind].faults > 0 }).toEqual({ kind, faulted: true });
        expect({ kind, losses: stormy[kind].losses }).toEqual({ kind, losses: calm[kind].losses });
        expect({ kind, applied: stormy[kind].applied }).toEqual({ kind, applied: once });
      }
    },
    60_000,
  );

  it('a burst of 40 samples under sampling and polling faults loses nothing', async () => {
    const burst = async (chaos: string | undefined) => {
      const clock = new InstantClock();
      const env = await setup(
        { chaos: undefined, seed: 7 },
        {
          sample_dispatch_concurrency: 8,
          configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
        },
      );
      try {
        const training = await env.service.createLoraTrainingClient({
          base_model: 'tinkex/byte-tiny',
          rank: 8,
        });
        const sampler = await training.saveWeightsAndGetSamplingClient();
        env.emulator.setChaos(chaos);
        const prompts = Array.from({ length: 40 }, (_, i) => bytes(`${i} The quick`));
        const results = await Promise.allSettled(
          prompts.map((prompt) =>
            sampler.sample({ prompt, sampling_params: { max_tokens: 4, temperature: 0 } }),
          ),
        );
        const asample = env.emulator.state.requests.filter((r) => r.path === '/api/v1/asample');
        return {
          statuses: results.map((r) => r.status),
          texts: results.map((r) =>
            r.status === 'fulfilled' ? Buffer.from(r.value.sequences[0].tokens).toString('latin1') : '',
          ),
          faults: env.emulator.state.requests.filter((r) => r.status === 0 || r.status >= 429).length,
          resubmits: asample.length - prompts.length,
        };
      } finally {
        await env.close();
      }
    };
    const calmRun = await burst(undefined);
    const stormy = await burst(
      '5xx=0.2,429=0.1,reset=0.05;scope=sampling;pause=0.3,5xx=0.2,expire=0.05;scope=futures',
    );
    expect(stormy.faults).toBeGreaterThan(10);
    expect(stormy.resubmits).toBeGreaterThan(0);
    expect(stormy.statuses.every((s) => s === 'fulfilled')).toBe(true);
    expect(stormy.texts).toEqual(calmRun.texts);
  }, 30_000);
});
