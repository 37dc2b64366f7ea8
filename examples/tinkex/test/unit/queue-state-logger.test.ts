import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock } from 'pristine-kernel';
import { queueStateLogger, WarnWindows } from '../../src/client/queue-state-logger.js';

/** A CaptureLogger and a live view of its warning messages. */
function capture() {
  const logger = new CaptureLogger();
  return {
    logger,
    get warnings() {
      return logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
    },
  };
}

const paused = (queueState: string, reason?: string) => ({ requestId: 'r', queueState, reason });

describe('queue-state warnings (the Python SDK QueueStateLogger)', () => {
  it('warns at most once per 60 s per model, whatever the state changes in between; never for active', async () => {
    const clock = new FakeClock();
    const log = capture();
    const { logger } = log;
    const scope = {};
    const observe = queueStateLogger({ logger, clock, scope, prefix: 'Training', identifier: 'model-1' });
    observe(paused('active'));
    expect(log.warnings).toEqual([]);
    // Six changes in about a second, as under real pauses: one warning.
    for (const state of [
      'paused_capacity',
      'active',
      'paused_rate_limit',
      'active',
      'paused_capacity',
      'x',
    ]) {
      observe(paused(state));
      await clock.advance(200);
    }
    expect(log.warnings).toEqual([
      'Training for model-1 is paused. Reason: Tinker backend is running short on capacity, please wait.',
    ]);
    await clock.advance(60_000 - 1_200 - 1);
    observe(paused('paused_rate_limit'));
    expect(log.warnings).toHaveLength(1);
    await clock.advance(1);
    observe(paused('paused_rate_limit'));
    expect(log.warnings.at(-1)).toBe(
      'Training for model-1 is paused. Reason: concurrent training clients rate limit hit.',
    );
    expect(log.warnings).toHaveLength(2);
  });

  it('uses the server reason when given, names sampler limits for sampling, and "unknown" otherwise', () => {
    const clock = new FakeClock();
    const log = capture();
    const { logger } = log;
    const scope = {};
    queueStateLogger({ logger, clock, scope, prefix: 'Training', identifier: 'a' })(
      paused('paused_capacity', 'maintenance'),
    );
    queueStateLogger({ logger, clock, scope, prefix: 'Sampling', identifier: 'b' })(
      paused('paused_rate_limit'),
    );
    queueStateLogger({ logger, clock, scope, prefix: 'Training', identifier: 'c' })(paused('weird'));
    expect(log.warnings).toEqual([
      'Training for a is paused. Reason: maintenance.',
      'Sampling for b is paused. Reason: concurrent sampler weights limit hit.',
      'Training for c is paused. Reason: unknown.',
    ]);
  });

  it('shares the window between clients of the same model in one scope, not across models or scopes', () => {
    const clock = new FakeClock();
    const log = capture();
    const { logger } = log;
    const scope = {};
    const make = (identifier: string, s = scope) =>
      queueStateLogger({ logger, clock, scope: s, prefix: 'Training', identifier });
    make('m')(paused('paused_capacity'));
    make('m')(paused('paused_capacity'));
    make('other')(paused('paused_capacity'));
    make('m', {})(paused('paused_capacity'));
    expect(log.warnings).toHaveLength(3);
  });

  it('keeps the windows of the last minute only, however many samplers warned over a long run', async () => {
    // An RL loop makes a sampler per iteration; under pauses each warns once. 10,000 of them, 20 a second.
    const clock = new FakeClock();
    const log = capture();
    const scope = {};
    for (let i = 0; i < 10_000; i++) {
      queueStateLogger({ logger: log.logger, clock, scope, prefix: 'Sampling', identifier: `s${i}` })(
        paused('paused_capacity'),
      );
      await clock.advance(50);
    }
    expect(log.warnings).toHaveLength(10_000);
    // The last minute's windows (1,200 samplers) and at most as many older ones, not 10,000.
    const windows = new WarnWindows();
    for (let i = 0; i < 10_000; i++) windows.open(`s${i}`, i * 50);
    expect(windows.size).toBeLessThanOrEqual(2 * 1_200);
    // A pruned window holds nothing back, as before: an old key warns again, a recent one does not.
    expect(windows.open('s0', 10_000 * 50)).toBe(true);
    expect(windows.open('s9999', 10_000 * 50)).toBe(false);
  });
});
