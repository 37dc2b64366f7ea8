import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { EmulatorUsageError, runEmulatorCli } from '../src/cli.js';
import { parseChaos, startEmulator } from '../src/index.js';

describe('the chaos spec', () => {
  it('a scope segment applies to the faults before it (regression: scopes were ignored)', () => {
    const rules = parseChaos('5xx=0.2,429=0.1;scope=training|sampling;pause=0.3;scope=futures;reset=0.05');
    expect(rules.training).toMatchObject({ error5xx: 0.2, rateLimit: 0.1, pause: 0, reset: 0.05 });
    expect(rules.sampling).toMatchObject({ error5xx: 0.2, rateLimit: 0.1, pause: 0, reset: 0.05 });
    expect(rules.futures).toMatchObject({ error5xx: 0, rateLimit: 0, pause: 0.3, reset: 0.05 });
    expect(rules.rest).toMatchObject({ error5xx: 0, pause: 0, reset: 0.05 });
  });

  it('a scope inside a segment applies to that segment; faults without scope apply everywhere', () => {
    const rules = parseChaos('402=0.5,scope=sampling;408=0.25');
    expect(rules.sampling).toMatchObject({ paymentRequired: 0.5, requestTimeout: 0.25 });
    expect(rules.training).toMatchObject({ paymentRequired: 0, requestTimeout: 0.25 });
    expect(parseChaos('422=0.5;scope=rest').rest).toMatchObject({ validation422: 0.5, bare400: 0 });
    expect(parseChaos('400=1,latency=20ms@0.1;scope=futures').futures).toMatchObject({
      bare400: 1,
      latencyMs: 20,
      latencyRate: 0.1,
    });
  });

  it('refuses unknown faults, rates outside 0..1 and unknown scopes', () => {
    expect(() => parseChaos('boom=0.1')).toThrow(/bad clause "boom=0.1"/);
    expect(() => parseChaos('5xx=2')).toThrow(/bad clause/);
    expect(() => parseChaos('5xx=0.1;scope=nowhere')).toThrow(/unknown scope "nowhere"/);
  });

  it('refuses a latency whose rate is outside 0..1 or not a number, or longer than a timer holds', () => {
    // Accepted before: a rate of 2 (as 1), `1.2.3` (NaN: never), and a delay Node's timers fire at once.
    expect(() => parseChaos('latency=20ms@2')).toThrow(
      'chaos: latency rate must be a number from 0 to 1, got "2"',
    );
    expect(() => parseChaos('latency=20ms@1.2.3')).toThrow(
      'latency rate must be a number from 0 to 1, got "1.2.3"',
    );
    expect(() => parseChaos('latency=2147483648ms@1')).toThrow(
      'chaos: latency must be at most 2147483647 ms, got "2147483648ms"',
    );
    expect(parseChaos('latency=2147483647ms@1').rest).toMatchObject({
      latencyMs: 2 ** 31 - 1,
      latencyRate: 1,
    });
  });

  it('a bad spec from TINKEX_EMULATOR_CHAOS is refused naming the variable (API and CLI)', async () => {
    const saved = process.env.TINKEX_EMULATOR_CHAOS;
    process.env.TINKEX_EMULATOR_CHAOS = 'bogus';
    try {
      const error = await startEmulator({}).then(
        (emu) => emu.close().then(() => 'started'),
        (e: unknown) => e,
      );
      expect(String(error)).toContain('TINKEX_EMULATOR_CHAOS: bad clause "bogus"');
      // The CLI refuses it as a usage error, before anything listens (a server that starts anyway stops).
      const signals = new EventEmitter();
      const out = new PassThrough();
      out.on('data', () => signals.emit('SIGTERM'));
      const usage = await runEmulatorCli([], out, signals).catch((e: unknown) => e);
      expect(usage).toBeInstanceOf(EmulatorUsageError);
      expect((usage as Error).message).toBe('TINKEX_EMULATOR_CHAOS: bad clause "bogus"');
      // --chaos wins over the variable, as in startEmulator.
      await expect(runEmulatorCli(['--chaos', ''], out, signals)).resolves.toBe(143);
    } finally {
      if (saved === undefined) delete process.env.TINKEX_EMULATOR_CHAOS;
      else process.env.TINKEX_EMULATOR_CHAOS = saved;
    }
  });
});
