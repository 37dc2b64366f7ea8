import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { OutageLog, FLAP_QUIET_MS } from '../../../src/adapters/redis/redis-outage-log.js';

/*
 * What the link logs about Redis going and coming back. A cluster with one master down alternates:
 * calls on its slots fail, the others succeed. Before round 30 each alternation logged a warn and an
 * info (the link has one up/down state), so a flapping cluster flooded the log.
 */

function setUp(onUnavailable: 'local' | 'reject' = 'local') {
  const clock = new FakeClock();
  const logger = new CaptureLogger();
  const outages = new OutageLog('127.0.0.1:6379', onUnavailable);
  outages.useClock(clock);
  outages.useLogger(logger);
  const lines = () => logger.records.map((r) => `${r.level} ${r.message}`);
  return { clock, logger, outages, lines };
}

describe('OutageLog', () => {
  it('logs one outage and its recovery once each, at once', () => {
    const { outages, lines, logger } = setUp();
    outages.failed('connection lost');
    outages.failed('connection lost');
    expect(outages.down).toBe(true);
    outages.succeeded();
    outages.succeeded();
    expect(outages.down).toBe(false);
    expect(lines()).toEqual([
      'warn Redis unreachable: fleet-wide limits fall back to in-process ones until it returns',
      'info Redis reachable again: fleet-wide limits are shared again',
    ]);
    expect(logger.records[0]!.fields).toEqual({ redis: '127.0.0.1:6379', error: 'connection lost' });
  });

  it('says when a flapping Redis went bad, when it recovered and how many outages between, without a line per flip', async () => {
    const { clock, outages, lines, logger } = setUp('reject');
    const since = new Date(clock.now()).toISOString();
    outages.failed('connection lost');
    outages.succeeded();
    for (let i = 0; i < 50; i++) {
      await clock.advance(100);
      outages.failed('CLUSTERDOWN The cluster is down');
      await clock.advance(100);
      outages.succeeded();
    }
    const recovered = new Date(clock.now()).toISOString();
    expect(lines()).toEqual([
      'warn Redis unreachable: calls needing fleet-wide limits fail until it returns',
      'info Redis reachable again: fleet-wide limits are shared again',
    ]);
    // Quiet for a while: the next call (a success) closes the episode with one summary.
    await clock.advance(FLAP_QUIET_MS);
    outages.succeeded();
    outages.succeeded();
    expect(lines()).toHaveLength(3);
    expect(logger.records[2]).toMatchObject({
      level: 'info',
      message: 'Redis reachable again after flapping: fleet-wide limits are shared again',
      fields: { redis: '127.0.0.1:6379', since, recoveredAt: recovered, outages: 51 },
    });
    // A later outage is a new one: a warn again.
    outages.failed('connection lost');
    expect(lines()[3]).toBe('warn Redis unreachable: calls needing fleet-wide limits fail until it returns');
  });

  it('reports a long flap once per quiet period, with the last reason', async () => {
    const { clock, outages, logger } = setUp();
    outages.failed('connection lost');
    outages.succeeded();
    for (let i = 0; i < 30; i++) {
      await clock.advance(10_000); // a flip every 10 s for 5 minutes: never quiet for a minute
      outages.failed('CLUSTERDOWN The cluster is down');
      outages.succeeded();
    }
    const warns = logger.records.filter((r) => r.level === 'warn');
    expect(warns.length).toBeGreaterThan(1);
    expect(warns.length).toBeLessThanOrEqual(1 + Math.ceil((30 * 10_000) / FLAP_QUIET_MS));
    expect(warns[1]).toMatchObject({
      message: 'Redis unreachable on and off: fleet-wide limits fall back to in-process ones while it is',
      fields: expect.objectContaining({
        error: 'CLUSTERDOWN The cluster is down',
        outages: expect.any(Number),
      }),
    });
  });

  it('closes a flapping episode at the next failure after a quiet period, with the recovery time', async () => {
    const { clock, outages, logger } = setUp();
    outages.failed('connection lost');
    outages.succeeded();
    await clock.advance(50);
    outages.failed('connection lost');
    outages.succeeded();
    const recovered = new Date(clock.now()).toISOString();
    await clock.advance(FLAP_QUIET_MS * 3); // no call at all meanwhile
    outages.failed('connection lost');
    expect(logger.records.map((r) => [r.level, r.message, r.fields?.recoveredAt])).toEqual([
      [
        'warn',
        'Redis unreachable: fleet-wide limits fall back to in-process ones until it returns',
        undefined,
      ],
      ['info', 'Redis reachable again: fleet-wide limits are shared again', undefined],
      ['info', 'Redis reachable again after flapping: fleet-wide limits are shared again', recovered],
      [
        'warn',
        'Redis unreachable: fleet-wide limits fall back to in-process ones until it returns',
        undefined,
      ],
    ]);
  });

  // A fleet's process that goes idle after a flap: its log ended on "unreachable on and off" for good.
  it("sums up a flapping episode once Redis was up for FLAP_QUIET_MS, with no call, on an unref'd timer", async () => {
    const clock = new TimerKindClock();
    const logger = new CaptureLogger();
    const outages = new OutageLog('127.0.0.1:6379', 'local');
    outages.useClock(clock);
    outages.useLogger(logger);
    outages.failed('connection lost');
    outages.succeeded();
    expect(clock.pending).toBe(0); // one outage: its recovery line came at once, nothing to sum up
    await clock.advance(50);
    outages.failed('connection lost');
    outages.succeeded();
    const recovered = new Date(clock.now()).toISOString();
    await clock.advance(FLAP_QUIET_MS - 1);
    expect(logger.records).toHaveLength(2);
    await clock.advance(1); // no call at all
    expect(logger.records[2]).toMatchObject({
      message: 'Redis reachable again after flapping: fleet-wide limits are shared again',
      fields: { recoveredAt: recovered, outages: 2 },
    });
    // Only `every` (never keeps the process alive), cancelled once it ran; a flip resets it, stop() ends it.
    expect(clock.afters).toBe(0);
    expect(clock.pending).toBe(0);
    outages.failed('connection lost');
    outages.succeeded();
    outages.failed('connection lost');
    outages.succeeded();
    expect(clock.pending).toBe(1);
    outages.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(FLAP_QUIET_MS);
    expect(logger.records).toHaveLength(5);
  });

  // On every command's path: a healthy Redis costs no clock read (round 30's review).
  it('reads no clock on a success while nothing is down and no episode is open', async () => {
    const clock = new CountingClock();
    const outages = new OutageLog('127.0.0.1:6379', 'local');
    outages.useClock(clock);
    outages.succeeded();
    expect(clock.reads).toBe(0);
    outages.failed('connection lost');
    outages.succeeded(); // the recovery is timed, and the episode stays open for FLAP_QUIET_MS
    outages.failed('connection lost');
    outages.succeeded(); // a flap: the episode stays open for FLAP_QUIET_MS, and its timer closes it
    await clock.advance(FLAP_QUIET_MS);
    const before = clock.reads;
    outages.succeeded();
    outages.succeeded();
    expect(clock.reads).toBe(before);
  });
});

/** A FakeClock that counts the reads of its monotonic time. */
class CountingClock extends FakeClock {
  reads = 0;
  override monotonic(): number {
    this.reads++;
    return super.monotonic();
  }
}

/** A FakeClock that counts `after` timers (they keep a real process alive; `every` timers do not). */
class TimerKindClock extends FakeClock {
  afters = 0;
  override after(ms: number, fn: () => void): () => void {
    this.afters++;
    return super.after(ms, fn);
  }
}
