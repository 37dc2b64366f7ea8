import { afterEach, describe, expect, it } from '@jest/globals';
import {
  APIConnectionError,
  BadRequestError,
  InternalServerError,
} from '../../../src/kernel/errors/api-errors.js';
import { FutureExpiredError, FutureFailedError } from '../../../src/kernel/futures/future-errors.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { RepollPacer, exponentialDelay } from '../../../src/kernel/futures/repoll-pacing.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { PollProtocol, PollReading } from '../../../src/ports/futures.js';
import { Ports } from '../../../src/ports/index.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { jobsKernel } from '../../support/jobs-kernel.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/** A job API whose polls answer `queued` (try again), `done`, or whatever the test scripts. */
const protocol: PollProtocol<number> = {
  pollEndpoint: 'poll_job',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  read(body): PollReading<number> {
    const b = body as Record<string, any>;
    if (b.status === 'queued') return { state: 'try_again', queueState: 'active' };
    return { state: 'complete', value: b.answer };
  },
  onExpired: 'fail',
};

function kernelFor(
  url: string,
  clock: Clock,
  maxRetries = 10,
  onExpired: 'fail' | 'resubmit' = 'fail',
  extra: Partial<PollProtocol<number>> = {},
) {
  return jobsKernel(url, clock, { ...protocol, onExpired, ...extra }, maxRetries);
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

type Step = number | 'queued' | 'done';

/**
 * A job API: a submit answers `id`; polls answer `script` in turn (a status with a detail body, `queued`,
 * or `done` with `answer`). `replay` starts a new script.
 */
async function scriptedJobs(id: string, script: Step[], answer: number) {
  let steps = script;
  let n = 0;
  const server = await scriptedServer((req, res) => {
    if (req.path === '/jobs') return json(res, 200, { id });
    const step = steps[n++];
    if (typeof step === 'number') json(res, step, { detail: 'not now' });
    else json(res, 200, step === 'queued' ? { status: 'queued' } : { answer });
  });
  cleanup.push(server.close);
  const replay = (next: Step[]) => {
    steps = next;
    n = 0;
  };
  return { server, replay };
}

describe('re-poll pacing (a kernel property)', () => {
  it('a server answering try_again at once gets at most 4 polls a second, after a short ramp', async () => {
    const clock = new FakeClock();
    const pollTimes: number[] = [];
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: 'job-1' });
      pollTimes.push(clock.now());
      json(res, 200, { status: 'queued' });
    });
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock);
    cleanup.push(() => kernel.close());
    let inFlight = 0;
    kernel.events.on('request:start', () => inFlight++);
    kernel.events.on('request:stop', () => inFlight--);
    kernel.events.on('request:error', () => inFlight--);
    const future = kernel.submit('start_job', {});
    future.catch(() => {});
    await future.accepted;
    // Move fake time 1 ms at a time, but only while no poll is on the wire, for 5 simulated seconds.
    // Without pacing the loop never sleeps: the poll count explodes while fake time stands still.
    const end = clock.now() + 5_000;
    while (clock.now() < end && pollTimes.length < 500) {
      if (inFlight > 0 || pollTimes.length === 0) await turn();
      else await clock.advance(1);
    }
    future.cancel();
    const gaps = pollTimes.slice(1).map((t, i) => t - pollTimes[i]);
    const schedule = [10, 20, 40, 80, 160, 250];
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(schedule[Math.min(i, 5)]));
    // 1 + 5 ramp polls (310 ms) + one per 250 ms over the remaining 4.69 s.
    expect(pollTimes.length).toBeLessThanOrEqual(1 + 5 + Math.ceil(4_690 / 250));
    expect(pollTimes.length).toBeGreaterThan(10);
  });

  it('a poll the server held open counts toward the pacing: a held try_again is re-polled at once', async () => {
    /** Sleeps recorded and completed at once; the server moves time while it holds a poll. */
    class HeldClock extends RecordingClock {
      held = 0;
      override now(): number {
        return super.now() + this.held;
      }
      override monotonic(): number {
        return super.monotonic() + this.held;
      }
    }
    const clock = new HeldClock();
    const holds = [1_000, 1_000, 5, 0];
    let polls = 0;
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: 'job-held' });
      clock.held += holds[polls] ?? 0;
      json(res, 200, polls++ < 3 ? { status: 'queued' } : { answer: 9 });
    });
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock);
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {}).result()).resolves.toBe(9);
    // Held 1 s twice (no sleep: 10 and 20 ms had passed), then 5 ms of the 40 ms floor.
    expect(clock.sleeps).toEqual([35]);
    expect(polls).toBe(4);
  });

  it('a fast result still comes on the second poll, 10 ms after the first', async () => {
    const clock = new RecordingClock();
    let polls = 0;
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: 'job-2' });
      json(res, 200, ++polls === 1 ? { status: 'queued' } : { answer: 7 });
    });
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock);
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(7);
    expect(clock.sleeps).toEqual([10]);
  });
});

describe('error backoff (a protocol option)', () => {
  it('waits errorBackoffMs(iteration) before re-polling after a 408 or a 5xx, never less than the pacing', async () => {
    const clock = new RecordingClock();
    const { server } = await scriptedJobs('job-7', [503, 408, 'queued', 500, 'done'], 9);
    const kernel = kernelFor(server.url, clock, 10, 'fail', {
      errorBackoffMs: (iteration) => 1_000 * 2 ** iteration,
    });
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(9);
    // 503 at iteration 0 → 1 s; 408 at 1 → 2 s; try_again at 2 → pacing only (40 ms); 500 at 3 → 8 s.
    expect(clock.sleeps).toEqual([1_000, 2_000, 40, 8_000]);
  });
});

describe('poll failure budget', () => {
  it('rejects with the last 5xx once the retry budget of consecutive failed polls is spent', async () => {
    const clock = new RecordingClock();
    const server = await scriptedServer((req, res) =>
      req.path === '/jobs' ? json(res, 200, { id: 'job-3' }) : json(res, 503, { detail: 'down' }),
    );
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock, 3);
    cleanup.push(() => kernel.close());
    const error = await kernel.submit('start_job', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    // The first poll and 3 tolerated failures.
    expect(server.seen.filter((s) => s.path === '/poll')).toHaveLength(4);
  });

  it('rejects with APIConnectionError when the server drops every poll, after backing off', async () => {
    const clock = new RecordingClock();
    const server = await scriptedServer((req, res) =>
      req.path === '/jobs' ? json(res, 200, { id: 'job-4' }) : res.socket?.destroy(),
    );
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock, 2);
    cleanup.push(() => kernel.close());
    const error = await kernel.submit('start_job', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });

  it('logs each retried poll at info, with the reason, the delay and the budget', async () => {
    const clock = new RecordingClock();
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: 'job-7' });
      if (server.seen.filter((s) => s.path === '/poll').length === 1) return res.socket?.destroy();
      json(res, 503, { detail: 'down' });
    });
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock, 2);
    const logger = new CaptureLogger({ level: 'info', secrets: kernel.secrets });
    kernel.register(Ports.Logger, logger);
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).rejects.toBeInstanceOf(InternalServerError);
    const lines = logger.at('info').map((r) => r.message);
    expect(lines).toEqual([
      expect.stringMatching(
        /^retrying poll_job of job-7 in 1\.0 s after Connection error.* \(retry 1 of 2\)$/,
      ),
      expect.stringMatching(/^retrying poll_job of job-7 in 0\.0 s after HTTP 503 \(retry 2 of 2\)$/),
    ]);
  });

  it('a server that expires every result gets a bounded number of paced resubmits, then FutureExpiredError', async () => {
    const clock = new RecordingClock();
    const server = await scriptedServer((req, res) =>
      req.path === '/jobs' ? json(res, 200, { id: 'job-6' }) : json(res, 410, { detail: 'gone' }),
    );
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock, 2, 'resubmit');
    cleanup.push(() => kernel.close());
    const error = await kernel.submit('start_job', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FutureExpiredError);
    // The first submit and 2 resubmits, each after the pacing delay.
    expect(server.seen.filter((s) => s.path === '/jobs')).toHaveLength(3);
    expect(clock.sleeps).toEqual([10, 20]);
  });

  it('a resubmitted request is polled from iteration 0 again, under its new id', async () => {
    const clock = new RecordingClock();
    const script = [503, 410, 503, 'done'];
    let n = 0;
    let submits = 0;
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: `job-${++submits}` });
      const step = script[n++];
      if (typeof step === 'number') json(res, step, { detail: 'not now' });
      else json(res, 200, { answer: req.body.id === 'job-2' ? 2 : -1 });
    });
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock, 3, 'resubmit', {
      errorBackoffMs: (iteration) => 1_000 * 2 ** iteration,
    });
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(2);
    // 503 at iteration 0 → 1 s; 410 → resubmit after the pacing (its second step: 20 ms); 503 at
    // iteration 0 again → 1 s.
    expect(clock.sleeps).toEqual([1_000, 20, 1_000]);
  });

  it('an answer in between restarts the 429 backoff from its base', async () => {
    const clock = new RecordingClock();
    const { server } = await scriptedJobs('job-9', [429, 429, 'queued', 429, 'done'], 9);
    const kernel = kernelFor(server.url, clock);
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(9);
    expect(clock.sleeps).toEqual([1_000, 2_000, 10, 1_000]);
  });

  it("paces and backs off by the protocol's own settings when it gives them", async () => {
    const clock = new RecordingClock();
    const { server } = await scriptedJobs('job-10', [429, 429, 429, 'queued', 'done'], 10);
    const kernel = kernelFor(server.url, clock, 10, 'fail', {
      repollPacing: { initialMs: 3, maxMs: 3 },
      backoffBaseMs: 100,
      backoffMaxMs: 300,
    });
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(10);
    expect(clock.sleeps).toEqual([100, 200, 300, 3]);
  });

  it('an answer in between resets the count: failures must be consecutive', async () => {
    const clock = new RecordingClock();
    const script: Step[] = [503, 503, 'queued', 503, 503, 'queued', 503, 503, 'done'];
    const { server } = await scriptedJobs('job-5', script, 5);
    const kernel = kernelFor(server.url, clock, 2);
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(5);
  });

  it('a wall clock stepped forward an hour during a pause does not end the pause at once', async () => {
    const clock = new (class extends RecordingClock {
      stepMs = 0;
      override now(): number {
        return super.now() + this.stepMs;
      }
      override sleep(ms: number, signal?: AbortSignal): Promise<void> {
        this.stepMs = 3_600_000; // while the first pause's second passed, NTP stepped the wall clock
        return super.sleep(ms, signal);
      }
    })();
    const { server } = await scriptedJobs('job-9', [402, 402, 'done'], 9);
    const kernel = kernelFor(server.url, clock, 2, 'fail', {
      pause: { status: 402, delayMs: 1_000, maxPauseMs: () => 1_005 },
    });
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(9);
  });

  it('an answer in between renews the bare-400 allowance and ends a pause', async () => {
    const clock = new RecordingClock();
    const { server, replay } = await scriptedJobs(
      'job-8',
      [400, 'queued', 400, 402, 'queued', 402, 'done'],
      8,
    );
    // One bare 400 tolerated in a row; a 402 pause that may last 1.005 s (it re-polls every second).
    const kernel = kernelFor(server.url, clock, 2, 'fail', {
      badRequestRetries: 1,
      pause: { status: 402, delayMs: 1_000, maxPauseMs: () => 1_005 },
    });
    cleanup.push(() => kernel.close());
    await expect(kernel.submit('start_job', {})).resolves.toBe(8);
    // Without an answer in between, the second 400 is one too many.
    replay([400, 400, 'done']);
    await expect(kernel.submit('start_job', {})).rejects.toBeInstanceOf(BadRequestError);
  });
});

describe('in-flight result byte budget (two-phase retrieval)', () => {
  /** Polls answer `meta` (the result's size only), `failed`, or the result. */
  const twoPhase: Partial<PollProtocol<number>> = {
    metadataFirst: () => true,
    inflightResultBytes: () => 100,
    read(body): PollReading<number> {
      const b = body as Record<string, any>;
      if (b.status === 'meta') return { state: 'complete_metadata', sizeBytes: 60 };
      if (b.status === 'failed') return { state: 'failed', message: 'boom', category: 'server' };
      return { state: 'complete', value: b.answer };
    },
  };

  it("holds a future's share from its size answer until it settles, done or failed, and takes it once", async () => {
    const clock = new RecordingClock();
    // Three futures in turn, 60 of 100 bytes each: any share not given back blocks the next one.
    const script = ['meta', 'meta', 'done', 'meta', 'failed', 'meta', 'done'];
    let n = 0;
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: `job-${n}` });
      const step = script[n++];
      json(res, 200, step === 'done' ? { answer: n } : { status: step });
    });
    cleanup.push(server.close);
    const kernel = kernelFor(server.url, clock, 2, 'fail', twoPhase);
    cleanup.push(() => kernel.close());
    // The size answered twice (a server repeating itself) reserves it once.
    await expect(kernel.submit('start_job', {})).resolves.toBe(3);
    await expect(kernel.submit('start_job', {})).rejects.toBeInstanceOf(FutureFailedError);
    await expect(kernel.submit('start_job', {})).resolves.toBe(7);
  });
});

describe('RepollPacer', () => {
  it('doubles from initialMs to maxMs, less the time the last poll was held, never below the ask', () => {
    const pacer = new RepollPacer({ initialMs: 10, maxMs: 40 });
    expect([pacer.next(), pacer.next(0, 5), pacer.next(50), pacer.next(), pacer.next(0, 100)]).toEqual([
      10, 15, 50, 40, 0,
    ]);
  });

  it('by default starts at 10 ms and settles at 250 ms (at most 4 polls a second)', () => {
    const pacer = new RepollPacer();
    expect(Array.from({ length: 8 }, () => pacer.next())).toEqual([10, 20, 40, 80, 160, 250, 250, 250]);
  });

  it('does not wait longer when the clock stepped back while a poll was out', () => {
    expect(new RepollPacer({ initialMs: 10, maxMs: 40 }).next(0, -5_000)).toBe(10);
  });

  it('exponentialDelay is min(initial·2^n, max), for any n', () => {
    const delay = exponentialDelay(100, 1_000);
    expect([-1, 0, 1, 3, 4, 5_000].map(delay)).toEqual([100, 100, 200, 800, 1_000, 1_000]);
  });
});
