import { afterEach, expect, it } from '@jest/globals';
import { CaptureLogger, NotFoundError, Ports } from 'pristine-kernel';
import { describeInModes, setupRestartable, textDatum } from './harness.js';

/**
 * Found by hand (round 25): after the server restarted in the middle of pipelined training, every
 * queued request it refused (404: the session is gone) was its own warning line, 120 for 60 steps. The
 * requests refused the same way one after another are one incident: one line says what happened and how
 * many requests it took, while each caller still gets its own typed error.
 * Not in the JWT mode: a restarted emulator signs with a new key (a 401 before the session is looked up).
 */
describeInModes(['v025', 'legacy'], 'requests refused one after another after a restart', () => {
  let env: Awaited<ReturnType<typeof setupRestartable>>;
  afterEach(async () => env.close());

  it('are one warning line naming how many, and each caller gets its own NotFoundError', async () => {
    const logger = new CaptureLogger({ level: 'warn' });
    env = await setupRestartable(
      {},
      { log_level: 'warn', configureKernel: (kernel) => kernel.register(Ports.Logger, logger) },
    );
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    await training.forwardBackward([textDatum('ab')], 'cross_entropy');
    await env.restart();

    const steps = Array.from({ length: 60 }, () => [
      training.forwardBackward([textDatum('ab')], 'cross_entropy'),
      training.optimStep({ learning_rate: 1e-4 }),
    ]).flat();
    const outcomes = await Promise.allSettled(steps);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    }
    const refusals = logger.records.filter((r) => r.level === 'warn' && /not accepted/.test(r.message));
    expect(refusals).toHaveLength(1);
    expect(refusals[0].message).toMatch(
      /^\S+: forward_backward \(seq_id 2\) and the 119 requests after it \(up to seq_id 121\) were not accepted: 404 /,
    );
  });
});
