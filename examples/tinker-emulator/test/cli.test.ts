import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runCli, spawnServer } from '../../../test/support/spawn-cli.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

describe('the tinker-emulator bin', () => {
  it('serves on the printed URL with the given seed, and exits 0 on SIGTERM', async () => {
    const server = await spawnServer(BIN, ['--port', '0', '--seed', '7']);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/api/v1/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const session = await fetch(`${server.url}/api/v1/create_session`, {
        method: 'POST',
        headers: { 'x-api-key': 'tml-cli-test', 'content-type': 'application/json' },
        body: JSON.stringify({ tags: [], user_metadata: {}, sdk_version: '0.7.0' }),
      });
      // The session id carries the seed (7) in its first group.
      expect((await session.json()).session_id).toMatch(/^00000007-/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runCli(BIN, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: tinker-emulator');
  }, 90_000);
});
