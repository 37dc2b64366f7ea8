import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from 'tinker-emulator';
import { buildCli, startCli } from '../support/cli/run-cli.js';

/** How long the server holds each telemetry request: far beyond the test, so clean-up cannot finish. */
const HOLD_MS = 600_000;

/**
 * The emulator's clock (real time), which says when it starts holding a request: the chaos latency
 * waits on `after(HOLD_MS)`. `close()` cancels the hold.
 */
function holdingClock() {
  const waiters: Array<() => void> = [];
  const clock: NonNullable<EmulatorOptions['clock']> = {
    now: () => Date.now(),
    after(ms, fn) {
      if (ms === HOLD_MS) waiters.splice(0).forEach((w) => w());
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
  };
  return { clock, nextHold: () => new Promise<void>((resolve) => waiters.push(resolve)) };
}

/** Resolves once the child has written `text` on stderr. */
function stderrShows(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      child.stderr!.off('data', look);
      resolve();
    };
    child.stderr!.on('data', look);
  });
}

/**
 * One protocol mode only (the default): this is about the CLI's signals, not the wire. The quickstart
 * against a deployment closes its client on Ctrl-C, which sends the last telemetry report (bounded at
 * 30 s): a server that holds that request keeps the first Ctrl-C's clean-up waiting. A second Ctrl-C
 * must end the process at once, as the usual convention has it.
 */
describe('tinkex interrupted twice with Ctrl-C', () => {
  let emulator: RunningEmulator;
  let hold: ReturnType<typeof holdingClock>;
  let work: string;
  beforeAll(async () => {
    await buildCli();
    hold = holdingClock();
    emulator = await startEmulator({
      seed: 3,
      clock: hold.clock,
      chaos: `latency=${HOLD_MS}ms@1;scope=telemetry`,
    });
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-twice-'));
  }, 300_000);
  afterAll(async () => {
    await emulator?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('the second Ctrl-C exits 130 at once while the first one is still cleaning up, and says so', async () => {
    // The session's first report (SESSION_START) is held: from then on, closing the client waits on it.
    const sessionStarted = hold.nextHold();
    const { child, done } = startCli(['quickstart', '--steps', '1000000', '--json'], {
      cwd: work,
      env: {
        TMPDIR: work,
        TINKER_BASE_URL: emulator.url,
        TINKER_API_KEY: 'tml-second-interrupt-key',
        TINKER_TELEMETRY: undefined,
      },
    });
    // Found by hand: until the second Ctrl-C the terminal showed only "^C", for up to the report's 30 s.
    // Clean-up that runs over a second says so, and how to skip it.
    const hinted = stderrShows(child, 'Cleaning up; press Ctrl-C again to exit at once.');
    await sessionStarted;
    const stillSending = hold.nextHold();
    child.kill('SIGINT');
    // After the first Ctrl-C the client is still sending its report, and the server holds it again:
    // the clean-up cannot finish (before the fix it gave up after 10 s and exited 130, quietly).
    await stillSending;
    await hinted;
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'Cleaning up; press Ctrl-C again to exit at once.\nError: interrupted again',
    );
    // No telemetry request was ever answered: the process left while its report was still held.
    expect(emulator.requestLog().filter((e) => e.path.endsWith('/telemetry'))).toEqual([]);
  }, 60_000);
});
