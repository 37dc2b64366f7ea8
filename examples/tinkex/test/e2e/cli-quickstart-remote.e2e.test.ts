import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
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

  // Round 36: "training runs: 2, checkpoints: 1" counted every run of the account but only this run's
  // checkpoints, so it read as one checkpoint in all. Each count now says what it counts.
  it("the summary says it counts the account's runs and this run's checkpoints", async () => {
    const key = 'tml-remote-quickstart-counts';
    const quiet = await startEmulator({ seed: 3 });
    const service = new ServiceClient({ api_key: key, base_url: quiet.url, telemetry: false, env: {} });
    try {
      // Another run of the account, with a checkpoint of its own.
      const other = await service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      await other.saveState('other');
      const env = { TINKER_BASE_URL: quiet.url, TINKER_API_KEY: key };
      const [text, json] = await Promise.all([
        runCli(['quickstart', '--steps', '1'], { cwd: process.cwd(), env }),
        runCli(['quickstart', '--steps', '1', '--json'], { cwd: process.cwd(), env }),
      ]);
      expect([text.code, json.code]).toEqual([0, 0]);
      const summary = JSON.parse(json.stdout) as { training_runs: number; checkpoints: string[] };
      // The other run, and the two quickstarts' own (each sees at least its own and the other run).
      expect(summary.training_runs).toBeGreaterThanOrEqual(2);
      expect(summary.checkpoints).toHaveLength(1);
      expect(text.stdout).toMatch(/^training runs of this account: [23]; checkpoints of this run: 1$/m);
    } finally {
      await service.close();
      await quiet.close();
    }
  }, 180_000);
});
