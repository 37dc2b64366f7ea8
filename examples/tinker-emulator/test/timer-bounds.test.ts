import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { EmulatorUsageError, runEmulatorCli } from '../src/cli.js';
import { startEmulator, type EmulatorOptions } from '../src/index.js';

/** What startEmulator settles to; an emulator that starts anyway is closed (no hang on regression). */
const outcome = (options: EmulatorOptions) =>
  startEmulator(options).then(
    (emu) => emu.close().then(() => 'started'),
    (error: unknown) => error,
  );

// Node's timers hold at most 2^31 − 1 ms: a longer delay (Infinity included, a natural "never") fires
// after 1 ms with a TimeoutOverflowWarning, so a held poll answered at once and a seq_id gap was passed
// over at once, the opposite of what was asked.
describe('durations the emulator waits on a timer', () => {
  it.each(['longPollMs', 'resultHoldMs', 'sequenceGapMs'] as const)(
    '%s above 2^31 − 1 ms, Infinity or negative is a RangeError naming it',
    async (name) => {
      for (const value of [2 ** 31, Infinity, -1, 1.5]) {
        const error = await outcome({ [name]: value });
        expect(error).toBeInstanceOf(RangeError);
        expect(String(error)).toContain(`${name} must be an integer from 0 to 2147483647 ms, got ${value}`);
      }
    },
  );

  it('the largest timer delay is accepted', async () => {
    expect(await outcome({ longPollMs: 2 ** 31 - 1, sequenceGapMs: 2 ** 31 - 1 })).toBe('started');
  });
});

describe('the CLI bounds numeric options as usage errors naming them', () => {
  it.each([
    [['--long-poll-ms', '2147483648'], '--long-poll-ms must be at most 2147483647, got "2147483648"'],
    [
      ['--request-log-mib', '99999999999999'],
      '--request-log-mib must be at most 8589934591, got "99999999999999"',
    ],
  ])('%j', async (args, message) => {
    const signals = new EventEmitter();
    const out = new PassThrough();
    // A server that starts anyway (the bug) is stopped once it says where it listens.
    out.on('data', () => signals.emit('SIGTERM'));
    const error = await runEmulatorCli(args, out, signals).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorUsageError);
    expect((error as Error).message).toBe(message);
    expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });
});
