import { afterEach, expect, it } from '@jest/globals';
import { BadRequestError, CaptureLogger, Ports } from 'pristine-kernel';
import { describeInModes, setup, textDatum } from './harness.js';

/**
 * Found by hand (round 25, a step refused after the server restarted): a forwardBackward whose chunks
 * were refused warned twice for its last chunk's seq_id and not at all, or too late, for its first: the
 * whole batch was also tracked as the last slot's outcome, which settled at the first refusal, so the
 * next call went out before the first chunk (sent last) had even been sent. The next call now waits for
 * every chunk, and (round 26) the refusals are told once, as one incident from the first seq_id. 0.25 only: the JSON
 * protocol sends chunks one after another, each tracked once.
 */
describeInModes(['v025', 'v025-jwt-zstd'], 'the chunks of a refused forwardBackward', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  afterEach(async () => env.close());

  it('are warned once, with the step refused behind them, from the first seq_id', async () => {
    const logger = new CaptureLogger({ level: 'warn' });
    env = await setup(
      { clientConfig: { fwdbwd_max_chunk_len: 2 } },
      { log_level: 'warn', configureKernel: (kernel) => kernel.register(Ports.Logger, logger) },
    );
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    env.emulator.setChaos('400=1;scope=training'); // every training submission is refused (a bare 400)
    const batch = Array.from({ length: 5 }, () => textDatum('ab'));
    await expect(training.forwardBackward(batch, 'cross_entropy')).rejects.toBeInstanceOf(BadRequestError);
    // Queued behind the whole batch: once it is refused too, every chunk's refusal has been told.
    await expect(training.optimStep({ learning_rate: 1e-4 })).rejects.toBeInstanceOf(BadRequestError);
    // One incident (round 26): the three chunks and the optimStep, refused the same way, are one line
    // from the lowest seq_id to the highest, told once every one of them was refused.
    const refused = logger.records.map((r) => r.message).filter((m) => m.includes('not accepted'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(
      /: forward_backward \(seq_id 1\) and the 3 requests after it \(up to seq_id 4\) were not accepted: 400/,
    );
  });
});
