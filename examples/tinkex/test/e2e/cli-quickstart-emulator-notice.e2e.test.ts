import { beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { buildCli, runCli } from '../support/cli/run-cli.js';

const NOTICE =
  /^No TINKER_BASE_URL or --base-url given: running against the bundled local emulator at http:\/\/127\.0\.0\.1:\d+ \(set TINKER_BASE_URL to use a Tinker server\)$/;

/**
 * Round 38: with a key (TINKER_API_KEY or --api-key) but no address, `tinkex quickstart` ran against its
 * bundled emulator without a word, so a person with a real key thought Tinker had trained their LoRA.
 * It says so in one line on stderr first; `--json` keeps stdout the summary alone.
 */
describe('tinkex quickstart with a key and no address', () => {
  beforeAll(buildCli, 300_000);

  it('says on stderr that it runs the bundled emulator, and where; --json stdout stays JSON', async () => {
    const cwd = tmpdir();
    const [fromEnv, fromFlag] = await Promise.all([
      runCli(['quickstart', '--steps', '1', '--json'], { cwd, env: { TINKER_API_KEY: 'tml-notice-test' } }),
      runCli(['quickstart', '--steps', '1', '--json', '--api-key', 'tml-notice-test'], { cwd, env: {} }),
    ]);
    for (const run of [fromEnv, fromFlag]) {
      expect(run.code).toBe(0);
      expect(run.stderr.split('\n')).toEqual([expect.stringMatching(NOTICE), '']);
      expect(JSON.parse(run.stdout)).toMatchObject({ backend: 'emulator', steps: 1 });
    }
  }, 180_000);
});
