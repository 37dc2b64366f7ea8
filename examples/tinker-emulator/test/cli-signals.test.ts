import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { acceptsConnections, spawnServer } from '../../../test/support/spawn-cli.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/**
 * Found by hand: Ctrl-C on the emulator exited 0, so a script could not tell a stop it asked for from a
 * server that ended on its own. A clean stop on a signal now exits as a shell reports a process that
 * signal stopped: 130 on SIGINT, 143 on SIGTERM, after the port is closed.
 */
describe('the tinker-emulator bin stopped by a signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: closes the port and exits %d',
    async (signal, code) => {
      const server = await spawnServer(BIN, ['--port', '0']);
      expect(await acceptsConnections(server.url)).toBe(true);
      expect(await server.stop(signal)).toBe(code);
      expect(server.output()).not.toMatch(/Error/);
      expect(await acceptsConnections(server.url)).toBe(false);
    },
    90_000,
  );
});
