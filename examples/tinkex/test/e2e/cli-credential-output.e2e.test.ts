import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { buildCli, runCli } from '../support/cli/run-cli.js';

const SECRET = 'tml-credential-cmd-secret-0123456789';

/**
 * A TINKER_CREDENTIAL_CMD that prints a status line before the key (a common helper habit). Found by
 * hand: the CLI said `ValidationError: Invalid headers for "get_client_config": /headers/x-api-key:
 * contains a line break (CR or LF) at index 11`, naming neither the command nor what to change.
 */
describe('TINKER_CREDENTIAL_CMD printing more than the credential (spawned CLI)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    [emulator] = await Promise.all([startEmulator({ seed: 2 }), buildCli()]);
  }, 300_000);
  afterAll(() => emulator.close());

  it('names the command and the rule, shows none of its output, and sends nothing', async () => {
    // The other test shares the emulator and may run first (CI randomizes the order): count from here.
    const before = emulator.requestLog().length;
    const result = await runCli(['run', 'list', '--max-retries', '0'], {
      cwd: tmpdir(),
      env: {
        TINKER_BASE_URL: emulator.url,
        TINKER_CREDENTIAL_CMD: `echo "Fetching token from vault..."; echo ${SECRET}`,
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: Could not get a credential: TINKER_CREDENTIAL_CMD printed 2 lines; it must print the credential alone/,
    );
    expect(result.stderr + result.stdout).not.toMatch(/credential-cmd-secret|vault/);
    expect(emulator.requestLog().slice(before)).toEqual([]);
  }, 60_000);

  it('a key with a trailing newline or surrounding spaces is still fine', async () => {
    const result = await runCli(['run', 'list', '-f', 'json'], {
      cwd: tmpdir(),
      env: { TINKER_BASE_URL: emulator.url, TINKER_CREDENTIAL_CMD: `printf '  ${SECRET}  \\n\\n'` },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('runs');
  }, 60_000);
});
