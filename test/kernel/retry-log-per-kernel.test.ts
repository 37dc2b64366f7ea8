import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';
import { json, scriptedServer } from '../support/scripted-server.js';
import { thingsPlugin } from './fixtures/things-plugin.js';

/*
 * Round 34: the retry log was kept per logger (a module WeakMap) on the first kernel's clock, so a
 * second kernel sharing the logger had its first retry swallowed into the first kernel's window (said at
 * debug only) and measured on a clock not its own. And an outage's last count was never said. Each
 * kernel now has its own retry log, made with its services, which says what is left when it closes.
 */
let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer((_, res) => json(res, 503, { detail: 'busy' }));
});
afterAll(() => server.close());

function kernelOn(logger: CaptureLogger) {
  const clock = new FakeClock();
  const kernel = createKernel({ maxRetries: 1 }).use(thingsPlugin({ defaults: { baseUrl: server.url } }));
  kernel.register(Ports.Transport, new UndiciTransport());
  kernel.register(Ports.Clock, clock);
  kernel.register(Ports.Logger, logger);
  /** `calls` calls, resolved once each has been retried (its backoff waits on the unmoved clock). */
  const retried = (calls: number) => {
    const outcomes: Promise<unknown>[] = [];
    const seen = new Promise<void>((resolve) => {
      let count = 0;
      const off = kernel.events.on('request:retry', () => {
        if (++count < calls) return;
        off();
        resolve();
      });
    });
    for (let i = 0; i < calls; i++) outcomes.push(kernel.call('get_thing', { id: `t${i}` }).catch((e) => e));
    return { seen, outcomes };
  };
  return { kernel, clock, retried };
}

describe("each kernel's retry log", () => {
  it('shares no window with another kernel on the same logger, and says its last count at close', async () => {
    const logger = new CaptureLogger({ level: 'info' });
    const a = kernelOn(logger);
    const b = kernelOn(logger);
    const inA = a.retried(2);
    await inA.seen;
    const inB = b.retried(1);
    await inB.seen;
    await a.kernel.close();
    await b.kernel.close();
    await Promise.all([...inA.outcomes, ...inB.outcomes]);
    const retryLine = expect.stringMatching(
      /^retrying get_thing in \d\.\d s after HTTP 503 \(retry 1 of 1\)$/,
    );
    expect(logger.records.map((r) => r.message)).toEqual([
      retryLine, // a's first
      retryLine, // b's first, in a window of its own
      '1 other retry of get_thing after HTTP 503 since the last such line',
    ]);
    expect([a.clock.pending, b.clock.pending]).toEqual([0, 0]);
  });
});
