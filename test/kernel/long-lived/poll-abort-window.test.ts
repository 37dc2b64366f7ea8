import { afterEach, describe, expect, it } from '@jest/globals';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { PollReading } from '../../../src/ports/futures.js';
import { jobsKernel } from '../../support/jobs-kernel.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/** Sleeps complete at once; `onWake` runs as a sleep ends, before whoever awaits it goes on. */
class WakingClock extends RecordingClock {
  onWake: (() => void) | undefined;

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return super.sleep(ms, signal).then(() => this.onWake?.());
  }
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A job API whose polls answer `queued` (try again) until the caller gives up. */
async function queuedJobs(clock: WakingClock) {
  let polls = 0;
  const server = await scriptedServer((req, res) => {
    if (req.path === '/jobs') return json(res, 200, { id: 'job-1' });
    polls++;
    json(res, 200, { status: 'queued' });
  });
  cleanup.push(server.close);
  const kernel = jobsKernel<number>(server.url, clock, {
    pollEndpoint: 'poll_job',
    requestId: (body) => (body as { id: string }).id,
    pollInput: ({ requestId }) => ({ id: requestId }),
    read: (): PollReading<number> => ({ state: 'try_again', queueState: 'active' }),
    onExpired: 'fail',
  });
  cleanup.push(() => kernel.close());
  return { kernel, polls: () => polls };
}

describe('a future whose caller aborts as a wait between two polls ends', () => {
  it('rejects as an abort anywhere else does (APIUserAbortError, the reason as cause), and starts no poll', async () => {
    const clock = new WakingClock();
    const { kernel, polls } = await queuedJobs(clock);
    const caller = new AbortController();
    const reason = new Error('caller gave up');
    const future = kernel.submit('start_job', {}, { signal: caller.signal });
    const started: string[] = [];
    kernel.events.on('request:start', (e) => started.push(e.endpointId));
    await future.accepted;
    // The first poll is on its way; its `queued` answer starts the wait that ends in the abort.
    clock.onWake = () => caller.abort(reason);
    const error = await future.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error).toMatchObject({ message: 'Request was aborted.', cause: reason });
    expect(polls()).toBe(1);
    // Nor is a poll started that could not be sent (no request event, log line or credential lookup).
    expect(started).toEqual(['poll_job']);
  });
});
