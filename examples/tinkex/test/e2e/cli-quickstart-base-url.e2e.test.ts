import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cliAgainst, type CliAgainstServer } from '../support/cli/run-cli.js';

/**
 * Round 37: with TINKER_BASE_URL (or --base-url) set but no key, `tinkex quickstart` ran against its
 * bundled emulator and said nothing, so a person who pointed it at a server thought that server worked.
 * The address a person gives is the one used: without a key the command stops before sending anything,
 * with the error every other command gives.
 */
describe('tinkex quickstart with a base URL and no key', () => {
  let api: CliAgainstServer;
  let requests = 0;
  beforeAll(async () => {
    api = await cliAgainst(
      (_req, res) => {
        requests += 1;
        res.writeHead(500).end();
      },
      { name: 'quickstart-base-url' },
    );
  }, 300_000);
  afterAll(() => api?.close());

  it('names the missing key (exit 1) and sends nothing, from TINKER_BASE_URL or --base-url', async () => {
    const [fromEnv, fromFlag] = await Promise.all([
      api.run(['quickstart', '--steps', '1'], { TINKER_API_KEY: undefined }),
      api.run(['quickstart', '--steps', '1', '--base-url', api.base], {
        TINKER_API_KEY: undefined,
        TINKER_BASE_URL: undefined,
      }),
    ]);
    for (const run of [fromEnv, fromFlag]) {
      expect({ code: run.code, stdout: run.stdout, first: run.stderr.split('\n')[0] }).toEqual({
        code: 1,
        stdout: '',
        first: 'Error: No API key',
      });
      expect(run.stderr).toContain('--api-key, TINKER_API_KEY or TINKER_CREDENTIAL_CMD');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(requests).toBe(0);
  }, 120_000);
});
