import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * `npm start` against a deployment (TINKER_BASE_URL and TINKER_API_KEY set) that fails now and then:
 * each retry is told on stderr as the CLI's commands tell it, a text line, not JSON, so a person
 * watching a slow run knows why it waits.
 */
describe('tinkex quickstart against a remote server with faults', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    await buildCli();
    emulator = await startEmulator({ seed: 3, chaos: '5xx=0.3;scope=training' });
  }, 300_000);
  afterAll(() => emulator?.close());

  it('finishes, and says why it waited: text lines naming the retry, no JSON, no key', async () => {
    const key = 'tml-remote-quickstart-secret-key';
    const run = await runCli(['quickstart', '--steps', '4'], {
      cwd: process.cwd(),
      env: { TINKER_BASE_URL: emulator.url, TINKER_API_KEY: key, TINKER_LOG: undefined },
    });
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter(Boolean);
    const retries = lines.filter((l) => /^tinkex: .*retrying \S+ in [\d.]+ m?s after HTTP 5\d\d/.test(l));
    expect(retries.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(run.stderr + run.stdout).not.toContain(key);
    expect(run.stdout).toMatch(/loss [\d.]+ → [\d.]+/);
  }, 180_000);
});
