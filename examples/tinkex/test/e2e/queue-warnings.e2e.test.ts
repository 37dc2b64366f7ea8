import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { InstantClock } from './instant-clock.js';
import { setup, TEXT, textDatum } from './harness.js';

describe('queue-state warnings under real pauses from the emulator', () => {
  it('warn once per model (and once for model creation) per minute however often the state flips', async () => {
    const clock = new InstantClock();
    const logger = new CaptureLogger({ level: 'warn' });
    const env = await setup(
      { chaos: 'pause=0.6;scope=futures' },
      {
        configureKernel: (kernel) => {
          kernel.register(Ports.Clock, clock);
          kernel.register(Ports.Logger, logger);
        },
      },
    );
    try {
      const states: string[] = [];
      env.service.kernel.events.on('queue:state', (e) => states.push(e.queueState));
      const start = clock.now();
      const training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      for (let i = 0; i < 8; i++) await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
      const paused = states.filter((s) => s !== 'active').length;
      expect(paused).toBeGreaterThanOrEqual(4);
      const warnings = logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
      const mine = warnings.filter((w) => w.startsWith(`Training for ${training.model_id} is paused.`));
      expect(mine.length).toBeGreaterThanOrEqual(1);
      const windows = 1 + Math.floor((clock.now() - start) / 60_000);
      expect(mine.length).toBeLessThanOrEqual(windows);
      const creation = warnings.filter((w) =>
        w.startsWith('Model creation for meta-llama/Llama-3.2-1B is paused.'),
      );
      // The seeded emulator pauses create_model's future too.
      expect(creation.length).toBeGreaterThanOrEqual(1);
      expect(creation.length).toBeLessThanOrEqual(windows);
    } finally {
      await env.close();
    }
  }, 30_000);
});
