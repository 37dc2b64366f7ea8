import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runCli, spawnServer } from '../../../../test/support/spawn-cli.js';
import { itStopsCleanlyOnSignals } from '../../../../test/support/clean-stop.js';
import { loadEmulator } from '../../src/cli/load-emulator.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('tinkex emulator (delegating to the tinker-emulator package)', () => {
  it('starts the emulator with the given flags and stops on SIGTERM', async () => {
    const server = await spawnServer(MAIN, ['emulator', '--port', '0', '--seed', '3']);
    try {
      const caps = await fetch(`${server.url}/api/v1/get_server_capabilities`, {
        headers: { 'x-api-key': 'tml-cli-test' },
      });
      expect((await caps.json()).supported_models.map((m: { model_name: string }) => m.model_name)).toContain(
        'meta-llama/Llama-3.2-1B',
      );
      const session = await fetch(`${server.url}/api/v1/create_session`, {
        method: 'POST',
        headers: { 'x-api-key': 'tml-cli-test', 'content-type': 'application/json' },
        body: JSON.stringify({ tags: [], user_metadata: {}, sdk_version: '0.7.0' }),
      });
      expect((await session.json()).session_id).toMatch(/^00000003-/);
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  it("passes the emulator's usage errors on as its own (exit 2) and its failures as one clean line", async () => {
    const server = await spawnServer(MAIN, ['emulator', '--port', '0']);
    try {
      const [usage, taken] = await Promise.all([
        runCli(MAIN, ['emulator', '--flag', 'bogus=1']),
        runCli(MAIN, ['emulator', '--port', new URL(server.url).port]),
      ]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(
        /^Usage: tinkex emulator \[args\.\.\.\]\nTry 'tinkex emulator -h' for help\.\n\nError: unknown flag "bogus"; known flags: .*\n$/,
      );
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(
        /^Error: port \d+ on 127\.0\.0\.1 is in use: pick another --port \(0 picks a free one\)\n$/,
      );
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  // Like the emulator's own bin: 128 + the signal's number after a clean stop, with the port closed.
  itStopsCleanlyOnSignals(MAIN, ['emulator', '--port', '0']);

  it('says how to install the emulator when the package is missing', async () => {
    await expect(loadEmulator('tinker-emulator-not-installed')).rejects.toThrow(
      /npm install tinker-emulator-not-installed.*TINKER_BASE_URL/,
    );
  });

  it('loads the emulator package when it is installed', async () => {
    expect(typeof (await loadEmulator()).startEmulator).toBe('function');
  });
});
