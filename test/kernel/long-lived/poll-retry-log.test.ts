import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import type { PollProtocol, PollReading } from '../../../src/ports/futures.js';
import { Ports } from '../../../src/ports/index.js';
import { jobsKernel } from '../../support/jobs-kernel.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/**
 * Found in review (round 35): a future's failed polls were logged at info one line each, with the
 * request id, while the pipeline's own retries go through the kernel's RetryLog (the first retry per
 * endpoint and cause in a window at info, the rest counted). 200 futures polling through an outage
 * printed 200 lines a round. Now poll retries go through the same RetryLog, keyed by the poll endpoint
 * and the cause (not the request id, which each line still carries, and every retry at debug).
 */
const protocol: PollProtocol<number> = {
  pollEndpoint: 'poll_job',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  read(body): PollReading<number> {
    return { state: 'complete', value: (body as { answer: number }).answer };
  },
  onExpired: 'fail',
};

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Event-loop turns (not time) until `done`, at most 10,000. */
async function turnsUntil(done: () => boolean) {
  for (let i = 0; i < 10_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('poll retries go through the kernel’s RetryLog', () => {
  it('5 futures whose polls meet an outage: one info line and a count, not 5 lines', async () => {
    let down = true;
    let submitted = 0;
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: `job-${++submitted}` });
      if (down) return json(res, 503, { detail: 'down' });
      json(res, 200, { answer: 7 });
    });
    cleanup.push(server.close);
    const clock = new FakeClock();
    const kernel = jobsKernel(server.url, clock, protocol, 3);
    const logger = new CaptureLogger({ level: 'debug', secrets: kernel.secrets });
    kernel.register(Ports.Logger, logger);
    cleanup.push(() => kernel.close());
    const futures = Array.from({ length: 5 }, () => kernel.submit('start_job', {}));
    const retryLines = () => logger.records.filter((r) => r.message.startsWith('retrying poll_job'));
    // Every future's first poll failed, and each waits for its retry (on the test clock).
    await turnsUntil(() => retryLines().length === 5 && clock.pending >= 5);
    expect(retryLines()).toHaveLength(5);
    down = false;
    await clock.advance(1_000); // past any backoff: the retries poll again
    await expect(Promise.all(futures)).resolves.toEqual([7, 7, 7, 7, 7]);
    await kernel.close();
    const info = logger.at('info').map((r) => r.message);
    expect(info).toEqual([
      expect.stringMatching(/^retrying poll_job of job-\d in \d\.\d s after HTTP 503 \(retry 1 of 3\)$/),
      '4 other retries of poll_job after HTTP 503 since the last such line',
    ]);
    // Each retry still has its line at debug, naming its request id.
    const debug = logger.at('debug').filter((r) => r.message.startsWith('retrying poll_job'));
    expect(new Set(debug.map((r) => r.fields?.request_id)).size).toBe(4);
  });
});
